// Package config holds the typed configuration of pctracker. Values come
// from, in order: defaults in code, an optional YAML file, and PCT_*
// environment variables. Every key is declared once in fields(), which drives
// loading, validation messages, printing with secrets masked, and the test
// that keeps configs/pctracker.example.yaml complete.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration of a pctracker process.
type Config struct {
	Database Database
	HTTP     HTTP
	BaseURL  string
	Log      Log
}

// Database selects and tunes the database.
type Database struct {
	// URL is postgres://... for PostgreSQL, or sqlite:PATH for the embedded
	// SQLite file. Empty means the default SQLite file.
	URL          string
	AutoMigrate  bool
	MaxOpenConns int
}

// HTTP tunes the web server.
type HTTP struct {
	Addr            string
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	BodyLimit       string
}

// Log tunes logging.
type Log struct {
	Level  string
	Format string
}

// DefaultSQLitePath is where the embedded database lives when nothing is set.
const DefaultSQLitePath = "./data/pctracker.db"

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Database: Database{URL: "sqlite:" + DefaultSQLitePath, AutoMigrate: true, MaxOpenConns: 20},
		HTTP: HTTP{
			Addr:            "localhost:8080",
			ReadTimeout:     15 * time.Second,
			WriteTimeout:    60 * time.Second,
			IdleTimeout:     120 * time.Second,
			ShutdownTimeout: 25 * time.Second,
			BodyLimit:       "4M",
		},
		BaseURL: "http://localhost:8080",
		Log:     Log{Level: "info", Format: "text"},
	}
}

// field declares one configuration key.
type field struct {
	key    string // dotted YAML key
	env    string // environment variable
	help   string
	secret bool
	get    func(*Config) string
	set    func(*Config, string) error
}

func fields() []field {
	return []field{
		{key: "database.url", env: "PCT_DATABASE_URL", secret: true,
			help: "postgres://user:pass@host:5432/db for PostgreSQL, or sqlite:PATH for the embedded SQLite file",
			get:  func(c *Config) string { return c.Database.URL },
			set:  func(c *Config, v string) error { c.Database.URL = v; return nil }},
		{key: "database.auto_migrate", env: "PCT_DATABASE_AUTO_MIGRATE",
			help: "apply pending migrations when the server starts",
			get:  func(c *Config) string { return strconv.FormatBool(c.Database.AutoMigrate) },
			set:  boolSetter(func(c *Config) *bool { return &c.Database.AutoMigrate })},
		{key: "database.max_open_conns", env: "PCT_DATABASE_MAX_OPEN_CONNS",
			help: "largest number of open connections to PostgreSQL",
			get:  func(c *Config) string { return strconv.Itoa(c.Database.MaxOpenConns) },
			set:  intSetter(func(c *Config) *int { return &c.Database.MaxOpenConns })},
		{key: "http.addr", env: "PCT_HTTP_ADDR",
			help: "host:port the web server listens on",
			get:  func(c *Config) string { return c.HTTP.Addr },
			set:  func(c *Config, v string) error { c.HTTP.Addr = v; return nil }},
		{key: "http.read_timeout", env: "PCT_HTTP_READ_TIMEOUT",
			help: "longest time to read a request",
			get:  func(c *Config) string { return c.HTTP.ReadTimeout.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.HTTP.ReadTimeout })},
		{key: "http.write_timeout", env: "PCT_HTTP_WRITE_TIMEOUT",
			help: "longest time to write a response",
			get:  func(c *Config) string { return c.HTTP.WriteTimeout.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.HTTP.WriteTimeout })},
		{key: "http.idle_timeout", env: "PCT_HTTP_IDLE_TIMEOUT",
			help: "how long an idle keep-alive connection stays open",
			get:  func(c *Config) string { return c.HTTP.IdleTimeout.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.HTTP.IdleTimeout })},
		{key: "http.shutdown_timeout", env: "PCT_HTTP_SHUTDOWN_TIMEOUT",
			help: "how long shutdown waits for requests in flight",
			get:  func(c *Config) string { return c.HTTP.ShutdownTimeout.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.HTTP.ShutdownTimeout })},
		{key: "http.body_limit", env: "PCT_HTTP_BODY_LIMIT",
			help: "largest request body accepted (e.g. 512K, 4M)",
			get:  func(c *Config) string { return c.HTTP.BodyLimit },
			set:  func(c *Config, v string) error { c.HTTP.BodyLimit = v; return nil }},
		{key: "base_url", env: "PCT_BASE_URL",
			help: "public URL of this pctracker, used in links sent by mail and in feeds",
			get:  func(c *Config) string { return c.BaseURL },
			set:  func(c *Config, v string) error { c.BaseURL = v; return nil }},
		{key: "log.level", env: "PCT_LOG_LEVEL",
			help: "debug, info, warn or error",
			get:  func(c *Config) string { return c.Log.Level },
			set:  func(c *Config, v string) error { c.Log.Level = v; return nil }},
		{key: "log.format", env: "PCT_LOG_FORMAT",
			help: "text or json",
			get:  func(c *Config) string { return c.Log.Format },
			set:  func(c *Config, v string) error { c.Log.Format = v; return nil }},
	}
}

// Error is a configuration problem tied to one key. It prints as one line.
type Error struct {
	Key    string
	Source string // "file PATH", "env PCT_X" or "flag --x"
	Msg    string
}

func (e *Error) Error() string {
	if e.Source != "" {
		return fmt.Sprintf("config: %s (from %s): %s", e.Key, e.Source, e.Msg)
	}
	return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
}

// Load builds the configuration: defaults, then the YAML file at path (if
// path is not empty), then the environment read through getenv. It validates
// the result.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	if path != "" {
		if err := c.applyFile(path); err != nil {
			return Config{}, err
		}
	}
	for _, f := range fields() {
		if v, ok := lookup(getenv, f.env); ok {
			if err := f.set(&c, v); err != nil {
				return Config{}, &Error{Key: f.key, Source: "env " + f.env, Msg: err.Error()}
			}
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// lookup treats an empty variable as unset, as shells and compose files
// commonly export empty values.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func (c *Config) applyFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{Key: "config", Source: "file " + path, Msg: err.Error()}
	}
	var tree map[string]any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return &Error{Key: "config", Source: "file " + path, Msg: "not valid YAML: " + oneLine(err.Error())}
	}
	flat := map[string]string{}
	flatten("", tree, flat)
	byKey := map[string]field{}
	for _, f := range fields() {
		byKey[f.key] = f
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := byKey[k]
		if !ok {
			return &Error{Key: k, Source: "file " + path, Msg: "unknown key"}
		}
		if err := f.set(c, flat[k]); err != nil {
			return &Error{Key: k, Source: "file " + path, Msg: err.Error()}
		}
	}
	return nil
}

func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, child, out)
		}
	case nil:
		out[prefix] = ""
	default:
		out[prefix] = fmt.Sprint(t)
	}
}

// Validate checks every value and names the first wrong key.
func (c Config) Validate() error {
	if _, _, err := ParseDatabaseURL(c.Database.URL); err != nil {
		return &Error{Key: "database.url", Msg: err.Error()}
	}
	if c.Database.MaxOpenConns < 1 {
		return &Error{Key: "database.max_open_conns", Msg: "must be at least 1"}
	}
	if !strings.Contains(c.HTTP.Addr, ":") {
		return &Error{Key: "http.addr", Msg: fmt.Sprintf("%q is not host:port", c.HTTP.Addr)}
	}
	if _, port, _ := strings.Cut(c.HTTP.Addr, ":"); port != "" {
		if p, err := strconv.Atoi(port[strings.LastIndex(port, ":")+1:]); err != nil || p < 0 || p > 65535 {
			return &Error{Key: "http.addr", Msg: fmt.Sprintf("%q has no valid port", c.HTTP.Addr)}
		}
	}
	for key, d := range map[string]time.Duration{
		"http.read_timeout": c.HTTP.ReadTimeout, "http.write_timeout": c.HTTP.WriteTimeout,
		"http.idle_timeout": c.HTTP.IdleTimeout, "http.shutdown_timeout": c.HTTP.ShutdownTimeout,
	} {
		if d <= 0 {
			return &Error{Key: key, Msg: "must be a positive duration such as 30s"}
		}
	}
	if _, err := ParseSize(c.HTTP.BodyLimit); err != nil {
		return &Error{Key: "http.body_limit", Msg: err.Error()}
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Key: "base_url", Msg: fmt.Sprintf("%q is not an http(s) URL", c.BaseURL)}
	}
	if _, err := c.Log.SlogLevel(); err != nil {
		return &Error{Key: "log.level", Msg: err.Error()}
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return &Error{Key: "log.format", Msg: fmt.Sprintf("%q is not text or json", c.Log.Format)}
	}
	return nil
}

// SlogLevel translates the configured level.
func (l Log) SlogLevel() (slog.Level, error) {
	switch strings.ToLower(l.Level) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("%q is not debug, info, warn or error", l.Level)
}

// Engine names a database engine.
type Engine string

const (
	Postgres Engine = "postgres"
	SQLite   Engine = "sqlite"
)

// ParseDatabaseURL tells the engine and the driver's data source: for
// PostgreSQL the URL itself, for SQLite the file path.
func ParseDatabaseURL(raw string) (Engine, string, error) {
	switch {
	case raw == "":
		return SQLite, DefaultSQLitePath, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			// url.Parse errors quote the input, password included.
			return "", "", fmt.Errorf("malformed PostgreSQL URL %s (percent-encode special characters in the password)", MaskURL(raw))
		}
		if u.Host == "" {
			return "", "", fmt.Errorf("PostgreSQL URL has no host")
		}
		if strings.Trim(u.Path, "/") == "" {
			return "", "", fmt.Errorf("PostgreSQL URL names no database")
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", fmt.Errorf("sqlite: URL names no file (use sqlite:./data/pctracker.db)")
		}
		if strings.ContainsAny(path, "?#") {
			return "", "", fmt.Errorf("sqlite: URL takes a plain file path, without options")
		}
		return SQLite, path, nil
	}
	return "", "", fmt.Errorf("must start with postgres:// or sqlite: (got %q)", MaskURL(raw))
}

// MaskURL hides the password of a database URL, whether in its user
// information or in a password= parameter. A URL that cannot be parsed is
// hidden whole after its scheme, since any part of it may be the password.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.Index(raw, "://"); i > 0 {
			return raw[:i+3] + "***"
		}
		return "***"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), "xxxxx", "***")
}

// ParseSize reads sizes such as 512K or 4M, as the body-limit middleware
// does, and refuses zero or negative sizes.
func ParseSize(s string) (int64, error) {
	n, err := bytes.Parse(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 512K or 4M", s)
	}
	return n, nil
}

// Print writes the effective configuration as YAML-like lines, secrets
// masked, each with its environment variable.
func (c Config) Print(w io.Writer) {
	for _, f := range fields() {
		v := f.get(&c)
		if f.secret {
			v = MaskURL(v)
		}
		fmt.Fprintf(w, "%-24s %-32q # %s\n", f.key+":", v, f.env)
	}
}

// Keys lists every key with its env name and help, for documentation tests.
func Keys() []struct{ Key, Env, Help, Default string } {
	def := Default()
	var out []struct{ Key, Env, Help, Default string }
	for _, f := range fields() {
		out = append(out, struct{ Key, Env, Help, Default string }{f.key, f.env, f.help, f.get(&def)})
	}
	return out
}

// Set applies one key by name, as from a command-line flag.
func (c *Config) Set(key, value, source string) error {
	for _, f := range fields() {
		if f.key == key {
			if err := f.set(c, value); err != nil {
				return &Error{Key: key, Source: source, Msg: err.Error()}
			}
			err := c.Validate()
			var ce *Error
			if errors.As(err, &ce) && ce.Key == key {
				ce.Source = source
			}
			return err
		}
	}
	return &Error{Key: key, Msg: "unknown key"}
}

func boolSetter(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p(c) = b
		return nil
	}
}

func intSetter(p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*p(c) = n
		return nil
	}
}

func durationSetter(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", v)
		}
		*p(c) = d
		return nil
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

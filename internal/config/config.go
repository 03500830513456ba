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
	"net"
	"net/mail"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"
	"gopkg.in/yaml.v3"

	"github.com/pctracker/pctracker/internal/store/dburl"
)

// Config is the whole configuration of a pctracker process.
type Config struct {
	Database  Database
	HTTP      HTTP
	BaseURL   string
	Log       Log
	Session   Session
	SignIn    SignIn
	Mail      Mail
	Report    Report
	Evidence  Evidence
	Scheduler Scheduler
	Metrics   Metrics
}

// Metrics guards the Prometheus endpoint.
type Metrics struct {
	// Allow are the networks (CIDR) whose clients may read /metrics, as
	// judged by the client address (the connection's peer, or
	// X-Forwarded-For from a trusted proxy). Empty: no one.
	Allow []string
}

// Evidence tunes how evidence links are checked and archived.
type Evidence struct {
	Enabled      bool
	MaxBytes     string   // the largest body fetched (e.g. 20M)
	ChecksPerRun int      // checks one run of the job makes at most
	AllowHosts   []string // host:port pairs fetched although not public: a local test server only
}

// Scheduler says when the scheduled jobs run. Each runs once per period,
// at an offset past the start of the period on the UTC clock; a test may
// compress the schedule to seconds.
type Scheduler struct {
	Enabled            bool
	ReportPeriod       time.Duration
	ReportOffset       time.Duration
	ReminderPeriod     time.Duration
	ReminderOffset     time.Duration
	ReminderDays       []int // days before the deadline
	HousekeepingPeriod time.Duration
	HousekeepingOffset time.Duration
	DigestPeriod       time.Duration // the digest of accepted actions
	DigestOffset       time.Duration
	EvidencePeriod     time.Duration // how often due evidence checks are run
	EvidenceCheck      time.Duration // how long between two checks of one link
	MailPeriod         time.Duration
	MailRetry          time.Duration // first retry delay of a reminder the mail server refused
	LeaderPoll         time.Duration // how often replicas campaign for the leadership (PostgreSQL)
}

// Report tunes the progress report.
type Report struct {
	// Chromium is the browser that prints the PDF: a path, empty to look
	// for chromium on PATH, or "off" to make no PDF.
	Chromium string
}

// Session bounds how long a sign-in lasts.
type Session struct {
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
}

// SignIn limits failed sign-ins, counted in the database so that the limits
// hold across replicas.
type SignIn struct {
	AccountFailures int           // per account per hour
	IPFailures      int           // per client address per IPWindow
	IPWindow        time.Duration // the per-address burst window
	// TwoStep requires the secretariat to confirm each sign-in with a code
	// from an authenticator app (enrolled at their first sign-in).
	TwoStep bool
}

// Mail selects how mail leaves pctracker.
type Mail struct {
	Backend string // "file" writes each message to Dir; "smtp" sends it
	Dir     string
	From    string
	SMTP    SMTP
}

// SMTP is the mail server of the smtp backend.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // "starttls", "tls" or "none"
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
	// TrustedProxies are the networks (CIDR) whose X-Forwarded-For is
	// believed; from anywhere else the client address is the peer's.
	TrustedProxies []string
	// PublicFreshness is how long a change made through another replica
	// or the command line may take to reach the public pages; a change
	// made through this process shows at once.
	PublicFreshness time.Duration
}

// Log tunes logging.
type Log struct {
	Level  string
	Format string
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Database: Database{URL: "sqlite:" + dburl.DefaultSQLitePath, AutoMigrate: true, MaxOpenConns: 20},
		HTTP: HTTP{
			Addr:            "localhost:8080",
			ReadTimeout:     15 * time.Second,
			WriteTimeout:    60 * time.Second,
			IdleTimeout:     120 * time.Second,
			ShutdownTimeout: 25 * time.Second,
			PublicFreshness: time.Second,
			BodyLimit:       "4M",
		},
		BaseURL:  "http://localhost:8080",
		Evidence: Evidence{Enabled: true, MaxBytes: "20M", ChecksPerRun: 50},
		Log:      Log{Level: "info", Format: "text"},
		Session:  Session{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour},
		SignIn:   SignIn{AccountFailures: 100, IPFailures: 30, IPWindow: time.Minute, TwoStep: true},
		Mail: Mail{Backend: "file", Dir: "./data/mail", From: "pctracker <no-reply@localhost>",
			SMTP: SMTP{Port: 587, TLS: "starttls"}},
		Scheduler: Scheduler{Enabled: true, ReportPeriod: 24 * time.Hour, ReportOffset: 2 * time.Hour,
			ReminderPeriod: 24 * time.Hour, ReminderOffset: 8 * time.Hour, ReminderDays: []int{30, 7, 1},
			HousekeepingPeriod: 24 * time.Hour, HousekeepingOffset: 3*time.Hour + 17*time.Minute,
			DigestPeriod: 24 * time.Hour, DigestOffset: 6 * time.Hour,
			EvidencePeriod: time.Minute, EvidenceCheck: 7 * 24 * time.Hour,
			MailPeriod: time.Minute, MailRetry: time.Minute, LeaderPoll: 2 * time.Second},
		Metrics: Metrics{Allow: []string{"127.0.0.0/8", "::1/128"}},
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
		{key: "http.public_freshness", env: "PCT_HTTP_PUBLIC_FRESHNESS",
			help: "how long a change made through another replica may take to reach the public pages (0: checked on every request)",
			get:  func(c *Config) string { return c.HTTP.PublicFreshness.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.HTTP.PublicFreshness })},
		{key: "http.body_limit", env: "PCT_HTTP_BODY_LIMIT",
			help: "largest request body accepted (e.g. 512K, 4M)",
			get:  func(c *Config) string { return c.HTTP.BodyLimit },
			set:  func(c *Config, v string) error { c.HTTP.BodyLimit = v; return nil }},
		{key: "http.trusted_proxies", env: "PCT_HTTP_TRUSTED_PROXIES",
			help: "comma-separated networks (CIDR) of reverse proxies whose X-Forwarded-For is believed",
			get:  func(c *Config) string { return strings.Join(c.HTTP.TrustedProxies, ",") },
			set:  listSetter(func(c *Config) *[]string { return &c.HTTP.TrustedProxies })},
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
		{key: "session.idle_timeout", env: "PCT_SESSION_IDLE_TIMEOUT",
			help: "a session unused this long ends",
			get:  func(c *Config) string { return c.Session.IdleTimeout.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Session.IdleTimeout })},
		{key: "session.absolute_timeout", env: "PCT_SESSION_ABSOLUTE_TIMEOUT",
			help: "a session ends this long after sign-in, used or not",
			get:  func(c *Config) string { return c.Session.AbsoluteTimeout.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Session.AbsoluteTimeout })},
		{key: "signin.account_failures", env: "PCT_SIGNIN_ACCOUNT_FAILURES",
			help: "failed sign-ins allowed per account per hour",
			get:  func(c *Config) string { return strconv.Itoa(c.SignIn.AccountFailures) },
			set:  intSetter(func(c *Config) *int { return &c.SignIn.AccountFailures })},
		{key: "signin.ip_failures", env: "PCT_SIGNIN_IP_FAILURES",
			help: "failed sign-ins allowed per client address per ip_window",
			get:  func(c *Config) string { return strconv.Itoa(c.SignIn.IPFailures) },
			set:  intSetter(func(c *Config) *int { return &c.SignIn.IPFailures })},
		{key: "signin.ip_window", env: "PCT_SIGNIN_IP_WINDOW",
			help: "the window of the per-address limit",
			get:  func(c *Config) string { return c.SignIn.IPWindow.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.SignIn.IPWindow })},
		{key: "signin.two_step", env: "PCT_SIGNIN_TWO_STEP",
			help: "the secretariat confirms each sign-in with a code from an authenticator app",
			get:  func(c *Config) string { return strconv.FormatBool(c.SignIn.TwoStep) },
			set:  boolSetter(func(c *Config) *bool { return &c.SignIn.TwoStep })},
		{key: "mail.backend", env: "PCT_MAIL_BACKEND",
			help: "file (write each message to mail.dir and log it) or smtp",
			get:  func(c *Config) string { return c.Mail.Backend },
			set:  func(c *Config, v string) error { c.Mail.Backend = v; return nil }},
		{key: "mail.dir", env: "PCT_MAIL_DIR",
			help: "folder of the file backend",
			get:  func(c *Config) string { return c.Mail.Dir },
			set:  func(c *Config, v string) error { c.Mail.Dir = v; return nil }},
		{key: "mail.from", env: "PCT_MAIL_FROM",
			help: "sender address of every message",
			get:  func(c *Config) string { return c.Mail.From },
			set:  func(c *Config, v string) error { c.Mail.From = v; return nil }},
		{key: "mail.smtp.host", env: "PCT_MAIL_SMTP_HOST",
			help: "SMTP server host",
			get:  func(c *Config) string { return c.Mail.SMTP.Host },
			set:  func(c *Config, v string) error { c.Mail.SMTP.Host = v; return nil }},
		{key: "mail.smtp.port", env: "PCT_MAIL_SMTP_PORT",
			help: "SMTP server port",
			get:  func(c *Config) string { return strconv.Itoa(c.Mail.SMTP.Port) },
			set:  intSetter(func(c *Config) *int { return &c.Mail.SMTP.Port })},
		{key: "mail.smtp.username", env: "PCT_MAIL_SMTP_USERNAME",
			help: "SMTP user name (empty: no authentication)",
			get:  func(c *Config) string { return c.Mail.SMTP.Username },
			set:  func(c *Config, v string) error { c.Mail.SMTP.Username = v; return nil }},
		{key: "mail.smtp.password", env: "PCT_MAIL_SMTP_PASSWORD", secret: true,
			help: "SMTP password",
			get:  func(c *Config) string { return c.Mail.SMTP.Password },
			set:  func(c *Config, v string) error { c.Mail.SMTP.Password = v; return nil }},
		{key: "mail.smtp.tls", env: "PCT_MAIL_SMTP_TLS",
			help: "starttls, tls (implicit, usually port 465) or none (local relays only)",
			get:  func(c *Config) string { return c.Mail.SMTP.TLS },
			set:  func(c *Config, v string) error { c.Mail.SMTP.TLS = v; return nil }},
		{key: "scheduler.enabled", env: "PCT_SCHEDULER_ENABLED",
			help: "run the scheduled jobs in this process (replicas elect one leader on PostgreSQL)",
			get:  func(c *Config) string { return strconv.FormatBool(c.Scheduler.Enabled) },
			set:  boolSetter(func(c *Config) *bool { return &c.Scheduler.Enabled })},
		{key: "scheduler.report_period", env: "PCT_SCHEDULER_REPORT_PERIOD",
			help: "how often the draft report is compiled, from the report date to the Forum",
			get:  func(c *Config) string { return c.Scheduler.ReportPeriod.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.ReportPeriod })},
		{key: "scheduler.report_offset", env: "PCT_SCHEDULER_REPORT_OFFSET",
			help: "when in each period (UTC) the report is compiled; 2h is 02:00 daily",
			get:  func(c *Config) string { return c.Scheduler.ReportOffset.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.ReportOffset })},
		{key: "scheduler.reminder_period", env: "PCT_SCHEDULER_REMINDER_PERIOD",
			help: "how often reminders are decided",
			get:  func(c *Config) string { return c.Scheduler.ReminderPeriod.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.ReminderPeriod })},
		{key: "scheduler.reminder_offset", env: "PCT_SCHEDULER_REMINDER_OFFSET",
			help: "when in each period (UTC) reminders are decided; 8h is 08:00 daily",
			get:  func(c *Config) string { return c.Scheduler.ReminderOffset.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.ReminderOffset })},
		{key: "scheduler.reminder_days", env: "PCT_SCHEDULER_REMINDER_DAYS",
			help: "days before the deadline to remind organisations that have submitted nothing, comma-separated",
			get: func(c *Config) string {
				s := make([]string, len(c.Scheduler.ReminderDays))
				for i, d := range c.Scheduler.ReminderDays {
					s[i] = strconv.Itoa(d)
				}
				return strings.Join(s, ",")
			},
			set: func(c *Config, v string) error {
				var days []int
				for _, p := range strings.Split(v, ",") {
					d, err := strconv.Atoi(strings.TrimSpace(p))
					if err != nil || d < 0 || d > 365 {
						return fmt.Errorf("%q is not a list of days between 0 and 365, such as 30,7,1", v)
					}
					days = append(days, d)
				}
				c.Scheduler.ReminderDays = days
				return nil
			}},
		{key: "scheduler.housekeeping_period", env: "PCT_SCHEDULER_HOUSEKEEPING_PERIOD",
			help: "how often expired sessions, links and idempotency keys are deleted",
			get:  func(c *Config) string { return c.Scheduler.HousekeepingPeriod.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.HousekeepingPeriod })},
		{key: "scheduler.housekeeping_offset", env: "PCT_SCHEDULER_HOUSEKEEPING_OFFSET",
			help: "when in each period (UTC) housekeeping runs",
			get:  func(c *Config) string { return c.Scheduler.HousekeepingOffset.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.HousekeepingOffset })},
		{key: "scheduler.digest_period", env: "PCT_SCHEDULER_DIGEST_PERIOD",
			help: "how often organisations are mailed the digest of their accepted actions",
			get:  func(c *Config) string { return c.Scheduler.DigestPeriod.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.DigestPeriod })},
		{key: "scheduler.digest_offset", env: "PCT_SCHEDULER_DIGEST_OFFSET",
			help: "when in each period (UTC) the digests are written; 6h is 06:00 daily",
			get:  func(c *Config) string { return c.Scheduler.DigestOffset.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.DigestOffset })},
		{key: "scheduler.evidence_period", env: "PCT_SCHEDULER_EVIDENCE_PERIOD",
			help: "how often the evidence links that are due are checked",
			get:  func(c *Config) string { return c.Scheduler.EvidencePeriod.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.EvidencePeriod })},
		{key: "scheduler.evidence_check_period", env: "PCT_SCHEDULER_EVIDENCE_CHECK_PERIOD",
			help: "how long between two checks of one evidence link (each link's checks are spread over it)",
			get:  func(c *Config) string { return c.Scheduler.EvidenceCheck.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.EvidenceCheck })},
		{key: "evidence.enabled", env: "PCT_EVIDENCE_ENABLED",
			help: "check the evidence links of accepted public actions and archive the copy read at acceptance",
			get:  func(c *Config) string { return strconv.FormatBool(c.Evidence.Enabled) },
			set:  boolSetter(func(c *Config) *bool { return &c.Evidence.Enabled })},
		{key: "evidence.max_bytes", env: "PCT_EVIDENCE_MAX_BYTES",
			help: "largest evidence body fetched and archived (e.g. 20M)",
			get:  func(c *Config) string { return c.Evidence.MaxBytes },
			set:  func(c *Config, v string) error { c.Evidence.MaxBytes = v; return nil }},
		{key: "evidence.checks_per_run", env: "PCT_EVIDENCE_CHECKS_PER_RUN",
			help: "evidence checks one run of the job makes at most",
			get:  func(c *Config) string { return strconv.Itoa(c.Evidence.ChecksPerRun) },
			set:  intSetter(func(c *Config) *int { return &c.Evidence.ChecksPerRun })},
		{key: "evidence.allow_hosts", env: "PCT_EVIDENCE_ALLOW_HOSTS",
			help: "comma-separated host:port pairs fetched although their address is not public (a local test server); empty in production",
			get:  func(c *Config) string { return strings.Join(c.Evidence.AllowHosts, ",") },
			set: func(c *Config, v string) error {
				c.Evidence.AllowHosts = nil
				for _, h := range strings.Split(v, ",") {
					if h = strings.TrimSpace(h); h != "" {
						c.Evidence.AllowHosts = append(c.Evidence.AllowHosts, h)
					}
				}
				return nil
			}},
		{key: "scheduler.mail_period", env: "PCT_SCHEDULER_MAIL_PERIOD",
			help: "how often the outbox of reminders is drained",
			get:  func(c *Config) string { return c.Scheduler.MailPeriod.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.MailPeriod })},
		{key: "scheduler.mail_retry", env: "PCT_SCHEDULER_MAIL_RETRY",
			help: "first delay before a refused reminder is tried again; it doubles each time, up to an hour",
			get:  func(c *Config) string { return c.Scheduler.MailRetry.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.MailRetry })},
		{key: "scheduler.leader_poll", env: "PCT_SCHEDULER_LEADER_POLL",
			help: "how often replicas on PostgreSQL campaign for (or check) the scheduler's leadership",
			get:  func(c *Config) string { return c.Scheduler.LeaderPoll.String() },
			set:  durationSetter(func(c *Config) *time.Duration { return &c.Scheduler.LeaderPoll })},
		{key: "metrics.allow", env: "PCT_METRICS_ALLOW",
			help: "comma-separated networks (CIDR) of the clients that may read /metrics; others get 404",
			get:  func(c *Config) string { return strings.Join(c.Metrics.Allow, ",") },
			set:  listSetter(func(c *Config) *[]string { return &c.Metrics.Allow })},
		{key: "report.chromium", env: "PCT_REPORT_CHROMIUM",
			help: "path of the Chromium that prints report PDFs; empty looks for chromium on PATH; off makes no PDF",
			get:  func(c *Config) string { return c.Report.Chromium },
			set:  func(c *Config, v string) error { c.Report.Chromium = v; return nil }},
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
	if _, _, err := dburl.Parse(c.Database.URL); err != nil {
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
	if c.HTTP.PublicFreshness < 0 {
		return &Error{Key: "http.public_freshness", Msg: "must not be negative (0 checks on every request)"}
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
	if _, err := ParseSize(c.Evidence.MaxBytes); err != nil {
		return &Error{Key: "evidence.max_bytes", Msg: err.Error()}
	}
	if c.Evidence.ChecksPerRun < 1 {
		return &Error{Key: "evidence.checks_per_run", Msg: "must be at least 1"}
	}
	for _, h := range c.Evidence.AllowHosts {
		if _, port, err := net.SplitHostPort(h); err != nil || port == "" {
			return &Error{Key: "evidence.allow_hosts", Msg: fmt.Sprintf("%q is not a host:port pair", h)}
		}
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Key: "base_url", Msg: fmt.Sprintf("%q is not an http(s) URL", c.BaseURL)}
	}
	for _, p := range c.HTTP.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			return &Error{Key: "http.trusted_proxies", Msg: fmt.Sprintf("%q is not a network such as 10.0.0.0/8", p)}
		}
	}
	for _, p := range c.Metrics.Allow {
		if _, _, err := net.ParseCIDR(p); err != nil {
			return &Error{Key: "metrics.allow", Msg: fmt.Sprintf("%q is not a network such as 127.0.0.0/8", p)}
		}
	}
	if c.Session.IdleTimeout <= 0 || c.Session.AbsoluteTimeout < c.Session.IdleTimeout {
		return &Error{Key: "session.absolute_timeout", Msg: "must be positive and at least session.idle_timeout"}
	}
	if c.SignIn.AccountFailures < 1 {
		return &Error{Key: "signin.account_failures", Msg: "must be at least 1"}
	}
	if c.SignIn.IPFailures < 1 {
		return &Error{Key: "signin.ip_failures", Msg: "must be at least 1"}
	}
	if c.SignIn.IPWindow <= 0 {
		return &Error{Key: "signin.ip_window", Msg: "must be a positive duration such as 1m"}
	}
	switch c.Mail.Backend {
	case "file":
		if c.Mail.Dir == "" {
			return &Error{Key: "mail.dir", Msg: "is required with the file backend"}
		}
	case "smtp":
		if c.Mail.SMTP.Host == "" {
			return &Error{Key: "mail.smtp.host", Msg: "is required with the smtp backend"}
		}
		if c.Mail.SMTP.Port < 1 || c.Mail.SMTP.Port > 65535 {
			return &Error{Key: "mail.smtp.port", Msg: "must be a port number"}
		}
		if t := c.Mail.SMTP.TLS; t != "starttls" && t != "tls" && t != "none" {
			return &Error{Key: "mail.smtp.tls", Msg: fmt.Sprintf("%q is not starttls, tls or none", t)}
		}
	default:
		return &Error{Key: "mail.backend", Msg: fmt.Sprintf("%q is not file or smtp", c.Mail.Backend)}
	}
	for _, p := range []struct {
		key            string
		period, offset time.Duration
	}{{"scheduler.report", c.Scheduler.ReportPeriod, c.Scheduler.ReportOffset},
		{"scheduler.reminder", c.Scheduler.ReminderPeriod, c.Scheduler.ReminderOffset},
		{"scheduler.housekeeping", c.Scheduler.HousekeepingPeriod, c.Scheduler.HousekeepingOffset},
		{"scheduler.digest", c.Scheduler.DigestPeriod, c.Scheduler.DigestOffset},
		{"scheduler.evidence", c.Scheduler.EvidencePeriod, 0},
		{"scheduler.evidence_check", c.Scheduler.EvidenceCheck, 0},
		{"scheduler.mail", c.Scheduler.MailPeriod, 0}} {
		if p.period < time.Second {
			return &Error{Key: p.key + "_period", Msg: "must be at least 1s"}
		}
		if p.offset < 0 || p.offset >= p.period {
			return &Error{Key: p.key + "_offset", Msg: "must be at least 0 and less than the period"}
		}
	}
	if c.Scheduler.LeaderPoll < 100*time.Millisecond {
		return &Error{Key: "scheduler.leader_poll", Msg: "must be at least 100ms"}
	}
	if c.Scheduler.MailRetry <= 0 {
		return &Error{Key: "scheduler.mail_retry", Msg: "must be positive"}
	}
	if _, err := mail.ParseAddress(c.Mail.From); err != nil {
		return &Error{Key: "mail.from", Msg: fmt.Sprintf("%q is not an address such as pctracker <no-reply@example.org>", c.Mail.From)}
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
		if f.secret && strings.Contains(v, "://") {
			v = dburl.Mask(v)
		} else if f.secret && v != "" {
			v = "***"
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

// listSetter reads a comma-separated list, blanks dropped.
func listSetter(p func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		var list []string
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		*p(c) = list
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

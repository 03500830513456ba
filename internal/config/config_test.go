package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.URL != "sqlite:./data/pctracker.db" || !c.Database.AutoMigrate || c.HTTP.Addr != "localhost:8080" {
		t.Errorf("defaults: %+v", c)
	}
}

// The example file must document every key with its default and its env
// name, and must itself load to the defaults.
func TestExampleDocumentsEveryKey(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "pctracker.example.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, k := range config.Keys() {
		leaf := k.Key[strings.LastIndex(k.Key, ".")+1:]
		if !strings.Contains(text, leaf+":") || !strings.Contains(text, k.Env) {
			t.Errorf("%s (%s) is not documented", k.Key, k.Env)
		}
		if !strings.Contains(text, k.Default) {
			t.Errorf("%s: default %q not shown", k.Key, k.Default)
		}
	}
	c, err := config.Load(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, config.Default()) {
		t.Errorf("the example file differs from the defaults:\n%+v\n%+v", c, config.Default())
	}
}

func TestLayers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte("http:\n  addr: \":9000\"\n  read_timeout: 5s\nlog:\n  level: debug\n"), 0o600)
	c, err := config.Load(path, env(map[string]string{"PCT_LOG_LEVEL": "warn", "PCT_DATABASE_URL": "postgres://u:secret@db:5432/pct"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != ":9000" || c.HTTP.ReadTimeout != 5*time.Second || c.Log.Level != "warn" || c.Database.URL != "postgres://u:secret@db:5432/pct" {
		t.Errorf("file then env: %+v", c)
	}
	var b strings.Builder
	c.Print(&b)
	if strings.Contains(b.String(), "secret") || !strings.Contains(b.String(), "postgres://u:***@db:5432/pct") {
		t.Errorf("secrets must be masked:\n%s", b.String())
	}
}

func TestInvalidValuesNameTheKey(t *testing.T) {
	cases := []struct {
		env  map[string]string
		file string
		key  string
	}{
		{env: map[string]string{"PCT_DATABASE_URL": "mysql://x"}, key: "database.url"},
		{env: map[string]string{"PCT_DATABASE_URL": "postgres://u:pw@:5432"}, key: "database.url"},
		{env: map[string]string{"PCT_DATABASE_URL": "postgres://host:5432"}, key: "database.url"},
		{env: map[string]string{"PCT_HTTP_ADDR": "nowhere"}, key: "http.addr"},
		{env: map[string]string{"PCT_HTTP_ADDR": "localhost:99999"}, key: "http.addr"},
		{env: map[string]string{"PCT_HTTP_READ_TIMEOUT": "soon"}, key: "http.read_timeout"},
		{env: map[string]string{"PCT_BASE_URL": "ftp://x"}, key: "base_url"},
		{env: map[string]string{"PCT_LOG_LEVEL": "loud"}, key: "log.level"},
		{env: map[string]string{"PCT_DATABASE_AUTO_MIGRATE": "maybe"}, key: "database.auto_migrate"},
		{env: map[string]string{"PCT_HTTP_BODY_LIMIT": "lots"}, key: "http.body_limit"},
		{env: map[string]string{"PCT_METRICS_ALLOW": "127.0.0.1"}, key: "metrics.allow"},
		{file: "http:\n  adr: x\n", key: "http.adr"},
		{file: "http: [unclosed\n", key: "config"},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			path := ""
			if c.file != "" {
				path = filepath.Join(t.TempDir(), "c.yaml")
				os.WriteFile(path, []byte(c.file), 0o600)
			}
			_, err := config.Load(path, env(c.env))
			if err == nil {
				t.Fatalf("%v %q: accepted", c.env, c.file)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: "+c.key) || strings.Contains(msg, "\n") || strings.Contains(msg, "pw@") {
				t.Errorf("%v %q: message %q should be one line naming %s", c.env, c.file, msg, c.key)
			}
		})
	}
}

// /metrics is for loopback unless said otherwise; the list is read from
// the environment as from the file, and "" in the file means no one.
func TestMetricsAllow(t *testing.T) {
	if got := config.Default().Metrics.Allow; !reflect.DeepEqual(got, []string{"127.0.0.0/8", "::1/128"}) {
		t.Errorf("default: %q", got)
	}
	c, err := config.Load("", env(map[string]string{"PCT_METRICS_ALLOW": " 10.0.0.0/8, 2001:db8::/32 ,"}))
	if err != nil || !reflect.DeepEqual(c.Metrics.Allow, []string{"10.0.0.0/8", "2001:db8::/32"}) {
		t.Errorf("from the environment: %q %v", c.Metrics.Allow, err)
	}
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("metrics:\n  allow: \"\"\n"), 0o600)
	if c, err := config.Load(path, env(nil)); err != nil || len(c.Metrics.Allow) != 0 {
		t.Errorf("empty in the file: %q %v", c.Metrics.Allow, err)
	}
}

// A database URL that does not parse names no part of its password; the
// masking itself is tested in dburl.
func TestUnparseableURLHidesPassword(t *testing.T) {
	_, err := config.Load("", env(map[string]string{"PCT_DATABASE_URL": "postgres://u:s3cr%zzet@h/db"}))
	if err == nil || strings.Contains(err.Error(), "s3cr") {
		t.Errorf("unparseable URL: %v", err)
	}
}

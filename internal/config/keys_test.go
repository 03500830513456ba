package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/config"
)

// keyCase sets one key to a value other than its default and reads it back
// from the field it must land in, so that a wrong tag, a wrong variable name
// or a key read into the wrong field fails here.
type keyCase struct {
	key, env string
	value    string
	read     func(config.Config) any
	want     any
	bad      string            // a refused value; "" when none is (empty variables count as unset)
	also     map[string]string // variables the value needs beside it (e.g. an smtp host for the smtp backend)
}

func keyCases() []keyCase {
	smtp := map[string]string{"PCT_MAIL_BACKEND": "smtp", "PCT_MAIL_SMTP_HOST": "smtp.example.org"}
	return []keyCase{
		{"database.url", "PCT_DATABASE_URL", "postgres://u:pw@db:5432/pct", func(c config.Config) any { return c.Database.URL }, "postgres://u:pw@db:5432/pct", "mysql://x", nil},
		{"database.auto_migrate", "PCT_DATABASE_AUTO_MIGRATE", "false", func(c config.Config) any { return c.Database.AutoMigrate }, false, "maybe", nil},
		{"database.max_open_conns", "PCT_DATABASE_MAX_OPEN_CONNS", "5", func(c config.Config) any { return c.Database.MaxOpenConns }, 5, "many", nil},
		{"database.replica_urls", "PCT_DATABASE_REPLICA_URLS", "postgres://u:pw@r1:5432/pct", func(c config.Config) any { return c.Database.ReplicaURLs }, []string{"postgres://u:pw@r1:5432/pct"}, "sqlite:r.db", map[string]string{"PCT_DATABASE_URL": "postgres://u:pw@db:5432/pct"}},
		{"database.max_replica_lag", "PCT_DATABASE_MAX_REPLICA_LAG", "2s", func(c config.Config) any { return c.Database.MaxReplicaLag }, 2 * time.Second, "-1s", nil},
		{"http.addr", "PCT_HTTP_ADDR", ":9000", func(c config.Config) any { return c.HTTP.Addr }, ":9000", "nowhere", nil},
		{"http.read_timeout", "PCT_HTTP_READ_TIMEOUT", "5s", func(c config.Config) any { return c.HTTP.ReadTimeout }, 5 * time.Second, "soon", nil},
		{"http.write_timeout", "PCT_HTTP_WRITE_TIMEOUT", "2m", func(c config.Config) any { return c.HTTP.WriteTimeout }, 2 * time.Minute, "0s", nil},
		{"http.idle_timeout", "PCT_HTTP_IDLE_TIMEOUT", "3m", func(c config.Config) any { return c.HTTP.IdleTimeout }, 3 * time.Minute, "soon", nil},
		{"http.shutdown_timeout", "PCT_HTTP_SHUTDOWN_TIMEOUT", "5s", func(c config.Config) any { return c.HTTP.ShutdownTimeout }, 5 * time.Second, "-1s", nil},
		{"http.public_freshness", "PCT_HTTP_PUBLIC_FRESHNESS", "0s", func(c config.Config) any { return c.HTTP.PublicFreshness }, time.Duration(0), "-1s", nil},
		{"http.body_limit", "PCT_HTTP_BODY_LIMIT", "8M", func(c config.Config) any { return c.HTTP.BodyLimit }, "8M", "lots", nil},
		{"http.trusted_proxies", "PCT_HTTP_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.0/16", func(c config.Config) any { return c.HTTP.TrustedProxies }, []string{"10.0.0.0/8", "192.168.0.0/16"}, "10.0.0.1", nil},
		{"base_url", "PCT_BASE_URL", "https://pct.example.org", func(c config.Config) any { return c.BaseURL }, "https://pct.example.org", "ftp://x", nil},
		{"log.level", "PCT_LOG_LEVEL", "debug", func(c config.Config) any { return c.Log.Level }, "debug", "loud", nil},
		{"log.format", "PCT_LOG_FORMAT", "json", func(c config.Config) any { return c.Log.Format }, "json", "xml", nil},
		{"session.idle_timeout", "PCT_SESSION_IDLE_TIMEOUT", "1h", func(c config.Config) any { return c.Session.IdleTimeout }, time.Hour, "soon", nil},
		{"session.absolute_timeout", "PCT_SESSION_ABSOLUTE_TIMEOUT", "24h", func(c config.Config) any { return c.Session.AbsoluteTimeout }, 24 * time.Hour, "1m", nil},
		{"signin.account_failures", "PCT_SIGNIN_ACCOUNT_FAILURES", "10", func(c config.Config) any { return c.SignIn.AccountFailures }, 10, "0", nil},
		{"signin.ip_failures", "PCT_SIGNIN_IP_FAILURES", "5", func(c config.Config) any { return c.SignIn.IPFailures }, 5, "five", nil},
		{"signin.ip_window", "PCT_SIGNIN_IP_WINDOW", "5m", func(c config.Config) any { return c.SignIn.IPWindow }, 5 * time.Minute, "0s", nil},
		{"signin.two_step", "PCT_SIGNIN_TWO_STEP", "false", func(c config.Config) any { return c.SignIn.TwoStep }, false, "maybe", nil},
		{"mail.backend", "PCT_MAIL_BACKEND", "smtp", func(c config.Config) any { return c.Mail.Backend }, "smtp", "pigeon", map[string]string{"PCT_MAIL_SMTP_HOST": "smtp.example.org"}},
		{"mail.dir", "PCT_MAIL_DIR", "/var/mail/pct", func(c config.Config) any { return c.Mail.Dir }, "/var/mail/pct", "", nil},
		{"mail.from", "PCT_MAIL_FROM", "PCT <pct@example.org>", func(c config.Config) any { return c.Mail.From }, "PCT <pct@example.org>", "nobody", nil},
		{"mail.smtp.host", "PCT_MAIL_SMTP_HOST", "smtp.example.org", func(c config.Config) any { return c.Mail.SMTP.Host }, "smtp.example.org", "", nil},
		{"mail.smtp.port", "PCT_MAIL_SMTP_PORT", "2525", func(c config.Config) any { return c.Mail.SMTP.Port }, 2525, "70000", smtp},
		{"mail.smtp.username", "PCT_MAIL_SMTP_USERNAME", "pct", func(c config.Config) any { return c.Mail.SMTP.Username }, "pct", "", nil},
		{"mail.smtp.password", "PCT_MAIL_SMTP_PASSWORD", "hunter2", func(c config.Config) any { return c.Mail.SMTP.Password }, "hunter2", "", nil},
		{"mail.smtp.tls", "PCT_MAIL_SMTP_TLS", "tls", func(c config.Config) any { return c.Mail.SMTP.TLS }, "tls", "ssl", smtp},
		{"scheduler.enabled", "PCT_SCHEDULER_ENABLED", "false", func(c config.Config) any { return c.Scheduler.Enabled }, false, "maybe", nil},
		{"scheduler.report_period", "PCT_SCHEDULER_REPORT_PERIOD", "12h", func(c config.Config) any { return c.Scheduler.ReportPeriod }, 12 * time.Hour, "500ms", nil},
		{"scheduler.report_offset", "PCT_SCHEDULER_REPORT_OFFSET", "3h", func(c config.Config) any { return c.Scheduler.ReportOffset }, 3 * time.Hour, "25h", nil},
		{"scheduler.reminder_period", "PCT_SCHEDULER_REMINDER_PERIOD", "12h", func(c config.Config) any { return c.Scheduler.ReminderPeriod }, 12 * time.Hour, "daily", nil},
		{"scheduler.reminder_offset", "PCT_SCHEDULER_REMINDER_OFFSET", "9h", func(c config.Config) any { return c.Scheduler.ReminderOffset }, 9 * time.Hour, "-1h", nil},
		{"scheduler.reminder_days", "PCT_SCHEDULER_REMINDER_DAYS", "14, 2", func(c config.Config) any { return c.Scheduler.ReminderDays }, []int{14, 2}, "400", nil},
		{"scheduler.housekeeping_period", "PCT_SCHEDULER_HOUSEKEEPING_PERIOD", "6h", func(c config.Config) any { return c.Scheduler.HousekeepingPeriod }, 6 * time.Hour, "500ms", nil},
		{"scheduler.housekeeping_offset", "PCT_SCHEDULER_HOUSEKEEPING_OFFSET", "4h", func(c config.Config) any { return c.Scheduler.HousekeepingOffset }, 4 * time.Hour, "24h", nil},
		{"scheduler.digest_period", "PCT_SCHEDULER_DIGEST_PERIOD", "12h", func(c config.Config) any { return c.Scheduler.DigestPeriod }, 12 * time.Hour, "0s", nil},
		{"scheduler.digest_offset", "PCT_SCHEDULER_DIGEST_OFFSET", "7h", func(c config.Config) any { return c.Scheduler.DigestOffset }, 7 * time.Hour, "later", nil},
		{"scheduler.evidence_period", "PCT_SCHEDULER_EVIDENCE_PERIOD", "2m", func(c config.Config) any { return c.Scheduler.EvidencePeriod }, 2 * time.Minute, "10ms", nil},
		{"scheduler.evidence_check_period", "PCT_SCHEDULER_EVIDENCE_CHECK_PERIOD", "24h", func(c config.Config) any { return c.Scheduler.EvidenceCheck }, 24 * time.Hour, "weekly", nil},
		{"scheduler.mail_period", "PCT_SCHEDULER_MAIL_PERIOD", "2m", func(c config.Config) any { return c.Scheduler.MailPeriod }, 2 * time.Minute, "0s", nil},
		{"scheduler.mail_retry", "PCT_SCHEDULER_MAIL_RETRY", "5m", func(c config.Config) any { return c.Scheduler.MailRetry }, 5 * time.Minute, "-1m", nil},
		{"scheduler.leader_poll", "PCT_SCHEDULER_LEADER_POLL", "1s", func(c config.Config) any { return c.Scheduler.LeaderPoll }, time.Second, "10ms", nil},
		{"evidence.enabled", "PCT_EVIDENCE_ENABLED", "false", func(c config.Config) any { return c.Evidence.Enabled }, false, "maybe", nil},
		{"evidence.max_bytes", "PCT_EVIDENCE_MAX_BYTES", "1M", func(c config.Config) any { return c.Evidence.MaxBytes }, "1M", "0M", nil},
		{"evidence.checks_per_run", "PCT_EVIDENCE_CHECKS_PER_RUN", "7", func(c config.Config) any { return c.Evidence.ChecksPerRun }, 7, "0", nil},
		{"evidence.allow_hosts", "PCT_EVIDENCE_ALLOW_HOSTS", "127.0.0.1:8081,", func(c config.Config) any { return c.Evidence.AllowHosts }, []string{"127.0.0.1:8081"}, "nohost", nil},
		{"metrics.allow", "PCT_METRICS_ALLOW", "10.0.0.0/8", func(c config.Config) any { return c.Metrics.Allow }, []string{"10.0.0.0/8"}, "127.0.0.1", nil},
		{"report.chromium", "PCT_REPORT_CHROMIUM", "off", func(c config.Config) any { return c.Report.Chromium }, "off", "", nil},
		{"challenges.reply_days", "PCT_CHALLENGES_REPLY_DAYS", "14", func(c config.Config) any { return c.Challenges.ReplyDays }, 14, "0", nil},
		{"release.doi_prefix", "PCT_RELEASE_DOI_PREFIX", "10.12345", func(c config.Config) any { return c.Release.DOIPrefix }, "10.12345", "11.2/x", nil},
		{"release.publisher", "PCT_RELEASE_PUBLISHER", "Secretariat", func(c config.Config) any { return c.Release.Publisher }, "Secretariat", "", nil},

		{"cdn.s_maxage", "PCT_CDN_S_MAXAGE", "10m", func(c config.Config) any { return c.CDN.SMaxAge }, 10 * time.Minute, "-1s", nil},
		{"cdn.stale_while_revalidate", "PCT_CDN_STALE_WHILE_REVALIDATE", "30s", func(c config.Config) any { return c.CDN.StaleWhileRevalidate }, 30 * time.Second, "-1s", nil},
		{"cdn.stale_if_error", "PCT_CDN_STALE_IF_ERROR", "1h", func(c config.Config) any { return c.CDN.StaleIfError }, time.Hour, "-1h", nil},
		{"cdn.purge_url", "PCT_CDN_PURGE_URL", "https://purge.example.org/hook", func(c config.Config) any { return c.CDN.PurgeURL }, "https://purge.example.org/hook", "ftp://purge.example.org", nil},
		{"cdn.purge_token", "PCT_CDN_PURGE_TOKEN", "s3cret", func(c config.Config) any { return c.CDN.PurgeToken }, "s3cret", "two\nlines", map[string]string{"PCT_CDN_PURGE_URL": "https://purge.example.org/hook"}},
		{"cdn.purge_retry", "PCT_CDN_PURGE_RETRY", "30s", func(c config.Config) any { return c.CDN.PurgeRetry }, 30 * time.Second, "0s", nil},

		{"subscriptions.signups_per_address", "PCT_SUBSCRIPTIONS_SIGNUPS_PER_ADDRESS", "2", func(c config.Config) any { return c.Subscriptions.PerAddress }, 2, "0", nil},
		{"subscriptions.signups_per_client", "PCT_SUBSCRIPTIONS_SIGNUPS_PER_CLIENT", "9", func(c config.Config) any { return c.Subscriptions.PerClient }, 9, "0", nil},
		{"subscriptions.signup_window", "PCT_SUBSCRIPTIONS_SIGNUP_WINDOW", "30m", func(c config.Config) any { return c.Subscriptions.Window }, 30 * time.Minute, "1s", nil},
	}
}

// The table covers every key, and each key's variable is the one the table
// (and the documentation) spells out.
func TestKeyCasesCoverEveryKey(t *testing.T) {
	cases := map[string]string{}
	for _, c := range keyCases() {
		cases[c.key] = c.env
	}
	keys := config.Keys()
	for _, k := range keys {
		if env, ok := cases[k.Key]; !ok {
			t.Errorf("%s has no case in keyCases", k.Key)
		} else if env != k.Env {
			t.Errorf("%s: variable %s, want %s", k.Key, k.Env, env)
		}
		if k.Help == "" {
			t.Errorf("%s has no help", k.Key)
		}
	}
	if len(keys) != len(cases) {
		t.Errorf("%d keys, %d cases", len(keys), len(cases))
	}
}

func TestEveryKeyIsSetByItsVariableAndByTheFile(t *testing.T) {
	for _, c := range keyCases() {
		t.Run(c.key, func(t *testing.T) {
			withValue := func(v string) map[string]string {
				m := map[string]string{c.env: v}
				for k, v := range c.also {
					m[k] = v
				}
				return m
			}
			got, err := config.Load("", env(withValue(c.value)))
			if err != nil {
				t.Fatalf("env: %v", err)
			}
			if v := c.read(got); !reflect.DeepEqual(v, c.want) {
				t.Errorf("env %s=%q: %v, want %v", c.env, c.value, v, c.want)
			}
			if reflect.DeepEqual(c.read(config.Default()), c.want) {
				t.Errorf("%q is the default, which proves nothing", c.value)
			}

			path := writeKey(t, c.key, c.value)
			got, err = config.Load(path, env(c.also))
			if err != nil {
				t.Fatalf("file: %v", err)
			}
			if v := c.read(got); !reflect.DeepEqual(v, c.want) {
				t.Errorf("file %s: %q: %v, want %v", c.key, c.value, v, c.want)
			}

			if c.bad == "" {
				return
			}
			_, err = config.Load("", env(withValue(c.bad)))
			wantRefused(t, err, c.key, "env "+c.env)
			path = writeKey(t, c.key, c.bad)
			_, err = config.Load(path, env(c.also))
			wantRefused(t, err, c.key, "file "+path)
		})
	}
}

// writeKey writes a YAML file that sets one dotted key.
func writeKey(t *testing.T, key, value string) string {
	t.Helper()
	var b strings.Builder
	parts := strings.Split(key, ".")
	for i, p := range parts {
		fmt.Fprintf(&b, "%s%s:", strings.Repeat("  ", i), p)
		if i < len(parts)-1 {
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, " %q\n", value)
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantRefused checks that the error of a refused value names its key and
// where the value came from, on one line.
func wantRefused(t *testing.T, err error, key, source string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: the bad value was accepted", source)
		return
	}
	if want := "config: " + key + " (from " + source + "): "; !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("%s: %q should begin %q", source, err, want)
	}
}

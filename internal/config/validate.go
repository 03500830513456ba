package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"

	"github.com/pctracker/pctracker/internal/store/dburl"
)

// Validate checks every value and names the first wrong key.
func (c Config) Validate() error {
	for _, check := range []func() error{
		c.Database.validate, c.HTTP.validate, c.Evidence.validate, c.validateBaseURL, c.Metrics.validate,
		c.Session.validate, c.SignIn.validate, c.Mail.validate, c.Scheduler.validate, c.Log.validate, c.Challenges.validate,
		c.Release.validate,
		c.CDN.validate,
		c.Subscriptions.validate,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (d Database) validate() error {
	if _, _, err := dburl.Parse(d.URL); err != nil {
		return &Error{Key: "database.url", Msg: err.Error()}
	}
	if d.MaxOpenConns < 1 {
		return &Error{Key: "database.max_open_conns", Msg: "must be at least 1"}
	}
	return d.validateReplicas()
}

// validateReplicas accepts replicas of a PostgreSQL database only: SQLite
// is one file on one machine, with nothing to replicate to.
func (d Database) validateReplicas() error {
	if d.MaxReplicaLag <= 0 {
		return &Error{Key: "database.max_replica_lag", Msg: "must be a positive duration such as 5s"}
	}
	if len(d.ReplicaURLs) == 0 {
		return nil
	}
	if engine, _, _ := dburl.Parse(d.URL); engine != dburl.Postgres {
		return &Error{Key: "database.replica_urls", Msg: "read replicas need PostgreSQL: database.url is not a postgres:// URL"}
	}
	for i, u := range d.ReplicaURLs {
		engine, _, err := dburl.Parse(u)
		if err == nil && engine != dburl.Postgres {
			err = fmt.Errorf("must be a postgres:// URL (got %q)", dburl.Mask(u))
		}
		if err != nil {
			return &Error{Key: "database.replica_urls", Msg: fmt.Sprintf("replica %d: %v", i+1, err)}
		}
	}
	return nil
}

func (h HTTP) validate() error {
	if !strings.Contains(h.Addr, ":") {
		return &Error{Key: "http.addr", Msg: fmt.Sprintf("%q is not host:port", h.Addr)}
	}
	if _, port, _ := strings.Cut(h.Addr, ":"); port != "" {
		if p, err := strconv.Atoi(port[strings.LastIndex(port, ":")+1:]); err != nil || p < 0 || p > 65535 {
			return &Error{Key: "http.addr", Msg: fmt.Sprintf("%q has no valid port", h.Addr)}
		}
	}
	if h.PublicFreshness < 0 {
		return &Error{Key: "http.public_freshness", Msg: "must not be negative (0 checks on every request)"}
	}
	for _, t := range []struct {
		key string
		d   time.Duration
	}{{"http.read_timeout", h.ReadTimeout}, {"http.write_timeout", h.WriteTimeout},
		{"http.idle_timeout", h.IdleTimeout}, {"http.shutdown_timeout", h.ShutdownTimeout}} {
		if t.d <= 0 {
			return &Error{Key: t.key, Msg: "must be a positive duration such as 30s"}
		}
	}
	if _, err := ParseSize(h.BodyLimit); err != nil {
		return &Error{Key: "http.body_limit", Msg: err.Error()}
	}
	for _, p := range h.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			return &Error{Key: "http.trusted_proxies", Msg: fmt.Sprintf("%q is not a network such as 10.0.0.0/8", p)}
		}
	}
	return nil
}

func (c Challenges) validate() error {
	if c.ReplyDays < 1 || c.ReplyDays > 365 {
		return &Error{Key: "challenges.reply_days", Msg: "must be from 1 to 365 days"}
	}
	return nil
}

func (e Evidence) validate() error {
	if _, err := ParseSize(e.MaxBytes); err != nil {
		return &Error{Key: "evidence.max_bytes", Msg: err.Error()}
	}
	if e.ChecksPerRun < 1 {
		return &Error{Key: "evidence.checks_per_run", Msg: "must be at least 1"}
	}
	for _, h := range e.AllowHosts {
		if _, port, err := net.SplitHostPort(h); err != nil || port == "" {
			return &Error{Key: "evidence.allow_hosts", Msg: fmt.Sprintf("%q is not a host:port pair", h)}
		}
	}
	return nil
}

func (c Config) validateBaseURL() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Key: "base_url", Msg: fmt.Sprintf("%q is not an http(s) URL", c.BaseURL)}
	}
	return nil
}

func (m Metrics) validate() error {
	for _, p := range m.Allow {
		if _, _, err := net.ParseCIDR(p); err != nil {
			return &Error{Key: "metrics.allow", Msg: fmt.Sprintf("%q is not a network such as 127.0.0.0/8", p)}
		}
	}
	return nil
}

func (s Session) validate() error {
	if s.IdleTimeout <= 0 || s.AbsoluteTimeout < s.IdleTimeout {
		return &Error{Key: "session.absolute_timeout", Msg: "must be positive and at least session.idle_timeout"}
	}
	return nil
}

func (s SignIn) validate() error {
	if s.AccountFailures < 1 {
		return &Error{Key: "signin.account_failures", Msg: "must be at least 1"}
	}
	if s.IPFailures < 1 {
		return &Error{Key: "signin.ip_failures", Msg: "must be at least 1"}
	}
	if s.IPWindow <= 0 {
		return &Error{Key: "signin.ip_window", Msg: "must be a positive duration such as 1m"}
	}
	return nil
}

func (m Mail) validate() error {
	switch m.Backend {
	case "file":
		if m.Dir == "" {
			return &Error{Key: "mail.dir", Msg: "is required with the file backend"}
		}
	case "smtp":
		if m.SMTP.Host == "" {
			return &Error{Key: "mail.smtp.host", Msg: "is required with the smtp backend"}
		}
		if m.SMTP.Port < 1 || m.SMTP.Port > 65535 {
			return &Error{Key: "mail.smtp.port", Msg: "must be a port number"}
		}
		if t := m.SMTP.TLS; t != "starttls" && t != "tls" && t != "none" {
			return &Error{Key: "mail.smtp.tls", Msg: fmt.Sprintf("%q is not starttls, tls or none", t)}
		}
	default:
		return &Error{Key: "mail.backend", Msg: fmt.Sprintf("%q is not file or smtp", m.Backend)}
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return &Error{Key: "mail.from", Msg: fmt.Sprintf("%q is not an address such as pctracker <no-reply@example.org>", m.From)}
	}
	return nil
}

func (s Scheduler) validate() error {
	for _, p := range []struct {
		key            string
		period, offset time.Duration
	}{{"scheduler.report", s.ReportPeriod, s.ReportOffset},
		{"scheduler.reminder", s.ReminderPeriod, s.ReminderOffset},
		{"scheduler.housekeeping", s.HousekeepingPeriod, s.HousekeepingOffset},
		{"scheduler.digest", s.DigestPeriod, s.DigestOffset},
		{"scheduler.evidence", s.EvidencePeriod, 0},
		{"scheduler.evidence_check", s.EvidenceCheck, 0},
		{"scheduler.mail", s.MailPeriod, 0}} {
		if p.period < time.Second {
			return &Error{Key: p.key + "_period", Msg: "must be at least 1s"}
		}
		if p.offset < 0 || p.offset >= p.period {
			return &Error{Key: p.key + "_offset", Msg: "must be at least 0 and less than the period"}
		}
	}
	if s.LeaderPoll < 100*time.Millisecond {
		return &Error{Key: "scheduler.leader_poll", Msg: "must be at least 100ms"}
	}
	if s.MailRetry <= 0 {
		return &Error{Key: "scheduler.mail_retry", Msg: "must be positive"}
	}
	return nil
}

func (l Log) validate() error {
	if _, err := l.SlogLevel(); err != nil {
		return &Error{Key: "log.level", Msg: err.Error()}
	}
	if l.Format != "text" && l.Format != "json" {
		return &Error{Key: "log.format", Msg: fmt.Sprintf("%q is not text or json", l.Format)}
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
//
// It lives here, not in server, although server is its main reader: config
// must refuse a wrong http.body_limit or evidence.max_bytes when it loads,
// and server imports config for config.HTTP, so config cannot import server.
// The evidence fetcher reads evidence.max_bytes through it too.
func ParseSize(s string) (int64, error) {
	n, err := bytes.Parse(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 512K or 4M", s)
	}
	return n, nil
}

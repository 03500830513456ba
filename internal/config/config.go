// Package config holds the typed configuration of pctracker. Values come
// from, in order: defaults in code, an optional YAML file, and PCT_*
// environment variables; the command line sets single keys through Set.
//
// Every key is declared once, by the key tag of its field below: the tags
// drive loading, the name of each key's environment variable, printing with
// secrets masked, and the test that keeps configs/pctracker.example.yaml
// complete. A struct field's key prefixes the keys of the fields inside it.
package config

import (
	"time"

	"github.com/pctracker/pctracker/internal/store/dburl"
)

// Config is the whole configuration of a pctracker process. Its field order
// is the order in which Print lists the keys.
type Config struct {
	Database   Database   `key:"database"`
	HTTP       HTTP       `key:"http"`
	BaseURL    string     `key:"base_url" help:"public URL of this pctracker, used in links sent by mail and in feeds"`
	Log        Log        `key:"log"`
	Session    Session    `key:"session"`
	SignIn     SignIn     `key:"signin"`
	Mail       Mail       `key:"mail"`
	Scheduler  Scheduler  `key:"scheduler"`
	Evidence   Evidence   `key:"evidence"`
	Metrics    Metrics    `key:"metrics"`
	Report     Report     `key:"report"`
	Challenges Challenges `key:"challenges"`
	// Sections of the next capabilities, each in its own file.
	Release       Release       `key:"release"`
	Subscriptions Subscriptions `key:"subscriptions"`
	CDN           CDN           `key:"cdn"`
}

// Database selects and tunes the database.
type Database struct {
	// URL is postgres://... for PostgreSQL, or sqlite:PATH for the embedded
	// SQLite file. Empty means the default SQLite file.
	URL          string `key:"url" secret:"true" help:"postgres://user:pass@host:5432/db for PostgreSQL, or sqlite:PATH for the embedded SQLite file"`
	AutoMigrate  bool   `key:"auto_migrate" help:"apply pending migrations when the server starts"`
	MaxOpenConns int    `key:"max_open_conns" help:"largest number of open connections to PostgreSQL"`
	// ReplicaURLs are PostgreSQL streaming replicas of URL; public reads
	// go to them. MaxReplicaLag is how far behind the primary a replica
	// may replay before it is skipped (while the primary is up).
	ReplicaURLs   []string      `key:"replica_urls" secret:"true" help:"comma-separated postgres:// URLs of streaming replicas of the database that serve public reads (PostgreSQL only)"`
	MaxReplicaLag time.Duration `key:"max_replica_lag" help:"a replica replaying further behind the primary than this is skipped while the primary is up"`
}

// HTTP tunes the web server.
type HTTP struct {
	Addr            string        `key:"addr" help:"host:port the web server listens on"`
	ReadTimeout     time.Duration `key:"read_timeout" help:"longest time to read a request"`
	WriteTimeout    time.Duration `key:"write_timeout" help:"longest time to write a response"`
	IdleTimeout     time.Duration `key:"idle_timeout" help:"how long an idle keep-alive connection stays open"`
	ShutdownTimeout time.Duration `key:"shutdown_timeout" help:"how long shutdown waits for requests in flight"`
	// PublicFreshness is how long a change made through another replica
	// or the command line may take to reach the public pages; a change
	// made through this process shows at once. The front cache keeps the
	// public answers as long, so such a change shows within twice it.
	PublicFreshness time.Duration `key:"public_freshness" help:"how long the public pages may go before looking for changes made through another replica (0: checked on every request, and no front cache)"`
	BodyLimit       string        `key:"body_limit" help:"largest request body accepted (e.g. 512K, 4M)"`
	// TrustedProxies are the networks (CIDR) whose X-Forwarded-For is
	// believed; from anywhere else the client address is the peer's.
	TrustedProxies []string `key:"trusted_proxies" help:"comma-separated networks (CIDR) of reverse proxies whose X-Forwarded-For is believed"`
}

// Log tunes logging.
type Log struct {
	Level  string `key:"level" help:"debug, info, warn or error"`
	Format string `key:"format" help:"text or json"`
}

// Session bounds how long a sign-in lasts.
type Session struct {
	IdleTimeout     time.Duration `key:"idle_timeout" help:"a session unused this long ends"`
	AbsoluteTimeout time.Duration `key:"absolute_timeout" help:"a session ends this long after sign-in, used or not"`
}

// SignIn limits failed sign-ins, counted in the database so that the limits
// hold across replicas.
type SignIn struct {
	AccountFailures int           `key:"account_failures" help:"failed sign-ins allowed per account per hour"`
	IPFailures      int           `key:"ip_failures" help:"failed sign-ins allowed per client address per ip_window"`
	IPWindow        time.Duration `key:"ip_window" help:"the window of the per-address limit"`
	// TwoStep requires the secretariat to confirm each sign-in with a code
	// from an authenticator app (enrolled at their first sign-in).
	TwoStep bool `key:"two_step" help:"the secretariat confirms each sign-in with a code from an authenticator app"`
}

// Mail selects how mail leaves pctracker.
type Mail struct {
	Backend string `key:"backend" help:"file (write each message to mail.dir and log it) or smtp"`
	Dir     string `key:"dir" help:"folder of the file backend"`
	From    string `key:"from" help:"sender address of every message"`
	SMTP    SMTP   `key:"smtp"`
}

// SMTP is the mail server of the smtp backend.
type SMTP struct {
	Host     string `key:"host" help:"SMTP server host"`
	Port     int    `key:"port" help:"SMTP server port"`
	Username string `key:"username" help:"SMTP user name (empty: no authentication)"`
	Password string `key:"password" secret:"true" help:"SMTP password"`
	TLS      string `key:"tls" help:"starttls, tls (implicit, usually port 465) or none (local relays only)"`
}

// Scheduler says when the scheduled jobs run. Each runs once per period,
// at an offset past the start of the period on the UTC clock; a test may
// compress the schedule to seconds.
type Scheduler struct {
	Enabled            bool          `key:"enabled" help:"run the scheduled jobs in this process (replicas elect one leader on PostgreSQL)"`
	ReportPeriod       time.Duration `key:"report_period" help:"how often the draft report is compiled, from the report date to the Forum"`
	ReportOffset       time.Duration `key:"report_offset" help:"when in each period (UTC) the report is compiled; 2h is 02:00 daily"`
	ReminderPeriod     time.Duration `key:"reminder_period" help:"how often reminders are decided"`
	ReminderOffset     time.Duration `key:"reminder_offset" help:"when in each period (UTC) reminders are decided; 8h is 08:00 daily"`
	ReminderDays       []int         `key:"reminder_days" help:"days before the deadline to remind organisations that have submitted nothing, comma-separated"`
	HousekeepingPeriod time.Duration `key:"housekeeping_period" help:"how often expired sessions, links and idempotency keys are deleted"`
	HousekeepingOffset time.Duration `key:"housekeeping_offset" help:"when in each period (UTC) housekeeping runs"`
	DigestPeriod       time.Duration `key:"digest_period" help:"how often organisations are mailed the digest of their accepted actions"`
	DigestOffset       time.Duration `key:"digest_offset" help:"when in each period (UTC) the digests are written; 6h is 06:00 daily"`
	EvidencePeriod     time.Duration `key:"evidence_period" help:"how often the evidence links that are due are checked"`
	EvidenceCheck      time.Duration `key:"evidence_check_period" help:"how long between two checks of one evidence link (each link's checks are spread over it)"`
	MailPeriod         time.Duration `key:"mail_period" help:"how often the outbox of reminders is drained"`
	MailRetry          time.Duration `key:"mail_retry" help:"first delay before a refused reminder is tried again; it doubles each time, up to an hour"`
	LeaderPoll         time.Duration `key:"leader_poll" help:"how often replicas on PostgreSQL campaign for (or check) the scheduler's leadership"`
}

// Evidence tunes how evidence links are checked and archived.
type Evidence struct {
	Enabled      bool   `key:"enabled" help:"check the evidence links of accepted public actions and archive the copy read at acceptance"`
	MaxBytes     string `key:"max_bytes" help:"largest evidence body fetched and archived (e.g. 20M)"`
	ChecksPerRun int    `key:"checks_per_run" help:"evidence checks one run of the job makes at most"`
	// AllowHosts are fetched although not public: a local test server only.
	AllowHosts []string `key:"allow_hosts" help:"comma-separated host:port pairs fetched although their address is not public (a local test server); empty in production"`
}

// Metrics guards the Prometheus endpoint.
type Metrics struct {
	// Allow are the networks (CIDR) whose clients may read /metrics, as
	// judged by the client address (the connection's peer, or
	// X-Forwarded-For from a trusted proxy). Empty: no one.
	Allow []string `key:"allow" help:"comma-separated networks (CIDR) of the clients that may read /metrics; others get 404"`
}

// Report tunes the progress report.
type Report struct {
	// Chromium is the browser that prints the PDF: a path, empty to look
	// for chromium on PATH, or "off" to make no PDF.
	Chromium string `key:"chromium" help:"path of the Chromium that prints report PDFs; empty looks for chromium on PATH; off makes no PDF"`
}

// Challenges tunes the challenges of accepted actions.
type Challenges struct {
	// ReplyDays is how long an organisation has to reply to a challenge
	// of its action once the secretariat opens it.
	ReplyDays int `key:"reply_days" help:"days an organisation has to reply to a challenge of its action, from its opening"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Database: Database{URL: "sqlite:" + dburl.DefaultSQLitePath, AutoMigrate: true, MaxOpenConns: 20, MaxReplicaLag: 5 * time.Second},
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
		Metrics:       Metrics{Allow: []string{"127.0.0.0/8", "::1/128"}},
		Challenges:    Challenges{ReplyDays: 30},
		CDN:           defaultCDN(),
		Subscriptions: defaultSubscriptions(),
	}
}

// Package app is the composition root of pctracker: it reads the
// configuration, opens and migrates the database, builds the services, the
// server and the scheduler, and runs the command-line commands. Nothing
// imports it but main.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/api"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/markdown"
	"github.com/pctracker/pctracker/internal/metrics"
	"github.com/pctracker/pctracker/internal/notice"
	"github.com/pctracker/pctracker/internal/pdf"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/server"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/signin"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/store/dburl"
	"github.com/pctracker/pctracker/internal/subscription"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/ui"
	"github.com/pctracker/pctracker/internal/user"
	"github.com/pctracker/pctracker/migrations"
	"github.com/pctracker/pctracker/web"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command could not do its work
	exitUsage   = 2 // bad flags, configuration or input
)

// services bundles the domain services over one database.
type services struct {
	db              *store.DB
	recommendations *recommendation.Service
	stakeholders    *stakeholder.Service
	users           *user.Service
	cycles          *cycle.Service
	actions         *action.Service
	sessions        *session.Service
	signIn          *signin.Service
	twoStep         *twostep.Service
	accounts        *account.Service
	reports         *report.Service
	documents       *document.Renderer // the report's documents, and the dashboard's figures as JSON
	reminders       *reminder.Service
	notices         *notice.Service
	evidence        *evidence.Service
	metrics         *metrics.Metrics // the process's counters, which some services add to
	dashboard       *dashboard.Service
	challenges      *challenge.Service
	frameworks      *framework.Service
	releases        *release.Service
	purges          *purge.Service
	subscriptions   *subscription.Service
	now             func() time.Time
}

func newServices(db *store.DB, now func() time.Time, cfg config.Config, sender mail.Sender, logger *slog.Logger) *services {
	notices := notice.NewService(db, now, cfg.BaseURL)
	m := metrics.New()
	db.ObserveQueries(m.DBQuery)
	maxBytes, _ := config.ParseSize(cfg.Evidence.MaxBytes) // validated with the configuration
	fetcher := evidence.NewFetcher(evidence.FetchOptions{UserAgent: "pctracker (+" + cfg.BaseURL + ")", MaxBytes: maxBytes,
		AllowHosts: cfg.Evidence.AllowHosts})
	links := evidence.NewService(db, db, fetcher, notices, m, now, evidence.Options{Enabled: cfg.Evidence.Enabled,
		Period: cfg.Scheduler.EvidenceCheck, PerRun: cfg.Evidence.ChecksPerRun}, logger)
	documents := newReportRenderer(cfg)
	releases := release.NewService(db, now, release.Options{BaseURL: cfg.BaseURL, Publisher: cfg.Release.Publisher,
		DOIPrefix: cfg.Release.DOIPrefix})
	purges := newPurges(db, now, cfg.CDN, logger)
	svc := &services{db: db, now: now, notices: notices, evidence: links, metrics: m, documents: documents, releases: releases, purges: purges,
		accounts:        account.NewService(db, sender, logger, now, cfg.BaseURL),
		recommendations: recommendation.NewService(db),
		stakeholders:    stakeholder.NewService(db, now),
		users:           user.NewService(db, now),
		cycles:          cycle.NewService(db, now, notices),
		actions:         action.NewService(db, now, action.Notifiers{notices, links, purges}),
		sessions:        session.NewService(db, now, cfg.Session.IdleTimeout, cfg.Session.AbsoluteTimeout),
		signIn: signin.NewService(db, now, signin.Limits{AccountFailures: cfg.SignIn.AccountFailures,
			IPFailures: cfg.SignIn.IPFailures, IPWindow: cfg.SignIn.IPWindow}),
		reports: report.NewService(db, documents, now, report.Notifiers{notices, releases, purges}),
	}
	codes := signin.NewService(db, now, signin.Limits{AccountFailures: twostep.WrongCodesPerDay, AccountWindow: 24 * time.Hour,
		IPFailures: cfg.SignIn.IPFailures, IPWindow: cfg.SignIn.IPWindow})
	svc.twoStep = twostep.NewService(db, codes, sender, logger, now,
		twostep.Options{Issuer: issuer(cfg.BaseURL), Required: cfg.SignIn.TwoStep, BaseURL: cfg.BaseURL})
	svc.dashboard = dashboard.NewService(svc.cycles, svc.reports, svc.actions, db, now, cfg.HTTP.PublicFreshness)
	svc.challenges = challenge.NewService(db, svc.actions, notices, now, cfg.Challenges.ReplyDays)
	svc.frameworks = framework.NewService(db, svc.actions, now)
	svc.reminders = reminder.NewService(db, svc.cycles, sender, now, reminder.Options{Offsets: cfg.Scheduler.ReminderDays,
		BaseURL: cfg.BaseURL, RetryBase: cfg.Scheduler.MailRetry}, logger)
	svc.subscriptions = subscription.NewService(db, svc.stakeholders, mustCatalogue(), sender, now, subscription.Options{BaseURL: cfg.BaseURL,
		PerAddress: cfg.Subscriptions.PerAddress, PerClient: cfg.Subscriptions.PerClient, Window: cfg.Subscriptions.Window,
		RetryBase: cfg.Scheduler.MailRetry, Releases: releases}, logger)
	return svc
}

// newPurges builds the outbox of CDN purges; with no purge URL configured
// nothing is written to it.
func newPurges(db *store.DB, now func() time.Time, cdn config.CDN, logger *slog.Logger) *purge.Service {
	var sender purge.Sender
	if cdn.PurgeURL != "" {
		sender = purge.NewWebhook(cdn.PurgeURL, cdn.PurgeToken)
	}
	return purge.NewService(db, sender, now, purge.Options{RetryBase: cdn.PurgeRetry, RetryMax: time.Hour, Lease: 2 * time.Minute}, logger)
}

// issuer is how an authenticator app labels pctracker's codes: by the
// host people sign in at, so that a test and a production server differ.
func issuer(baseURL string) string {
	// The host name only: the key URI format allows no colon in the
	// issuer, and apps split the label at the first one.
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return "pctracker (" + u.Hostname() + ")"
	}
	return "pctracker"
}

// mustCatalogue loads the embedded catalogues, which the subscribers'
// mail is written from; like the report's, a failure is a bug of the
// build, which the catalogue tests catch.
func mustCatalogue() *locale.Catalogue {
	cat, err := locale.Load(web.I18n())
	if err != nil {
		panic(err)
	}
	return cat
}

// newReportRenderer parses the embedded report template and catalogues. They
// are part of the binary, so a failure is a bug of the build (the document
// tests render every format), not a condition to handle at run time.
func newReportRenderer(cfg config.Config) *document.Renderer {
	cat, err := locale.Load(web.I18n())
	if err != nil {
		panic(err)
	}
	var printer document.Printer
	if p := pdf.Find(cfg.Report.Chromium); p != nil {
		printer = p
	}
	r, err := document.NewRenderer(web.Templates(), cat, printer, "report.chromium (PCT_REPORT_CHROMIUM)")
	if err != nil {
		panic(err)
	}
	return r
}

// newMailer builds the configured mail backend.
func newMailer(cfg config.Config, logger *slog.Logger) mail.Sender {
	if cfg.Mail.Backend == "smtp" {
		helo := "localhost"
		if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
			helo = u.Hostname()
		}
		return mail.NewSMTP(mail.SMTPOptions{Host: cfg.Mail.SMTP.Host, Port: cfg.Mail.SMTP.Port, Username: cfg.Mail.SMTP.Username,
			Password: cfg.Mail.SMTP.Password, TLS: cfg.Mail.SMTP.TLS, From: cfg.Mail.From, HELO: helo})
	}
	return mail.NewFiles(cfg.Mail.Dir, cfg.Mail.From, logger)
}

// sessionCookie names the session cookie: over TLS the __Host- prefix binds
// it to this host, Secure, with path /.
func sessionCookie(tls bool) string {
	if tls {
		return "__Host-pct_session"
	}
	return "pct_session"
}

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	level, _ := cfg.SlogLevel() // validated with the configuration
	// Times in UTC whatever the host's zone, so that the lines of replicas
	// in different zones, and of a host whose zone changes, compare as
	// they are.
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 && a.Value.Kind() == slog.KindTime {
			a.Value = slog.TimeValue(a.Value.Time().UTC())
		}
		return a
	}}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB opens the configured database and, unless turned off, applies
// pending migrations. With migrations off the server still starts, and
// /readyz answers 503 until "pctracker migrate up" has run.
func openDB(ctx context.Context, cfg config.Config, logger *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.Database.URL, store.Options{MaxOpenConns: cfg.Database.MaxOpenConns, Logger: logger,
		Replicas: cfg.Database.ReplicaURLs, MaxReplicaLag: cfg.Database.MaxReplicaLag})
	if err != nil {
		return nil, err
	}
	m, err := db.Migrator()
	if err != nil {
		db.Close()
		return nil, err
	}
	if cfg.Database.AutoMigrate {
		n, err := m.Up(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if n > 0 {
			logger.Info("migrations applied", "count", n, "database", db.Engine())
		}
	}
	return db, nil
}

// newScheduler builds the scheduler with every registered job; serve
// starts it. On PostgreSQL the replicas elect one leader to run it.
func newScheduler(cfg config.Config, db *store.DB, svc *services, m *metrics.Metrics, logger *slog.Logger) (*jobs.Scheduler, error) {
	sc := cfg.Scheduler
	d := jobs.Deps{Logger: logger, Ledger: db, Now: svc.now, Observer: m,
		Schedule: jobs.Schedule{Report: jobs.Every{Period: sc.ReportPeriod, Offset: sc.ReportOffset},
			Reminders:    jobs.Every{Period: sc.ReminderPeriod, Offset: sc.ReminderOffset},
			Housekeeping: jobs.Every{Period: sc.HousekeepingPeriod, Offset: sc.HousekeepingOffset},
			Digests:      jobs.Every{Period: sc.DigestPeriod, Offset: sc.DigestOffset},
			Evidence:     jobs.Every{Period: sc.EvidencePeriod},
			Mail:         jobs.Every{Period: sc.MailPeriod}},
		Work: jobs.Work{Housekeeper: db, Reports: svc.reports, Reminders: svc.reminders, Notices: svc.notices, Evidence: svc.evidence,
			Purges: svc.purges, Subscriptions: svc.subscriptions}}
	if e := db.NewElector(store.SchedulerLock, sc.LeaderPoll, logger, m.Leader); e != nil {
		d.Elector = e
	}
	return jobs.New(d)
}

// NewServer wires the web server as the program does, over db, with the
// services' clock set to now and the log written to logs. It is how tests
// of every surface run the real thing over a database of their own; stop
// ends its scheduler, which is built but not started.
func NewServer(cfg config.Config, db *store.DB, now func() time.Time, logs io.Writer) (srv *server.Server, stop func() error, err error) {
	logger := newLogger(cfg.Log, logs)
	svc := newServices(db, now, cfg, newMailer(cfg, logger), logger)
	sched, err := newScheduler(cfg, db, svc, svc.metrics, logger)
	if err != nil {
		return nil, nil, err
	}
	srv, err = newServer(cfg, db, svc, sched, svc.metrics, logger)
	if err != nil {
		_ = sched.Stop()
		return nil, nil, err
	}
	return srv, sched.Stop, nil
}

// newServer assembles the web server over the services.
func newServer(cfg config.Config, db *store.DB, svc *services, sched *jobs.Scheduler, m *metrics.Metrics, logger *slog.Logger) (*server.Server, error) {
	hashes, err := web.StaticHashes()
	if err != nil {
		return nil, err
	}
	tls := strings.HasPrefix(cfg.BaseURL, "https://")
	pages, err := ui.New(ui.Deps{Recommendations: svc.recommendations, SignIn: svc.signIn, TwoStep: svc.twoStep, Sessions: svc.sessions,
		Cycles: svc.cycles, Stakeholders: svc.stakeholders, Actions: svc.actions, Markdown: markdown.New(), Now: svc.now,
		Accounts: svc.accounts, Users: svc.users, Audit: audit.NewService(db), Jobs: sched, Reports: svc.reports, Differences: svc.reports, Reminders: svc.reminders, Dashboard: svc.dashboard, Versions: svc.dashboard, Evidence: svc.evidence, Challenges: svc.challenges, PublicChallenges: svc.challenges, Frameworks: svc.frameworks, Releases: svc.releases, Follow: svc.subscriptions, BaseURL: cfg.BaseURL, Logger: logger},
		ui.Options{Templates: web.Templates(), Catalogues: web.I18n(), AssetHashes: web.Fingerprinted(hashes), Secure: tls, OpenAPI: api.OpenAPI(),
			Cookie: sessionCookie(tls), AbsoluteTimeout: cfg.Session.AbsoluteTimeout})
	if err != nil {
		return nil, err
	}
	migrator, err := db.Migrator()
	if err != nil {
		return nil, err
	}
	proxies, err := networks(cfg.HTTP.TrustedProxies)
	if err != nil {
		return nil, err
	}
	metricsAllow, err := networks(cfg.Metrics.Allow)
	if err != nil {
		return nil, err
	}
	catalogue, err := locale.Load(web.I18n())
	if err != nil {
		return nil, err
	}
	var replicas server.Replicas
	if _, total := db.ReplicasServing(); total > 0 {
		replicas = db
	}
	return server.New(server.Deps{
		Config: cfg.HTTP,
		Now:    svc.now,
		CDN:    cfg.CDN,
		TLS:    tls,
		Logger: logger,
		Ready: func(ctx context.Context) error {
			if err := db.Ping(ctx); err != nil {
				return err
			}
			pending, err := migrator.Pending(ctx)
			if err != nil {
				return err
			}
			if pending {
				return errs.E(errs.Unavailable, "database migrations pending: run pctracker migrate up")
			}
			return nil
		},
		API: api.New(api.Deps{Recommendations: svc.recommendations, Users: svc.users, Stakeholders: svc.stakeholders, Actions: svc.actions,
			Idempotency: db, Now: svc.now, Accounts: svc.accounts, Cycles: svc.cycles, Reports: svc.reports,
			Dashboard: svc.dashboard, ReportJSON: svc.documents, Versions: svc.dashboard, Evidence: svc.evidence, Challenges: svc.challenges, Frameworks: svc.frameworks, Releases: svc.releases,
			Subscriptions: svc.subscriptions, BaseURL: cfg.BaseURL, Catalogue: catalogue}),
		Written:        svc.dashboard.Touch,
		UI:             pages,
		Pages:          pages,
		Static:         web.Static(),
		StaticNames:    web.Fingerprinted(hashes),
		StaticHashes:   hashes,
		Sessions:       svc.sessions,
		Users:          svc.users,
		Cookie:         sessionCookie(tls),
		TrustedProxies: proxies,
		Metrics:        m,
		MetricsAllow:   metricsAllow,
		Replicas:       replicas,
	})
}

// networks parses a list of CIDR networks (validated with the
// configuration).
func networks(list []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, p := range list {
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// serve runs the web server and the scheduler until ctx ends, then stops
// them in order: HTTP first (requests in flight finish), then the scheduler
// (a running job finishes); the caller closes the database last.
func serve(ctx context.Context, cfg config.Config, db *store.DB, svc *services, logger *slog.Logger, ln net.Listener, ready func(addr string)) error {
	m := svc.metrics
	// A new database starts with the initial crosswalk; after that it is
	// the secretariat's to change.
	if seeded, err := svc.frameworks.Seed(ctx, migrations.Crosswalk()); err != nil {
		ln.Close()
		return err
	} else if seeded {
		logger.Info("loaded the initial crosswalk to other frameworks")
	}
	sched, err := newScheduler(cfg, db, svc, m, logger)
	if err != nil {
		ln.Close()
		return err
	}
	srv, err := newServer(cfg, db, svc, sched, m, logger)
	if err != nil {
		ln.Close()
		return err
	}
	// Start-up reads and checks much it does not keep (the catalogues, every
	// page template, the assets it compresses): given back to the system
	// now, the memory of a server at rest is what it holds.
	debug.FreeOSMemory()
	if cfg.Scheduler.Enabled {
		sched.Start()
		if db.Engine() != dburl.Postgres {
			m.Leader(true) // alone on SQLite: no election, this process runs the schedule
		}
	} else {
		logger.Info("scheduler disabled in this process (scheduler.enabled)")
	}
	addr := ln.Addr().String()
	logger.Info("pctracker listening", "addr", addr, "database", db.Engine())
	if ready != nil {
		ready(addr)
	}
	serveErr := srv.Serve(ctx, ln)
	logger.Info("shutting down")
	if err := sched.Stop(); err != nil {
		logger.Warn("scheduler stop", "error", err)
	}
	if serveErr != nil && !errors.Is(serveErr, net.ErrClosed) {
		return serveErr
	}
	return nil
}

// displayURL turns a listen address into a URL a person can open.
func displayURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" || host == "127.0.0.1" || host == "::1" {
		host = "localhost"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}).String() + "/"
}

// errLine formats an error as the single line the CLI prints.
func errLine(err error) string {
	var ce *config.Error
	if errors.As(err, &ce) {
		return ce.Error()
	}
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		return errs.MessageOf(err) + causeOf(err)
	}
	var parts []string
	for _, k := range sortedKeys(fields) {
		parts = append(parts, fmt.Sprintf("%s: %s", k, fields[k]))
	}
	return strings.Join(parts, "; ")
}

// causeOf adds the cause of an unavailable database, which is what the
// person at the terminal needs to fix it.
func causeOf(err error) string {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Unavailable && e.Err != nil {
		return ": " + strings.Join(strings.Fields(e.Err.Error()), " ")
	}
	return ""
}

func exitCodeOf(err error) int {
	var ce *config.Error
	if errors.As(err, &ce) || errs.Is(err, errs.Invalid) {
		return exitUsage
	}
	return exitFailure
}

package main

// The bench subcommand runs the whole performance measurement of the
// performance issue from scratch: it makes its own databases, fills them
// with the generator, starts pctracker (and nginx as the baseline of a
// static server), puts each load on it, and ends with one table of every
// figure beside its target. Everything it starts it also stops, and the
// databases it made it drops, unless --keep.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"
)

// The databases the bench owns on the admin URL's server. They are dropped
// and made again at every run, so no other name may ever be used here.
const (
	benchDB       = "pctracker_bench"
	benchReportDB = "pctracker_bench_p4"
)

// Fixed shapes of the measurement, from the performance issue.
const (
	benchOrganisations  = 1200
	benchCycles         = 10
	benchReportActions  = 100000 // P4: one cycle of this many actions
	benchReportScale    = 10     // P4: and ten times as many, for the growth of the time
	benchFocalPoints    = 20     // P3: organisations 1..20 submit
	benchWarmup         = 2 * time.Second
	ratioClients        = 64 // P1 ratio: closed-loop clients against each server
	ratioDuration       = 10 * time.Second
	p1Rate              = 2000
	p6DashboardRate     = 300
	p6SignInRate        = 200
	p6Duration          = 20 * time.Second
	p3Rate              = 200
	p2Changes           = 5
	rssEvery            = 100 * time.Millisecond
	readyPoll           = 5 * time.Millisecond
	requestTimeout      = 10 * time.Second
	defaultAdminURL     = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	benchSignInEmail    = "load-test@example.org"
	benchSignInPassword = "not-the-password"
)

// benchOptions are the bench subcommand's command line.
type benchOptions struct {
	pctracker       string
	adminURL        string
	actionsPerCycle int
	duration        time.Duration
	nginx           string
	wrk             string
	keep            bool
	jsonPath        string
}

const benchUsageText = `pctracker-load bench runs the whole performance measurement and prints one
table: every figure of the performance issue beside its target, and a verdict
(PASS, FAIL, or NOT MEASURED with the reason).

Usage:
  pctracker-load bench [--pctracker bin/pctracker] [--database-url ADMIN_URL]
                       [--actions-per-cycle 10000] [--duration 60s] [--nginx /usr/sbin/nginx]
                       [--wrk /usr/bin/wrk] [--keep] [--json FILE]

It needs PostgreSQL and psql (the client). On the server of ADMIN_URL it drops
and makes the databases ` + benchDB + ` and ` + benchReportDB + ` (so the user must be
allowed CREATE DATABASE), and drops them at the end unless --keep. It starts
pctracker serve (and nginx, the static baseline) itself on free ports of
127.0.0.1, and stops them at the end, also on Ctrl-C.

Phases: setup (migrate, generate 1200 organisations x 10 cycles x N actions,
a secretariat and 20 focal points with API tokens); P5 start time and idle
memory; P1 throughput beside nginx serving the same bytes (plain and gzip),
measured with the driver and with wrk in interleaved runs, the driver's
ceiling against wrk's, then 2000 req/s for --duration and GET / alone at
5000 req/s; public reads with the primary stopped (when the binary has read
replicas); P2 the first view after a change; P6 a sign-in flood beside
the dashboard; P3 submissions at 200 req/s for --duration; P4 the report of a
cycle of 100,000 actions and of 1,000,000 (each in a database of its own).

Progress goes to stderr; the table to stdout and, with --json, to a file. The
exit status is 0 when the bench ran, whatever the verdicts; 1 when it could
not run (or was interrupted); 2 for bad flags.

Flags:
`

// parseBenchOptions reads the command line of bench. getenv gives the
// default admin URL: the test server that .ci/postgres.sh finds.
func parseBenchOptions(args []string, getenv func(string) string) (benchOptions, *flag.FlagSet, error) {
	var o benchOptions
	fs := flag.NewFlagSet("pctracker-load bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	admin := getenv("PCT_TEST_DATABASE_URL")
	if admin == "" {
		admin = defaultAdminURL
	}
	fs.StringVar(&o.pctracker, "pctracker", "bin/pctracker", "the pctracker `binary` to measure")
	fs.StringVar(&o.adminURL, "database-url", admin, "PostgreSQL `URL` of a user who may create databases (default $PCT_TEST_DATABASE_URL, else the local server)")
	fs.IntVar(&o.actionsPerCycle, "actions-per-cycle", 10000, "`actions` the generator puts in each of the 10 cycles")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured `time` of the constant loads (P1 at 2000 req/s, P3 at 200 req/s)")
	fs.StringVar(&o.nginx, "nginx", "/usr/sbin/nginx", "the nginx `binary` of the static baseline; when missing, the ratio is not measured")
	fs.StringVar(&o.wrk, "wrk", "/usr/bin/wrk", "the wrk `binary` that measures beside the driver; when missing, its rows are not measured")
	fs.BoolVar(&o.keep, "keep", false, "keep the databases and the work folder (server log, nginx files, reports)")
	fs.StringVar(&o.jsonPath, "json", "", "also write the table as JSON to `file`")
	if err := fs.Parse(args); err != nil {
		return o, fs, err
	}
	if fs.NArg() > 0 {
		return o, fs, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var problems []string
	if o.duration < time.Second {
		problems = append(problems, "--duration must be at least 1s")
	}
	if o.actionsPerCycle < 100 || o.actionsPerCycle > 1000000 {
		// P2 needs submitted actions of this year to accept.
		problems = append(problems, "--actions-per-cycle must be between 100 and 1000000")
	}
	if _, err := databaseURL(o.adminURL, benchDB); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return o, fs, errors.New(strings.Join(problems, "\n"))
	}
	return o, fs, nil
}

// databaseURL is admin with its database replaced by name.
func databaseURL(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "", fmt.Errorf("--database-url %q: give a PostgreSQL URL such as %s", admin, defaultAdminURL)
	}
	if strings.Trim(u.Path, "/") == name {
		return "", fmt.Errorf("--database-url %q: connect to another database than %s, which the bench drops", admin, name)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// runBench is the bench subcommand.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, fs, err := parseBenchOptions(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, benchUsageText)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "pctracker-load bench: %v\nRun pctracker-load bench -h for help.\n", err)
		return exitUsage
	}
	b := &bench{o: o, log: stderr, card: newScorecard(benchSpecs(o.actionsPerCycle)), year: time.Now().Year()}
	started := time.Now()
	b.note("MB are 10^6 bytes; the server's RSS is VmRSS of /proc/PID/status")
	if avg, err := os.ReadFile("/proc/loadavg"); err == nil {
		// Other work on the machine (tests, builds) takes CPU from the
		// server and the load driver alike.
		b.note("load average at the start (1, 5, 15 min): %s", strings.Join(strings.Fields(string(avg))[:3], ", "))
	}
	runErr := b.run(ctx)
	b.cleanup()

	rep := benchReport{StartedAt: started, TookS: round2(time.Since(started).Seconds()), CPUs: runtime.NumCPU(),
		ActionsPerCycle: o.actionsPerCycle, DurationS: o.duration.Seconds(), Notes: b.notes}
	reason := "the bench did not reach it"
	if runErr != nil {
		rep.Stopped = runErr.Error()
		reason = "the bench stopped before: " + runErr.Error()
	}
	rep.Figures = b.card.figures(reason)
	writeBenchTable(stdout, rep)
	if o.jsonPath != "" {
		if err := saveBenchJSON(o.jsonPath, rep); err != nil {
			fmt.Fprintf(stderr, "pctracker-load bench: --json: %v\n", err)
			return exitFail
		}
	}
	if runErr != nil {
		return exitFail
	}
	return exitOK
}

func saveBenchJSON(path string, rep benchReport) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// bench is one run of the measurement: what it started, and what it found.
type bench struct {
	o     benchOptions
	log   io.Writer
	card  *scorecard
	notes []string
	year  int // this year: the generator's latest cycle

	bin       string // absolute path of pctracker
	psql      string
	work      string // the work folder
	dbs       []string
	mainURL   string
	server    *child
	base      string // the server's http://127.0.0.1:PORT
	nginx     *child
	secretary string   // API token of the secretariat
	reporters []string // API tokens of focal points
}

func (b *bench) say(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

func (b *bench) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

// run goes through the phases. An error means the bench cannot go on;
// a phase that fails on its own only marks its figures not measured.
func (b *bench) run(ctx context.Context) error {
	if err := b.setup(ctx); err != nil {
		return err
	}
	if err := b.startServer(ctx); err != nil {
		return err
	}
	if err := b.warm(ctx); err != nil {
		return err
	}
	steps := []struct {
		name string
		ids  []string
		do   func(context.Context) error
	}{
		{"P1 ratio to nginx", []string{"p1-ratio-html", "p1-ratio-json", "p1-wrk-html", "p1-wrk-json", "p1-wrk-html-gzip", "p1-wrk-json-gzip",
			"p1-go-html", "p1-go-json", "p1-go-html-gzip", "p1-go-json-gzip", "p1-go-headers-html", "p1-go-headers-json",
			"p1-go-headers-html-gzip", "p1-go-headers-json-gzip", "p1-driver-ceiling"}, b.ratio},
		{"P1 constant load", []string{"p1-p99", "p1-errors", "p5-rss-p1"}, b.constantLoad},
		{"P1 page at a constant rate", []string{"p1-p99-page-rate", "p1-wrk-p99-page-rate"}, b.pageAtRate},
		{"public reads with the primary stopped", []string{"replicas-primary-down"}, b.replicas},
		{"P2 first view after a change", []string{"p2-max", "p2-median"}, b.firstView},
		{"P6 sign-in flood", []string{"p6-p95-ratio", "p6-429-share"}, b.signInFlood},
		// Last of the server's phases: once next year's cycle is open the
		// dashboard shows it by default, which would change what P1 to P6
		// measure.
		{"P3 submissions", []string{"p3-p95", "p3-errors", "p5-rss-p3"}, b.submissions},
	}
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return errors.New("interrupted")
		}
		b.say("== %s", st.name)
		if err := st.do(ctx); err != nil {
			if ctx.Err() != nil {
				return errors.New("interrupted")
			}
			b.say("%s: %v", st.name, err)
			b.card.notMeasured(err.Error(), st.ids...)
		}
		if b.server.exited() {
			return fmt.Errorf("pctracker serve exited during %s: %s", st.name, b.server.describeExit())
		}
	}
	b.say("stopping pctracker serve")
	b.server.stop(30 * time.Second)
	b.say("== P4 report")
	if err := b.report(ctx); err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted")
		}
		b.say("P4 report: %v", err)
		b.card.notMeasured(err.Error(), "p4-generate", "p4-time", "p4-memory", "p4-generate-large", "p4-time-large", "p4-ratio")
	}
	return nil
}

// cleanup stops every child and drops the databases, with a context of its
// own: it also runs after an interrupt.
func (b *bench) cleanup() {
	if b.nginx != nil {
		b.nginx.stop(5 * time.Second)
	}
	if b.server != nil && !b.server.exited() {
		b.say("stopping pctracker serve")
		b.server.stop(30 * time.Second)
	}
	if b.server != nil {
		b.summarizeServerLog()
	}
	if b.o.keep {
		if len(b.dbs) > 0 {
			b.say("kept the databases %s (--keep)", strings.Join(b.dbs, ", "))
		}
		if b.work != "" {
			b.say("kept the work folder %s (--keep)", b.work)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, db := range b.dbs {
		if err := b.sql(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
			b.say("dropping %s: %v", db, err)
		} else {
			b.say("dropped the database %s", db)
		}
	}
	if b.work != "" {
		os.RemoveAll(b.work)
	}
}

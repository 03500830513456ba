package main

// The bench subcommand runs the whole performance measurement of the
// performance issue from scratch: it makes its own databases, fills them
// with the generator, starts pctracker (and nginx as the baseline of a
// static server), puts each load on it, and ends with one table of every
// figure beside its target. Everything it starts it also stops, and the
// databases it made it drops, unless --keep.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	keep            bool
	jsonPath        string
}

const benchUsageText = `pctracker-load bench runs the whole performance measurement and prints one
table: every figure of the performance issue beside its target, and a verdict
(PASS, FAIL, or NOT MEASURED with the reason).

Usage:
  pctracker-load bench [--pctracker bin/pctracker] [--database-url ADMIN_URL]
                       [--actions-per-cycle 10000] [--duration 60s] [--nginx /usr/sbin/nginx]
                       [--keep] [--json FILE]

It needs PostgreSQL and psql (the client). On the server of ADMIN_URL it drops
and makes the databases ` + benchDB + ` and ` + benchReportDB + ` (so the user must be
allowed CREATE DATABASE), and drops them at the end unless --keep. It starts
pctracker serve (and nginx, the static baseline) itself on free ports of
127.0.0.1, and stops them at the end, also on Ctrl-C.

Phases: setup (migrate, generate 1200 organisations x 10 cycles x N actions,
a secretariat and 20 focal points with API tokens); P5 start time and idle
memory; P1 throughput beside nginx serving the same bytes, then 2000 req/s
for --duration; P2 the first view after a change; P6 a sign-in flood beside
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

// Verdicts of the table.
const (
	verdictPass        = "PASS"
	verdictFail        = "FAIL"
	verdictNotMeasured = "NOT MEASURED"
	verdictInfo        = "INFO" // a figure with no target, shown for context
)

// goal is a target of the performance issue: value op limit. An empty op
// marks a figure shown for context only.
type goal struct {
	op    string // "<", "<=", ">=", ">" or "="
	limit float64
	unit  string
}

func (g goal) String() string {
	if g.op == "" {
		return "-"
	}
	sym := map[string]string{"<=": "≤", ">=": "≥"}[g.op]
	if sym == "" {
		sym = g.op
	}
	limit := strconv.FormatFloat(g.limit, 'f', -1, 64)
	if g.unit == "" || g.unit == "ratio" {
		return sym + " " + limit
	}
	return sym + " " + limit + " " + g.unit
}

// met says whether v reaches the goal. NaN never does.
func (g goal) met(v float64) bool {
	switch g.op {
	case "<":
		return v < g.limit
	case "<=":
		return v <= g.limit
	case ">":
		return v > g.limit
	case ">=":
		return v >= g.limit
	case "=":
		return v == g.limit
	}
	return false
}

// formatValue prints v in unit with the precision a reader needs.
func formatValue(v float64, unit string) string {
	var s string
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "n/a"
	case unit == "" || unit == "req/s":
		s = strconv.FormatFloat(v, 'f', 0, 64)
	case unit == "ratio":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case unit == "ms" && v < 10:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	case unit == "ms", unit == "MB", unit == "%":
		s = strconv.FormatFloat(v, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	}
	if unit == "" {
		return s
	}
	return s + " " + unit
}

// spec is one figure the bench reports, declared before it runs so that
// the table lists every figure, measured or not.
type spec struct {
	id     string
	name   string
	goal   goal
	target string // the target as printed, when the goal alone does not say it all
}

func (sp spec) targetText() string {
	if sp.target != "" {
		return sp.target
	}
	return sp.goal.String()
}

// figure is one row of the table, as printed and written to JSON. The JSON
// names are read by scripts: keep them stable.
type figure struct {
	ID       string   `json:"id"`
	Figure   string   `json:"figure"`
	Value    *float64 `json:"value"` // null when not measured
	Unit     string   `json:"unit,omitempty"`
	Measured string   `json:"measured"`
	Target   string   `json:"target"`
	Verdict  string   `json:"verdict"`
	Note     string   `json:"note,omitempty"` // how it was measured, or why it was not
}

// benchSpecs lists the figures in the order of the table.
func benchSpecs(actionsPerCycle int) []spec {
	return []spec{
		{"setup-generate", fmt.Sprintf("setup: generate %d orgs x %d cycles x %d actions", benchOrganisations, benchCycles, actionsPerCycle), goal{unit: "s"}, ""},
		{"p5-start", "P5 start: process start to first 200 of /readyz", goal{"<", 1000, "ms"}, ""},
		{"p5-idle-rss", "P5 idle RSS, 2 s after ready", goal{"<", 50, "MB"}, ""},
		{"p1-ratio-html", "P1 GET / throughput, pctracker / nginx", goal{">=", 0.5, "ratio"}, ""},
		{"p1-ratio-json", "P1 GET /api/v1/dashboard throughput, pctracker / nginx", goal{">=", 0.5, "ratio"}, ""},
		{"p1-p99", fmt.Sprintf("P1 p99 at %d req/s (dashboard + JSON)", p1Rate), goal{"<", 10, "ms"}, ""},
		{"p1-errors", fmt.Sprintf("P1 errors at %d req/s", p1Rate), goal{"=", 0, ""}, ""},
		{"p5-rss-p1", "P5 peak RSS during P1", goal{"<", 150, "MB"}, ""},
		{"p2-max", fmt.Sprintf("P2 first GET / after an accept, max of %d", p2Changes), goal{"<", 100, "ms"}, ""},
		{"p2-median", fmt.Sprintf("P2 first GET / after an accept, median of %d", p2Changes), goal{"<", 100, "ms"}, ""},
		{"p6-p95-ratio", "P6 dashboard p95, sign-in flood / baseline", goal{"<=", 2, "ratio"}, ""},
		// The goal is the share; judged adds that nothing may fail.
		{"p6-429-share", "P6 sign-in attempts answered 429", goal{">", 0, "%"}, "> 0 %, no 5xx"},
		{"p3-p95", fmt.Sprintf("P3 submission p95 at %d req/s (create + submit)", p3Rate), goal{"<", 100, "ms"}, ""},
		{"p3-errors", fmt.Sprintf("P3 errors at %d req/s", p3Rate), goal{"=", 0, ""}, ""},
		{"p5-rss-p3", "P5 peak RSS during P3", goal{"<", 150, "MB"}, ""},
		{"p4-generate", fmt.Sprintf("setup: generate %d orgs x 1 cycle x %d actions", benchOrganisations, benchReportActions), goal{unit: "s"}, ""},
		{"p4-time", fmt.Sprintf("P4 report of %d actions, all formats but PDF: time", benchReportActions), goal{"<", 5, "s"}, ""},
		{"p4-memory", fmt.Sprintf("P4 report of %d actions: peak memory", benchReportActions), goal{"<", 200, "MB"}, ""},
		{"p4-generate-large", fmt.Sprintf("setup: generate %d orgs x 1 cycle x %d actions", benchOrganisations, benchReportScale*benchReportActions), goal{unit: "s"}, ""},
		{"p4-time-large", fmt.Sprintf("P4 report of %d actions: time", benchReportScale*benchReportActions), goal{unit: "s"}, ""},
		{"p4-ratio", fmt.Sprintf("P4 time ratio, %d / %d actions", benchReportScale*benchReportActions, benchReportActions), goal{"<", 12, "ratio"}, ""},
	}
}

// scorecard holds the figures as the phases measure them.
type scorecard struct {
	specs []spec
	got   map[string]figure
}

func newScorecard(specs []spec) *scorecard {
	return &scorecard{specs: specs, got: map[string]figure{}}
}

func (s *scorecard) spec(id string) spec {
	for _, sp := range s.specs {
		if sp.id == id {
			return sp
		}
	}
	panic("no figure " + id) // ids are constants of this file
}

// measured records v against the figure's goal.
func (s *scorecard) measured(id string, v float64, note string) {
	sp := s.spec(id)
	verdict := verdictInfo
	if sp.goal.op != "" {
		verdict = verdictFail
		if sp.goal.met(v) {
			verdict = verdictPass
		}
	}
	s.got[id] = figure{ID: id, Figure: sp.name, Value: &v, Unit: sp.goal.unit, Measured: formatValue(v, sp.goal.unit),
		Target: sp.targetText(), Verdict: verdict, Note: note}
}

// judged records v with a verdict decided by the caller, for a target the
// goal alone cannot express.
func (s *scorecard) judged(id string, v float64, pass bool, note string) {
	s.measured(id, v, note)
	f := s.got[id]
	f.Verdict = verdictFail
	if pass {
		f.Verdict = verdictPass
	}
	s.got[id] = f
}

// notMeasured records why a figure has no value. A figure already recorded
// keeps its value.
func (s *scorecard) notMeasured(reason string, ids ...string) {
	for _, id := range ids {
		if _, ok := s.got[id]; ok {
			continue
		}
		sp := s.spec(id)
		s.got[id] = figure{ID: id, Figure: sp.name, Unit: sp.goal.unit, Measured: "-", Target: sp.targetText(),
			Verdict: verdictNotMeasured, Note: reason}
	}
}

// figures lists every figure in table order; those no phase recorded are
// not measured, for reason.
func (s *scorecard) figures(reason string) []figure {
	out := make([]figure, 0, len(s.specs))
	for _, sp := range s.specs {
		s.notMeasured(reason, sp.id)
		out = append(out, s.got[sp.id])
	}
	return out
}

// benchReport is the whole result of a bench, as written by --json.
type benchReport struct {
	StartedAt       time.Time `json:"started_at"`
	TookS           float64   `json:"took_s"`
	CPUs            int       `json:"cpus"`
	ActionsPerCycle int       `json:"actions_per_cycle"`
	DurationS       float64   `json:"duration_s"`
	Figures         []figure  `json:"figures"`
	Notes           []string  `json:"notes"`
	Stopped         string    `json:"stopped,omitempty"` // why the bench ended early
}

// writeBenchTable prints the report for people: one row per figure, and
// under it, indented, how it was measured or why it was not.
func writeBenchTable(w io.Writer, r benchReport) {
	fmt.Fprintf(w, "\npctracker bench, %s: %d actions per cycle, constant loads of %s, %d CPUs, took %s\n\n",
		r.StartedAt.Format("2006-01-02 15:04 MST"), r.ActionsPerCycle, time.Duration(r.DurationS*float64(time.Second)),
		r.CPUs, time.Duration(r.TookS*float64(time.Second)).Round(time.Second))
	nameW := len("figure")
	for _, f := range r.Figures {
		nameW = max(nameW, len([]rune(f.Figure)))
	}
	row := fmt.Sprintf("%%-%ds  %%12s  %%12s  %%s\n", nameW)
	fmt.Fprintf(w, row, "figure", "measured", "target", "verdict")
	fmt.Fprintln(w, strings.Repeat("-", nameW+2+12+2+12+2+len(verdictNotMeasured)))
	for _, f := range r.Figures {
		fmt.Fprintf(w, row, f.Figure, f.Measured, f.Target, f.Verdict)
		if f.Note != "" {
			fmt.Fprintf(w, "    %s\n", f.Note)
		}
	}
	count := map[string]int{}
	for _, f := range r.Figures {
		count[f.Verdict]++
	}
	fmt.Fprintf(w, "\n%d PASS, %d FAIL, %d NOT MEASURED, %d INFO\n", count[verdictPass], count[verdictFail],
		count[verdictNotMeasured], count[verdictInfo])
	if r.Stopped != "" {
		fmt.Fprintf(w, "The bench stopped early: %s\n", r.Stopped)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\nHow:")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
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
	steps := []struct {
		name string
		ids  []string
		do   func(context.Context) error
	}{
		{"P1 ratio to nginx", []string{"p1-ratio-html", "p1-ratio-json"}, b.ratio},
		{"P1 constant load", []string{"p1-p99", "p1-errors", "p5-rss-p1"}, b.constantLoad},
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

// setup finds the tools, makes the main database and fills it, and makes
// the accounts the phases use.
func (b *bench) setup(ctx context.Context) error {
	b.say("== setup")
	bin, err := exec.LookPath(b.o.pctracker)
	if err != nil {
		return fmt.Errorf("--pctracker %s: %v (build it with: go build -o bin/pctracker ./cmd/pctracker)", b.o.pctracker, err)
	}
	if b.bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	if b.psql, err = exec.LookPath("psql"); err != nil {
		return errors.New("psql, the PostgreSQL client, is needed to create the databases (apt-get install postgresql-client)")
	}
	if err := b.sql(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("PostgreSQL at --database-url does not answer: %v", err)
	}
	if b.work, err = os.MkdirTemp("", "pctracker-bench-"); err != nil {
		return err
	}
	// nginx's workers run as another user: they must get through.
	if err := os.Chmod(b.work, 0o755); err != nil {
		return err
	}
	b.mainURL, _ = databaseURL(b.o.adminURL, benchDB)
	if err := b.createDB(ctx, benchDB); err != nil {
		return err
	}
	if _, err := b.tool(ctx, "migrate", b.env(b.mainURL), "migrate", "up"); err != nil {
		return err
	}
	b.say("generating %d organisations x %d cycles x %d actions", benchOrganisations, benchCycles, b.o.actionsPerCycle)
	gen, err := b.tool(ctx, "generate", b.env(b.mainURL), "generate", "--organisations", strconv.Itoa(benchOrganisations),
		"--cycles", strconv.Itoa(benchCycles), "--actions-per-cycle", strconv.Itoa(b.o.actionsPerCycle))
	if err != nil {
		return err
	}
	b.generated("setup-generate", gen, benchOrganisations*benchCycles*b.o.actionsPerCycle)

	// The accounts are made with the CLI, as an operator would; a failure
	// costs only the phases that need them.
	if tok, err := b.account(ctx, "bench-secretariat@example.org", "Bench secretariat", "--role", "secretariat"); err != nil {
		b.say("secretariat account: %v", err)
		b.card.notMeasured("no secretariat account: "+err.Error(), "p2-max", "p2-median")
	} else {
		b.secretary = tok
	}
	for i := 1; i <= benchFocalPoints; i++ {
		tok, err := b.account(ctx, fmt.Sprintf("bench-focal-point-%02d@example.org", i), fmt.Sprintf("Bench focal point %d", i),
			"--role", "supporter", "--stakeholder", strconv.Itoa(i), "--org-role", "focal_point")
		if err != nil {
			b.say("focal point of organisation %d: %v", i, err)
			b.card.notMeasured("no focal points: "+err.Error(), "p3-p95", "p3-errors", "p5-rss-p3")
			b.reporters = nil
			break
		}
		b.reporters = append(b.reporters, tok)
	}
	if b.secretary != "" {
		b.say("made a secretariat account and %d focal points of organisations 1..%d, each with an API token", len(b.reporters), len(b.reporters))
	}
	return nil
}

// generated records a run of the generator: its time and rate.
func (b *bench) generated(id string, gen toolRun, planned int) {
	actions := planned
	if m := generatedLine.FindStringSubmatch(gen.stdout); m != nil {
		actions, _ = strconv.Atoi(m[1])
	}
	rate := float64(actions) / gen.took.Seconds()
	b.card.measured(id, gen.took.Seconds(), fmt.Sprintf("%d actions, %.0f actions/s", actions, rate))
	b.say("generated %d actions in %s (%.0f actions/s)", actions, gen.took.Round(10*time.Millisecond), rate)
}

// generatedLine is the generator's closing summary.
var generatedLine = regexp.MustCompile(`and (\d+) actions in`)

// account makes a user with the CLI and returns a new API token of theirs.
func (b *bench) account(ctx context.Context, email, name string, flags ...string) (string, error) {
	args := append([]string{"user", "add", "--email", email, "--name", name, "--json"}, flags...)
	if _, err := b.tool(ctx, "user add", b.env(b.mainURL), args...); err != nil {
		return "", err
	}
	out, err := b.tool(ctx, "token add", b.env(b.mainURL), "token", "add", "--email", email, "--json")
	if err != nil {
		return "", err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out.stdout), &tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("token add --json printed no token: %q", firstLine(out.stdout))
	}
	return tok.Token, nil
}

// createDB drops name if it is there and makes it anew.
func (b *bench) createDB(ctx context.Context, name string) error {
	if err := b.sql(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return err
	}
	if err := b.sql(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	b.dbs = append(b.dbs, name)
	b.say("created the database %s", name)
	return nil
}

// sql runs one statement with psql on the admin URL.
func (b *bench) sql(ctx context.Context, stmt string) error {
	cmd := exec.CommandContext(ctx, b.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", b.o.adminURL,
		"-c", "SET client_min_messages = warning", "-c", stmt)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql %q: %v: %s", stmt, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// env is the environment of a pctracker child: the bench's own, without
// any PCT_ setting that could point it elsewhere, and the bench's choices.
func (b *bench) env(dbURL string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PCT_") {
			env = append(env, kv)
		}
	}
	return append(env, "PCT_DATABASE_URL="+dbURL, "PCT_LOG_LEVEL=warn", "PCT_SCHEDULER_ENABLED=false",
		"PCT_REPORT_CHROMIUM=off", "PCT_MAIL_DIR="+filepath.Join(b.work, "mail"))
}

// toolRun is what a finished pctracker command came to.
type toolRun struct {
	stdout   string
	took     time.Duration
	maxRSSKB int64 // peak resident memory of the process, in KiB
}

// tool runs a pctracker command to its end. Its stderr is summed up: the
// latest line every 10 s while it runs, the last lines when it fails.
func (b *bench) tool(ctx context.Context, label string, env []string, args ...string) (toolRun, error) {
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = env
	cmd.Dir = b.work
	cmd.SysProcAttr = childAttrs()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var stdout bytes.Buffer
	tail := &tailWriter{}
	cmd.Stdout, cmd.Stderr = &stdout, tail

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		shown := ""
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if l := tail.latest(); l != "" && l != shown {
					b.say("  %s: %s", label, l)
					shown = l
				}
			}
		}
	}()
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	close(stop)
	wg.Wait()
	run := toolRun{stdout: stdout.String(), took: took}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			run.maxRSSKB = ru.Maxrss // KiB on Linux
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return run, errors.New("interrupted")
		}
		msg := strings.Join(tail.lastLines(4), " | ")
		if msg == "" {
			msg = firstLine(run.stdout)
		}
		return run, fmt.Errorf("pctracker %s: %v: %s", strings.Join(args[:min(2, len(args))], " "), err, msg)
	}
	return run, nil
}

// tailWriter keeps what a child last printed. A progress bar redraws its
// line after \r, so \r ends a line as \n does; only lines ended by \n are
// kept for error messages.
type tailWriter struct {
	mu    sync.Mutex
	cur   []byte
	last  string
	lines []string
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range p {
		if c != '\r' && c != '\n' {
			if len(w.cur) < 4096 {
				w.cur = append(w.cur, c)
			}
			continue
		}
		if line := strings.TrimSpace(string(w.cur)); line != "" {
			w.last = line
			if c == '\n' {
				w.lines = append(w.lines, line)
				if len(w.lines) > 20 {
					w.lines = w.lines[1:]
				}
			}
		}
		w.cur = w.cur[:0]
	}
	return len(p), nil
}

func (w *tailWriter) latest() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

func (w *tailWriter) lastLines(n int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.lines[max(0, len(w.lines)-n):])
	if line := strings.TrimSpace(string(w.cur)); line != "" {
		out = append(out, line)
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// childAttrs puts a long-lived child in a process group of its own, so
// that a Ctrl-C reaches only the bench, which then stops its children in
// order; and asks the kernel to stop the child should the bench die
// without cleaning up.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// child is a server the bench runs in the background.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // from Wait, once done is closed
}

func startChild(name string, cmd *exec.Cmd) (*child, error) {
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *child) describeExit() string {
	if c.err == nil {
		return "exit status 0"
	}
	return c.err.Error()
}

// stop asks the child to end (SIGTERM: pctracker drains its requests,
// nginx's master stops its workers) and kills its whole process group if
// it has not within grace.
func (c *child) stop(grace time.Duration) {
	if c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
		<-c.done
	}
}

// freePort asks the kernel for a port of 127.0.0.1 nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts pctracker serve on the main database and records P5:
// how long until /readyz first answers 200, and the memory it then holds
// idle.
func (b *bench) startServer(ctx context.Context) error {
	b.say("== P5 start")
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	b.base = "http://" + addr
	logFile, err := os.Create(filepath.Join(b.work, "server.log"))
	if err != nil {
		return err
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(b.bin, "serve", "--addr", addr)
	cmd.Env = append(b.env(b.mainURL), "PCT_BASE_URL="+b.base)
	cmd.Dir = b.work
	cmd.Stdout, cmd.Stderr = logFile, logFile
	started := time.Now()
	if b.server, err = startChild("pctracker serve", cmd); err != nil {
		return err
	}
	took, err := waitReady(ctx, b.base, b.server, started, 60*time.Second)
	if err != nil {
		return err
	}
	b.card.measured("p5-start", float64(took)/float64(time.Millisecond), fmt.Sprintf("pid %d on %s, /readyz polled every %s", b.server.pid(), addr, readyPoll))
	b.say("pctracker serve (pid %d) ready on %s after %s", b.server.pid(), addr, took.Round(time.Millisecond))

	if err := sleep(ctx, 2*time.Second); err != nil {
		return errors.New("interrupted")
	}
	kb, err := readVmRSS(b.server.pid())
	if err != nil {
		b.card.notMeasured(err.Error(), "p5-idle-rss")
	} else {
		b.card.measured("p5-idle-rss", kbToMB(kb), "VmRSS of /proc/PID/status")
	}
	return nil
}

// waitReady polls base/readyz until it answers 200 and returns the time
// since started. It fails when c exits first.
func waitReady(ctx context.Context, base string, c *child, started time.Time, limit time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	deadline := started.Add(limit)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(started), nil
			}
		}
		if c != nil && c.exited() {
			return 0, fmt.Errorf("%s exited before it was ready: %s", c.name, c.describeExit())
		}
		if time.Now().After(deadline) {
			why := "no answer"
			if err == nil {
				why = "HTTP " + strconv.Itoa(resp.StatusCode)
			}
			return 0, fmt.Errorf("%s/readyz did not answer 200 within %s (%s)", base, limit, why)
		}
		if err := sleep(ctx, readyPoll); err != nil {
			return 0, errors.New("interrupted")
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// parseVmRSS reads the resident set size, in KiB, from the text of
// /proc/PID/status.
func parseVmRSS(status []byte) (int64, error) {
	for line := range strings.Lines(string(status)) {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", strings.TrimSpace(line))
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	return 0, errors.New("no VmRSS line (has the process exited?)")
}

func readVmRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(data)
}

// kbToMB turns KiB, as the kernel counts, into MB of 10^6 bytes, as the
// targets are written.
func kbToMB(kb int64) float64 { return float64(kb) * 1024 / 1e6 }

// rssWatch samples a process's VmRSS at a fixed interval and keeps the
// highest.
type rssWatch struct {
	stop    chan struct{}
	done    chan struct{}
	peakKB  int64
	samples int
	err     error
}

func watchRSS(pid int, every time.Duration) *rssWatch {
	w := &rssWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if kb, err := readVmRSS(pid); err != nil {
				w.err = err
			} else {
				w.peakKB = max(w.peakKB, kb)
				w.samples++
			}
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// finish stops the sampling and records its peak as figure id.
func (w *rssWatch) finish(card *scorecard, id string) {
	close(w.stop)
	<-w.done
	if w.samples == 0 {
		card.notMeasured(fmt.Sprintf("no sample of VmRSS: %v", w.err), id)
		return
	}
	card.measured(id, kbToMB(w.peakKB), fmt.Sprintf("peak of %d VmRSS samples, one every %s", w.samples, rssEvery))
}

// job is one load run, its scenarios prepared.
type job struct {
	label string
	t     *target
	d     *driver
	p     plan
}

// newJob builds and prepares the scenarios of mix against base.
func newJob(ctx context.Context, label, base string, mix []weighted, s settings, p plan) (*job, error) {
	conns := p.maxInflight
	if p.mode == modeCeiling {
		conns = p.concurrency
	}
	t := newTarget(base, requestTimeout, conns)
	if err := ready(ctx, t); err != nil {
		return nil, fmt.Errorf("%s: %s is not ready: %w", label, base, err)
	}
	scenarios := buildScenarios(t, mix, s)
	for _, sc := range scenarios {
		if sc.prepare != nil {
			if err := sc.prepare(ctx); err != nil {
				return nil, fmt.Errorf("%s: setting up %s: %w", label, sc.name, err)
			}
		}
	}
	return &job{label: label, t: t, d: newDriver(scenarios, mix), p: p}, nil
}

// loadResult is what a job came to.
type loadResult struct {
	rows  []summary
	total summary
}

// row is the summary of scenario name.
func (r loadResult) row(name string) summary {
	for _, s := range r.rows {
		if s.Scenario == name && s.StepOf == "" {
			return s
		}
	}
	return summary{}
}

// runJobs runs jobs at the same time and prints a line every 5 s.
func (b *bench) runJobs(ctx context.Context, jobs ...*job) ([]loadResult, error) {
	reqCtx := context.WithoutCancel(ctx) // requests under way finish, so that they count
	out := make([]loadResult, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var measured time.Duration
			if j.p.mode == modeOpen {
				measured = j.d.open(ctx, reqCtx, j.p)
			} else {
				measured = j.d.ceiling(ctx, reqCtx, j.p)
			}
			rows, total := j.d.results(j.p, measured)
			out[i] = loadResult{rows: rows, total: total}
		}()
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				var parts []string
				for _, j := range jobs {
					parts = append(parts, fmt.Sprintf("%s sent %d, errors %d", j.label, j.d.counters.sent.Load(), j.d.counters.errors.Load()))
				}
				b.say("  %3.0fs %s", now.Sub(start).Seconds(), strings.Join(parts, "; "))
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-done
	for _, j := range jobs {
		j.t.client.CloseIdleConnections()
	}
	if ctx.Err() != nil {
		return out, errors.New("interrupted")
	}
	return out, nil
}

// runOne runs a single job.
func (b *bench) runOne(ctx context.Context, label, base string, mix []weighted, s settings, p plan) (loadResult, error) {
	j, err := newJob(ctx, label, base, mix, s, p)
	if err != nil {
		return loadResult{}, err
	}
	res, err := b.runJobs(ctx, j)
	if err != nil {
		return loadResult{}, err
	}
	return res[0], nil
}

// fetch GETs path of base as the load driver's scenario does, and returns
// the body and its Content-Type.
func fetch(ctx context.Context, base, path, accept string) ([]byte, string, error) {
	t := newTarget(base, requestTimeout, 1)
	defer t.client.CloseIdleConnections()
	req := t.newRequest(ctx, http.MethodGet, path, nil)
	req.Header.Set("Accept", accept)
	if accept == acceptHTML {
		req.Header.Set("Accept-Language", "en")
	}
	resp, body, err := t.exchange(req)
	if _, fail := judge(resp, body, err, http.StatusOK); fail != "" {
		return nil, "", fmt.Errorf("GET %s%s: %s", base, path, fail)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// nginxSite is the static copy of the two dashboards that nginx serves.
type nginxSite struct {
	dir      string // holds nginx.conf, the pid and the error log
	root     string // holds the two files
	port     int
	htmlType string
	jsonType string
	root0    bool // nginx runs as root, so its compiled-in temporary folders are writable
}

// nginxConfig is the configuration of a plain, well-set static server: no
// access log, keep-alive for the whole run, sendfile, two workers.
func nginxConfig(s nginxSite) string {
	var temps string
	if !s.root0 {
		// Without root the compiled-in temporary folders are not writable.
		for _, kind := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
			temps += fmt.Sprintf("    %s_temp_path %s;\n", kind, filepath.Join(s.dir, "tmp-"+kind))
		}
	}
	return fmt.Sprintf(`daemon off;
worker_processes 2;
pid %[1]s;
error_log %[2]s warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    keepalive_requests 100000;
    keepalive_timeout 75s;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    types { }
%[3]s
    server {
        listen 127.0.0.1:%[4]d;
        root %[5]s;

        location = / {
            default_type %[6]q;
            try_files /dashboard.html =404;
        }
        location = /api/v1/dashboard {
            default_type %[7]q;
            try_files /dashboard.json =404;
        }
        location = /readyz {
            default_type application/json;
            return 200 '{"status":"ready"}';
        }
    }
}
`, filepath.Join(s.dir, "nginx.pid"), filepath.Join(s.dir, "error.log"), temps, s.port, s.root, s.htmlType, s.jsonType)
}

// usableContentType keeps a Content-Type that can go in nginx.conf as a
// quoted string, else fallback.
func usableContentType(ct, fallback string) string {
	if ct == "" || strings.ContainsAny(ct, "\"\\{}$\n\r") {
		return fallback
	}
	return ct
}

// ratio measures P1 against nginx: the throughput of pctracker and of
// nginx serving a copy of pctracker's answers, at the same concurrency.
func (b *bench) ratio(ctx context.Context) error {
	html, htmlType, err := fetch(ctx, b.base, "/", acceptHTML)
	if err != nil {
		return err
	}
	jsonBody, jsonType, err := fetch(ctx, b.base, "/api/v1/dashboard", acceptJSON)
	if err != nil {
		return err
	}
	if _, err := os.Stat(b.o.nginx); err != nil {
		return fmt.Errorf("nginx not found at %s: install nginx-light (or pass --nginx)", b.o.nginx)
	}
	site := nginxSite{dir: filepath.Join(b.work, "nginx"), htmlType: usableContentType(htmlType, "text/html; charset=UTF-8"),
		jsonType: usableContentType(jsonType, "application/json"), root0: os.Geteuid() == 0}
	site.root = filepath.Join(site.dir, "www")
	if err := os.MkdirAll(site.root, 0o755); err != nil {
		return err
	}
	// MkdirAll honours the umask; the workers need to read through.
	for _, d := range []string{site.dir, site.root} {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	for name, data := range map[string][]byte{"dashboard.html": html, "dashboard.json": jsonBody} {
		p := filepath.Join(site.root, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		if err := os.Chmod(p, 0o644); err != nil {
			return err
		}
	}
	if site.port, err = freePort(); err != nil {
		return err
	}
	conf := filepath.Join(site.dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(site)), 0o644); err != nil {
		return err
	}
	nginxOut := &tailWriter{}
	cmd := exec.Command(b.o.nginx, "-p", site.dir, "-c", conf)
	cmd.Stdout, cmd.Stderr = nginxOut, nginxOut
	if b.nginx, err = startChild("nginx", cmd); err != nil {
		return err
	}
	defer func() {
		b.nginx.stop(5 * time.Second)
		b.nginx = nil
	}()
	nginxBase := fmt.Sprintf("http://127.0.0.1:%d", site.port)
	if _, err := waitReady(ctx, nginxBase, b.nginx, time.Now(), 10*time.Second); err != nil {
		errLog, _ := os.ReadFile(filepath.Join(site.dir, "error.log"))
		return fmt.Errorf("%v: %s %s", err, strings.Join(nginxOut.lastLines(3), " | "), lastLines(string(errLog), 3))
	}
	b.say("nginx (pid %d) serves the copy on %s", b.nginx.pid(), nginxBase)

	// The comparison holds only if nginx sends exactly pctracker's bytes.
	for _, c := range []struct {
		path, accept, ctype string
		want                []byte
	}{{"/", acceptHTML, htmlType, html}, {"/api/v1/dashboard", acceptJSON, jsonType, jsonBody}} {
		got, ct, err := fetch(ctx, nginxBase, c.path, c.accept)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, c.want) {
			return fmt.Errorf("nginx served %d bytes for %s, not pctracker's %d", len(got), c.path, len(c.want))
		}
		if !strings.EqualFold(ct, c.ctype) {
			b.say("nginx labels %s %q, pctracker %q", c.path, ct, c.ctype)
		}
	}
	b.say("nginx serves the same bytes: %d of HTML, %d of JSON", len(html), len(jsonBody))

	p := plan{mode: modeCeiling, concurrency: ratioClients, warmup: benchWarmup, duration: ratioDuration}
	rates := map[string]float64{}
	trouble := map[string][]string{} // by HTML or JSON
	for _, run := range []struct{ server, base, kind, scenario string }{
		{"nginx", nginxBase, "HTML", "dashboard"},
		{"pctracker", b.base, "HTML", "dashboard"},
		{"nginx", nginxBase, "JSON", "dashboard-json"},
		{"pctracker", b.base, "JSON", "dashboard-json"},
	} {
		label := run.server + " " + run.kind
		res, err := b.runOne(ctx, label, run.base, []weighted{{run.scenario, 1}}, settings{}, p)
		if err != nil {
			return err
		}
		s := res.row(run.scenario)
		rates[label] = s.Rate
		b.say("%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors", label, s.Rate, s.P50, s.P99, s.Errors)
		if s.Errors > 0 {
			trouble[run.kind] = append(trouble[run.kind], fmt.Sprintf("%s had %s errors", run.server, reasonText(s.Errors, s.Reasons, 2)))
		}
	}
	for _, r := range []struct{ id, kind string }{{"p1-ratio-html", "HTML"}, {"p1-ratio-json", "JSON"}} {
		n, pct := rates["nginx "+r.kind], rates["pctracker "+r.kind]
		note := strings.Join(append([]string{fmt.Sprintf("pctracker %.0f req/s, nginx %.0f req/s", pct, n)}, trouble[r.kind]...), "; ")
		if n <= 0 {
			b.card.notMeasured("nginx served nothing: "+note, r.id)
			continue
		}
		b.card.measured(r.id, pct/n, note)
	}
	b.note("P1 ratio: ceiling mode, %d closed-loop clients, %s warm-up then %s measured, for nginx and pctracker in turn, GET / (Accept-Language: en) and GET /api/v1/dashboard; nginx serves byte-identical copies (%d and %d bytes), 2 workers, no access log",
		ratioClients, benchWarmup, ratioDuration, len(html), len(jsonBody))
	return nil
}

// lastLines is the last n non-empty lines of s, joined.
func lastLines(s string, n int) string {
	var lines []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

// constantLoad is P1 at a fixed rate, with the server's memory watched.
func (b *bench) constantLoad(ctx context.Context) error {
	p := plan{mode: modeOpen, rate: p1Rate, maxInflight: 2000, warmup: benchWarmup, duration: b.o.duration}
	b.say("open model: %d req/s of dashboard and dashboard-json for %s after %s of warm-up", p1Rate, b.o.duration, benchWarmup)
	j, err := newJob(ctx, "P1", b.base, []weighted{{"dashboard", 1}, {"dashboard-json", 1}}, settings{}, p)
	if err != nil {
		return err
	}
	w := watchRSS(b.server.pid(), rssEvery)
	res, err := b.runJobs(ctx, j)
	w.finish(b.card, "p5-rss-p1")
	if err != nil {
		return err
	}
	t, html, js := res[0].total, res[0].row("dashboard"), res[0].row("dashboard-json")
	b.card.measured("p1-p99", t.P99, fmt.Sprintf("%d requests at %.0f req/s; p50 %.2f, p95 %.2f, max %.1f ms; p99 of GET / %.2f, of JSON %.2f ms",
		t.Requests, t.Rate, t.P50, t.P95, t.Max, html.P99, js.P99))
	note := fmt.Sprintf("statuses %s", statusText(t.Statuses))
	if t.Errors > 0 {
		note += "; " + reasonText(t.Errors, t.Reasons, 3)
	}
	b.card.measured("p1-errors", float64(t.Errors), note)
	b.say("P1: %.0f req/s, p99 %.2f ms, %d errors", t.Rate, t.P99, t.Errors)
	b.note("P1 constant load and P6, P3: open model (latency counts from when a request was due), %s of warm-up before the measured time; the load driver runs on the same machine", benchWarmup)
	return nil
}

// firstView is P2: after each accepted action, the time of the first
// GET / on a connection of its own, as a new visitor's.
func (b *bench) firstView(ctx context.Context) error {
	if b.secretary == "" {
		return errors.New("no secretariat token")
	}
	api := newTarget(b.base, requestTimeout, 2)
	defer api.client.CloseIdleConnections()
	view := func() (time.Duration, []byte, string, error) {
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: requestTimeout}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/", nil)
		req.Header.Set("User-Agent", userAgent)
		req.Header.Set("Accept", acceptHTML)
		req.Header.Set("Accept-Language", "en")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, "", fmt.Errorf("GET /: %s", transportReason(err))
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, nil, "", fmt.Errorf("GET /: HTTP %d %v", resp.StatusCode, err)
		}
		return took, body, resp.Header.Get("ETag"), nil
	}
	_, before, etag, err := view()
	if err != nil {
		return err
	}
	var times []time.Duration
	changed, retagged := 0, 0
	for range p2Changes {
		id, version, err := b.submittedAction(ctx, api)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]any{"decision": "accept", "version": version})
		resp, raw, err := api.exchange(api.apiRequest(ctx, b.secretary, http.MethodPost, fmt.Sprintf("/api/v1/actions/%d/review", id), body))
		if _, fail := judge(resp, raw, err, http.StatusOK); fail != "" {
			return fmt.Errorf("accepting action %d: %s", id, fail)
		}
		took, page, tag, err := view()
		if err != nil {
			return err
		}
		if !bytes.Equal(page, before) {
			changed++
		}
		if tag != etag {
			retagged++
		}
		before, etag = page, tag
		times = append(times, took)
		b.say("accepted action %d; the next GET / took %s", id, took.Round(10*time.Microsecond))
	}
	slices.Sort(times)
	msOf := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	all := make([]string, len(times))
	for i, t := range times {
		all[i] = formatValue(msOf(t), "ms")
	}
	note := fmt.Sprintf("each on a new TCP connection, no If-None-Match; after %d of %d accepts the ETag changed, after %d the bytes; all: %s",
		retagged, p2Changes, changed, strings.Join(all, ", "))
	b.card.measured("p2-max", msOf(times[len(times)-1]), note)
	b.card.measured("p2-median", msOf(times[len(times)/2]), "")
	return nil
}

// submittedAction finds an action waiting for review, of this year's
// cycle if there is one (the dashboard shows that cycle), else any.
func (b *bench) submittedAction(ctx context.Context, api *target) (int64, int, error) {
	for _, q := range []string{fmt.Sprintf("?cycle=%d&per_page=1", b.year), "?per_page=1"} {
		resp, raw, err := api.exchange(api.apiRequest(ctx, b.secretary, http.MethodGet, "/api/v1/review"+q, nil))
		if _, fail := judge(resp, raw, err, http.StatusOK); fail != "" {
			return 0, 0, errors.New("GET /api/v1/review: " + fail)
		}
		var page struct {
			Items []struct {
				ID      int64 `json:"id"`
				Version int   `json:"version"`
			} `json:"items"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return 0, 0, fmt.Errorf("GET /api/v1/review: %w", err)
		}
		if len(page.Items) > 0 {
			return page.Items[0].ID, page.Items[0].Version, nil
		}
	}
	return 0, 0, errors.New("no submitted action to review")
}

// signInFlood is P6: the dashboard's p95 alone, then beside a flood of
// failed sign-ins, and how the flood was answered.
func (b *bench) signInFlood(ctx context.Context) error {
	dash := []weighted{{"dashboard", 1}}
	p := plan{mode: modeOpen, rate: p6DashboardRate, maxInflight: 2000, warmup: benchWarmup, duration: p6Duration}
	b.say("baseline: %d req/s of dashboard for %s", p6DashboardRate, p6Duration)
	base, err := b.runOne(ctx, "baseline", b.base, dash, settings{}, p)
	if err != nil {
		return err
	}
	baseline := base.row("dashboard")
	b.say("baseline: p95 %.2f ms, %d errors", baseline.P95, baseline.Errors)

	b.say("flood: %d req/s of dashboard and %d req/s of failed sign-ins for %s", p6DashboardRate, p6SignInRate, p6Duration)
	dj, err := newJob(ctx, "dashboard", b.base, dash, settings{}, p)
	if err != nil {
		return err
	}
	sp := p
	sp.rate = p6SignInRate
	sj, err := newJob(ctx, "signin", b.base, []weighted{{"signin", 1}}, settings{email: benchSignInEmail, password: benchSignInPassword}, sp)
	if err != nil {
		return err
	}
	res, err := b.runJobs(ctx, dj, sj)
	if err != nil {
		return err
	}
	flood, signin := res[0].row("dashboard"), res[1].row("signin")
	b.say("flood: dashboard p95 %.2f ms, sign-ins %s", flood.P95, statusText(signin.Statuses))
	if baseline.P95 > 0 {
		b.card.measured("p6-p95-ratio", flood.P95/baseline.P95, fmt.Sprintf("dashboard p95 %.2f ms beside the flood, %.2f ms alone, at %d req/s; errors %d and %d",
			flood.P95, baseline.P95, p6DashboardRate, flood.Errors, baseline.Errors))
	} else {
		b.card.notMeasured("the baseline recorded no latency", "p6-p95-ratio")
	}
	n429 := signin.Statuses["429"]
	n5xx := 0
	for code, n := range signin.Statuses {
		if c, _ := strconv.Atoi(code); c >= 500 {
			n5xx += n
		}
	}
	unanswered := signin.Requests
	for _, n := range signin.Statuses {
		unanswered -= n
	}
	share := 0.0
	if signin.Requests > 0 {
		share = 100 * float64(n429) / float64(signin.Requests)
	}
	note := fmt.Sprintf("%d attempts at %.0f/s, all with a wrong password for one address, from one client address: statuses %s",
		signin.Requests, signin.Rate, statusText(signin.Statuses))
	if unanswered > 0 {
		note += fmt.Sprintf("; %d unanswered within %s (the server logs those as 503), counted as 5xx", unanswered, requestTimeout)
	}
	if signin.Errors > 0 {
		note += "; errors " + reasonText(signin.Errors, signin.Reasons, 3)
	}
	b.card.judged("p6-429-share", share, n429 > 0 && n5xx+unanswered == 0, note)
	b.note("P6: the sign-in flood runs as its own driver beside the dashboard's, so that the dashboard keeps exactly %d req/s", p6DashboardRate)
	return nil
}

// submissions is P3: a cycle for next year opened today, then focal points
// creating and submitting actions at a fixed rate.
func (b *bench) submissions(ctx context.Context) error {
	if len(b.reporters) == 0 {
		return errors.New("no focal point tokens")
	}
	next := b.year + 1
	today := time.Now().Format(time.DateOnly)
	if _, err := b.tool(ctx, "cycle add", b.env(b.mainURL), "cycle", "add", "--year", strconv.Itoa(next), "--opens", today,
		"--deadline", fmt.Sprintf("%d-10-01", next), "--forum", fmt.Sprintf("%d-11-11", next)); err != nil {
		return err
	}
	b.say("opened the cycle %d today; open model: %d submissions/s for %s with %d focal points' tokens", next, p3Rate, b.o.duration, len(b.reporters))
	p := plan{mode: modeOpen, rate: p3Rate, maxInflight: 2000, warmup: benchWarmup, duration: b.o.duration}
	j, err := newJob(ctx, "P3", b.base, []weighted{{"submit", 1}}, settings{tokens: b.reporters, cycle: next}, p)
	if err != nil {
		return err
	}
	w := watchRSS(b.server.pid(), rssEvery)
	res, err := b.runJobs(ctx, j)
	w.finish(b.card, "p5-rss-p3")
	if err != nil {
		return err
	}
	s := res[0].row("submit")
	var steps []string
	for _, r := range res[0].rows {
		if r.StepOf == "submit" {
			steps = append(steps, fmt.Sprintf("%s p95 %.2f ms", r.Scenario, r.P95))
		}
	}
	b.card.measured("p3-p95", s.P95, fmt.Sprintf("%d submissions at %.0f/s; p50 %.2f, p99 %.2f, max %.1f ms; %s",
		s.Requests, s.Rate, s.P50, s.P99, s.Max, strings.Join(steps, ", ")))
	note := "statuses of the last step " + statusText(s.Statuses)
	if s.Errors > 0 {
		note += "; " + reasonText(s.Errors, s.Reasons, 3)
	}
	b.card.measured("p3-errors", float64(s.Errors), note)
	b.say("P3: %.0f submissions/s, p95 %.2f ms, %d errors", s.Rate, s.P95, s.Errors)
	return nil
}

// report is P4: the report of a cycle of this year compiled in every
// format but the PDF, at 100,000 actions and at ten times that, each in a
// database of its own made for it.
func (b *bench) report(ctx context.Context) error {
	measure := func(actions int, dir, generated string) (toolRun, error) {
		reportURL, _ := databaseURL(b.o.adminURL, benchReportDB)
		if err := b.createDB(ctx, benchReportDB); err != nil {
			return toolRun{}, err
		}
		if _, err := b.tool(ctx, "migrate", b.env(reportURL), "migrate", "up"); err != nil {
			return toolRun{}, err
		}
		b.say("generating %d organisations x 1 cycle x %d actions", benchOrganisations, actions)
		gen, err := b.tool(ctx, "generate", b.env(reportURL), "generate", "--organisations", strconv.Itoa(benchOrganisations),
			"--cycles", "1", "--actions-per-cycle", strconv.Itoa(actions))
		if err != nil {
			return toolRun{}, err
		}
		b.generated(generated, gen, benchOrganisations*actions)
		b.say("compiling the %d report of %d actions", b.year, actions)
		run, err := b.tool(ctx, "report compile", b.env(reportURL), "report", "compile", "--cycle", strconv.Itoa(b.year),
			"--format", "all", "-o", filepath.Join(b.work, dir))
		if err == nil {
			b.say("compiled in %s, peak RSS %.1f MB", run.took.Round(10*time.Millisecond), kbToMB(run.maxRSSKB))
		}
		return run, err
	}
	small, err := measure(benchReportActions, "report", "p4-generate")
	if err != nil {
		return err
	}
	files, _ := os.ReadDir(filepath.Join(b.work, "report"))
	b.card.measured("p4-time", small.took.Seconds(), fmt.Sprintf("wall time of pctracker report compile --format all (%d files, PDF off), process start to exit", len(files)))
	b.card.measured("p4-memory", kbToMB(small.maxRSSKB), "ru_maxrss of the report compile process")
	large, err := measure(benchReportScale*benchReportActions, "report-large", "p4-generate-large")
	if err != nil {
		b.card.notMeasured(err.Error(), "p4-generate-large", "p4-time-large", "p4-ratio")
		return nil
	}
	b.card.measured("p4-time-large", large.took.Seconds(), fmt.Sprintf("peak memory %.1f MB", kbToMB(large.maxRSSKB)))
	b.card.measured("p4-ratio", large.took.Seconds()/small.took.Seconds(), fmt.Sprintf("%.2f s / %.2f s", large.took.Seconds(), small.took.Seconds()))
	b.note("P4: each report compile is a process of its own, report.chromium off (no PDF); times are wall times from process start, memory its ru_maxrss")
	return nil
}

// summarizeServerLog reports what the server logged (warnings and errors
// only, at log level warn), by kind.
func (b *bench) summarizeServerLog() {
	data, err := os.ReadFile(filepath.Join(b.work, "server.log"))
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return
	}
	n, kinds := logSummary(string(data), 3)
	b.say("the server logged %d lines at level warn or above: %s", n, strings.Join(kinds, "; "))
	b.note("the server logged %d lines at level warn or above: %s", n, strings.Join(kinds, "; "))
}

// logField is a field of a log line that tells its kind; times, latencies
// and request ids are left out so that like lines group together.
var logField = regexp.MustCompile(`(?:^|\s)(level|msg|method|path|status|error)=("(?:[^"\\]|\\.)*"|\S+)`)

// logSummary counts the lines of a text log and names its top most
// frequent kinds, as "N x level=... msg=...".
func logSummary(log string, top int) (int, []string) {
	count := map[string]int{}
	total := 0
	for line := range strings.Lines(log) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		total++
		var parts []string
		for _, m := range logField.FindAllStringSubmatch(line, -1) {
			parts = append(parts, m[1]+"="+m[2])
		}
		kind := strings.Join(parts, " ")
		if kind == "" {
			kind = strings.TrimSpace(line)
		}
		if r := []rune(kind); len(r) > 160 {
			kind = string(r[:160]) + "…"
		}
		count[kind]++
	}
	kinds := slices.Collect(maps.Keys(count))
	slices.SortFunc(kinds, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	var out []string
	for _, k := range kinds[:min(top, len(kinds))] {
		out = append(out, fmt.Sprintf("%d x %s", count[k], k))
	}
	if len(kinds) > top {
		out = append(out, fmt.Sprintf("and %d more kinds", len(kinds)-top))
	}
	return total, out
}

// Command pctracker-load puts load on a running pctracker over HTTP, as a
// mix of scenarios (public pages, API reads, sign-ins, submissions), and
// prints throughput, status codes and latency percentiles per scenario.
//
// By default it is an open model: requests leave at a fixed rate whatever
// the answers, and latency counts from when each was due. --ceiling runs
// closed-loop clients instead, to find the most the server can serve.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const (
	exitOK    = 0
	exitFail  = 1 // the target is unreachable, or could not be set up
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command line.
type options struct {
	url         string
	rate        float64
	duration    time.Duration
	warmup      time.Duration
	ceiling     bool
	concurrency int
	maxInflight int
	timeout     time.Duration
	mix         []weighted
	tokensFile  string
	email       string
	password    string
	cycle       int
	jsonPath    string
}

const usageText = `pctracker-load puts load on a running pctracker and reports, per scenario,
requests, achieved rate, errors, status codes and latency p50/p95/p99/max.

Usage:
  pctracker-load [--url URL] [--rate R] [--duration D] [--warmup D] [--scenario MIX] [flags]
  pctracker-load --ceiling [--concurrency C] [--duration D] [--scenario MIX] [flags]
  pctracker-load bench [flags]   the whole performance measurement, from an empty
                                 PostgreSQL to a table of verdicts (see bench -h)

Open model (default): requests leave every 1/R seconds whatever the answers,
each in its own goroutine, and latency counts from when a request was due.
If --max-inflight requests are already waiting, a due request is dropped and
counted as the error "dropped (client overloaded)"; the rate never slows.
Ceiling mode: C clients each send their next request as soon as the last is
answered; the achieved rate is the most the target serves at that concurrency.

Scenarios (--scenario NAME[=WEIGHT],...; each request picks one by weight):
  dashboard        GET /                       public dashboard page (Accept-Language: en)
  dashboard-json   GET /api/v1/dashboard
  recommendation   GET /recommendations/N      N cycles through 1..12
  actions          GET /actions?page=K         public list of actions, K cycles through 1..20
  actions-json     GET /api/v1/actions?page=K  the same list as JSON
  signin           POST /signin                the sign-in form, with the form token and cookies
                                               of an earlier GET /signin (32 simulated browsers);
                                               401, 429 and 303 are expected answers
  submit           POST /api/v1/actions (201), then POST /api/v1/actions/ID/submit (200),
                   with a Bearer token from --tokens, each in turn; rows submit/create and
                   submit/submit time the two steps. It writes real actions: use a throwaway
                   database.
An error is a transport error, a timeout, a dropped request, or any status
the scenario does not expect (every 5xx among them).

Before the run, GET /readyz must answer 200, or the command fails at once.
Progress goes to stderr each second; the results go to stdout and, with
--json, to a file. The exit status is 0 whatever the errors (judge them
from the results), 1 if the target is unreachable or cannot be set up, and
2 for bad flags.

Example:
  pctracker-load --url http://127.0.0.1:8080 --rate 200 --warmup 5s --duration 60s \
      --scenario dashboard=3,actions=2,signin=1,submit=1 --tokens tokens.txt --json results.json
  pctracker-load --ceiling --concurrency 64 --duration 30s --scenario dashboard-json

Flags:
`

// parseOptions reads the command line. It returns flag.ErrHelp for -h.
func parseOptions(args []string) (options, *flag.FlagSet, error) {
	var o options
	fs := flag.NewFlagSet("pctracker-load", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base `URL` of the running pctracker")
	fs.Float64Var(&o.rate, "rate", 50, "open model: `requests` per second, over all scenarios")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "measured `time`")
	fs.DurationVar(&o.warmup, "warmup", 0, "`time` of load before the measured time, not counted")
	fs.BoolVar(&o.ceiling, "ceiling", false, "closed loops as fast as possible instead of a fixed rate")
	fs.IntVar(&o.concurrency, "concurrency", 16, "ceiling mode: `clients` in closed loops")
	fs.IntVar(&o.maxInflight, "max-inflight", 2000, "open model: outstanding `requests` beyond which due ones are dropped")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "`time` allowed for each HTTP request")
	scenarios := fs.String("scenario", "dashboard", "`mix` of scenarios: NAME[=WEIGHT],...")
	fs.StringVar(&o.tokensFile, "tokens", "", "`file` of API tokens of focal points, one per line (for submit)")
	fs.StringVar(&o.email, "signin-email", "load-test@example.org", "`email` the signin scenario signs in with (by default no one's, so no real account is throttled)")
	fs.StringVar(&o.password, "signin-password", "not-the-password", "`password` the signin scenario sends; the default is wrong on purpose, to measure failed sign-ins")
	fs.IntVar(&o.cycle, "cycle", 0, "`year` of the cycle submit reports in (default: the cycle open now)")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to `file`")
	if err := fs.Parse(args); err != nil {
		return o, fs, err
	}
	if fs.NArg() > 0 {
		return o, fs, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	u, err := url.Parse(o.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return o, fs, fmt.Errorf("--url %q: give the base address, such as http://127.0.0.1:8080", o.url)
	}
	if o.mix, err = parseMix(*scenarios); err != nil {
		return o, fs, err
	}
	var problems []string
	check := func(bad bool, msg string) {
		if bad {
			problems = append(problems, msg)
		}
	}
	check(o.duration <= 0, "--duration must be more than 0")
	check(o.warmup < 0, "--warmup must not be negative")
	check(o.timeout <= 0, "--timeout must be more than 0")
	check(o.cycle != 0 && (o.cycle < 2018 || o.cycle > 2100), "--cycle must be a year such as 2026")
	if o.ceiling {
		check(o.concurrency < 1, "--concurrency must be at least 1")
		check(set["rate"], "--rate is for the open model; --ceiling sends as fast as answers come")
		check(set["max-inflight"], "--max-inflight is for the open model; use --concurrency with --ceiling")
	} else {
		check(!(o.rate > 0) || o.rate > 1e6, "--rate must be more than 0 and at most 1000000")
		check(o.maxInflight < 1, "--max-inflight must be at least 1")
		check(set["concurrency"], "--concurrency is for --ceiling; the open model's clients are set by --rate")
	}
	wantsSubmit := false
	for _, w := range o.mix {
		wantsSubmit = wantsSubmit || w.name == "submit"
	}
	check(wantsSubmit && o.tokensFile == "", "the submit scenario needs --tokens FILE")
	check(!wantsSubmit && o.tokensFile != "", "--tokens is only used by the submit scenario")
	if len(problems) > 0 {
		return o, fs, errors.New(strings.Join(problems, "\n"))
	}
	o.url = strings.TrimRight(o.url, "/")
	return o, fs, nil
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, usageText)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// run is the whole command; main only hands it the outside world.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "bench" {
		return runBench(ctx, args[1:], os.Getenv, stdout, stderr)
	}
	o, fs, err := parseOptions(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, fs)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "pctracker-load: %v\nRun pctracker-load -h for help.\n", err)
		return exitUsage
	}
	var tokens []string
	if o.tokensFile != "" {
		if tokens, err = readTokens(o.tokensFile); err != nil {
			fmt.Fprintf(stderr, "pctracker-load: %v\n", err)
			return exitUsage
		}
	}

	p := o.plan()
	t := newTarget(o.url, o.timeout, p.conns())
	defer t.client.CloseIdleConnections()
	if err := ready(ctx, t); err != nil {
		fmt.Fprintf(stderr, "pctracker-load: %s is not ready: %v\n", o.url, err)
		return exitFail
	}
	scenarios := buildScenarios(t, o.mix, settings{email: o.email, password: o.password, tokens: tokens, cycle: o.cycle})
	if err := prepare(ctx, scenarios); err != nil {
		fmt.Fprintf(stderr, "pctracker-load: %v\n", err)
		return exitFail
	}

	d := newDriver(scenarios, o.mix)
	started := time.Now()
	measured := drive(ctx, d, p, o.url, stderr)
	rows, total := d.results(p, measured)
	rep := report{Mode: p.mode, Target: o.url, TargetRate: p.rate, Concurrency: p.concurrency,
		WarmupS: round2(p.warmup.Seconds()), DurationS: round2(measured.Seconds()), StartedAt: started.UTC(),
		Results: rows, Total: total}
	writeTable(stdout, rep)
	if o.jsonPath != "" {
		if err := saveJSON(o.jsonPath, rep); err != nil {
			fmt.Fprintf(stderr, "pctracker-load: --json: %v\n", err)
			return exitFail
		}
	}
	return exitOK
}

// plan is the load the command line asks for.
func (o options) plan() plan {
	if o.ceiling {
		return plan{mode: modeCeiling, concurrency: o.concurrency, warmup: o.warmup, duration: o.duration}
	}
	return plan{mode: modeOpen, rate: o.rate, maxInflight: o.maxInflight, warmup: o.warmup, duration: o.duration}
}

// drive says what load goes to url, runs it with a progress line a second
// on stderr, and returns the length of the measured window.
func drive(ctx context.Context, d *driver, p plan, url string, stderr io.Writer) time.Duration {
	if p.mode == modeOpen {
		fmt.Fprintf(stderr, "open model: %.2f req/s to %s for %s", p.rate, url, p.duration)
	} else {
		fmt.Fprintf(stderr, "ceiling mode: %d clients against %s for %s", p.concurrency, url, p.duration)
	}
	if p.warmup > 0 {
		fmt.Fprintf(stderr, " after %s of warm-up", p.warmup)
	}
	fmt.Fprintln(stderr)

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { d.progress(stderr, p, stop); close(done) }()
	// An interrupt stops new requests; those under way finish (within
	// --timeout) so that the report counts them.
	measured := d.run(ctx, context.WithoutCancel(ctx), p)
	close(stop)
	<-done
	return measured
}

// ready fails unless the target answers GET /readyz with 200.
func ready(ctx context.Context, t *target) error {
	ctx, cancel := context.WithTimeout(ctx, min(t.client.Timeout, 10*time.Second))
	defer cancel()
	req := t.newRequest(ctx, http.MethodGet, "/readyz", nil)
	req.Header.Set("Accept", acceptJSON)
	resp, body, err := t.exchange(req)
	if resp == nil {
		return fmt.Errorf("%s (is pctracker running there? see --url)", transportReason(err))
	}
	if _, fail := judge(resp, body, err, http.StatusOK); fail != "" {
		return errors.New("GET /readyz: " + fail)
	}
	return nil
}

func saveJSON(path string, rep report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeJSON(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

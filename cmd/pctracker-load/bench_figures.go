package main

// The bench's figures: each one's goal, its verdict once measured, and the
// table that prints them all.

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

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
		{"p1-ratio-html", "P1 GET / throughput, pctracker / nginx (driver)", goal{">=", 0.8, "ratio"}, ""},
		{"p1-ratio-json", "P1 GET /api/v1/dashboard throughput, pctracker / nginx (driver)", goal{">=", 0.8, "ratio"}, ""},
		{"p1-wrk-html", "P1 GET / throughput, pctracker / nginx (wrk)", goal{">=", 0.8, "ratio"}, ""},
		{"p1-wrk-json", "P1 GET /api/v1/dashboard throughput, pctracker / nginx (wrk)", goal{">=", 0.8, "ratio"}, ""},
		{"p1-wrk-html-gzip", "P1 GET / gzip throughput, pctracker / nginx gzip_static (wrk)", goal{">=", 0.8, "ratio"}, ""},
		{"p1-wrk-json-gzip", "P1 GET /api/v1/dashboard gzip, pctracker / nginx gzip_static (wrk)", goal{">=", 0.8, "ratio"}, ""},
		{"p1-go-html", "ceiling: Go's bare net/http / nginx, GET / (wrk)", goal{unit: "ratio"}, ""},
		{"p1-go-json", "ceiling: Go's bare net/http / nginx, GET /api/v1/dashboard (wrk)", goal{unit: "ratio"}, ""},
		{"p1-go-html-gzip", "ceiling: Go's bare net/http / nginx, GET / gzip (wrk)", goal{unit: "ratio"}, ""},
		{"p1-go-json-gzip", "ceiling: Go's bare net/http / nginx, GET /api/v1/dashboard gzip (wrk)", goal{unit: "ratio"}, ""},
		{"p1-go-headers-html", "ceiling: Go's net/http with pctracker's headers / nginx, GET / (wrk)", goal{unit: "ratio"}, ""},
		{"p1-go-headers-json", "ceiling: Go's net/http with pctracker's headers / nginx, GET /api/v1/dashboard (wrk)", goal{unit: "ratio"}, ""},
		{"p1-go-headers-html-gzip", "ceiling: Go's net/http with pctracker's headers / nginx, GET / gzip (wrk)", goal{unit: "ratio"}, ""},
		{"p1-go-headers-json-gzip", "ceiling: Go's net/http with pctracker's headers / nginx, GET /api/v1/dashboard gzip (wrk)", goal{unit: "ratio"}, ""},
		{"p1-driver-ceiling", "driver's ceiling: driver / wrk against nginx's GET /", goal{">=", ceilingLimit, "ratio"}, ""},
		{"p1-p99", fmt.Sprintf("P1 p99 at %d req/s (dashboard + JSON)", p1Rate), goal{"<", 10, "ms"}, ""},
		{"p1-errors", fmt.Sprintf("P1 errors at %d req/s", p1Rate), goal{"=", 0, ""}, ""},
		{"p1-p99-page-rate", fmt.Sprintf("P1 p99 of GET / at %d req/s (driver, constant rate)", pageRate), goal{"<", 10, "ms"}, ""},
		{"p1-wrk-p99-page-rate", fmt.Sprintf("P1 p99 of GET / gzip at %d req/s (wrk, paced connections)", pageRate), goal{"<", 10, "ms"}, ""},
		{"p5-rss-p1", "P5 peak RSS during P1", goal{"<", 150, "MB"}, ""},
		{"p2-max", fmt.Sprintf("P2 first GET / after an accept, max of %d", p2Changes), goal{"<", 100, "ms"}, ""},
		{"p2-median", fmt.Sprintf("P2 first GET / after an accept, median of %d", p2Changes), goal{"<", 100, "ms"}, ""},
		{"replicas-primary-down", "public throughput with 2 replicas, primary stopped / running", goal{">=", 0.9, "ratio"}, ""},
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

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// reasonDropped is the error of a request the driver never sent because
// max-inflight requests were already waiting: the client, not the server,
// was the bottleneck, and the run says so rather than slowing down.
const reasonDropped = "dropped (client overloaded)"

// maxReasons bounds the distinct error reasons kept per scenario, so that
// messages carrying ids cannot grow without limit.
const maxReasons = 50

// outcome is what one request (or one step of it) came to.
type outcome struct {
	status  int           // the HTTP status; 0 when no answer came
	fail    string        // why this counts as an error; "" when it was expected
	latency time.Duration // from the intended send time to the end of the answer
	service time.Duration // from the actual send time to the end of the answer
}

// recorder gathers the outcomes of one scenario, or of one step of one.
// Every latency is kept, so that percentiles are exact.
type recorder struct {
	name   string
	stepOf string  // the scenario this is a step of; "" for a scenario
	share  float64 // this scenario's part of the target rate, 0 to 1

	mu        sync.Mutex
	latencies []time.Duration
	service   []time.Duration
	statuses  map[int]int
	reasons   map[string]int
	errors    int
	dropped   int
}

func newRecorder(name, stepOf string, share float64) *recorder {
	return &recorder{name: name, stepOf: stepOf, share: share, statuses: map[int]int{}, reasons: map[string]int{}}
}

func (r *recorder) add(o outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, o.latency)
	r.service = append(r.service, o.service)
	if o.status != 0 {
		r.statuses[o.status]++
	}
	if o.fail != "" {
		r.errors++
		r.reason(o.fail)
	}
}

// drop counts a request that was due but not sent.
func (r *recorder) drop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dropped++
	r.errors++
	r.reason(reasonDropped)
}

func (r *recorder) reason(why string) {
	if _, ok := r.reasons[why]; !ok && len(r.reasons) >= maxReasons {
		why = "other reasons"
	}
	r.reasons[why]++
}

// merge adds everything o recorded to r.
func (r *recorder) merge(o *recorder) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, o.latencies...)
	r.service = append(r.service, o.service...)
	for k, v := range o.statuses {
		r.statuses[k] += v
	}
	for k, v := range o.reasons {
		r.reasons[k] += v
	}
	r.errors += o.errors
	r.dropped += o.dropped
}

// summary is one row of the results, as printed and as written to JSON.
// The JSON names are read by scripts: keep them stable.
type summary struct {
	Scenario   string         `json:"scenario"`
	StepOf     string         `json:"step_of,omitempty"`
	Mode       string         `json:"mode"`
	TargetRate float64        `json:"target_rate"`
	DurationS  float64        `json:"duration_s"`
	Requests   int            `json:"requests"`
	Rate       float64        `json:"rate"`
	Errors     int            `json:"errors"`
	Dropped    int            `json:"dropped"`
	Reasons    map[string]int `json:"error_reasons"`
	Statuses   map[string]int `json:"statuses"`
	P50        float64        `json:"p50_ms"`
	P95        float64        `json:"p95_ms"`
	P99        float64        `json:"p99_ms"`
	Max        float64        `json:"max_ms"`
	ServiceP50 float64        `json:"service_p50_ms"`
	ServiceP95 float64        `json:"service_p95_ms"`
	ServiceP99 float64        `json:"service_p99_ms"`
	ServiceMax float64        `json:"service_max_ms"`
}

// summarize sorts r's samples and computes its row. Requests counts every
// request due in the measured window, dropped ones included, so that
// errors never exceed requests; rate counts only those actually sent.
func (r *recorder) summarize(mode string, targetRate float64, measured time.Duration) summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.latencies)
	slices.Sort(r.service)
	s := summary{Scenario: r.name, StepOf: r.stepOf, Mode: mode, TargetRate: round2(targetRate * r.share),
		DurationS: round2(measured.Seconds()), Requests: len(r.latencies) + r.dropped, Errors: r.errors,
		Dropped: r.dropped, Reasons: maps.Clone(r.reasons), Statuses: map[string]int{},
		P50: ms(percentile(r.latencies, 50)), P95: ms(percentile(r.latencies, 95)),
		P99: ms(percentile(r.latencies, 99)), Max: ms(percentile(r.latencies, 100)),
		ServiceP50: ms(percentile(r.service, 50)), ServiceP95: ms(percentile(r.service, 95)),
		ServiceP99: ms(percentile(r.service, 99)), ServiceMax: ms(percentile(r.service, 100))}
	if measured > 0 {
		s.Rate = round2(float64(len(r.latencies)) / measured.Seconds())
	}
	for code, n := range r.statuses {
		s.Statuses[strconv.Itoa(code)] = n
	}
	return s
}

// percentile is the nearest-rank percentile p (0 < p <= 100) of sorted
// samples; 0 when there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return round2(float64(d) / float64(time.Millisecond)) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// report is the whole result of a run, as written by --json.
type report struct {
	Mode        string    `json:"mode"`
	Target      string    `json:"target"`
	TargetRate  float64   `json:"target_rate"`
	Concurrency int       `json:"concurrency,omitempty"`
	WarmupS     float64   `json:"warmup_s"`
	DurationS   float64   `json:"duration_s"`
	StartedAt   time.Time `json:"started_at"`
	Results     []summary `json:"results"`
	Total       summary   `json:"total"`
}

func writeJSON(w io.Writer, r report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeTable prints the report for people: one row per scenario (steps
// indented under theirs), then the status codes, error reasons and send
// delays of each.
func writeTable(w io.Writer, r report) {
	if r.Mode == modeCeiling {
		fmt.Fprintf(w, "\nceiling mode: %d clients in closed loops, %.2fs measured", r.Concurrency, r.DurationS)
	} else {
		fmt.Fprintf(w, "\nopen model: target %.2f req/s, %.2fs measured", r.TargetRate, r.DurationS)
	}
	if r.WarmupS > 0 {
		fmt.Fprintf(w, " after %.2fs of warm-up", r.WarmupS)
	}
	fmt.Fprintf(w, ", %s\n\n", r.Target)

	const row = "%-18s %9s %10s %8s %10s %10s %10s %10s\n"
	fmt.Fprintf(w, row, "scenario", "requests", "rate/s", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
	line := func(name string, s summary) {
		fmt.Fprintf(w, row, name, strconv.Itoa(s.Requests), fmt.Sprintf("%.2f", s.Rate), strconv.Itoa(s.Errors),
			fmt.Sprintf("%.2f", s.P50), fmt.Sprintf("%.2f", s.P95), fmt.Sprintf("%.2f", s.P99), fmt.Sprintf("%.2f", s.Max))
	}
	scenarios := 0
	for _, s := range r.Results {
		name := s.Scenario
		if s.StepOf != "" {
			name = "  " + name
		} else {
			scenarios++
		}
		line(name, s)
	}
	if scenarios > 1 {
		line("total", r.Total)
	}

	fmt.Fprintln(w)
	for _, s := range r.Results {
		fmt.Fprintf(w, "%s: statuses %s; errors %s", s.Scenario, statusText(s.Statuses), reasonText(s.Errors, s.Reasons, 3))
		if r.Mode == modeOpen && s.StepOf == "" && s.Requests > s.Dropped {
			// Latency counts from when a request was due; service time from
			// when it left. A gap between them means the client fell behind.
			fmt.Fprintf(w, "; service time p50 %.2f p99 %.2f max %.2f ms", s.ServiceP50, s.ServiceP99, s.ServiceMax)
		}
		fmt.Fprintln(w)
	}
}

func statusText(statuses map[string]int) string {
	if len(statuses) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(statuses))
	for _, code := range slices.Sorted(maps.Keys(statuses)) {
		parts = append(parts, fmt.Sprintf("%s=%d", code, statuses[code]))
	}
	return strings.Join(parts, " ")
}

// reasonText lists the top reasons, most frequent first.
func reasonText(total int, reasons map[string]int, top int) string {
	if total == 0 {
		return "0"
	}
	keys := slices.Collect(maps.Keys(reasons))
	slices.SortFunc(keys, func(a, b string) int {
		if reasons[a] != reasons[b] {
			return reasons[b] - reasons[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, 0, top)
	for _, k := range keys[:min(top, len(keys))] {
		parts = append(parts, fmt.Sprintf("%q x%d", k, reasons[k]))
	}
	if len(keys) > top {
		parts = append(parts, fmt.Sprintf("and %d more reasons", len(keys)-top))
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"no samples", nil, 50, 0},
		{"one sample, p50", []time.Duration{7}, 50, 7},
		{"one sample, max", []time.Duration{7}, 100, 7},
		{"two samples, p50 is the first", []time.Duration{1, 2}, 50, 1},
		{"two samples, p51 is the second", []time.Duration{1, 2}, 51, 2},
		{"1..100 ms, p50", hundred, 50, 50 * time.Millisecond},
		{"1..100 ms, p95", hundred, 95, 95 * time.Millisecond},
		{"1..100 ms, p99", hundred, 99, 99 * time.Millisecond},
		{"1..100 ms, p99.5 rounds up", hundred, 99.5, 100 * time.Millisecond},
		{"1..100 ms, max", hundred, 100, 100 * time.Millisecond},
		{"1..100 ms, tiny p is the minimum", hundred, 0.001, time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.samples, tc.p); got != tc.want {
				t.Errorf("percentile(%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	r := newRecorder("dashboard", "", 0.5)
	// Out of order on purpose: summarize sorts.
	for _, ms := range []int{30, 10, 20, 40} {
		r.add(outcome{status: 200, latency: time.Duration(ms) * time.Millisecond, service: time.Duration(ms/2) * time.Millisecond})
	}
	r.add(outcome{status: 500, fail: "HTTP 500: internal error", latency: 1234567 * time.Microsecond})
	r.add(outcome{fail: "timeout", latency: time.Second})
	r.drop()
	r.drop()

	s := r.summarize(modeOpen, 100, 2*time.Second)
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"requests count dropped ones", s.Requests, 8},
		{"rate counts only those sent", s.Rate, 3.0},
		{"errors", s.Errors, 4},
		{"dropped", s.Dropped, 2},
		{"target rate is the scenario's share", s.TargetRate, 50.0},
		{"duration", s.DurationS, 2.0},
		{"statuses leave out transport errors", fmt.Sprint(s.Statuses), "map[200:4 500:1]"},
		{"reasons", fmt.Sprint(s.Reasons), "map[HTTP 500: internal error:1 dropped (client overloaded):2 timeout:1]"},
		{"p50", s.P50, 30.0},
		{"max, two decimals", s.Max, 1234.57},
		{"service max", s.ServiceMax, 20.0},
	} {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestReasonsAreBounded(t *testing.T) {
	r := newRecorder("submit", "", 1)
	for i := range maxReasons + 10 {
		r.add(outcome{status: 409, fail: fmt.Sprintf("HTTP 409: action %d changed", i)})
	}
	s := r.summarize(modeOpen, 1, time.Second)
	if len(s.Reasons) != maxReasons+1 || s.Reasons["other reasons"] != 10 {
		t.Errorf("got %d reasons, %d other; want %d and 10", len(s.Reasons), s.Reasons["other reasons"], maxReasons+1)
	}
}

func TestReportOutput(t *testing.T) {
	d := newDriver([]*scenario{{name: "dashboard"}, {name: "submit", steps: []string{"submit/create", "submit/submit"}}},
		[]weighted{{"dashboard", 3}, {"submit", 1}})
	d.recorders[0][0].add(outcome{status: 200, latency: time.Millisecond})
	d.recorders[1][0].add(outcome{status: 409, fail: "submit: HTTP 409", latency: 3 * time.Millisecond})
	d.recorders[1][1].add(outcome{status: 201, latency: time.Millisecond})
	d.recorders[1][2].add(outcome{status: 409, fail: "submit: HTTP 409", latency: 2 * time.Millisecond})
	p := plan{mode: modeOpen, rate: 40}
	rows, total := d.results(p, time.Second)
	rep := report{Mode: p.mode, Target: "http://x", TargetRate: p.rate, DurationS: 1, Results: rows, Total: total}

	var table bytes.Buffer
	writeTable(&table, rep)
	for _, want := range []string{"dashboard", "  submit/create", "total", `"submit: HTTP 409" x1`, "statuses 200=1"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}

	var out bytes.Buffer
	if err := writeJSON(&out, rep); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Mode    string           `json:"mode"`
		Results []map[string]any `json:"results"`
		Total   map[string]any   `json:"total"`
	}
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != 4 || back.Mode != "open" {
		t.Fatalf("got %d results in mode %q, want 4 in open", len(back.Results), back.Mode)
	}
	for _, key := range []string{"scenario", "requests", "rate", "errors", "statuses", "p50_ms", "p95_ms", "p99_ms", "max_ms", "duration_s", "mode", "target_rate"} {
		if _, ok := back.Results[0][key]; !ok {
			t.Errorf("a result lacks %q", key)
		}
	}
	if back.Results[0]["target_rate"] != 30.0 || back.Results[1]["target_rate"] != 10.0 {
		t.Errorf("target rates %v and %v, want 30 and 10", back.Results[0]["target_rate"], back.Results[1]["target_rate"])
	}
	if back.Results[2]["step_of"] != "submit" || back.Total["requests"] != 2.0 {
		t.Errorf("step_of %v, total requests %v; want submit and 2 (steps are not counted twice)", back.Results[2]["step_of"], back.Total["requests"])
	}
}

package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"
)

// wrkOutput is what wrk 4.1 printed with --latency and the summary script,
// against a server that answered 404.
const wrkOutput = `Running 1s test @ http://127.0.0.1:18777/nothere
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.94ms    5.57ms  54.42ms   93.14%
    Req/Sec     1.17k   511.03     2.12k    72.73%
  Latency Distribution
     50%    1.06ms
     75%    2.96ms
     90%    6.60ms
     99%   34.83ms
  1288 requests in 1.11s, 654.06KB read
  Non-2xx or 3xx responses: 1288
Requests/sec:   1159.75
Transfer/sec:    588.93KB
`

const wrkJSONLine = `WRK_JSON {"requests":1288,"duration_us":1110587,"bytes":669760,"connect":0,"read":0,"write":0,"status":1288,"timeout":0,"p50_us":1056,"p99_us":34831,"max_us":54425}
`

// wrkSocketErrors is a text report with socket errors and latencies in
// microseconds and seconds.
const wrkSocketErrors = `Running 5s test @ http://127.0.0.1:8080/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us    1.20ms   1.50s    97.00%
    Req/Sec    20.01k     2.00k   25.00k    70.00%
  Latency Distribution
     50%  650.00us
     75%  900.00us
     90%    1.20ms
     99%    1.02s
  200000 requests in 5.00s, 1.50GB read
  Socket errors: connect 0, read 3, write 1, timeout 7
Requests/sec:  40000.00
Transfer/sec:    307.20MB
`

func TestParseWrk(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
	for _, c := range []struct {
		name                     string
		out                      string
		requests, errors         int64
		rate, p50, p99, max, per float64
	}{
		{"the summary line wins over the rounded text", wrkOutput + wrkJSONLine, 1288, 1288, 1288 / 1.110587, 1056, 34831, 54425, 669760.0 / 1288},
		{"text only, 404s", wrkOutput, 1288, 1288, 1288 / 1.11, 1060, 34830, 54420, 654.06 * 1024 / 1288},
		{"text only, socket errors, us and s", wrkSocketErrors, 200000, 11, 40000, 650, 1.02e6, 1.5e6, 1.5 * (1 << 30) / 200000},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := parseWrk(c.out)
			if err != nil {
				t.Fatal(err)
			}
			if r.Requests != c.requests || r.errors() != c.errors || !near(r.rate(), c.rate) || !near(r.P50US, c.p50) ||
				!near(r.P99US, c.p99) || !near(r.MaxUS, c.max) || math.Abs(r.bytesPerAnswer()-c.per) > 1 {
				t.Errorf("got %+v (rate %.2f, %.1f bytes each), want %d requests, %d errors, %.2f req/s, p50 %.0f, p99 %.0f, max %.0f us, %.1f bytes",
					r, r.rate(), r.bytesPerAnswer(), c.requests, c.errors, c.rate, c.p50, c.p99, c.max, c.per)
			}
		})
	}
	for _, bad := range []string{"", "wrk: connection refused\n", "WRK_JSON {not json\n"} {
		if r, err := parseWrk(bad); err == nil {
			t.Errorf("parseWrk(%q) = %+v, want an error", bad, r)
		}
	}
}

func TestWrkVerdicts(t *testing.T) {
	for _, c := range []struct {
		name        string
		pct, nginx  float64
		errors      int64
		pass        bool
		driver, wrk float64
		limited     bool
	}{
		{"at the target", 8000, 10000, 0, true, 9000, 10000, false},
		{"below it", 7999, 10000, 0, false, 7999, 10000, true},
		{"above it with one error", 12000, 10000, 1, false, 8000, 10000, false},
		{"nginx served nothing", 100, 0, 0, false, 100, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ratioPasses(c.pct, c.nginx, c.errors); got != c.pass {
				t.Errorf("ratioPasses(%v, %v, %d) = %v", c.pct, c.nginx, c.errors, got)
			}
			if _, limited := ceiling(c.driver, c.wrk); limited != c.limited {
				t.Errorf("ceiling(%v, %v) limited = %v", c.driver, c.wrk, limited)
			}
		})
	}
	for _, c := range []struct {
		p99, rate float64
		errors    int
		pass      bool
	}{
		{9.9, pageRate, 0, true},
		{10, pageRate, 0, false},
		{2, 0.95 * pageRate, 0, true},
		{2, 0.94 * pageRate, 0, false}, // a p99 of a lighter load than asked
		{2, pageRate, 1, false},
	} {
		if got := pageRatePasses(c.p99, c.rate, c.errors); got != c.pass {
			t.Errorf("pageRatePasses(%v, %v, %d) = %v, want %v", c.p99, c.rate, c.errors, got, c.pass)
		}
	}
}

// The paced script holds a rate, not a pause: one thread with a request
// due every 10 ms sends about 100 a second over 8 connections, although
// each answer takes 50 ms (a pause of 8 x 10 ms after each answer would
// send 8 / 130 ms, 62 a second), and far fewer than the 160 a second the
// connections could carry; its summary is read like the unpaced one's.
func TestWrkPaced(t *testing.T) {
	bin, err := exec.LookPath("wrk")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is required under CI (apt-get install wrk)")
		}
		t.Skip("no wrk here")
	}
	// The answer's latency, which the schedule must not add to its period.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	script, err := writeScript(t.TempDir(), "paced.lua", wrkPacedScript(10))
	if err != nil {
		t.Fatal(err)
	}
	r, err := runWrk(context.Background(), bin, wrkRun{url: srv.URL + "/", conns: 8, threads: 1, d: 3 * time.Second, label: "paced", scriptAt: script})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.errors() > 0 || r.rate() < 80 || r.rate() > 120 {
		t.Errorf("paced wrk: %d requests at %.0f req/s, %d errors; want about 100 req/s", r.Requests, r.rate(), r.errors())
	}
}

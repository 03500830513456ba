package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// slowServer answers 200 after delay and counts what it received.
func slowServer(t *testing.T, delay time.Duration) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(delay)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func dashboardDriver(srv *httptest.Server, conns int) *driver {
	mix := []weighted{{"dashboard", 1}}
	return newDriver(buildScenarios(newTarget(srv.URL, 5*time.Second, conns), mix, settings{}), mix)
}

// The open model sends at its rate however slowly the server answers: a
// closed loop of few clients would fall far short here. Bounds are loose
// so that a busy machine does not fail the test; the point is the order of
// magnitude.
func TestOpenModelIgnoresSlowAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		delay           time.Duration
		rate            float64
		warmup          time.Duration
		duration        time.Duration
		minSent, maxHit int64
		minRec, maxRec  int
	}{
		{"200/s for 1s, 50 ms answers", 50 * time.Millisecond, 200, 0, time.Second, 170, 205, 170, 200},
		{"warm-up is sent but not counted", 10 * time.Millisecond, 100, 300 * time.Millisecond, 500 * time.Millisecond, 70, 85, 40, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, hits := slowServer(t, tc.delay)
			d := dashboardDriver(srv, 100)
			p := plan{mode: modeOpen, rate: tc.rate, maxInflight: 1000, warmup: tc.warmup, duration: tc.duration}
			measured := d.open(t.Context(), t.Context(), p)
			s := d.recorders[0][0].summarize(p.mode, p.rate, measured)
			if got := hits.Load(); got < tc.minSent || got > tc.maxHit {
				t.Errorf("the server got %d requests, want %d to %d", got, tc.minSent, tc.maxHit)
			}
			if s.Requests < tc.minRec || s.Requests > tc.maxRec || s.Errors != 0 || s.Statuses["200"] != s.Requests {
				t.Errorf("recorded %d requests (%v), %d errors; want %d to %d, all 200", s.Requests, s.Statuses, s.Errors, tc.minRec, tc.maxRec)
			}
			if measured != tc.duration {
				t.Errorf("measured %v, want %v", measured, tc.duration)
			}
			// Latency counts from the due time, so it is never below the
			// server's delay.
			if s.P50 < float64(tc.delay.Milliseconds()) {
				t.Errorf("p50 %.2f ms is below the server's %v", s.P50, tc.delay)
			}
		})
	}
}

// At the in-flight cap, due requests are dropped and counted, and the
// schedule goes on: the rate is not lowered to what the server takes.
func TestOpenModelDropsOverTheCap(t *testing.T) {
	t.Parallel()
	srv, hits := slowServer(t, 400*time.Millisecond)
	d := dashboardDriver(srv, 5)
	p := plan{mode: modeOpen, rate: 100, maxInflight: 5, duration: 300 * time.Millisecond}
	d.open(t.Context(), t.Context(), p)
	s := d.recorders[0][0].summarize(p.mode, p.rate, p.duration)
	if got := hits.Load(); got != 5 {
		t.Errorf("the server got %d requests, want the cap of 5", got)
	}
	if s.Requests < 25 || s.Requests > 31 || s.Dropped != s.Requests-5 || s.Errors != s.Dropped || s.Reasons[reasonDropped] != s.Dropped {
		t.Errorf("requests %d, dropped %d, errors %d, reasons %v; want about 30 due, all but 5 dropped as errors",
			s.Requests, s.Dropped, s.Errors, s.Reasons)
	}
}

func TestOpenModelStopsOnInterrupt(t *testing.T) {
	t.Parallel()
	srv, _ := slowServer(t, 0)
	d := dashboardDriver(srv, 10)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	measured := d.open(ctx, t.Context(), plan{mode: modeOpen, rate: 50, maxInflight: 10, duration: time.Minute})
	if time.Since(start) > 5*time.Second || measured > time.Second || measured <= 0 {
		t.Errorf("ran %v and measured %v after an interrupt at 200ms", time.Since(start), measured)
	}
}

func TestCeilingKeepsClientsBusy(t *testing.T) {
	t.Parallel()
	srv, hits := slowServer(t, 10*time.Millisecond)
	d := dashboardDriver(srv, 4)
	p := plan{mode: modeCeiling, concurrency: 4, duration: 500 * time.Millisecond}
	measured := d.ceiling(t.Context(), t.Context(), p)
	s := d.recorders[0][0].summarize(p.mode, p.rate, measured)
	// 4 clients, 10 ms each: at most 200 in 500 ms, and well over 40.
	if s.Requests < 40 || s.Requests > 200 || int64(s.Requests) != hits.Load() || s.Errors != 0 {
		t.Errorf("%d requests recorded, %d received, %d errors; want 40 to 200, the same, none", s.Requests, hits.Load(), s.Errors)
	}
	if s.Rate <= 0 || s.TargetRate != 0 || measured < p.duration {
		t.Errorf("rate %.2f, target %.2f, measured %v", s.Rate, s.TargetRate, measured)
	}
}

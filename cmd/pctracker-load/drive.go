package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

const (
	modeOpen    = "open"
	modeCeiling = "ceiling"
)

// plan is how a run puts load on the target.
type plan struct {
	mode        string
	rate        float64 // open model: requests per second
	maxInflight int     // open model: requests waiting at once before new ones are dropped
	concurrency int     // ceiling: clients in closed loops
	warmup      time.Duration
	duration    time.Duration
}

// conns is how many connections the plan may hold open at once.
func (p plan) conns() int {
	if p.mode == modeCeiling {
		return p.concurrency
	}
	return p.maxInflight
}

// counters feed the progress line; they include the warm-up.
type counters struct {
	sent, completed, errors, dropped atomic.Int64
}

// driver runs scenarios and records what they come to.
type driver struct {
	scenarios []*scenario
	picker    picker
	recorders [][]*recorder // per scenario: its own, then one per step
	counters  counters
}

func newDriver(scenarios []*scenario, mix []weighted) *driver {
	d := &driver{scenarios: scenarios, picker: newPicker(mix), recorders: make([][]*recorder, len(scenarios))}
	total := 0.0
	for _, w := range mix {
		total += w.weight
	}
	for i, sc := range scenarios {
		share := mix[i].weight / total
		d.recorders[i] = []*recorder{newRecorder(sc.name, "", share)}
		for _, step := range sc.steps {
			d.recorders[i] = append(d.recorders[i], newRecorder(step, sc.name, share))
		}
	}
	return d
}

// exec runs scenario i once. The latency counts from when the request was
// due, not from when it left, so that a server which makes requests queue
// is charged for the wait (no coordinated omission).
func (d *driver) exec(ctx context.Context, i int, due time.Time, record bool) {
	sc := d.scenarios[i]
	n := sc.runs.Add(1) - 1
	d.counters.sent.Add(1)
	sent := time.Now()
	res := sc.do(ctx, n)
	done := time.Now()
	d.counters.completed.Add(1)
	if res.fail != "" {
		d.counters.errors.Add(1)
	}
	if !record {
		return
	}
	recs := d.recorders[i]
	recs[0].add(outcome{status: res.status, fail: res.fail, latency: done.Sub(due), service: done.Sub(sent)})
	for j, st := range res.steps {
		if j+1 < len(recs) {
			recs[j+1].add(outcome{status: st.status, fail: st.fail, latency: st.took, service: st.took})
		}
	}
}

// open sends requests at fixed intervals whatever the answers, each in a
// goroutine of its own, as independent users would. When maxInflight
// requests are outstanding, a due request is dropped and counted as an
// error rather than delayed: the rate is never quietly lowered. It returns
// the length of the measured window.
func (d *driver) open(ctx context.Context, reqCtx context.Context, p plan) time.Duration {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	slots := make(chan struct{}, p.maxInflight)
	var wg sync.WaitGroup
	start := time.Now()
	measureFrom := start.Add(p.warmup)
	end := measureFrom.Add(p.duration)
	stopped := end
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

loop:
	for k := int64(0); ; k++ {
		// Each due time comes from the start, so that rounding and late
		// wake-ups never accumulate into drift.
		due := start.Add(time.Duration(float64(k) * float64(time.Second) / p.rate))
		if !due.Before(end) {
			break
		}
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				stopped = time.Now()
				break loop
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			stopped = time.Now()
			break
		}
		i := d.picker.pick(rng)
		record := !due.Before(measureFrom)
		select {
		case slots <- struct{}{}:
		default:
			d.counters.dropped.Add(1)
			d.counters.errors.Add(1)
			if record {
				d.recorders[i][0].drop()
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			d.exec(reqCtx, i, due, record)
		}()
	}
	wg.Wait()
	return max(stopped.Sub(measureFrom), 0)
}

// run puts the plan's load on the target until ctx ends or the plan's time
// is up, and returns the length of the measured window. Requests run under
// reqCtx, so that those under way when ctx ends can still finish.
func (d *driver) run(ctx context.Context, reqCtx context.Context, p plan) time.Duration {
	if p.mode == modeOpen {
		return d.open(ctx, reqCtx, p)
	}
	return d.ceiling(ctx, reqCtx, p)
}

// ceiling runs clients that each send their next request as soon as the
// last is answered, to find the most the target can serve. It returns the
// length of the measured window, up to the last answer.
func (d *driver) ceiling(ctx context.Context, reqCtx context.Context, p plan) time.Duration {
	start := time.Now()
	measureFrom := start.Add(p.warmup)
	end := measureFrom.Add(p.duration)
	var wg sync.WaitGroup
	for w := range p.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)+2))
			for ctx.Err() == nil {
				now := time.Now()
				if !now.Before(end) {
					return
				}
				d.exec(reqCtx, d.picker.pick(rng), now, !now.Before(measureFrom))
			}
		}()
	}
	wg.Wait()
	return max(time.Since(measureFrom), 0)
}

// progress prints a line a second to w until stop is closed.
func (d *driver) progress(w io.Writer, p plan, stop <-chan struct{}) {
	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			elapsed := now.Sub(start)
			phase := "run"
			if elapsed < p.warmup {
				phase = "warm-up"
			}
			sent, done := d.counters.sent.Load(), d.counters.completed.Load()
			fmt.Fprintf(w, "%6.0fs %-7s sent %d, completed %d, errors %d, in flight %d",
				elapsed.Seconds(), phase, sent, done, d.counters.errors.Load(), sent-done)
			if n := d.counters.dropped.Load(); n > 0 {
				fmt.Fprintf(w, ", dropped %d", n)
			}
			fmt.Fprintln(w)
		}
	}
}

// results turns the recorders into the rows of the report, and a total of
// the scenarios (steps left out, as they are part of their scenario).
func (d *driver) results(p plan, measured time.Duration) ([]summary, summary) {
	var rows []summary
	total := newRecorder("total", "", 1)
	for _, recs := range d.recorders {
		total.merge(recs[0])
		for _, r := range recs {
			rows = append(rows, r.summarize(p.mode, p.rate, measured))
		}
	}
	return rows, total.summarize(p.mode, p.rate, measured)
}

package main

// Load runs of the bench: jobs of the load driver, run alone or side by side.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// job is one load run, its scenarios prepared.
type job struct {
	label string
	t     *target
	d     *driver
	p     plan
}

// newJob builds and prepares the scenarios of mix against base.
func newJob(ctx context.Context, label, base string, mix []weighted, s settings, p plan) (*job, error) {
	t := newTarget(base, requestTimeout, p.conns())
	if err := ready(ctx, t); err != nil {
		return nil, fmt.Errorf("%s: %s is not ready: %w", label, base, err)
	}
	scenarios := buildScenarios(t, mix, s)
	if err := prepare(ctx, scenarios); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
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
			rows, total := j.d.results(j.p, j.d.run(ctx, reqCtx, j.p))
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

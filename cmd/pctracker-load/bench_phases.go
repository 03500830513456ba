package main

// The load phases on the running server: P1 at a constant rate, P2 the
// first view after a change, P6 a sign-in flood, P3 submissions.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

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

package main

// P1 measured with wrk: pctracker beside nginx serving the same bytes,
// plain and gzip, in interleaved runs; the driver's own ceiling; the p99 of
// the page at a constant rate; and public reads with the primary stopped.

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Shapes of the wrk runs.
const (
	wrkConns       = 64
	wrkThreads     = 2
	wrkRounds      = 3 // nginx and pctracker take turns this many times
	wrkRunDuration = 5 * time.Second
	ceilingLimit   = 0.8 // below this share of wrk, the driver is the limit
	pageRate       = 5000
	acceptGzip     = "Accept-Encoding: gzip"
)

// wrkKind is one of the four comparisons: a path, plain or gzip.
type wrkKind struct {
	id, label, path string
	headers         []string
	ceiling         string // the figure of Go's bare net/http on the same bytes
	headersCeiling  string // the same with pctracker's headers
}

var wrkKinds = []wrkKind{
	{"p1-wrk-html", "GET /", "/", []string{"Accept-Language: en"}, "p1-go-html", "p1-go-headers-html"},
	{"p1-wrk-json", "GET /api/v1/dashboard", "/api/v1/dashboard", []string{"Accept: application/json"}, "p1-go-json", "p1-go-headers-json"},
	{"p1-wrk-html-gzip", "GET / gzip", "/", []string{"Accept-Language: en", acceptGzip}, "p1-go-html-gzip", "p1-go-headers-html-gzip"},
	{"p1-wrk-json-gzip", "GET /api/v1/dashboard gzip", "/api/v1/dashboard", []string{"Accept: application/json", acceptGzip}, "p1-go-json-gzip", "p1-go-headers-json-gzip"},
}

// The servers wrk measures, by name.
const (
	serverNginx     = "nginx"
	serverPctracker = "pctracker"
	serverGo        = "net/http"
	serverGoHeaders = "net/http with pctracker's headers"
)

// wrkServer is a server wrk measures: its name and base URL.
type wrkServer struct{ name, base string }

// interleaved runs wrk against each server in turn, wrkRounds times, the
// order rotated each round so that none always runs on a warmer or a
// busier machine, and sums each server's runs, by name.
func (b *bench) interleaved(ctx context.Context, servers []wrkServer, script string, k wrkKind) (map[string]wrkResult, error) {
	sums := map[string]wrkResult{}
	for round := range wrkRounds {
		for i := range servers {
			s := servers[(i+round)%len(servers)]
			r, err := runWrk(ctx, b.o.wrk, wrkRun{url: s.base + k.path, conns: wrkConns, threads: wrkThreads, d: wrkRunDuration,
				headers: k.headers, label: s.name + " " + k.label, scriptAt: script})
			if err != nil {
				return sums, err
			}
			b.say("wrk %s, %s, round %d: %.0f req/s, p99 %.2f ms, %.0f bytes an answer, %d errors",
				s.name, k.label, round+1, r.rate(), r.P99US/1000, r.bytesPerAnswer(), r.errors())
			sums[s.name] = sumWrk(sums[s.name], r)
		}
	}
	return sums, nil
}

// sumWrk adds run r to total: requests, time and bytes add up; the
// latencies kept are the worst run's.
func sumWrk(total, r wrkResult) wrkResult {
	total.Requests += r.Requests
	total.DurationUS += r.DurationUS
	total.Bytes += r.Bytes
	total.Connect += r.Connect
	total.Read += r.Read
	total.Write += r.Write
	total.Status += r.Status
	total.Timeout += r.Timeout
	total.P50US = max(total.P50US, r.P50US)
	total.P99US = max(total.P99US, r.P99US)
	total.MaxUS = max(total.MaxUS, r.MaxUS)
	return total
}

// wrkRatios measures the four comparisons with wrk and records them, and
// the driver's ceiling against wrk's on nginx's page. driverNginxHTML is
// the driver's rate against nginx's page, 0 when it was not measured.
func (b *bench) wrkRatios(ctx context.Context, servers []wrkServer, driverNginxHTML float64) error {
	ids := []string{"p1-driver-ceiling"}
	for _, k := range wrkKinds {
		ids = append(ids, k.id, k.ceiling, k.headersCeiling)
	}
	if _, err := os.Stat(b.o.wrk); err != nil {
		b.card.notMeasured(fmt.Sprintf("wrk not found at %s: install the Debian package wrk (or pass --wrk)", b.o.wrk), ids...)
		return nil
	}
	script, err := writeWrkScript(filepath.Join(b.work, "wrk"))
	if err != nil {
		return err
	}
	for _, k := range wrkKinds {
		if err := ctx.Err(); err != nil {
			return err
		}
		sums, err := b.interleaved(ctx, servers, script, k)
		if err != nil {
			b.card.notMeasured(err.Error(), k.id, k.ceiling, k.headersCeiling)
			continue
		}
		n, p := sums[serverNginx], sums[serverPctracker]
		note := fmt.Sprintf("wrk, %d connections, %d x %s each in turn: pctracker %.0f req/s (%.0f bytes an answer, %d errors), nginx %.0f req/s (%.0f bytes, %d errors)",
			wrkConns, wrkRounds, wrkRunDuration, p.rate(), p.bytesPerAnswer(), p.errors(), n.rate(), n.bytesPerAnswer(), n.errors())
		if n.rate() <= 0 || n.errors() > 0 {
			b.card.notMeasured("nginx did not serve cleanly: "+note, k.id, k.ceiling, k.headersCeiling)
			continue
		}
		for _, c := range []struct{ id, server string }{{k.ceiling, serverGo}, {k.headersCeiling, serverGoHeaders}} {
			g, ok := sums[c.server]
			if !ok || g.rate() <= 0 || g.errors() > 0 {
				b.card.notMeasured(fmt.Sprintf("Go's %s was not measured cleanly", c.server), c.id)
				continue
			}
			note += fmt.Sprintf("; Go's %s on the same bytes %.0f req/s (pctracker %.2f of it)", c.server, g.rate(), p.rate()/g.rate())
			b.card.measured(c.id, g.rate()/n.rate(), fmt.Sprintf("%s %.0f req/s (%.0f bytes an answer), nginx %.0f req/s, same bytes, same runs",
				c.server, g.rate(), g.bytesPerAnswer(), n.rate()))
		}
		b.card.judged(k.id, p.rate()/n.rate(), ratioPasses(p.rate(), n.rate(), p.errors()), note)
		if k.id == "p1-wrk-html" {
			b.driverCeiling(driverNginxHTML, n.rate())
		}
	}
	b.note("P1 with wrk: %d connections on %d threads, GET / with Accept-Language: en and GET /api/v1/dashboard, plain and with %q; nginx serves byte-identical copies, and for gzip the .gz of the same bytes with gzip_static on, and so does Go's net/http from memory, once with a static server's headers (the ceiling of pctracker's stack) and once with pctracker's own (the ceiling of its answers); they take turns, %d runs of %s each, the order rotated every round",
		wrkConns, wrkThreads, acceptGzip, wrkRounds, wrkRunDuration)
	return nil
}

// ratioPasses is the verdict of a throughput ratio to nginx: at least
// 0.8 of nginx's rate, and not one failed request.
func ratioPasses(pct, nginx float64, errors int64) bool {
	return nginx > 0 && errors == 0 && pct/nginx >= 0.8
}

// driverCeiling records the driver's rate against nginx as a share of
// wrk's: far below, the driver, not the server, sets the driver's figures.
func (b *bench) driverCeiling(driver, wrk float64) {
	if driver <= 0 {
		b.card.notMeasured("the driver's run against nginx did not happen", "p1-driver-ceiling")
		return
	}
	share, limited := ceiling(driver, wrk)
	note := fmt.Sprintf("against nginx's GET /: the driver %.0f req/s, wrk %.0f req/s", driver, wrk)
	if limited {
		note += "; the driver is the bottleneck: its ratios to nginx measure the driver, read the wrk rows"
		b.say("the load driver is the bottleneck: %.0f req/s against nginx where wrk gets %.0f", driver, wrk)
	}
	b.card.measured("p1-driver-ceiling", share, note)
}

// ceiling is the driver's share of wrk's rate, and whether it is below
// ceilingLimit.
func ceiling(driver, wrk float64) (share float64, limited bool) {
	if wrk <= 0 {
		return 0, false
	}
	share = driver / wrk
	return share, share < ceilingLimit
}

// gzipped is data compressed as gzip -9 does.
func gzipped(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sameGzip checks that nginx answers path, asked for gzip, with the .gz of
// want: the gzip rows compare like with like only then.
func sameGzip(ctx context.Context, nginxBase, path string, want []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, nginxBase+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: requestTimeout}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return fmt.Errorf("nginx answered %s without gzip (Content-Encoding %q)", path, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		return err
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("nginx's gzip of %s holds %d bytes, not pctracker's %d", path, len(got), len(want))
	}
	return nil
}

// pageAtRate is the p99 of the page at pageRate req/s, measured twice:
// with the driver's open model, where latency counts from when each
// request was due, so that a stall counts in full; and with wrk, its
// connections paced to the same rate, where the load generator is not
// the limit.
func (b *bench) pageAtRate(ctx context.Context) error {
	b.pageAtRateWrk(ctx)
	p := plan{mode: modeOpen, rate: pageRate, maxInflight: 4000, warmup: benchWarmup, duration: b.o.duration}
	b.say("open model: %d req/s of GET / for %s after %s of warm-up", pageRate, b.o.duration, benchWarmup)
	res, err := b.runOne(ctx, "page at rate", b.base, []weighted{{"dashboard", 1}}, settings{}, p)
	if err != nil {
		return err
	}
	s := res.row("dashboard")
	note := fmt.Sprintf("the driver's open model, %d requests at %.0f req/s (asked %d), %d errors, %d dropped; p50 %.2f, p95 %.2f, max %.1f ms",
		s.Requests, s.Rate, pageRate, s.Errors, s.Dropped, s.P50, s.P95, s.Max)
	// The rate must have been held for the p99 to say anything.
	b.card.judged("p1-p99-page-rate", s.P99, pageRatePasses(s.P99, s.Rate, s.Errors), note)
	b.say("GET / at %d req/s: %.0f req/s held, p99 %.2f ms, %d errors", pageRate, s.Rate, s.P99, s.Errors)
	return nil
}

// pacedConns are the connections of the paced wrk run, over which its
// threads send pageRate requests a second between them.
const pacedConns = 64

// pageAtRateWrk measures the page's p99 at pageRate with wrk's
// connections paced to that rate.
func (b *bench) pageAtRateWrk(ctx context.Context) {
	const id = "p1-wrk-p99-page-rate"
	if _, err := os.Stat(b.o.wrk); err != nil {
		b.card.notMeasured(fmt.Sprintf("wrk not found at %s", b.o.wrk), id)
		return
	}
	period := float64(wrkThreads) * 1000 / pageRate
	script, err := writeScript(filepath.Join(b.work, "wrk"), "paced.lua", wrkPacedScript(period))
	if err != nil {
		b.card.notMeasured(err.Error(), id)
		return
	}
	r, err := runWrk(ctx, b.o.wrk, wrkRun{url: b.base + "/", conns: pacedConns, threads: wrkThreads, d: b.o.duration,
		headers: []string{"Accept-Language: en", acceptGzip}, label: "paced GET /", scriptAt: script})
	if err != nil {
		b.card.notMeasured(err.Error(), id)
		return
	}
	note := fmt.Sprintf("wrk, %d connections, each of its %d threads sending a request every %.1f ms on a schedule, gzip, for %s: %.0f req/s held (asked %d), p50 %.2f ms, max %.1f ms, %d errors; latency counts from when a request was sent, so a stall counts once, not for the requests it held back",
		pacedConns, wrkThreads, period, b.o.duration, r.rate(), pageRate, r.P50US/1000, r.MaxUS/1000, r.errors())
	b.card.judged(id, r.P99US/1000, pageRatePasses(r.P99US/1000, r.rate(), int(r.errors())), note)
	b.say("wrk paced to %d req/s on GET /: %.0f req/s held, p99 %.2f ms, %d errors", pageRate, r.rate(), r.P99US/1000, r.errors())
}

// pageRatePasses is the verdict of the page at pageRate: p99 under 10 ms,
// no error, and the rate held (95 %), else the p99 is of a lighter load.
func pageRatePasses(p99, rate float64, errors int) bool {
	return p99 < 10 && errors == 0 && rate >= 0.95*pageRate
}

// warmTimeout bounds the first build of the dashboards after start.
const warmTimeout = 5 * time.Minute

// warm asks for both dashboards once and waits for them, however long the
// first build takes: a request that gives up cancels the build it waits
// for, so on a busy machine loads with a short timeout would never see a
// built dashboard, and would measure only that.
func (b *bench) warm(ctx context.Context) error {
	client := &http.Client{Timeout: warmTimeout}
	for _, path := range []string{"/", "/api/v1/dashboard"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept-Language", "en")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("warming %s: %v", path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("warming %s: %s", path, resp.Status)
		}
		b.say("the first GET %s took %s", path, time.Since(start).Round(time.Millisecond))
		b.note("the first GET %s after start took %s (it builds the dashboards); the loads start after it", path, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

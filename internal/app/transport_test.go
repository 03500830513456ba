package app

import (
	"bufio"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/testutil"
)

// labelsOf lists, from a /metrics text, the distinct values of one label
// of one metric.
func labelsOf(t *testing.T, metrics, metric, label string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(metrics))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), metric+"{")
		if !ok {
			continue
		}
		_, v, ok := strings.Cut(rest, label+`="`)
		if !ok {
			t.Fatalf("%s without %s: %s", metric, label, sc.Text())
		}
		v, _, _ = strings.Cut(v, `"`)
		seen[v]++
	}
	return seen
}

// Made-up methods and paths cost a scraper nothing: every method outside
// the standard ones is counted as OTHER, and every path no route answers
// as "unmatched", so that 5,000 requests with random method names add a
// handful of series to /metrics, not thousands. (The labels do not depend
// on the database, so SQLite alone is tried.)
func TestMetricsLabelsStayBounded(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	ts, routes := startServerWithRoutes(t, db, time.Now)
	before := get(t, nil, ts.URL+"/metrics")
	if before.status != http.StatusOK {
		t.Fatalf("/metrics: %d", before.status)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func(letters string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rnd.IntN(len(letters))]
		}
		return string(b)
	}
	// Every character a method name may hold (an HTTP token), and a
	// path's plainer ones.
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const token = alnum + "-_!#$%&'*+.^`|~"
	paths := []string{"/", "/actions", "/api/v1/actions", "/api/v1/actions/1", "/healthz", "/metrics", "/signin"}
	for i := 0; i < 5000; i++ {
		path := paths[i%len(paths)]
		if i%3 == 0 { // a path no route answers, at the top or inside a surface
			path = []string{"/", "/api/v1/", "/admin/", "/static/"}[i%4] + word(alnum, 12) + "/" + word(alnum, 8)
		}
		req, err := http.NewRequest(word(token, 4+rnd.IntN(12)), ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", req.Method, path, res.StatusCode)
		}
	}
	after := get(t, nil, ts.URL+"/metrics")
	standard := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "CONNECT": true, "TRACE": true, "OTHER": true}
	known := map[string]bool{"unmatched": true}
	for _, rt := range routes {
		known[rt.Path] = true
	}
	for _, metric := range []string{"pctracker_http_requests_total", "pctracker_http_request_seconds_count"} {
		for method := range labelsOf(t, after.body, metric, "method") {
			if !standard[method] {
				t.Errorf("%s has method label %q", metric, method)
			}
		}
		for route := range labelsOf(t, after.body, metric, "route") {
			if !known[route] {
				t.Errorf("%s has route label %q, which is no route", metric, route)
			}
		}
	}
	series := 0
	for _, n := range labelsOf(t, after.body, "pctracker_http_requests_total", "method") {
		series += n
	}
	if series > 100 || len(after.body) > len(before.body)+64<<10 {
		t.Errorf("/metrics grew from %d to %d bytes, %d request series", len(before.body), len(after.body), series)
	}
	t.Logf("/metrics: %d bytes before, %d after 5,000 made-up requests; %d request series", len(before.body), len(after.body), series)
}

// /metrics tells the traffic of every route, so it answers only the
// addresses of metrics.allow (loopback by default), judged on the
// connection's address; X-Forwarded-For counts only from a trusted proxy,
// as everywhere else. Everyone else finds nothing there. Tests run on
// loopback, so the refusals use allow lists without it.
func TestMetricsAllowList(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	serve := func(allow []string, proxies []string) string {
		ts, _ := startServerWith(t, db, time.Now, nil, func(cfg *config.Config) {
			cfg.Metrics.Allow, cfg.HTTP.TrustedProxies = allow, proxies
		})
		return ts.URL
	}
	byDefault := serve(config.Default().Metrics.Allow, nil)
	elsewhere := serve([]string{"10.0.0.0/8", "2001:db8::/32"}, nil)
	nobody := serve(nil, nil)
	proxied := serve([]string{"10.0.0.0/8"}, []string{"127.0.0.0/8"})
	proxiedLoopback := serve(config.Default().Metrics.Allow, []string{"127.0.0.0/8"})
	for _, c := range []struct {
		what   string
		base   string
		header []string
		status int
	}{
		{"default allow list, from loopback", byDefault, nil, 200},
		{"allow list without loopback", elsewhere, nil, 404},
		{"allow list without loopback, X-Forwarded-For forged", elsewhere, []string{"X-Forwarded-For", "10.1.2.3"}, 404},
		{"empty allow list", nobody, nil, 404},
		{"through a trusted proxy, for an allowed client", proxied, []string{"X-Forwarded-For", "10.1.2.3"}, 200},
		{"through a trusted proxy, for another client", proxied, []string{"X-Forwarded-For", "203.0.113.9"}, 404},
		{"through a trusted proxy on loopback, for a client elsewhere", proxiedLoopback, []string{"X-Forwarded-For", "203.0.113.9"}, 404},
	} {
		r := get(t, nil, c.base+"/metrics", c.header...)
		if r.status != c.status {
			t.Errorf("%s: %d, want %d", c.what, r.status, c.status)
		}
		if r.status == 200 && !strings.Contains(r.body, "pctracker_scheduler_leader") {
			t.Errorf("%s: no metrics in %.200s", c.what, r.body)
		}
		if r.status == 404 && strings.Contains(r.body, "pctracker_") {
			t.Errorf("%s: a refusal tells the metrics", c.what)
		}
	}
}

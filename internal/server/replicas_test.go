package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/metrics"
	"github.com/pctracker/pctracker/internal/server"
)

// replicaState stands for a database with read replicas: the seam the
// server sees. The store's side is tested over real replicas in
// internal/systemtest.
type replicaState struct {
	primaryUp atomic.Bool
	serving   atomic.Int32
}

type markKey struct{}

func (r *replicaState) PublicRead(ctx context.Context) context.Context {
	return context.WithValue(ctx, markKey{}, true)
}
func (r *replicaState) PrimaryUp() bool                       { return r.primaryUp.Load() }
func (r *replicaState) ReplicasServing() (serving, total int) { return int(r.serving.Load()), 2 }

// Which requests may read from a replica, and what answers while the
// primary is down: public GETs go on, everything else is 503 read-only.
func TestReadRouting(t *testing.T) {
	state := &replicaState{}
	where := func(c echo.Context) error {
		if on, _ := c.Request().Context().Value(markKey{}).(bool); on {
			return c.String(http.StatusOK, "replica")
		}
		return c.String(http.StatusOK, "primary")
	}
	srv, err := server.New(server.Deps{Config: config.Default().HTTP, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: func(context.Context) error { return nil }, API: routes(func(e *echo.Echo) {
			for _, p := range []string{"/actions", "/signin", "/reset/new", "/follow/confirm/x", "/unsubscribe/x", "/api/v1/actions"} {
				e.GET(p, where)
				e.POST(p, where)
			}
		}), UI: routes(func(*echo.Echo) {}), Pages: pages{}, Static: fstest.MapFS{},
		Sessions: noSessions{}, Users: noUsers{}, Cookie: "pct_session", Metrics: metrics.New(), Replicas: state})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	do := func(method, path string, cookie bool) (*http.Response, string) {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		if cookie {
			req.AddCookie(&http.Cookie{Name: "pct_session", Value: "x"})
		}
		if method == http.MethodPost {
			req.Header.Set("Origin", ts.URL)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	cases := []struct {
		method, path string
		cookie       bool
		up           string // answer while the primary is up
		down         int    // status while it is down
	}{
		{"GET", "/actions", false, "replica", 200},
		{"HEAD", "/actions", false, "", 200},
		{"GET", "/api/v1/actions", false, "replica", 200},
		{"GET", "/actions", true, "primary", 503},    // a session cookie: signed in
		{"GET", "/signin", false, "primary", 503},    // reads what was just written
		{"GET", "/reset/new", false, "primary", 503}, // an emailed link's page
		{"GET", "/follow/confirm/x", false, "primary", 503},
		{"GET", "/unsubscribe/x", false, "primary", 503},
		{"POST", "/actions", false, "primary", 503},
		{"POST", "/api/v1/actions", false, "primary", 503},
	}
	state.primaryUp.Store(true)
	state.serving.Store(1)
	for _, c := range cases {
		if res, body := do(c.method, c.path, c.cookie); res.StatusCode != 200 || body != c.up {
			t.Errorf("primary up: %s %s (cookie %v): %d %q, want %q", c.method, c.path, c.cookie, res.StatusCode, body, c.up)
		}
	}
	state.primaryUp.Store(false)
	for _, c := range cases {
		res, body := do(c.method, c.path, c.cookie)
		if res.StatusCode != c.down {
			t.Errorf("primary down: %s %s (cookie %v): %d, want %d", c.method, c.path, c.cookie, res.StatusCode, c.down)
		}
		if c.down == 503 && (res.Header.Get("Retry-After") == "" || !strings.Contains(body, "temporarily read-only")) {
			t.Errorf("primary down: %s %s: Retry-After %q, body %q", c.method, c.path, res.Header.Get("Retry-After"), body)
		}
		if c.down == 503 && strings.HasPrefix(c.path, "/api/") && !strings.Contains(body, `"read_only":true`) {
			t.Errorf("primary down: %s %s: the JSON does not say read_only: %s", c.method, c.path, body)
		}
	}

	// /readyz keeps a load balancer sending public traffic while a replica
	// serves, and says which part is down.
	for _, c := range []struct {
		up      bool
		serving int32
		status  int
		want    map[string]string
	}{
		{true, 2, 200, map[string]string{"status": "ready", "primary": "up", "replicas": "2 of 2 serving"}},
		{true, 0, 200, map[string]string{"status": "ready", "primary": "up", "replicas": "0 of 2 serving"}},
		{false, 1, 200, map[string]string{"status": "read-only", "primary": "down", "replicas": "1 of 2 serving"}},
		{false, 0, 503, map[string]string{"status": "unavailable", "primary": "down", "replicas": "0 of 2 serving"}},
	} {
		state.primaryUp.Store(c.up)
		state.serving.Store(c.serving)
		res, body := do("GET", "/readyz", false)
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != c.status {
			t.Errorf("readyz (primary up %v, %d serving): %d %s", c.up, c.serving, res.StatusCode, body)
			continue
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("readyz (primary up %v, %d serving): %s = %q, want %q", c.up, c.serving, k, got[k], v)
			}
		}
	}
	if res, _ := do("GET", "/healthz", false); res.StatusCode != 200 {
		t.Errorf("healthz with nothing serving: %d", res.StatusCode)
	}
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// mailDirs remembers each test's mail folder, where the file backend
// writes what the server sends.
var mailDirs sync.Map

func mailDir(t testing.TB) string {
	if d, ok := mailDirs.Load(t); ok {
		return d.(string)
	}
	d := t.TempDir()
	mailDirs.Store(t, d)
	t.Cleanup(func() { mailDirs.Delete(t) })
	return d
}

// startServer runs the real server over db on a real listener.
func startServer(t *testing.T, db *store.DB) *httptest.Server {
	t.Helper()
	return startServerAt(t, db, time.Now)
}

// startServerAt runs the real server with the services' clock set to now.
func startServerAt(t *testing.T, db *store.DB, now func() time.Time) *httptest.Server {
	t.Helper()
	ts, _ := startServerWithRoutes(t, db, now)
	return ts
}

// startServerWithRoutes also returns every route the server answers.
func startServerWithRoutes(t *testing.T, db *store.DB, now func() time.Time) (*httptest.Server, []*echo.Route) {
	t.Helper()
	return startServerWith(t, db, now, nil, func(cfg *config.Config) {
		// Tests change data behind the server's back, through the
		// services: the public pages check on every request.
		cfg.HTTP.PublicFreshness = 0
	})
}

// startServerWith runs the real server with its configuration changed by
// configure, logging to logs (nowhere when nil) as the program does.
func startServerWith(t testing.TB, db *store.DB, now func() time.Time, logs io.Writer, configure func(*config.Config)) (*httptest.Server, []*echo.Route) {
	t.Helper()
	cfg := config.Default()
	cfg.BaseURL = "http://pct.test"
	cfg.Mail.Dir = mailDir(t)
	cfg.Report.Chromium = "off"  // PDFs are printed by their own test
	cfg.Evidence.Enabled = false // the test data's links lead outside: on only against a server of the test's own
	configure(&cfg)
	if logs == nil {
		logs = io.Discard
	}
	logger := newLogger(cfg.Log, logs)
	svc := newServices(db, now, cfg, newMailer(cfg, logger), logger)
	m := svc.metrics
	sched, err := newScheduler(cfg, db, svc, m, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sched.Stop() })
	srv, err := newServer(cfg, db, svc, sched, m, logger)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, srv.Routes()
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, client *http.Client, url string, header ...string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

func TestRecommendationsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ts := startServer(t, db)
		r := get(t, nil, ts.URL+"/api/v1/recommendations")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("list: %d %s", r.status, r.header.Get("Content-Type"))
		}
		var list struct {
			Items []struct {
				Number      int               `json:"number"`
				Slug        string            `json:"slug"`
				Title       map[string]string `json:"title"`
				Description map[string]string `json:"description"`
				Addressees  []string          `json:"addressees"`
				Principles  []map[string]string
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(r.body), &list); err != nil {
			t.Fatal(err)
		}
		if list.Total != 12 || len(list.Items) != 12 {
			t.Fatalf("want the twelve, got %d", list.Total)
		}
		for i, it := range list.Items {
			if it.Number != i+1 || it.Slug == "" || it.Title["en"] == "" || it.Title["fr"] == "" ||
				it.Description["en"] == "" || it.Description["fr"] == "" || len(it.Addressees) == 0 {
				t.Errorf("recommendation %d incomplete: %+v", i+1, it)
			}
		}
		if list.Items[1].Slug != "export-safeguards" || list.Items[1].Addressees[0] != "state" {
			t.Errorf("recommendation 2: %+v", list.Items[1])
		}
		r = get(t, nil, ts.URL+"/api/v1/recommendations/9")
		if r.status != 200 || strings.Count(r.body, `"en":`) != 7 { // title, description, five principles
			t.Errorf("recommendation 9: %d %s", r.status, r.body)
		}
		for path, want := range map[string]int{"/api/v1/recommendations/13": 404, "/api/v1/recommendations/abc": 404, "/api/v1/nothing": 404} {
			r := get(t, nil, ts.URL+path)
			var body struct {
				Error struct {
					Code    string            `json:"code"`
					Message string            `json:"message"`
					Fields  map[string]string `json:"fields"`
				} `json:"error"`
				RequestID string `json:"request_id"`
			}
			if err := json.Unmarshal([]byte(r.body), &body); err != nil || r.status != want || body.Error.Code == "" || body.RequestID == "" {
				t.Errorf("%s: %d %s", path, r.status, r.body)
			}
		}
	})
}

func TestHomePage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ts := startServer(t, db)
		r := get(t, nil, ts.URL+"/recommendations")
		if r.status != 200 || !strings.Contains(r.body, `<html lang="en">`) || strings.Count(r.body, `class="recommendation"`) != 12 ||
			!strings.Contains(r.body, "Develop clear acceptable use guidelines") || !strings.Contains(r.body, "Expand collective knowledge of the market") {
			t.Fatalf("English home: %d\n%s", r.status, r.body)
		}
		r = get(t, nil, ts.URL+"/recommendations", "Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
		if !strings.Contains(r.body, `<html lang="fr">`) || !strings.Contains(r.body, "Élaborer des lignes directrices claires") ||
			!strings.Contains(r.body, "Les douze recommandations prioritaires") || r.header.Get("Content-Language") != "fr" {
			t.Errorf("French by Accept-Language: %s", r.body[:300])
		}
		// An explicit choice wins over the browser and is remembered.
		r = get(t, nil, ts.URL+"/?lang=en", "Accept-Language", "fr")
		var cookie string
		for _, c := range strings.Split(r.header.Get("Set-Cookie"), ";") {
			if strings.HasPrefix(c, "pct_lang=") {
				cookie = c
			}
		}
		if !strings.Contains(r.body, `<html lang="en">`) || cookie != "pct_lang=en" {
			t.Errorf("?lang=en: cookie %q", r.header.Get("Set-Cookie"))
		}
		r = get(t, nil, ts.URL+"/", "Accept-Language", "fr", "Cookie", cookie)
		if !strings.Contains(r.body, `<html lang="en">`) {
			t.Error("the remembered choice is used")
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "object-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP: %q", csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("nosniff")
		}
	})
}

func TestErrorPagesAndStatic(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	ts := startServer(t, db)
	r := get(t, nil, ts.URL+"/no/such/page", "Accept-Language", "fr")
	if r.status != 404 || !strings.Contains(r.body, "Page introuvable") || !strings.Contains(r.body, "<main") {
		t.Errorf("404 page: %d %s", r.status, r.body)
	}
	if r.header.Get("Content-Security-Policy") == "" {
		t.Error("error pages carry the security headers")
	}
	home := get(t, nil, ts.URL+"/")
	i := strings.Index(home.body, "/static/css/app.css?v=")
	if i < 0 {
		t.Fatal("stylesheet link with hash")
	}
	href := home.body[i : i+strings.Index(home.body[i:], `"`)]
	css := get(t, nil, ts.URL+href)
	if css.status != 200 || !strings.Contains(css.header.Get("Cache-Control"), "immutable") || !strings.Contains(css.body, "@media print") {
		t.Errorf("css: %d %q", css.status, css.header.Get("Cache-Control"))
	}
	if r := get(t, nil, ts.URL+"/static/"); r.status != 404 {
		t.Errorf("no directory listing: %d", r.status)
	}
	if r := get(t, nil, ts.URL+"/healthz"); r.status != 200 {
		t.Errorf("healthz %d", r.status)
	}
	// The language link of a page at //elsewhere stays on this site.
	r = get(t, nil, ts.URL+"//evil.example/x")
	if strings.Contains(r.body, `href="//evil.example`) || !strings.Contains(r.body, `href="?lang=fr"`) {
		t.Errorf("language link on //evil.example/x: %s", r.body)
	}
	// A client cannot choose the id its request is logged under.
	r = get(t, nil, ts.URL+"/api/v1/recommendations/99", "X-Request-Id", "chosen-by-client")
	if id := r.header.Get("X-Request-Id"); id == "" || id == "chosen-by-client" || strings.Contains(r.body, "chosen-by-client") {
		t.Errorf("request id %q", id)
	}
	res, err := http.Post(ts.URL+"/api/v1/recommendations", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to a GET route: %d, want 405", res.StatusCode)
	}
}

// /readyz is 503 while migrations are pending, 200 once they are applied,
// and 503 again when the database cannot be reached.
func TestReadiness(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			url := testutil.NewDatabaseURL(t, "sqlite")
			if engine == "postgres" {
				url = testutil.NewEmptyPostgresURL(t)
			}
			db, err := store.Open(context.Background(), url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ts := startServer(t, db)
			if r := get(t, nil, ts.URL+"/readyz"); r.status != 503 || !strings.Contains(r.body, "migrations pending") {
				t.Errorf("before migrating: %d %s", r.status, r.body)
			}
			m, _ := db.Migrator()
			if _, err := m.Up(context.Background()); err != nil {
				t.Fatal(err)
			}
			if r := get(t, nil, ts.URL+"/readyz"); r.status != 200 {
				t.Errorf("after migrating: %d %s", r.status, r.body)
			}
			db.Close()
			if r := get(t, nil, ts.URL+"/readyz"); r.status != 503 {
				t.Errorf("database gone: %d %s", r.status, r.body)
			}
		})
	}
}

// HEAD, as monitors and link checkers send it, is answered as GET without
// the body, and logged as HEAD.
func TestHeadAnsweredAsGet(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	var logs logBuffer
	ts, _ := startServerWith(t, db, time.Now, &logs, func(*config.Config) {})
	for path, want := range map[string]struct {
		status int
		ctype  string
	}{
		"/":                        {200, "text/html"},
		"/api/v1/recommendations":  {200, "application/json"},
		"/recommendations/99":      {404, "text/html"},
		"/api/v1/actions/99999999": {401, "application/json"},
	} {
		req, _ := http.NewRequest(http.MethodHead, ts.URL+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want.status || !strings.HasPrefix(res.Header.Get("Content-Type"), want.ctype) || len(body) != 0 ||
			res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("HEAD %s: %d %q, %d bytes of body", path, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		// On the wire: nothing after the header. A client reads no body
		// for HEAD, so any byte there would be taken for the next answer
		// on a kept-alive connection.
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		raw, _ := io.ReadAll(conn)
		conn.Close()
		if _, after, found := strings.Cut(string(raw), "\r\n\r\n"); !found || after != "" {
			t.Errorf("HEAD %s: %d bytes after the header on the wire: %.80q", path, len(after), after)
		}
	}
	if !strings.Contains(logs.String(), "method=HEAD path=/ ") {
		t.Errorf("HEAD not logged as HEAD:\n%s", logs.String())
	}
}

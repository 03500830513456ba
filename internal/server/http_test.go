package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestErrorPagesAndStatic(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	ts := apptest.StartServer(t, db)
	r := apptest.Get(t, nil, ts.URL+"/no/such/page", "Accept-Language", "fr")
	if r.Status != 404 || !strings.Contains(r.Body, "Page introuvable") || !strings.Contains(r.Body, "<main") {
		t.Errorf("404 page: %d %s", r.Status, r.Body)
	}
	if r.Header.Get("Content-Security-Policy") == "" {
		t.Error("error pages carry the security headers")
	}
	home := apptest.Get(t, nil, ts.URL+"/")
	href := regexp.MustCompile(`/static/css/app\.[0-9a-f]+\.css`).FindString(home.Body)
	if href == "" {
		t.Fatal("stylesheet link with hash")
	}
	css := apptest.Get(t, nil, ts.URL+href)
	if css.Status != 200 || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css.Body, "@media print") {
		t.Errorf("css: %d %q", css.Status, css.Header.Get("Cache-Control"))
	}
	if r := apptest.Get(t, nil, ts.URL+"/static/"); r.Status != 404 {
		t.Errorf("no directory listing: %d", r.Status)
	}
	if r := apptest.Get(t, nil, ts.URL+"/healthz"); r.Status != 200 {
		t.Errorf("healthz %d", r.Status)
	}
	// The language link of a page at //elsewhere stays on this site.
	r = apptest.Get(t, nil, ts.URL+"//evil.example/x")
	if strings.Contains(r.Body, `href="//evil.example`) || !strings.Contains(r.Body, `href="?lang=fr"`) {
		t.Errorf("language link on //evil.example/x: %s", r.Body)
	}
	// A client cannot choose the id its request is logged under.
	r = apptest.Get(t, nil, ts.URL+"/api/v1/recommendations/99", "X-Request-Id", "chosen-by-client")
	if id := r.Header.Get("X-Request-Id"); id == "" || id == "chosen-by-client" || strings.Contains(r.Body, "chosen-by-client") {
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
			ts := apptest.StartServer(t, db)
			if r := apptest.Get(t, nil, ts.URL+"/readyz"); r.Status != 503 || !strings.Contains(r.Body, "migrations pending") {
				t.Errorf("before migrating: %d %s", r.Status, r.Body)
			}
			m, _ := db.Migrator()
			if _, err := m.Up(context.Background()); err != nil {
				t.Fatal(err)
			}
			if r := apptest.Get(t, nil, ts.URL+"/readyz"); r.Status != 200 {
				t.Errorf("after migrating: %d %s", r.Status, r.Body)
			}
			db.Close()
			if r := apptest.Get(t, nil, ts.URL+"/readyz"); r.Status != 503 {
				t.Errorf("database gone: %d %s", r.Status, r.Body)
			}
		})
	}
}

// HEAD, as monitors and link checkers send it, is answered as GET without
// the body, and logged as HEAD.
func TestHeadAnsweredAsGet(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	var logs logBuffer
	ts, _ := apptest.StartServerWith(t, db, time.Now, &logs, func(*config.Config) {})
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

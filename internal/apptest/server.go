// Package apptest runs the whole of pctracker, wired as the program wires
// it, over a test's own database, and talks to it as its people do: an
// API client with a token, a browser-like client with cookies and forms,
// mail read back from the server's folder or a real SMTP server, and the
// command line. The tests of api, ui, server and the cross-cutting ones in
// systemtest share it.
package apptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/app"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/store"
)

// mailDirs remembers each test's mail folder, where the file backend
// writes what the server sends.
var mailDirs sync.Map

// MailDir is the folder where the test's server writes the mail it sends.
func MailDir(t testing.TB) string {
	if d, ok := mailDirs.Load(t); ok {
		return d.(string)
	}
	d := t.TempDir()
	mailDirs.Store(t, d)
	t.Cleanup(func() { mailDirs.Delete(t) })
	return d
}

// StartServer runs the real server over db on a real listener.
func StartServer(t *testing.T, db *store.DB) *httptest.Server {
	t.Helper()
	return StartServerAt(t, db, time.Now)
}

// StartServerAt runs the real server with the services' clock set to now.
func StartServerAt(t *testing.T, db *store.DB, now func() time.Time) *httptest.Server {
	t.Helper()
	ts, _ := StartServerWithRoutes(t, db, now)
	return ts
}

// StartServerWithRoutes also returns every route the server answers.
func StartServerWithRoutes(t *testing.T, db *store.DB, now func() time.Time) (*httptest.Server, []*echo.Route) {
	t.Helper()
	return StartServerWith(t, db, now, nil, func(cfg *config.Config) {
		// Tests change data behind the server's back, through the
		// services: the public pages check on every request.
		cfg.HTTP.PublicFreshness = 0
	})
}

// StartServerWith runs the real server with its configuration changed by
// configure, logging to logs (nowhere when nil) as the program does.
func StartServerWith(t testing.TB, db *store.DB, now func() time.Time, logs io.Writer, configure func(*config.Config)) (*httptest.Server, []*echo.Route) {
	t.Helper()
	cfg := config.Default()
	cfg.BaseURL = "http://pct.test"
	cfg.Mail.Dir = MailDir(t)
	cfg.Report.Chromium = "off"  // PDFs are printed by their own test
	cfg.Evidence.Enabled = false // the test data's links lead outside: on only against a server of the test's own
	configure(&cfg)
	if logs == nil {
		logs = io.Discard
	}
	srv, stop, err := app.NewServer(cfg, db, now, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, srv.Routes()
}

// Response is an answer read whole.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// SetHeader sets on req each header of pairs: name, value, name, value...
func SetHeader(req *http.Request, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		req.Header.Set(pairs[i], pairs[i+1])
	}
}

// Send sends req with client and reads the whole answer; a request that
// gets no answer at all ends the test.
func Send(t testing.TB, client *http.Client, req *http.Request) Response {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL, err)
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if err := CheckHead(string(b)); err != nil {
			t.Errorf("%s %s: the page's head: %v", req.Method, req.URL, err)
		}
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// Get sends a GET with header pairs (name, value, ...) and reads the
// answer; client nil is http.DefaultClient.
func Get(t *testing.T, client *http.Client, url string, header ...string) Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	SetHeader(req, header...)
	if client == nil {
		client = http.DefaultClient
	}
	return Send(t, client, req)
}

// For is the client reporting to t, such as a subtest's: a request that
// gets no answer then ends that subtest, not its parent.
func (c APIClient) For(t *testing.T) APIClient { c.T = t; return c }

// WithToken is the client with another API token.
func (c APIClient) WithToken(token string) APIClient { c.Token = token; return c }

// SendRaw sends body as it is, with the headers given and no other (no
// Content-Type unless given).
func SendRaw(t *testing.T, client *http.Client, method, target string, body io.Reader, header ...string) Response {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	SetHeader(req, header...)
	return Send(t, client, req)
}

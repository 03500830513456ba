package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/metrics"
	"github.com/pctracker/pctracker/internal/server"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// routes is a test surface mounted where the API and pages go.
type routes func(e *echo.Echo)

func (r routes) Routes(e *echo.Echo) { r(e) }

// noSessions and noUsers stand for a server where nobody is signed in.
type noSessions struct{}

func (noSessions) Resume(context.Context, string) (session.Session, error) {
	return session.Session{}, errs.E(errs.Unauthorized, "no session")
}

type noUsers struct{}

func (noUsers) Get(context.Context, int64) (user.User, error) {
	return user.User{}, errs.E(errs.NotFound, "no user")
}
func (noUsers) ByToken(context.Context, string) (user.User, error) {
	return user.User{}, errs.E(errs.Unauthorized, "no token")
}

type pages struct{}

func (pages) RenderError(c echo.Context, status int, err error) error {
	return c.HTML(status, "<p>page: "+errs.MessageOf(err)+"</p>")
}

func start(t *testing.T, mount routes, logs io.Writer) (string, context.CancelFunc, chan error) {
	t.Helper()
	cfg := config.Default().HTTP
	cfg.ShutdownTimeout = 5 * time.Second
	srv, err := server.New(server.Deps{Config: cfg, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Ready: func(context.Context) error { return nil }, API: mount, UI: routes(func(*echo.Echo) {}),
		Pages: pages{}, Static: fstest.MapFS{"css/app.css": {Data: []byte("body{}")}},
		Sessions: noSessions{}, Users: noUsers{}, Cookie: "pct_session", Metrics: metrics.New()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), cancel, done
}

func TestShutdownWaitsForRequestsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	url, cancel, done := start(t, func(e *echo.Echo) {
		e.GET("/api/v1/slow", func(c echo.Context) error {
			close(entered)
			<-release
			return c.String(http.StatusOK, "finished")
		})
	}, io.Discard)
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Get(url + "/api/v1/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- result{status: res.StatusCode, body: string(b)}
	}()
	<-entered
	cancel() // SIGTERM arrives while the handler runs
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("serve returned before the request finished: %v", err)
	default:
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("new requests are refused during shutdown")
	}
	close(release)
	r := <-got
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Fatalf("in-flight request: %+v", r)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return")
	}
}

// A client that hangs up cancels its request; the work it asked for then
// fails as the database would (Unavailable). That is logged as 499 at info
// level, not as a warning that a dependency is down.
func TestClientHangUpLoggedAs499(t *testing.T) {
	entered := make(chan struct{})
	var logs testutil.LogBuffer
	url, _, _ := start(t, func(e *echo.Echo) {
		e.GET("/api/v1/slow", func(c echo.Context) error {
			close(entered)
			<-c.Request().Context().Done()
			return errs.Wrap(errs.Unavailable, c.Request().Context().Err(), "database unavailable")
		})
	}, &logs)
	ctx, hangUp := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/slow", nil)
	go func() {
		<-entered
		hangUp()
	}()
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("request: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "path=/api/v1/slow") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	line := logs.String()
	if !strings.Contains(line, "status=499") || !strings.Contains(line, "level=INFO") || strings.Contains(line, "status=503") {
		t.Errorf("hang-up logged as:\n%s", line)
	}
}

func TestErrorHandling(t *testing.T) {
	var logs bytes.Buffer
	url, _, _ := start(t, func(e *echo.Echo) {
		e.GET("/api/v1/panic", func(echo.Context) error { panic("secret detail 42") })
		e.GET("/boom", func(echo.Context) error { return errs.Wrap(errs.Internal, errors.New("secret detail 43"), "db") })
		e.GET("/api/v1/invalid", func(echo.Context) error {
			return errs.FieldErrors{"title": "is required"}.Err()
		})
	}, &logs)
	cases := []struct {
		path, want string
		status     int
	}{
		{"/api/v1/panic", `"code":"internal"`, 500},
		{"/boom", "page: internal error", 500},
		{"/api/v1/invalid", `"fields":{"title":"is required"}`, 422},
		{"/api/v1/missing", `"code":"not_found"`, 404},
		{"/missing", "page: not found", 404},
	}
	for _, c := range cases {
		res, err := http.Get(url + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.Contains(string(b), c.want) || strings.Contains(string(b), "secret detail") {
			t.Errorf("%s: %d %s", c.path, res.StatusCode, b)
		}
		if res.Header.Get("X-Request-Id") == "" || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: request id and security headers on errors too", c.path)
		}
	}
	if !strings.Contains(logs.String(), "secret detail 42") || !strings.Contains(logs.String(), "secret detail 43") {
		t.Errorf("internal causes must reach the log:\n%s", logs.String())
	}
	res, _ := http.Post(url+"/api/v1/invalid", "application/json", strings.NewReader("{}"))
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("wrong method: %d", res.StatusCode)
	}
	big := strings.NewReader(strings.Repeat("x", 5<<20))
	res, _ = http.Post(url+"/api/v1/invalid", "application/json", big)
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("body over the limit: %d", res.StatusCode)
	}
}

// A body of unknown length (chunked) over the limit is refused with 413
// before the handler runs, as a declared one is; under the limit the
// handler reads it whole, with its length known.
func TestChunkedBodyLimit(t *testing.T) {
	var got []string
	url, _, _ := start(t, func(e *echo.Echo) {
		e.POST("/api/v1/echo", func(c echo.Context) error {
			b, err := io.ReadAll(c.Request().Body)
			if err != nil {
				return errs.Wrap(errs.Malformed, err, "unread")
			}
			got = append(got, fmt.Sprintf("%d %d", len(b), c.Request().ContentLength))
			return c.NoContent(http.StatusNoContent)
		})
	}, io.Discard)
	n, err := config.ParseSize(config.Default().HTTP.BodyLimit)
	if err != nil {
		t.Fatal(err)
	}
	limit := int(n)
	for _, c := range []struct {
		size   int
		status int
	}{{limit + 1, http.StatusRequestEntityTooLarge}, {5 << 20, http.StatusRequestEntityTooLarge}, {limit, http.StatusNoContent}, {0, http.StatusNoContent}} {
		res, err := http.Post(url+"/api/v1/echo", "text/plain", io.MultiReader(strings.NewReader(strings.Repeat("x", c.size))))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("chunked body of %d bytes: %d, want %d", c.size, res.StatusCode, c.status)
		}
	}
	if want := []string{fmt.Sprintf("%d %d", limit, limit), "0 0"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the handler read %v, want %v", got, want)
	}
}

// X-Forwarded-For is believed only from a trusted proxy; anyone else could
// forge it to escape the per-address sign-in limit.
func TestClientAddress(t *testing.T) {
	_, trusted, _ := net.ParseCIDR("10.0.0.0/8")
	for _, c := range []struct {
		proxies []*net.IPNet
		peer    string
		xff     string
		want    string
	}{
		{nil, "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{nil, "127.0.0.1:5000", "198.51.100.1", "127.0.0.1"},
		{[]*net.IPNet{trusted}, "10.1.2.3:5000", "198.51.100.1", "198.51.100.1"},
		{[]*net.IPNet{trusted}, "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{[]*net.IPNet{trusted}, "10.1.2.3:5000", "198.51.100.1, 10.4.4.4", "198.51.100.1"},
	} {
		var got string
		srv, err := server.New(server.Deps{Config: config.Default().HTTP, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Ready: func(context.Context) error { return nil }, UI: routes(func(*echo.Echo) {}), Pages: pages{},
			API: routes(func(e *echo.Echo) {
				e.GET("/ip", func(c echo.Context) error { got = c.RealIP(); return nil })
			}),
			Static: fstest.MapFS{}, Sessions: noSessions{}, Users: noUsers{}, Cookie: "pct_session", TrustedProxies: c.proxies, Metrics: metrics.New()})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/ip", nil)
		req.RemoteAddr = c.peer
		req.Header.Set("X-Forwarded-For", c.xff)
		srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
		if got != c.want {
			t.Errorf("peer %s, XFF %q, trusted %v: %s, want %s", c.peer, c.xff, c.proxies, got, c.want)
		}
	}
}

// A throttled answer's Retry-After says the wait its message says, in
// JSON and on the error page alike: one rounding, errs'.
func TestThrottledAnswerSaysItsRetryAfter(t *testing.T) {
	url, _, _ := start(t, func(e *echo.Echo) {
		throttled := func(echo.Context) error { return errs.Throttled(90*time.Second+time.Millisecond, "too many tries") }
		e.GET("/api/v1/throttled", throttled)
		e.GET("/throttled", throttled)
	}, io.Discard)
	for _, path := range []string{"/api/v1/throttled", "/throttled"} {
		res, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "120" || !strings.Contains(string(body), "try again in 2 minutes") {
			t.Errorf("%s: %d, Retry-After %q, %s", path, res.StatusCode, res.Header.Get("Retry-After"), body)
		}
	}
}

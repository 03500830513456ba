package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusClientClosed is nginx's status for a request whose client hung up.
const statusClientClosed = 499

// headKey marks a HEAD request answered as GET.
const headKey = "pct.head"

// beforeRouting runs before the router: a client may not choose the id
// under which its request is logged (echo would otherwise reuse an
// incoming X-Request-Id); and HEAD, which echo routes nowhere but monitors
// and link checkers send, is routed as GET.
func beforeRouting(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Request().Header.Del(echo.HeaderXRequestID)
		if c.Request().Method == http.MethodHead {
			c.Request().Method = http.MethodGet
			c.Set(headKey, true)
		}
		return next(c)
	}
}

// headOnTheWire gives the handlers, once routed, a copy of the request that
// says GET, and makes the request net/http holds say HEAD again, so that
// net/http drops the body. Left as GET, the body would go on the wire after
// the header, and a kept-alive connection would read it as its next answer.
func headOnTheWire(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if head, _ := c.Get(headKey).(bool); head {
			r := c.Request()
			asGet := r.WithContext(r.Context())
			r.Method = http.MethodHead
			c.SetRequest(asGet)
		}
		return next(c)
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// requestLogger logs one line per request. Query strings are left out:
// they may carry tokens from emailed links.
func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogURIPath: true, LogLatency: true,
		LogRequestID: true, LogError: true, HandleError: true,
		Skipper: func(c echo.Context) bool { return unlogged(c.Request().URL.Path) },
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			route := c.Path() // the route's pattern: a bounded set of labels
			if route == "" || route == "/*" {
				route = "unmatched"
			}
			if head, _ := c.Get(headKey).(bool); head {
				v.Method = http.MethodHead // as it came, not as it was answered
			}
			// A client that hung up before the answer cancels the work it
			// asked for, which then fails: nothing is down, and nobody waits
			// for the answer. It is logged as nginx does, 499, not as a 5xx.
			if v.Status >= 500 && errors.Is(c.Request().Context().Err(), context.Canceled) {
				v.Status, v.Error = statusClientClosed, nil
			}
			s.logRequest(requestLine{r: c.Request(), id: v.RequestID, method: v.Method, path: v.URIPath, route: route,
				status: v.Status, latency: v.Latency, err: v.Error})
			return nil
		},
	})
}

// unlogged tells the paths whose requests are neither logged nor counted,
// whoever answers them: the health probe and the static assets, asked for
// all the time, would drown the lines that tell something.
func unlogged(path string) bool { return path == "/healthz" || strings.HasPrefix(path, "/static/") }

// requestLine is what the log and the counts tell of a request.
type requestLine struct {
	r                       *http.Request
	id, method, path, route string
	status                  int
	latency                 time.Duration
	err                     error
	front                   bool // answered by the front cache
}

// logRequest counts a request and logs its line: the one place that says
// what a request's line holds, for the answers of the router and of the
// front cache alike.
func (s *Server) logRequest(l requestLine) {
	s.metrics.HTTPRequest(l.method, l.route, l.status, l.latency)
	level := slog.LevelInfo
	switch {
	case l.status == http.StatusServiceUnavailable:
		level = slog.LevelWarn // a dependency is down: /readyz says so too
	case l.status >= 500:
		level = slog.LevelError
	}
	ctx := l.r.Context()
	if !s.logger.Enabled(ctx, level) {
		return // the line would be dropped: not built either
	}
	// Who asked: a refused or suspicious request is traced to a user id,
	// or to nobody signed in.
	who := "anonymous"
	if a, ok := user.ActorFrom(ctx); ok {
		who = strconv.FormatInt(a.UserID, 10)
	}
	attrs := []slog.Attr{
		slog.String("request_id", l.id), slog.String("method", l.method),
		slog.String("path", l.path), slog.Int("status", l.status),
		slog.Duration("latency", l.latency), slog.String("ip", s.echo.IPExtractor(l.r)),
		slog.String("user", who),
	}
	if l.front {
		attrs = append(attrs, slog.String("cache", "front"))
	}
	switch {
	case l.err != nil && l.status >= 500:
		attrs = append(attrs, slog.String("error", l.err.Error()))
	case l.err != nil && l.status >= 400:
		// Why a request was refused, as its caller was told: a CSRF
		// refusal reads apart from an authorization one, and a scan's bad
		// input reads as what it is, at info level. Never the cause, which
		// may quote a credential or internals; clipped, since a message
		// may quote the caller's input.
		attrs = append(attrs, slog.String("reason", clip(errs.MessageOf(l.err), 300)))
		if fields := errs.FieldsOf(l.err); len(fields) > 0 {
			attrs = append(attrs, slog.String("fields", clip(fieldList(fields), 300)))
		}
	}
	s.logger.LogAttrs(ctx, level, "request", attrs...)
}

// bodyLimit refuses a body over limit bytes with 413 before any handler
// sees it. A declared length is judged at once. A body of unknown length
// (chunked) is read here, up to the limit, so that no handler meets the
// limit halfway through its body: a CSV or form parser would report that as
// a bad file or a missing field, not as too large. Such a body is held in
// memory whole, as the JSON handlers hold theirs anyway; the limit bounds it.
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			switch {
			case r.ContentLength > limit:
				return echo.ErrStatusRequestEntityTooLarge
			case r.ContentLength >= 0 || r.Body == nil || r.Body == http.NoBody:
				// net/http reads no more than the declared length.
				return next(c)
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
			if err != nil {
				return errs.Wrap(errs.Malformed, err, "the request body could not be read")
			}
			if int64(len(body)) > limit {
				return echo.ErrStatusRequestEntityTooLarge
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			return next(c)
		}
	}
}

// fieldList writes field messages as "name: message; ...", sorted.
func fieldList(fields map[string]string) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		names[i] = name + ": " + fields[name]
	}
	return strings.Join(names, "; ")
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "..."
		}
		n--
	}
	return s
}

// securityHeaders sets the headers every response carries. Pages need no
// inline script or style, so the policy forbids both.
func securityHeaders(tls bool) echo.MiddlewareFunc {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	// Embeds are made to be framed by other sites, and only they.
	embedCSP := strings.Replace(csp, "frame-ancestors 'none'", "frame-ancestors *", 1)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			if embedded(c.Request().URL.Path) {
				h.Set("Content-Security-Policy", embedCSP)
			} else {
				h.Set("Content-Security-Policy", csp)
				h.Set("X-Frame-Options", "DENY")
			}
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if tls {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// embedded tells the paths other sites may frame (the embeds), and
// anonymous the paths answered the same to everyone, without a cookie
// (embeds and share cards): no session is read there, so none is cleared
// either.
func embedded(path string) bool { return strings.HasPrefix(path, "/embed/") }

func anonymous(path string) bool { return embedded(path) || strings.HasPrefix(path, "/cards/") }

// written calls fn for each request that may have changed data (any but
// GET, HEAD and OPTIONS, answered below 400), just before its answer goes
// out: the change is committed by then, and a client that reads the public
// pages as soon as it has the answer finds them looking again.
func written(fn func()) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
			default:
				res := c.Response()
				res.Before(func() {
					if res.Status < http.StatusBadRequest {
						fn()
					}
				})
			}
			return next(c)
		}
	}
}

package server

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cache"
)

// frontLimit bounds the answers the front cache keeps: the dashboard in a
// few cycles, two languages and three codings fit many times over.
const frontLimit = 32 << 20

// frontDoor answers a visitor from the front cache when it holds the
// answer to the same request, ahead of the router: a hit reads no session,
// no database, no template, and runs no middleware (echo builds its chain
// anew for each request, which on a flood of one page costs as much as
// the rest of the answer). What the router's middleware would add to such
// an answer is in the answer kept, but for the request's own id; its line
// is logged and counted like any other's.
//
// Only plain visitors' requests take part: GET (not HEAD), no cookie, no
// credentials, no condition (a revalidation goes the long way, which
// answers 304 cheaply) and no range. The answers come from front, below.
func (s *Server) frontDoor(next http.Handler) http.Handler {
	if !s.front.On() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !frontable(r) {
			next.ServeHTTP(w, r)
			return
		}
		k, ok := s.front.Get(frontKeyOf(r))
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		id := newRequestID()
		h := w.Header()
		for name, values := range k.Header {
			h[name] = values
		}
		h[echo.HeaderXRequestID] = []string{id}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(k.Body) // a client gone is no error of ours
		if !unlogged(r.URL.Path) {
			s.logRequest(requestLine{r: r, id: id, method: r.Method, path: r.URL.Path, route: k.Route,
				status: http.StatusOK, latency: time.Since(start), front: true})
		}
	})
}

// front keeps, for frontDoor, the public answers to the requests it could
// not answer. An answer is kept only when it is a 200 that a shared cache
// may keep (its handler said it is public, see cachePolicy), sets no
// cookie, and varies on nothing but what the key holds: what a CDN would
// keep for minutes, kept here for public_freshness. It runs after the
// request's id and log line are set up, and before everything else.
func front(f *cache.Front) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if head, _ := c.Get(headKey).(bool); head || !frontable(r) {
				return next(c)
			}
			gen := f.Generation()
			res := c.Response()
			rec := &recorder{ResponseWriter: res.Writer}
			res.Writer = rec
			err := next(c)
			res.Writer = rec.ResponseWriter
			if err == nil && rec.keep {
				f.Put(frontKeyOf(r), gen, c.Path(), rec.header, rec.body)
			}
			return err
		}
	}
}

// frontable tells whether a request may be answered from the front cache.
func frontable(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	for _, name := range []string{"Cookie", "Authorization", "If-None-Match", "If-Modified-Since", "If-Match",
		"If-Unmodified-Since", "If-Range", "Range"} {
		if _, ok := r.Header[name]; ok {
			return false
		}
	}
	return true
}

// frontKeyOf names a request by all a shared answer may vary on: its
// address, the coding it gets, its languages and the types it accepts.
func frontKeyOf(r *http.Request) string {
	return r.URL.RequestURI() + "\x00" + cache.Negotiate(r.Header.Get("Accept-Encoding")) + "\x00" +
		r.Header.Get("Accept-Language") + "\x00" + r.Header.Get("Accept")
}

// frontVaried are the request headers the key accounts for (Cookie: the
// request had none).
var frontVaried = map[string]bool{"accept-encoding": true, "accept-language": true, "accept": true, "cookie": true}

// keepable tells whether an answer's header lets every visitor with the
// same key have it.
func keepable(h http.Header) bool {
	if _, ok := h["Set-Cookie"]; ok {
		return false
	}
	public := false
	for _, d := range strings.Split(strings.ToLower(h.Get("Cache-Control")), ",") {
		switch strings.TrimSpace(d) {
		case "public":
			public = true
		case "private", "no-store", "no-cache", "s-maxage=0":
			return false
		}
	}
	if !public {
		return false
	}
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			if !frontVaried[strings.ToLower(strings.TrimSpace(name))] {
				return false
			}
		}
	}
	return true
}

// frontMaxAnswer bounds an answer the front cache copies: the
// dashboard's are far smaller; a long export is not copied as it streams.
const frontMaxAnswer = 2 << 20

// recorder copies, as it passes, an answer the front cache may keep: a
// 200 that may be kept, with its header as sent (the request's id left
// out) and its body. Any other answer passes without a copy.
type recorder struct {
	http.ResponseWriter
	decided bool
	keep    bool
	header  http.Header
	body    []byte
}

func (w *recorder) WriteHeader(status int) {
	if !w.decided {
		w.decided = true
		if status == http.StatusOK && keepable(w.Header()) {
			w.header = w.Header().Clone()
			w.header.Del(echo.HeaderXRequestID)
			w.keep = true
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.keep {
		if len(w.body)+len(b) > frontMaxAnswer {
			w.keep, w.body = false, nil
		} else {
			w.body = append(w.body, b...)
		}
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends what is held back: a streamed answer is not one the cache
// keeps.
func (w *recorder) Flush() {
	w.keep = false
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.keep = false
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

package server

import (
	"bufio"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cache"
)

// frontLimit bounds the answers the front cache keeps: the dashboard in a
// few cycles, two languages and three codings fit many times over.
const frontLimit = 32 << 20

// front answers a visitor from the front cache when it holds the answer
// to the same request, and keeps the public answers. It runs after the
// request's id and log line are set up, so that an answer from it is
// logged and counted like any other, and before everything else: a hit
// reads no session, no database, no template.
//
// Only plain visitors' requests take part: GET (not HEAD), no cookie, no
// credentials, no condition (a revalidation goes the long way, which
// answers 304 cheaply) and no range. An answer is kept only when it is a
// 200 that a shared cache may keep (its handler said it is public, see
// cachePolicy), sets no cookie, and varies on nothing but what the key
// holds: what a CDN would keep for minutes, kept here for
// public_freshness.
func front(f *cache.Front) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if head, _ := c.Get(headKey).(bool); head || !frontable(r) {
				return next(c)
			}
			key := frontKeyOf(r)
			res := c.Response()
			if k, ok := f.Get(key); ok {
				c.Set(frontHitKey, true)
				h := res.Header()
				for name, values := range k.Header {
					h[name] = values
				}
				res.WriteHeader(http.StatusOK)
				_, err := res.Write(k.Body)
				return err
			}
			gen := f.Generation()
			rec := &recorder{ResponseWriter: res.Writer}
			res.Writer = rec
			err := next(c)
			res.Writer = rec.ResponseWriter
			if err == nil && rec.keep {
				f.Put(key, gen, rec.header, rec.body)
			}
			return err
		}
	}
}

// frontHitKey marks, for the request's log line, an answer the front
// cache gave.
const frontHitKey = "front_hit"

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

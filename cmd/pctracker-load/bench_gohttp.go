package main

// The stack's ceilings: Go's own net/http serving the same bytes as nginx,
// from memory, with nothing else to do, once with a static server's few
// headers and once with all of pctracker's. pctracker runs on net/http, so
// it cannot answer faster than the second; the ratios of the two to nginx
// tell how much of a gap to nginx is the language's, how much the
// headers' and how much pctracker's own.

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// goStatic serves the copies of the two dashboards, plain and gzip.
type goStatic struct {
	srv  *http.Server
	base string
}

// goCopy is one answer as goStatic sends it.
type goCopy struct {
	header    http.Header // pctracker's, when goStatic sends it
	ctype     string
	plain, gz []byte
	plainLen  string
	gzLen     string
}

// startGoStatic serves the answers from memory with the headers a static
// server sends (type, length, coding) or, withHeaders, with every header
// pctracker sent with them as well (its security policy, cache rules and
// keys, the request id), so that the cost of those headers on net/http
// reads apart from pctracker's own.
func startGoStatic(withHeaders bool, answers ...answer) (*goStatic, error) {
	copies := map[string]goCopy{}
	for _, a := range answers {
		gz, err := gzipped(a.body)
		if err != nil {
			return nil, err
		}
		c := goCopy{ctype: a.ctype, plain: a.body, gz: gz, plainLen: strconv.Itoa(len(a.body)), gzLen: strconv.Itoa(len(gz))}
		if withHeaders {
			c.header = a.header.Clone()
			for _, name := range []string{"Date", "Content-Length", "Content-Encoding"} {
				c.header.Del(name) // net/http's own, or set for each coding below
			}
		}
		copies[a.path] = c
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := copies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for name, values := range c.header {
			h[name] = values
		}
		h.Set("Content-Type", c.ctype)
		body, n := c.plain, c.plainLen
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			body, n = c.gz, c.gzLen
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Content-Length", n)
		_, _ = w.Write(body)
	})
	g := &goStatic{srv: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}, base: "http://" + ln.Addr().String()}
	go func() {
		if err := g.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return g, nil
}

func (g *goStatic) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = g.srv.Shutdown(ctx)
}

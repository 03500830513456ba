package main

// The stack's ceiling: Go's own net/http serving the same bytes as nginx,
// from memory, with nothing else to do. pctracker runs on net/http, so it
// cannot answer faster than this; the ratio of this server to nginx tells
// how much of a gap to nginx is the language's and how much pctracker's.

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
	ctype     string
	plain, gz []byte
	plainLen  string
	gzLen     string
}

func startGoStatic(answers ...answer) (*goStatic, error) {
	copies := map[string]goCopy{}
	for _, a := range answers {
		gz, err := gzipped(a.body)
		if err != nil {
			return nil, err
		}
		copies[a.path] = goCopy{ctype: a.ctype, plain: a.body, gz: gz, plainLen: strconv.Itoa(len(a.body)), gzLen: strconv.Itoa(len(gz))}
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

package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The ratio to nginx holds only when nginx sends pctracker's very bytes:
// other bytes stop the comparison, another Content-Type is only said.
func TestSameBytes(t *testing.T) {
	page := []byte("<!doctype html><title>Dashboard</title>")
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	}))
	defer site.Close()
	for _, c := range []struct {
		name  string
		a     answer
		fails bool
		said  string
	}{
		{"same bytes, same type", answer{path: "/", accept: acceptHTML, body: page, ctype: "TEXT/HTML"}, false, ""},
		{"same bytes, other type", answer{path: "/", accept: acceptHTML, body: page, ctype: "text/html; charset=utf-8"}, false, "nginx labels /"},
		{"other bytes", answer{path: "/", accept: acceptHTML, body: append([]byte(nil), page[1:]...), ctype: "text/html"}, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var log bytes.Buffer
			b := &bench{log: &log}
			err := b.sameBytes(context.Background(), site.URL, c.a)
			if (err != nil) != c.fails {
				t.Errorf("error %v, want failure %t", err, c.fails)
			}
			if !strings.Contains(log.String(), c.said) || (c.said == "" && log.Len() > 0) {
				t.Errorf("said %q, want %q", log.String(), c.said)
			}
		})
	}
}

func TestLines(t *testing.T) {
	for _, c := range []struct {
		in, first, last2 string
	}{
		{"", "", ""},
		{"  one  ", "one", "one"},
		{"\n one\n\n two \nthree\n\n", "one", "two | three"},
	} {
		if got := firstLine(c.in); got != c.first {
			t.Errorf("firstLine(%q) = %q, want %q", c.in, got, c.first)
		}
		if got := lastLines(c.in, 2); got != c.last2 {
			t.Errorf("lastLines(%q, 2) = %q, want %q", c.in, got, c.last2)
		}
	}
}

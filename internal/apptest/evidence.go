package apptest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// EvidenceSite serves evidence pages, one of them hostile: its script
// would rename the page and call back, and the site counts the calls.
type EvidenceSite struct {
	*httptest.Server
	Callbacks atomic.Int64
	Gone      atomic.Bool // the PDF is no longer served
}

const hostilePage = `<!doctype html><html><head><title>Decree</title></head><body><h1>Decree 2026-114</h1>
<script>document.title = "pwned"; fetch("CALLBACK/script");</script>
<img src="CALLBACK/img" alt=""><iframe src="CALLBACK/frame"></iframe></body></html>`

// NewEvidenceSite starts the site; it stops when the test ends.
func NewEvidenceSite(t *testing.T) *EvidenceSite {
	t.Helper()
	s := &EvidenceSite{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/callback"):
			s.Callbacks.Add(1)
		case r.URL.Path == "/decree.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, strings.ReplaceAll(hostilePage, "CALLBACK", s.URL+"/callback"))
		case r.URL.Path == "/report.pdf" && s.Gone.Load():
			http.NotFound(w, r)
		case r.URL.Path == "/report.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, "%PDF-1.4 a small report")
		}
	}))
	t.Cleanup(s.Close)
	return s
}

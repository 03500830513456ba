package server_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// TestFingerprintedAssets (issue 21.2): pages link to static files by
// names that carry their content hash, cached for a year; the plain names
// still answer, cached for an hour; text assets go out precompressed.
func TestFingerprintedAssets(t *testing.T) {
	db := testutil.NewDB(t, "sqlite") // assets do not depend on the engine
	ts := apptest.StartServer(t, db)
	home := fetchRaw(t, "GET", ts.URL+"/")
	links := regexp.MustCompile(`/static/(css/app|favicon)\.([0-9a-f]{8,})\.(css|svg)`).FindAllStringSubmatch(string(home.body), -1)
	if len(links) < 2 {
		t.Fatalf("the page links to %v, want the stylesheet and the icon by fingerprinted names", links)
	}
	for _, l := range links {
		hashed, plain := l[0], "/static/"+l[1]+"."+l[3]
		identity := fetchRaw(t, "GET", ts.URL+hashed)
		if identity.status != 200 || identity.header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
			identity.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: %d, Cache-Control %q, Content-Encoding %q", hashed, identity.status, identity.header.Get("Cache-Control"),
				identity.header.Get("Content-Encoding"))
		}
		old := fetchRaw(t, "GET", ts.URL+plain)
		if old.status != 200 || old.header.Get("Cache-Control") != "public, max-age=3600" || !bytes.Equal(old.body, identity.body) {
			t.Errorf("%s: %d, Cache-Control %q, same bytes %v", plain, old.status, old.header.Get("Cache-Control"), bytes.Equal(old.body, identity.body))
		}
		for _, enc := range []string{"gzip", "br"} {
			r := fetchRaw(t, "GET", ts.URL+hashed, "Accept-Encoding", enc)
			tag := r.header.Get("ETag")
			if r.status != 200 || r.header.Get("Content-Encoding") != enc || !bytes.Equal(decoded(t, r), identity.body) ||
				!strings.Contains(r.header.Get("Vary"), "Accept-Encoding") || tag == identity.header.Get("ETag") || len(r.body) >= len(identity.body) {
				t.Errorf("%s in %s: %d %q, %d bytes for %d, ETag %s (identity %s)", hashed, enc, r.status, r.header.Get("Content-Encoding"),
					len(r.body), len(identity.body), tag, identity.header.Get("ETag"))
			}
			if again := fetchRaw(t, "GET", ts.URL+hashed, "Accept-Encoding", enc, "If-None-Match", tag); again.status != 304 {
				t.Errorf("%s in %s revalidated: %d", hashed, enc, again.status)
			}
			if head := fetchRaw(t, "HEAD", ts.URL+hashed, "Accept-Encoding", enc); head.status != 200 || len(head.body) != 0 ||
				head.header.Get("Content-Length") != r.header.Get("Content-Length") || head.header.Get("Content-Encoding") != enc {
				t.Errorf("HEAD %s in %s: %d, length %q (GET %q)", hashed, enc, head.status, head.header.Get("Content-Length"), r.header.Get("Content-Length"))
			}
		}
	}
	for _, bad := range []string{"/static/css/app.0123456789.css", "/static/css/", "/static/css/app..css"} {
		if r := fetchRaw(t, "GET", ts.URL+bad); r.status != 404 {
			t.Errorf("%s: %d, want 404", bad, r.status)
		}
	}
}

package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// raw is an answer as it came on the wire, not decompressed.
type raw struct {
	status int
	header http.Header
	body   []byte
}

// fetchRaw sends a request with header pairs and reads the answer's bytes
// as they came: the client neither asks for nor undoes a compression.
func fetchRaw(t *testing.T, method, url string, header ...string) raw {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	apptest.SetHeader(req, header...)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Header.Values("Vary")); n > 1 {
		t.Errorf("%s %s %v: %d Vary headers %q, want one", method, url, header, n, res.Header.Values("Vary"))
	}
	return raw{status: res.StatusCode, header: res.Header, body: b}
}

// decoded returns the body of r without its content coding.
func decoded(t *testing.T, r raw) []byte {
	t.Helper()
	var rd io.Reader = bytes.NewReader(r.body)
	switch r.header.Get("Content-Encoding") {
	case "":
		return r.body
	case "gzip":
		z, err := gzip.NewReader(rd)
		if err != nil {
			t.Fatal(err)
		}
		rd = z
	case "br":
		rd = brotli.NewReader(rd)
	default:
		t.Fatalf("unknown Content-Encoding %q", r.header.Get("Content-Encoding"))
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("%s body: %v", r.header.Get("Content-Encoding"), err)
	}
	return b
}

// TestCompressedAnswers (issue 21.2): the public answers kept for visitors
// go out in the coding the client prefers, each coding with its own tag;
// other text answers are compressed as they go, above a kilobyte; Vary is
// one header.
func TestCompressedAnswers(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		for _, path := range []string{"/", "/api/v1/dashboard?cycle=2025", "/?cycle=2025&lang=fr"} {
			t.Run(path, func(t *testing.T) { checkCodings(t, sc.TS+path) })
		}

		t.Run("on the fly", func(t *testing.T) {
			r := fetchRaw(t, "GET", sc.TS+"/about", "Accept-Encoding", "gzip")
			if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("/about with gzip: %d %q, Vary %q", r.status, r.header.Get("Content-Encoding"), r.header.Get("Vary"))
			}
			plain := fetchRaw(t, "GET", sc.TS+"/about")
			if !bytes.Equal(decoded(t, r), plain.body) || plain.header.Get("Content-Encoding") != "" {
				t.Error("/about: the gzip answer is not the plain one compressed")
			}
			br := fetchRaw(t, "GET", sc.TS+"/about", "Accept-Encoding", "br")
			if br.header.Get("Content-Encoding") != "br" || !bytes.Equal(decoded(t, br), plain.body) {
				t.Errorf("/about with br: %q", br.header.Get("Content-Encoding"))
			}
			small := fetchRaw(t, "GET", sc.TS+"/healthz", "Accept-Encoding", "gzip")
			if small.header.Get("Content-Encoding") != "" {
				t.Errorf("a %d-byte answer was compressed", len(small.body))
			}
			png := fetchRaw(t, "GET", sc.TS+"/favicon.ico", "Accept-Encoding", "gzip")
			if png.header.Get("Content-Encoding") != "" && !strings.HasPrefix(png.header.Get("Content-Type"), "image/svg") {
				t.Errorf("an image (%s) was compressed", png.header.Get("Content-Type"))
			}
		})
	})
}

// checkCodings asks url in each coding and checks the answer's coding, its
// bytes, its tag and its revalidation, for GET and HEAD.
func checkCodings(t *testing.T, url string) {
	plain := fetchRaw(t, "GET", url)
	if plain.status != 200 || plain.header.Get("Content-Encoding") != "" || len(plain.body) < 1024 {
		t.Fatalf("identity: %d %q, %d bytes", plain.status, plain.header.Get("Content-Encoding"), len(plain.body))
	}
	base := plain.header.Get("ETag")
	cases := []struct {
		accept, want, tag string
	}{
		{"gzip", "gzip", "-gz"},
		{"gzip, deflate, br", "br", "-br"},
		{"br;q=0.5, gzip", "gzip", "-gz"},
		{"br;q=0, gzip;q=0.1", "gzip", "-gz"},
		{"*", "br", "-br"},
		{"identity", "", ""},
		{"gzip;q=0, br;q=0", "", ""},
		{"deflate", "", ""},
	}
	for _, c := range cases {
		r := fetchRaw(t, "GET", url, "Accept-Encoding", c.accept)
		wantTag := strings.TrimSuffix(base, `"`) + c.tag + `"`
		switch {
		case r.status != 200:
			t.Errorf("%q: status %d", c.accept, r.status)
		case r.header.Get("Content-Encoding") != c.want:
			t.Errorf("%q: Content-Encoding %q, want %q", c.accept, r.header.Get("Content-Encoding"), c.want)
		case r.header.Get("ETag") != wantTag:
			t.Errorf("%q: ETag %s, want %s", c.accept, r.header.Get("ETag"), wantTag)
		case !bytes.Equal(decoded(t, r), plain.body):
			t.Errorf("%q: the body differs from the identity one once decoded", c.accept)
		case !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") || !strings.Contains(r.header.Get("Vary"), "Accept-Language"):
			t.Errorf("%q: Vary %q", c.accept, r.header.Get("Vary"))
		case c.want != "" && len(r.body) >= len(plain.body)/2:
			t.Errorf("%q: %d bytes for %d", c.accept, len(r.body), len(plain.body))
		}
		if r.header.Get("Content-Length") != "" && r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
			t.Errorf("%q: Content-Length %s for %d bytes", c.accept, r.header.Get("Content-Length"), len(r.body))
		}
		head := fetchRaw(t, "HEAD", url, "Accept-Encoding", c.accept)
		if head.status != 200 || len(head.body) != 0 || head.header.Get("Content-Encoding") != c.want ||
			head.header.Get("ETag") != wantTag || head.header.Get("Content-Length") != r.header.Get("Content-Length") {
			t.Errorf("HEAD %q: %d, %d bytes, %q, %s, length %q (GET: %q)", c.accept, head.status, len(head.body),
				head.header.Get("Content-Encoding"), head.header.Get("ETag"), head.header.Get("Content-Length"), r.header.Get("Content-Length"))
		}
		// The tag revalidates in its own coding only: a client holding
		// the gzip bytes may not be told it holds the brotli ones.
		if again := fetchRaw(t, "GET", url, "Accept-Encoding", c.accept, "If-None-Match", wantTag); again.status != 304 || len(again.body) != 0 ||
			again.header.Get("ETag") != wantTag {
			t.Errorf("%q revalidated with its tag: %d %s", c.accept, again.status, again.header.Get("ETag"))
		}
		if c.want != "" {
			if other := fetchRaw(t, "GET", url, "If-None-Match", wantTag); other.status != 200 {
				t.Errorf("the %s tag revalidated an identity answer: %d", c.want, other.status)
			}
		}
	}
}

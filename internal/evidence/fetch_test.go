package evidence_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/evidence"
)

// counting is a local server that counts the requests it gets.
type counting struct {
	*httptest.Server
	n atomic.Int64
}

func serve(t *testing.T, h http.HandlerFunc) *counting {
	t.Helper()
	c := &counting{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		h(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

func hostport(t *testing.T, s *counting) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// With the default settings, no link reaches this machine, whatever form
// its address takes: each is refused before any connection is made.
func TestRefusesNonPublicAddresses(t *testing.T) {
	target := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") })
	_, port, _ := net.SplitHostPort(hostport(t, target))
	// A second server on IPv6 loopback, where the machine has one.
	var v6 *counting
	if ln, err := net.Listen("tcp", "[::1]:0"); err == nil {
		v6 = &counting{}
		v6.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { v6.n.Add(1) }))
		v6.Listener.Close()
		v6.Listener = ln
		v6.Start()
		t.Cleanup(v6.Close)
	}
	f := evidence.NewFetcher(evidence.FetchOptions{UserAgent: "pctracker-test"})
	links := []string{
		"http://127.0.0.1:" + port + "/",
		"http://localhost:" + port + "/",
		"http://2130706433:" + port + "/",
		"http://0x7f.1:" + port + "/",
		"http://0177.0.0.1:" + port + "/",
		"http://127.1:" + port + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://[::ffff:7f00:1]:" + port + "/",
		"http://0.0.0.0:" + port + "/",
	}
	if v6 != nil {
		_, p6, _ := net.SplitHostPort(strings.TrimPrefix(v6.URL, "http://"))
		links = append(links, "http://[::1]:"+p6+"/")
	}
	for _, link := range links {
		got := f.Get(context.Background(), link)
		if !errors.Is(got.Err, evidence.ErrRefused) || got.Status != 0 {
			t.Errorf("%s: %d %v, want refused", link, got.Status, got.Err)
		}
	}
	if n := target.n.Load(); n != 0 {
		t.Errorf("the local server got %d requests", n)
	}
	if v6 != nil && v6.n.Load() != 0 {
		t.Errorf("the IPv6 loopback server got %d requests", v6.n.Load())
	}
}

// An allowed server may not lead the fetcher elsewhere on this machine: a
// redirect is checked as a link of its own.
func TestRefusesRedirectsToNonPublicAddresses(t *testing.T) {
	inside := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") })
	outside := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inside.URL+"/admin", http.StatusFound)
	})
	f := evidence.NewFetcher(evidence.FetchOptions{AllowHosts: []string{hostport(t, outside)}})
	got := f.Get(context.Background(), outside.URL+"/evidence")
	if !errors.Is(got.Err, evidence.ErrRefused) {
		t.Errorf("a redirect to %s: %v, want refused", inside.URL, got.Err)
	}
	if outside.n.Load() != 1 || inside.n.Load() != 0 {
		t.Errorf("requests: %d to the allowed server, %d to the other, want 1 and 0", outside.n.Load(), inside.n.Load())
	}
}

// An allowed server is fetched whole: status, final address, type, body
// and its hash; redirects are followed up to the limit.
func TestFetch(t *testing.T) {
	var hops atomic.Int64
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/page", http.StatusMovedPermanently)
		case "/page":
			if ua := r.Header.Get("User-Agent"); !strings.Contains(ua, "pctracker") {
				http.Error(w, "who are you", http.StatusForbidden)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<h1>Decree</h1>")
		case "/loop":
			hops.Add(1)
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/gone":
			http.NotFound(w, r)
		}
	})
	f := evidence.NewFetcher(evidence.FetchOptions{UserAgent: "pctracker (+http://pct.test)", AllowHosts: []string{hostport(t, s)}})
	got := f.Get(context.Background(), s.URL+"/moved")
	sum := sha256.Sum256([]byte("<h1>Decree</h1>"))
	if got.Err != nil || got.Status != 200 || got.FinalURL != s.URL+"/page" || got.SHA256 != hex.EncodeToString(sum[:]) ||
		!strings.HasPrefix(got.ContentType, "text/html") || string(got.Body) != "<h1>Decree</h1>" {
		t.Errorf("fetch: %+v", got)
	}
	if got := f.Get(context.Background(), s.URL+"/gone"); got.Err != nil || got.Status != 404 {
		t.Errorf("a missing page: %d %v", got.Status, got.Err)
	}
	if got := f.Get(context.Background(), s.URL+"/loop"); got.Err == nil || !strings.Contains(got.Err.Error(), "redirects") || hops.Load() != 6 {
		t.Errorf("a redirect loop: %v after %d requests, want refused after 6", got.Err, hops.Load())
	}
	for _, link := range []string{"file:///etc/passwd", "ftp://example.org/", "gopher://example.org/", "http://"} {
		if got := f.Get(context.Background(), link); got.Err == nil {
			t.Errorf("%s: fetched", link)
		}
	}
}

// A body over the cap is refused, announced or not; a server that hangs
// does not hold the fetch past its time limit.
func TestFetchLimits(t *testing.T) {
	release := make(chan struct{})
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Header().Set("Content-Length", "5000")
			w.Write(make([]byte, 5000))
		case "/chunked":
			for i := 0; i < 50; i++ { // no Content-Length: written in pieces
				w.Write(make([]byte, 100))
				w.(http.Flusher).Flush()
			}
		case "/hang":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			<-release // the body never comes while the test holds it
		case "/silent":
			<-release // not even the headers
		}
	})
	defer close(release)
	f := evidence.NewFetcher(evidence.FetchOptions{MaxBytes: 1000, Timeout: 300 * time.Millisecond, AllowHosts: []string{hostport(t, s)}})
	// A body over the cap answers: it is read through for its hash, and
	// not kept.
	sum := sha256.Sum256(make([]byte, 5000))
	for _, path := range []string{"/big", "/chunked"} {
		got := f.Get(context.Background(), s.URL+path)
		if got.Err != nil || !got.TooLarge || got.Body != nil || got.Size != 5000 || got.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: %v, too large %v, %d bytes kept, size %d", path, got.Err, got.TooLarge, len(got.Body), got.Size)
		}
	}
	// The server holds these requests until the test ends: a fetch that
	// returns has given up on its own, at its time limit.
	for _, path := range []string{"/hang", "/silent"} {
		got := f.Get(context.Background(), s.URL+path)
		if !errors.Is(got.Err, context.DeadlineExceeded) && !strings.Contains(fmt.Sprint(got.Err), "timeout") {
			t.Errorf("%s: %v, want the time limit", path, got.Err)
		}
	}
}

// No more fetches run at once to one host than allowed.
func TestFetchConcurrencyPerHost(t *testing.T) {
	var inFlight, most atomic.Int64
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(30 * time.Millisecond) // long enough for the others to pile up, if they could
		fmt.Fprint(w, "ok")
	})
	f := evidence.NewFetcher(evidence.FetchOptions{PerHost: 2, Concurrency: 8, AllowHosts: []string{hostport(t, s)}})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); f.Get(context.Background(), s.URL+"/") }()
	}
	wg.Wait()
	if m := most.Load(); m > 2 || s.n.Load() != 10 {
		t.Errorf("%d requests, at most %d at once, want 10 and at most 2", s.n.Load(), m)
	}
}

func TestPublic(t *testing.T) {
	for _, tc := range []struct {
		ip     string
		public bool
	}{
		{"93.184.215.14", true}, {"2606:2800:21f:cb07:6820:80da:af6b:8b2c", true}, {"8.8.8.8", true},
		{"127.0.0.1", false}, {"127.255.0.9", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"100.64.0.1", false}, {"0.0.0.0", false}, {"224.0.0.1", false}, {"255.255.255.255", false},
		{"192.0.2.1", false}, {"198.18.0.1", false}, {"240.0.0.1", false},
		{"::1", false}, {"::", false}, {"fe80::1", false}, {"fc00::1", false}, {"fd12:3456::1", false}, {"ff02::1", false},
		{"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"64:ff9b::7f00:1", false}, {"2001:db8::1", false},
		{"2002:7f00:1::", false}, {"::7f00:1", false}, {"::ffff:0:7f00:1", false}, {"::2", false}, {"fec0::1", false},
	} {
		if got := evidence.Public(netip.MustParseAddr(tc.ip)); got != tc.public {
			t.Errorf("%s: public %v, want %v", tc.ip, got, tc.public)
		}
	}
}

// A link that answers is checked again between 0.9 and 1.1 periods later,
// the same for the same link; links checked together drift apart; one that
// failed comes back after half a period.
func TestNextCheck(t *testing.T) {
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	seen := map[time.Time]bool{}
	for i := 0; i < 50; i++ {
		l := evidence.Link{ActionID: int64(i), URL: fmt.Sprintf("https://example.org/%d", i), State: evidence.Pending}
		ok, _ := evidence.Next(l, evidence.Fetch{Status: 200, SHA256: "x"}, at, week)
		if d := ok.NextCheckAt.Sub(at); d < week*9/10 || d > week*11/10 {
			t.Errorf("link %d: next check after %s", i, d)
		}
		again, _ := evidence.Next(l, evidence.Fetch{Status: 200, SHA256: "x"}, at, week)
		if !again.NextCheckAt.Equal(ok.NextCheckAt) {
			t.Errorf("link %d: not the same place twice", i)
		}
		seen[ok.NextCheckAt] = true
		failed, _ := evidence.Next(l, evidence.Fetch{Status: 500}, at, week)
		if d := failed.NextCheckAt.Sub(at); d != week/2 {
			t.Errorf("link %d after a failure: %s", i, d)
		}
	}
	if len(seen) < 45 {
		t.Errorf("50 links checked together come due at %d distinct times", len(seen))
	}
}

package cache_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/pctracker/pctracker/internal/cache"
)

func TestBytes(t *testing.T) {
	c := cache.New(10)
	c.Put("a", []byte("12345"))
	c.Put("b", []byte("678"))
	if b, ok := c.Get("a"); !ok || string(b) != "12345" {
		t.Errorf("a: %q %v", b, ok)
	}
	c.Put("c", []byte("9999")) // 12 bytes in all: over the bound, so a fresh start
	if _, ok := c.Get("a"); ok {
		t.Error("the cache outgrew its bound")
	}
	if b, ok := c.Get("c"); !ok || string(b) != "9999" {
		t.Errorf("c: %q %v", b, ok)
	}
	c.Put("big", make([]byte, 11)) // never kept
	if _, ok := c.Get("big"); ok {
		t.Error("an answer larger than the whole cache was kept")
	}
	if _, ok := c.Get("missing"); ok {
		t.Error("a missing key was found")
	}
}

// Negotiate reads Accept-Encoding as RFC 9110 says: weights, a wildcard,
// refusals (q=0), and identity when nothing else is acceptable.
func TestNegotiate(t *testing.T) {
	for accept, want := range map[string]string{
		"":                          "",
		"identity":                  "",
		"gzip":                      "gzip",
		"GZIP":                      "gzip",
		"x-gzip":                    "gzip",
		"gzip, deflate, br, zstd":   "br",
		"br;q=0.5, gzip":            "gzip",
		"br;q=0.5, gzip;q=0.4":      "br",
		"br;q=0, gzip;q=0":          "",
		"*":                         "br",
		"*;q=0.1, br;q=0":           "gzip",
		"gzip;q=bad, br;q=2":        "",
		"deflate, compress":         "",
		" br ; q=1 , gzip ; q=0.9 ": "br",
	} {
		if got := cache.Negotiate(accept); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", accept, got, want)
		}
	}
}

// An answer is built once however many ask for it at once, and kept with
// its compressed forms.
func TestAnswersBuildOnce(t *testing.T) {
	c := cache.NewAnswers(1 << 20)
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := c.Build("k", "text/plain", func() ([]byte, error) {
				builds.Add(1)
				<-release
				return bytes.Repeat([]byte("pctracker "), 200), nil
			})
			if err != nil || len(a.Identity) != 2000 || len(a.Gzip) == 0 || len(a.Brotli) == 0 || len(a.Gzip) >= 2000 {
				t.Errorf("answer: %v, %d/%d/%d bytes", err, len(a.Identity), len(a.Gzip), len(a.Brotli))
			}
		}()
	}
	close(release)
	wg.Wait()
	if _, ok := c.Get("k"); !ok || builds.Load() != 1 {
		t.Fatalf("not kept (%d builds)", builds.Load())
	}
	before := builds.Load()
	if _, err := c.Build("k", "text/plain", func() ([]byte, error) { builds.Add(1); return nil, nil }); err != nil || builds.Load() != before {
		t.Errorf("a kept answer was built again")
	}
}

// An answer is compressed once per version of the data, so its memory
// counts on Forum day: the brotli encoder's tables must not weigh tens of
// megabytes for a page of tens of kilobytes. Both codings read back whole.
func TestNewAnswerIsLight(t *testing.T) {
	var page bytes.Buffer
	for i := 0; page.Len() < 80<<10; i++ {
		fmt.Fprintf(&page, "<tr><td>Recommendation %d</td><td>%d actions</td><td>%d%%</td></tr>\n", i%12+1, i*7%113, i*13%100)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a, err := cache.NewAnswer("text/html", page.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if mb := float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20); mb > 8 {
		t.Errorf("compressing an answer of %d KB took %.1f MB", page.Len()>>10, mb)
	}
	br, err := io.ReadAll(brotli.NewReader(bytes.NewReader(a.Brotli)))
	if err != nil || !bytes.Equal(br, page.Bytes()) {
		t.Errorf("brotli reads back %d bytes, %v", len(br), err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	gz, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(gz, page.Bytes()) {
		t.Errorf("gzip reads back %d bytes, %v", len(gz), err)
	}
	if len(a.Brotli) >= len(a.Gzip) || len(a.Gzip) >= page.Len()/4 {
		t.Errorf("compressed: brotli %d, gzip %d of %d bytes", len(a.Brotli), len(a.Gzip), page.Len())
	}
}

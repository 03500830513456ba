package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is stdout written by the demo while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var demoRunning = regexp.MustCompile(`pctracker demo is running at (http://\S+)/`)

// runDemoUntilUp starts the demo as a person would, waits for its welcome,
// and answers the address it says it runs at and its feed.
func runDemoUntilUp(t *testing.T, env map[string]string, args ...string) (at, feed string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"demo", "--data-dir", t.TempDir()}, args...), func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the demo did not stop")
		}
	})
	deadline := time.Now().Add(4 * time.Minute)
	for {
		if m := demoRunning.FindStringSubmatch(out.String()); m != nil {
			at = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("the demo ended with %d: %s %s", code, out.String(), errOut.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not start: %s %s", out.String(), errOut.String())
		}
	}
	res, err := http.Get(at + "/feed.atom")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("feed: %d", res.StatusCode)
	}
	return at, string(b)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The demo's links lead to the demo: they follow the address it listens on
// (--addr, or PCT_HTTP_ADDR as serve reads it) unless a base URL is given.
func TestDemoLinksFollowItsAddress(t *testing.T) {
	t.Run("addr flag", func(t *testing.T) {
		at, feed := runDemoUntilUp(t, nil, "--addr", "localhost:0")
		if strings.HasSuffix(at, ":8080") || !strings.Contains(feed, `<link href="`+at+`/feed.atom" rel="self">`) ||
			!strings.Contains(feed, "<id>"+at+"/actions/") || strings.Contains(feed, "localhost:8080") {
			t.Errorf("the demo at %s has a feed of other links:\n%.600s", at, feed)
		}
	})
	t.Run("env addr and base url flag", func(t *testing.T) {
		addr := freeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		at, feed := runDemoUntilUp(t, map[string]string{"PCT_HTTP_ADDR": addr}, "--base-url", "https://demo.example")
		if at != "http://localhost:"+port {
			t.Errorf("PCT_HTTP_ADDR=%s, the demo runs at %s", addr, at)
		}
		if !strings.Contains(feed, `<link href="https://demo.example/feed.atom" rel="self">`) || strings.Contains(feed, "localhost") {
			t.Errorf("the feed does not follow --base-url:\n%.600s", feed)
		}
	})
}

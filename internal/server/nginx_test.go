package server_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// startNginx runs nginx with configs/nginx-cache.conf in front of the
// server at upstream (host:port), both on loopback, and returns its base
// URL. Only the addresses and the folders it writes to are changed.
func startNginx(t *testing.T, upstream string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx is not installed (apt-get install nginx-light)")
		}
		t.Skip("nginx is not installed")
	}
	conf, err := os.ReadFile("../../configs/nginx-cache.conf")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	text := string(conf)
	for _, r := range [][2]string{
		{"server app:8080;", "server " + upstream + ";"},
		{"listen 80;", "listen " + addr + ";"},
		{"/var/cache/nginx/", dir + "/"},
		{"pid /tmp/nginx-pctracker.pid;", "pid " + dir + "/nginx.pid;"},
		{"error_log /dev/stderr warn;", "error_log " + dir + "/error.log warn;"},
		// As root, nginx would run its workers as nobody, who may not
		// write to the test's folder.
		{"user nginx;", userDirective()},
		{"worker_processes auto;", "worker_processes 1;"},
	} {
		if !strings.Contains(text, r[0]) {
			t.Fatalf("configs/nginx-cache.conf has no %q", r[0])
		}
		text = strings.ReplaceAll(text, r[0], r[1])
	}
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-c", path, "-p", dir, "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		<-exited
	})
	// Wait until it listens, or ends.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx ended: %v\n%s\n%s", err, out.String(), log)
		case <-ctx.Done():
			t.Fatal("nginx did not listen")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestNginxCache (issue 21.2): behind configs/nginx-cache.conf a public
// answer is fetched once and then served from the cache, per coding;
// answers to someone signed in, and answers that set a cookie, are never
// kept nor served from it.
func TestNginxCache(t *testing.T) {
	db := testutil.NewDB(t, "sqlite") // the cache does not depend on the engine
	s := testutil.NewServices(db)
	ts, _ := apptest.StartServerWith(t, db, s.Clock.Now, nil, func(cfg *config.Config) { cfg.HTTP.PublicFreshness = 0 })
	org := s.Stakeholder(t, stakeholder.State)
	s.Accepted(t, org, s.Cycle(t, 2025), testutil.ActionInput())
	ctx := context.Background()
	if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@nginx.example", Name: `action="/signout"`, Role: user.Supporter,
		StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	front := startNginx(t, strings.TrimPrefix(ts.URL, "http://"))
	status := func(r raw) string { return r.header.Get("X-Cache-Status") }

	for _, c := range []struct{ path, enc string }{
		{"/?cycle=2025", ""}, {"/?cycle=2025", "gzip, br"}, {"/api/v1/dashboard?cycle=2025", "gzip"}, {"/recommendations/1", ""},
	} {
		first := fetchRaw(t, "GET", front+c.path, "Accept-Encoding", c.enc)
		second := fetchRaw(t, "GET", front+c.path, "Accept-Encoding", c.enc)
		if first.status != 200 || status(first) != "MISS" || status(second) != "HIT" || !bytes.Equal(first.body, second.body) {
			t.Errorf("%s (%q): %d %s then %s", c.path, c.enc, first.status, status(first), status(second))
		}
		if second.header.Get("Content-Encoding") != first.header.Get("Content-Encoding") || second.header.Get("ETag") != first.header.Get("ETag") {
			t.Errorf("%s (%q): the cached copy differs in coding or tag", c.path, c.enc)
		}
	}

	// Signed in (the session cookie from signing in with pctracker), the
	// answers come from pctracker every time and are not kept.
	browser := apptest.BrowserClient()
	if r := apptest.PostAnonForm(t, browser, ts.URL+"/signin", url.Values{"email": {"focal@nginx.example"}, "password": {apptest.Password}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.Status)
	}
	u, _ := url.Parse(ts.URL)
	var cookie string
	for _, ck := range browser.Jar.Cookies(u) {
		if ck.Name == "pct_session" {
			cookie = ck.Name + "=" + ck.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie")
	}
	const signedIn = `action="/signout"`
	if r := fetchRaw(t, "GET", front+"/recommendations/2"); status(r) != "MISS" {
		t.Errorf("a visitor's first look: %s", status(r))
	}
	for i := 0; i < 2; i++ {
		r := fetchRaw(t, "GET", front+"/recommendations/2", "Cookie", cookie)
		if r.status != 200 || status(r) != "BYPASS" || !strings.Contains(string(r.body), signedIn) {
			t.Errorf("signed in, time %d: %d %s, signed in: %v", i+1, r.status, status(r), strings.Contains(string(r.body), signedIn))
		}
	}
	if r := fetchRaw(t, "GET", front+"/recommendations/2"); status(r) != "HIT" || strings.Contains(string(r.body), signedIn) {
		t.Errorf("a visitor after someone signed in: %s, signed in: %v", status(r), strings.Contains(string(r.body), signedIn))
	}
	// Nor is a page only the signed-in see kept for the next visitor.
	for _, path := range []string{"/workspace", "/account"} {
		if r := fetchRaw(t, "GET", front+path, "Cookie", cookie); r.status != 200 || status(r) != "BYPASS" {
			t.Errorf("%s signed in: %d %s", path, r.status, status(r))
		}
		if r := fetchRaw(t, "GET", front+path); status(r) == "HIT" || r.status == 200 {
			t.Errorf("%s for a visitor after someone signed in: %d %s", path, r.status, status(r))
		}
	}

	// An answer that sets a cookie (the language chosen) is nobody else's.
	for i := 0; i < 2; i++ {
		if r := fetchRaw(t, "GET", front+"/recommendations/3?lang=fr"); r.header.Get("Set-Cookie") == "" || status(r) == "HIT" {
			t.Errorf("an answer with Set-Cookie, time %d: %s", i+1, status(r))
		}
	}
}

// userDirective keeps nginx's workers as the user running the test.
func userDirective() string {
	if os.Geteuid() != 0 {
		return ""
	}
	return "user root;"
}

package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

func TestSignInFlow(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.Company)
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@example.org", Name: "Focal", Role: user.Supporter,
			StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password})
		if err != nil {
			t.Fatal(err)
		}
		ts := apptest.StartServer(t, db)
		client := apptest.BrowserClient()

		// A signed-out visitor of /api/v1/me gets 401 JSON.
		if r := apptest.Get(t, client, ts.URL+"/api/v1/me"); r.Status != 401 || !strings.Contains(r.Body, `"code":"unauthorized"`) {
			t.Fatalf("anonymous me: %d %s", r.Status, r.Body)
		}
		// Wrong password: the form again, with the email kept and no session.
		r := apptest.PostAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"focal@example.org"}, "password": {"nope nope nope"}})
		if r.Status != 401 || !strings.Contains(r.Body, `value="focal@example.org"`) || !strings.Contains(r.Body, "is wrong") {
			t.Fatalf("wrong password: %d", r.Status)
		}
		// Right password: a session cookie with safe attributes, then home.
		r = apptest.PostAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"focal@example.org"}, "password": {apptest.Password}, "next": {"//evil.example/"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/workspace" {
			t.Fatalf("sign-in: %d to %q (a foreign next must not be followed)", r.Status, r.Header.Get("Location"))
		}
		setCookie := r.Header.Get("Set-Cookie")
		if !strings.Contains(setCookie, "pct_session=") || !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
			t.Errorf("cookie: %s", setCookie)
		}
		r = apptest.Get(t, client, ts.URL+"/api/v1/me")
		var me struct {
			User struct {
				Email string `json:"email"`
				Role  string `json:"role"`
			} `json:"user"`
			Organisation struct {
				ID int64 `json:"id"`
			} `json:"organisation"`
		}
		if r.Status != 200 || json.Unmarshal([]byte(r.Body), &me) != nil || me.User.Email != u.Email || me.Organisation.ID != org.ID {
			t.Fatalf("me: %d %s", r.Status, r.Body)
		}
		home := apptest.Get(t, client, ts.URL+"/")
		if !strings.Contains(home.Body, "focal@example.org") || home.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("signed-in page: cache %q", home.Header.Get("Cache-Control"))
		}
		token := apptest.CSRFOf(t, home.Body)

		// Sign-out without the CSRF token, or from another site: refused.
		if r := apptest.PostForm(t, client, ts.URL+"/signout", url.Values{}); r.Status != 403 {
			t.Errorf("sign-out without token: %d", r.Status)
		}
		if r := apptest.PostForm(t, client, ts.URL+"/signout", url.Values{"csrf_token": {token}}, "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
			t.Errorf("cross-site sign-out: %d", r.Status)
		}
		if r := apptest.Get(t, client, ts.URL+"/api/v1/me"); r.Status != 200 {
			t.Fatalf("still signed in after refused sign-outs: %d", r.Status)
		}
		if r := apptest.PostForm(t, client, ts.URL+"/signout", url.Values{"csrf_token": {token}}); r.Status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d %s", r.Status, r.Body)
		}
		if r := apptest.Get(t, client, ts.URL+"/api/v1/me"); r.Status != 401 {
			t.Errorf("after sign-out: %d", r.Status)
		}
		// The old cookie value is dead on the server too, not only dropped.
		var sessions int
		db.SQL().QueryRow("SELECT count(*) FROM sessions").Scan(&sessions)
		if sessions != 0 {
			t.Errorf("%d sessions left after sign-out", sessions)
		}

		// An API token acts as its user; a wrong one is refused.
		_, secret, err := s.Users.CreateToken(ctx, testutil.System, u.Email, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if r := apptest.Get(t, nil, ts.URL+"/api/v1/me", "Authorization", "Bearer "+secret); r.Status != 200 || !strings.Contains(r.Body, u.Email) {
			t.Errorf("bearer: %d %s", r.Status, r.Body)
		}
		if r := apptest.Get(t, nil, ts.URL+"/api/v1/me", "Authorization", "Bearer pct_forged"); r.Status != 401 {
			t.Errorf("forged bearer: %d", r.Status)
		}
	})
}

func TestSignInThrottledOverHTTP(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	ts := apptest.StartServer(t, db) // 30 failures per address per minute by default
	client := apptest.BrowserClient()
	var last apptest.Response
	for i := 0; i < 31; i++ {
		last = apptest.PostAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
	}
	if last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" || !strings.Contains(last.Body, "Too many failed attempts") {
		t.Errorf("31st failure: %d, Retry-After %q", last.Status, last.Header.Get("Retry-After"))
	}
}

// checkWaitSaid checks that a throttled page says, in lang, the wait its
// Retry-After gives: whole minutes from a minute on, else seconds.
func checkWaitSaid(t *testing.T, what string, r apptest.Response, lang string) {
	t.Helper()
	seconds, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.Status != http.StatusTooManyRequests || err != nil || seconds < 1 {
		t.Fatalf("%s: %d, Retry-After %q", what, r.Status, r.Header.Get("Retry-After"))
	}
	n, unit := seconds, map[string]string{"en": "second", "fr": "seconde"}[lang]
	if seconds >= 60 {
		if seconds%60 != 0 {
			t.Fatalf("%s: Retry-After %d is not whole minutes", what, seconds)
		}
		n, unit = seconds/60, "minute"
	}
	if n != 1 {
		unit += "s"
	}
	again := map[string]string{"en": "try again in ", "fr": "réessayer dans "}[lang]
	if want := fmt.Sprintf("%s%d %s.", again, n, unit); !strings.Contains(r.Body, want) {
		t.Errorf("%s: Retry-After %d, but the page does not say %q", what, seconds, want)
	}
}

// A throttled sign-in says how long to wait in words and in Retry-After,
// the same duration, in English and French, as the wait runs down.
func TestSignInThrottledSaysItsRetryAfter(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ts := apptest.StartServerAt(t, db, s.Clock.Now) // 30 failures per address per minute by default
		client := apptest.BrowserClient()
		var last apptest.Response
		for range 31 {
			last = apptest.PostAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
		}
		checkWaitSaid(t, "a full minute", last, "en")
		if last.Header.Get("Retry-After") != "60" {
			t.Errorf("a minute's wait: Retry-After %q", last.Header.Get("Retry-After"))
		}
		s.Clock.Add(30*time.Second + 500*time.Millisecond)
		for _, lang := range []string{"en", "fr"} {
			r := apptest.PostAnonForm(t, client, ts.URL+"/signin?lang="+lang, url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
			checkWaitSaid(t, "half a minute in "+lang, r, lang)
			if r.Header.Get("Retry-After") != "30" {
				t.Errorf("29.5 s to wait: Retry-After %q", r.Header.Get("Retry-After"))
			}
		}
	})
}

// Past a minute, a wait is said in whole minutes, rounded up, and the
// header says the same: 61.5 s is "2 minutes" and Retry-After 120, never
// 62 s beside words that say otherwise.
func TestSignInThrottledPastAMinute(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ts, _ := apptest.StartServerWith(t, db, s.Clock.Now, nil, func(cfg *config.Config) { cfg.SignIn.IPWindow = 2 * time.Minute })
		client := apptest.BrowserClient()
		for range 31 {
			apptest.PostAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
		}
		s.Clock.Add(58*time.Second + 500*time.Millisecond)
		for _, lang := range []string{"en", "fr"} {
			r := apptest.PostAnonForm(t, client, ts.URL+"/signin?lang="+lang, url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
			checkWaitSaid(t, "61.5 s in "+lang, r, lang)
			if r.Header.Get("Retry-After") != "120" {
				t.Errorf("61.5 s to wait: Retry-After %q, want 120", r.Header.Get("Retry-After"))
			}
		}
	})
}

// Behind TLS (an https base URL) the session cookie, the cookie of a
// sign-in waiting for its code and the cookie that marks a browser which
// signed in are Secure and carry the __Host- prefix.
func TestSessionCookieOverTLS(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	s := testutil.NewServices(db)
	if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "sec@pc.example", Name: "S", Role: user.Secretariat, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	apptest.WithAuthenticator(t, db, "sec@pc.example")
	ts, _ := apptest.StartServerWith(t, db, s.Clock.Now, nil, func(cfg *config.Config) { cfg.BaseURL = "https://pctracker.example" })
	hostOnly := func(what, ck string) {
		t.Helper()
		if !strings.HasPrefix(ck, "__Host-") || !strings.Contains(ck, "Secure") || !strings.Contains(ck, "Path=/") ||
			strings.Contains(ck, "Domain=") || !strings.Contains(ck, "HttpOnly") {
			t.Errorf("%s cookie over TLS: %s", what, ck)
		}
	}
	r := apptest.PostAnonForm(t, apptest.BrowserClient(), ts.URL+"/signin", url.Values{"email": {"sec@pc.example"}, "password": {apptest.Password}})
	hostOnly("challenge", r.Header.Get("Set-Cookie"))
	r = apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, "sec@pc.example", apptest.Password, apptest.TOTPCode(t, apptest.AuthenticatorSecret, s.Clock.Now()))
	if !signedIn(r) {
		t.Fatalf("no session: %d %v", r.Status, r.Header)
	}
	device := false
	for _, ck := range r.Header.Values("Set-Cookie") {
		switch {
		case strings.Contains(ck, "pct_session="):
			hostOnly("session", ck)
		case strings.Contains(ck, "pct_device="):
			hostOnly("device", ck)
			device = true
		}
	}
	if !device {
		t.Error("no device cookie at sign-in")
	}
	if hsts := r.Header.Get("Strict-Transport-Security"); hsts == "" {
		t.Error("no HSTS over TLS")
	}
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

const testPassword = "correct horse battery staple"

// browserClient keeps cookies and does not follow redirects, so tests see
// each answer.
func browserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// postAnonForm posts a form that a visitor fills in before having a
// session (sign in, reset or set a password) as a browser does: after
// loading the form, with the token its page set in a cookie.
func postAnonForm(t *testing.T, client *http.Client, target string, form url.Values, header ...string) response {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || client.Jar == nil {
		t.Fatalf("postAnonForm %s: %v (the client needs a cookie jar)", target, err)
	}
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	form = maps.Clone(form)
	// The cookie a new visitor is given; over TLS (a Secure cookie, which
	// the jar keeps from these plain-HTTP test servers) it goes by hand.
	for _, ck := range res.Cookies() {
		if strings.HasSuffix(ck.Name, "pct_form") {
			form.Set("csrf_token", ck.Value)
			if ck.Secure {
				header = withCookie(header, ck)
			}
		}
	}
	for _, ck := range client.Jar.Cookies(u) {
		if strings.HasSuffix(ck.Name, "pct_form") && form.Get("csrf_token") == "" {
			form.Set("csrf_token", ck.Value)
		}
	}
	return postForm(t, client, target, form, header...)
}

// withCookie adds a cookie to a request's header list by hand, beside any
// sent that way already.
func withCookie(header []string, ck *http.Cookie) []string {
	header = slices.Clone(header)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Cookie" {
			header[i+1] += "; " + ck.Name + "=" + ck.Value
			return header
		}
	}
	return append(header, "Cookie", ck.Name+"="+ck.Value)
}

func postForm(t *testing.T, client *http.Client, target string, form url.Values, header ...string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the page")
	}
	return m[1]
}

func TestSignInFlow(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.Company)
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@example.org", Name: "Focal", Role: user.Supporter,
			StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		ts := startServer(t, db)
		client := browserClient()

		// A signed-out visitor of /api/v1/me gets 401 JSON.
		if r := get(t, client, ts.URL+"/api/v1/me"); r.status != 401 || !strings.Contains(r.body, `"code":"unauthorized"`) {
			t.Fatalf("anonymous me: %d %s", r.status, r.body)
		}
		// Wrong password: the form again, with the email kept and no session.
		r := postAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"focal@example.org"}, "password": {"nope nope nope"}})
		if r.status != 401 || !strings.Contains(r.body, `value="focal@example.org"`) || !strings.Contains(r.body, "is wrong") {
			t.Fatalf("wrong password: %d", r.status)
		}
		// Right password: a session cookie with safe attributes, then home.
		r = postAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"focal@example.org"}, "password": {testPassword}, "next": {"//evil.example/"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/workspace" {
			t.Fatalf("sign-in: %d to %q (a foreign next must not be followed)", r.status, r.header.Get("Location"))
		}
		setCookie := r.header.Get("Set-Cookie")
		if !strings.Contains(setCookie, "pct_session=") || !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
			t.Errorf("cookie: %s", setCookie)
		}
		r = get(t, client, ts.URL+"/api/v1/me")
		var me struct {
			User struct {
				Email string `json:"email"`
				Role  string `json:"role"`
			} `json:"user"`
			Organisation struct {
				ID int64 `json:"id"`
			} `json:"organisation"`
		}
		if r.status != 200 || json.Unmarshal([]byte(r.body), &me) != nil || me.User.Email != u.Email || me.Organisation.ID != org.ID {
			t.Fatalf("me: %d %s", r.status, r.body)
		}
		home := get(t, client, ts.URL+"/")
		if !strings.Contains(home.body, "focal@example.org") || home.header.Get("Cache-Control") != "no-store" {
			t.Errorf("signed-in page: cache %q", home.header.Get("Cache-Control"))
		}
		token := csrfOf(t, home.body)

		// Sign-out without the CSRF token, or from another site: refused.
		if r := postForm(t, client, ts.URL+"/signout", url.Values{}); r.status != 403 {
			t.Errorf("sign-out without token: %d", r.status)
		}
		if r := postForm(t, client, ts.URL+"/signout", url.Values{"csrf_token": {token}}, "Sec-Fetch-Site", "cross-site"); r.status != 403 {
			t.Errorf("cross-site sign-out: %d", r.status)
		}
		if r := get(t, client, ts.URL+"/api/v1/me"); r.status != 200 {
			t.Fatalf("still signed in after refused sign-outs: %d", r.status)
		}
		if r := postForm(t, client, ts.URL+"/signout", url.Values{"csrf_token": {token}}); r.status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d %s", r.status, r.body)
		}
		if r := get(t, client, ts.URL+"/api/v1/me"); r.status != 401 {
			t.Errorf("after sign-out: %d", r.status)
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
		if r := get(t, nil, ts.URL+"/api/v1/me", "Authorization", "Bearer "+secret); r.status != 200 || !strings.Contains(r.body, u.Email) {
			t.Errorf("bearer: %d %s", r.status, r.body)
		}
		if r := get(t, nil, ts.URL+"/api/v1/me", "Authorization", "Bearer pct_forged"); r.status != 401 {
			t.Errorf("forged bearer: %d", r.status)
		}
	})
}

func TestSignInThrottledOverHTTP(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	ts := startServer(t, db) // 30 failures per address per minute by default
	client := browserClient()
	var last response
	for i := 0; i < 31; i++ {
		last = postAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || !strings.Contains(last.body, "Too many failed attempts") {
		t.Errorf("31st failure: %d, Retry-After %q", last.status, last.header.Get("Retry-After"))
	}
}

// checkWaitSaid checks that a throttled page says, in lang, the wait its
// Retry-After gives: whole minutes from a minute on, else seconds.
func checkWaitSaid(t *testing.T, what string, r response, lang string) {
	t.Helper()
	seconds, err := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != http.StatusTooManyRequests || err != nil || seconds < 1 {
		t.Fatalf("%s: %d, Retry-After %q", what, r.status, r.header.Get("Retry-After"))
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
	if want := fmt.Sprintf("%s%d %s.", again, n, unit); !strings.Contains(r.body, want) {
		t.Errorf("%s: Retry-After %d, but the page does not say %q", what, seconds, want)
	}
}

// A throttled sign-in says how long to wait in words and in Retry-After,
// the same duration, in English and French, as the wait runs down.
func TestSignInThrottledSaysItsRetryAfter(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ts := startServerAt(t, db, s.Clock.Now) // 30 failures per address per minute by default
		client := browserClient()
		var last response
		for range 31 {
			last = postAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
		}
		checkWaitSaid(t, "a full minute", last, "en")
		if last.header.Get("Retry-After") != "60" {
			t.Errorf("a minute's wait: Retry-After %q", last.header.Get("Retry-After"))
		}
		s.Clock.Add(30*time.Second + 500*time.Millisecond)
		for _, lang := range []string{"en", "fr"} {
			r := postAnonForm(t, client, ts.URL+"/signin?lang="+lang, url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
			checkWaitSaid(t, "half a minute in "+lang, r, lang)
			if r.header.Get("Retry-After") != "30" {
				t.Errorf("29.5 s to wait: Retry-After %q", r.header.Get("Retry-After"))
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
		ts, _ := startServerWith(t, db, s.Clock.Now, nil, func(cfg *config.Config) { cfg.SignIn.IPWindow = 2 * time.Minute })
		client := browserClient()
		for range 31 {
			postAnonForm(t, client, ts.URL+"/signin", url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
		}
		s.Clock.Add(58*time.Second + 500*time.Millisecond)
		for _, lang := range []string{"en", "fr"} {
			r := postAnonForm(t, client, ts.URL+"/signin?lang="+lang, url.Values{"email": {"x@example.org"}, "password": {"wrong password"}})
			checkWaitSaid(t, "61.5 s in "+lang, r, lang)
			if r.header.Get("Retry-After") != "120" {
				t.Errorf("61.5 s to wait: Retry-After %q, want 120", r.header.Get("Retry-After"))
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
	if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "sec@pc.example", Name: "S", Role: user.Secretariat, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	withAuthenticator(t, db, "sec@pc.example")
	ts, _ := startServerWith(t, db, s.Clock.Now, nil, func(cfg *config.Config) { cfg.BaseURL = "https://pctracker.example" })
	hostOnly := func(what, ck string) {
		t.Helper()
		if !strings.HasPrefix(ck, "__Host-") || !strings.Contains(ck, "Secure") || !strings.Contains(ck, "Path=/") ||
			strings.Contains(ck, "Domain=") || !strings.Contains(ck, "HttpOnly") {
			t.Errorf("%s cookie over TLS: %s", what, ck)
		}
	}
	r := postAnonForm(t, browserClient(), ts.URL+"/signin", url.Values{"email": {"sec@pc.example"}, "password": {testPassword}})
	hostOnly("challenge", r.header.Get("Set-Cookie"))
	r = signInForm(t, browserClient(), ts.URL, "sec@pc.example", testPassword, totpCode(t, testAuthenticator, s.Clock.Now()))
	if !signedIn(r) {
		t.Fatalf("no session: %d %v", r.status, r.header)
	}
	device := false
	for _, ck := range r.header.Values("Set-Cookie") {
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
	if hsts := r.header.Get("Strict-Transport-Security"); hsts == "" {
		t.Error("no HSTS over TLS")
	}
}

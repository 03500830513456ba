package apptest

import (
	"context"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/user"
)

// Password is the password of every person the tests create.
const Password = "correct horse battery staple"

// BrowserClient keeps cookies and does not follow redirects, so tests see
// each answer.
func BrowserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// PostAnonForm posts a form that a visitor fills in before having a
// session (sign in, reset or set a password) as a browser does: after
// loading the form, with the token its page set in a cookie.
func PostAnonForm(t *testing.T, client *http.Client, target string, form url.Values, header ...string) Response {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || client.Jar == nil {
		t.Fatalf("postAnonForm %s: %v (the client needs a cookie jar)", target, err)
	}
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	SetHeader(req, header...)
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
				header = WithCookie(header, ck)
			}
		}
	}
	for _, ck := range client.Jar.Cookies(u) {
		if strings.HasSuffix(ck.Name, "pct_form") && form.Get("csrf_token") == "" {
			form.Set("csrf_token", ck.Value)
		}
	}
	return PostForm(t, client, target, form, header...)
}

// WithCookie adds a cookie to a request's header list by hand, beside any
// sent that way already.
func WithCookie(header []string, ck *http.Cookie) []string {
	header = slices.Clone(header)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Cookie" {
			header[i+1] += "; " + ck.Name + "=" + ck.Value
			return header
		}
	}
	return append(header, "Cookie", ck.Name+"="+ck.Value)
}

// PostForm posts a form as a browser does, without following a redirect
// when client does not; the form carries its own CSRF token.
func PostForm(t *testing.T, client *http.Client, target string, form url.Values, header ...string) Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	SetHeader(req, header...)
	return Send(t, client, req)
}

// CSRFInput finds the CSRF token a page puts in its forms.
var CSRFInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// CSRFOf returns the CSRF token of a page, ending the test if it has none.
func CSRFOf(t *testing.T, body string) string {
	t.Helper()
	m := CSRFInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the page")
	}
	return m[1]
}

// FormIn posts a page's form as form does, asking for the page in lang.
func (c APIClient) FormIn(lang, path string, v url.Values) Response {
	c.T.Helper()
	return c.Do("POST", path, v.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Accept-Language", lang)
}

// Form posts a page's form as a signed-in client (by its token, which
// the pages take as a browser session).
func (c APIClient) Form(path string, v url.Values) Response {
	c.T.Helper()
	return c.Do("POST", path, v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// FlashOf returns the catalogue key of the notice an answer sets for the
// next page.
func FlashOf(r Response) string {
	for _, ck := range r.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(ck, "pct_flash="); ok {
			v, _, _ = strings.Cut(v, ";")
			v, _ = url.QueryUnescape(v)
			key, _, _ := strings.Cut(v, "|")
			return key
		}
	}
	return ""
}

// MustUser returns the person of sc with this email.
func MustUser(t *testing.T, sc *Scenario, email string) user.User {
	t.Helper()
	u, err := sc.S.Users.GetByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// AuthenticatorSecret is the secret of the authenticator app the test
// secretariat accounts have set up.
const AuthenticatorSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// WithAuthenticator gives the account of email an authenticator with the
// test secret, as if it had enrolled.
func WithAuthenticator(t testing.TB, db *store.DB, email string) {
	t.Helper()
	ctx := context.Background()
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.CreateSecondFactor(ctx, twostep.Factor{UserID: u.ID, Secret: AuthenticatorSecret, EnabledAt: time.Now()}); err != nil || !ok {
		t.Fatalf("authenticator of %s: %v %v", email, ok, err)
	}
}

// TOTPCode is the code an authenticator app with secret shows at at.
func TOTPCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// WrongCode is a six-digit code that an authenticator with secret does not
// show around at: a fixed "111111" is right three times in a million,
// and a test that counts wrong codes must not sign in by chance.
func WrongCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	right := map[string]bool{}
	for _, skew := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		right[TOTPCode(t, secret, at.Add(skew))] = true
	}
	for _, c := range []string{"111111", "222222", "333333", "444444"} {
		if !right[c] {
			return c
		}
	}
	t.Fatal("no wrong code found") // four candidates, three right codes at most
	return ""
}

// SignInForm signs in through the pages as a browser does: the password,
// then, when asked, the code. A Secure cookie (a TLS base URL before a
// plain test server) that the jar would not send goes by hand, as
// PostAnonForm sends its own.
func SignInForm(t *testing.T, client *http.Client, base, email, password, code string) Response {
	t.Helper()
	r := PostAnonForm(t, client, base+"/signin", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin/code" {
		return r
	}
	u, _ := url.Parse(base)
	inJar := map[string]bool{}
	for _, ck := range client.Jar.Cookies(u) {
		inJar[ck.Name] = true
	}
	var header []string
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if strings.HasSuffix(ck.Name, "pct_signin") && !inJar[ck.Name] {
			header = WithCookie(header, ck)
		}
	}
	return PostAnonForm(t, client, base+"/signin/code", url.Values{"code": {code}}, header...)
}

// SetupKey finds the authenticator's key, as text, on the page that sets
// up two-step sign-in.
var SetupKey = regexp.MustCompile(`<p class="mono secret"[^>]*>([A-Z2-7 ]+)</p>`)

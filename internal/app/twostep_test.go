package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/user"
)

// testAuthenticator is the secret of the authenticator app the test
// secretariat accounts have set up.
const testAuthenticator = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// withAuthenticator gives the account of email an authenticator with the
// test secret, as if it had enrolled.
func withAuthenticator(t testing.TB, db *store.DB, email string) {
	t.Helper()
	ctx := context.Background()
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.CreateSecondFactor(ctx, twostep.Factor{UserID: u.ID, Secret: testAuthenticator, EnabledAt: time.Now()}); err != nil || !ok {
		t.Fatalf("authenticator of %s: %v %v", email, ok, err)
	}
}

// totpCode is the code an authenticator app with secret shows at at.
func totpCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signInForm signs in through the pages as a browser does: the password,
// then, when asked, the code. A Secure cookie (a TLS base URL before a
// plain test server) that the jar would not send goes by hand, as
// postAnonForm sends its own.
func signInForm(t *testing.T, client *http.Client, base, email, password, code string) response {
	t.Helper()
	r := postAnonForm(t, client, base+"/signin", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin/code" {
		return r
	}
	u, _ := url.Parse(base)
	inJar := map[string]bool{}
	for _, ck := range client.Jar.Cookies(u) {
		inJar[ck.Name] = true
	}
	var header []string
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if strings.HasSuffix(ck.Name, "pct_signin") && !inJar[ck.Name] {
			header = withCookie(header, ck)
		}
	}
	return postAnonForm(t, client, base+"/signin/code", url.Values{"code": {code}}, header...)
}

// signedIn reports whether an answer starts a session.
func signedIn(r response) bool {
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if strings.HasSuffix(ck.Name, "pct_session") && ck.Value != "" {
			return true
		}
	}
	return false
}

var (
	setupKey      = regexp.MustCompile(`<p class="mono secret"[^>]*>([A-Z2-7 ]+)</p>`)
	recoveryCodes = regexp.MustCompile(`<li>([a-z2-7]{5}-[a-z2-7]{5})</li>`)
)

// The second step through the pages: enrolment at the first sign-in,
// single-use codes, recovery codes, the account page, and no session
// until the code is right.
func TestTwoStepSignIn(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		ts := startServerAt(t, db, s.Clock.Now)
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
			Role: user.Secretariat, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		sessions := func() int {
			var n int
			if err := db.SQL().QueryRow("SELECT count(*) FROM sessions").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// The password alone signs nobody in.
		b := browserClient()
		r := postAnonForm(t, b, ts.URL+"/signin?next=%2Freview", url.Values{"email": {"camille@pc.example"}, "password": {testPassword}, "next": {"/review"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin/code" || signedIn(r) || sessions() != 0 {
			t.Fatalf("password: %d %v", r.status, r.header)
		}
		if r := get(t, b, ts.URL+"/review"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/signin") {
			t.Fatalf("signed in after the password alone: %d %v", r.status, r.header)
		}

		// First sign-in: the setup page, with the key as a QR code and as text.
		page := get(t, b, ts.URL+"/signin/code")
		m := setupKey.FindStringSubmatch(page.body)
		if page.status != 200 || m == nil || !strings.Contains(page.body, `src="data:image/png;base64,`) ||
			!strings.Contains(page.body, "otpauth://totp/") || !strings.Contains(page.body, `autocomplete="one-time-code"`) {
			t.Fatalf("setup page: %d %.2000s", page.status, page.body)
		}
		secret := strings.ReplaceAll(m[1], " ", "")

		// Another browser has no challenge: back to the password.
		if r := get(t, browserClient(), ts.URL+"/signin/code"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin" {
			t.Errorf("code page without a challenge: %d %v", r.status, r.header)
		}
		// A wrong code: the page again, with the message, the same key.
		r = postAnonForm(t, b, ts.URL+"/signin/code", url.Values{"code": {"000000"}})
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, `id="code-error"`) || !strings.Contains(r.body, m[1]) || signedIn(r) {
			t.Fatalf("wrong code: %d %.1500s", r.status, r.body)
		}
		// The right code: signed in, and the recovery codes shown once.
		r = postAnonForm(t, b, ts.URL+"/signin/code", url.Values{"code": {totpCode(t, secret, s.Clock.Now())}})
		codes := recoveryCodes.FindAllStringSubmatch(r.body, -1)
		if r.status != http.StatusOK || !signedIn(r) || len(codes) != twostep.RecoveryCodes || !strings.Contains(r.body, `href="/review"`) {
			t.Fatalf("enrolment: %d %.2000s", r.status, r.body)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("recovery codes cacheable: %q", r.header.Get("Cache-Control"))
		}
		if r := get(t, b, ts.URL+"/review"); r.status != 200 {
			t.Fatalf("review after enrolment: %d", r.status)
		}
		account := get(t, b, ts.URL+"/account")
		if !strings.Contains(account.body, "10 of 10") {
			t.Errorf("account page: %.3000s", account.body)
		}
		postForm(t, b, ts.URL+"/signout", url.Values{"csrf_token": {csrfOf(t, account.body)}})

		// Next sign-in: the code page; the enrolment's code is spent.
		spent := totpCode(t, secret, s.Clock.Now())
		if r := signInForm(t, browserClient(), ts.URL, "camille@pc.example", testPassword, spent); r.status != http.StatusUnauthorized || signedIn(r) {
			t.Errorf("a spent code: %d", r.status)
		}
		s.Clock.Add(30 * time.Second)
		b = browserClient()
		if r := signInForm(t, b, ts.URL, "camille@pc.example", testPassword, totpCode(t, secret, s.Clock.Now())); r.status != http.StatusSeeOther ||
			r.header.Get("Location") != "/admin/status" || !signedIn(r) {
			t.Fatalf("sign-in with a code: %d %v", r.status, r.header)
		}

		// A recovery code, once; the page says how many are left.
		b = browserClient()
		r = signInForm(t, b, ts.URL, "camille@pc.example", testPassword, strings.ToUpper(codes[0][1]))
		if r.status != http.StatusSeeOther || !signedIn(r) {
			t.Fatalf("recovery code: %d %v", r.status, r.header)
		}
		if r.header.Get("Location") != "/account#two-step" {
			t.Errorf("after a recovery code: to %s, want the account page", r.header.Get("Location"))
		}
		if page := get(t, b, ts.URL+"/account"); !strings.Contains(page.body, "9 code(s) left") || !strings.Contains(page.body, "9 of 10") {
			t.Errorf("no word of the recovery code spent: %.2000s", page.body)
		}
		if r := signInForm(t, browserClient(), ts.URL, "camille@pc.example", testPassword, codes[0][1]); r.status != http.StatusUnauthorized {
			t.Errorf("a recovery code twice: %d", r.status)
		}

		// New recovery codes from the account page void the old ones. They
		// ask for a code: an open session alone is not enough.
		account = get(t, b, ts.URL+"/account")
		renewForm := func(code string) url.Values {
			return url.Values{"csrf_token": {csrfOf(t, account.body)}, "code": {code}}
		}
		for code, want := range map[string]string{"": "Enter the code.", "111111": "This code is not right."} {
			r := postForm(t, b, ts.URL+"/account/recovery-codes", renewForm(code))
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, want) || !strings.Contains(r.body, `aria-invalid="true"`) ||
				recoveryCodes.MatchString(r.body) {
				t.Errorf("renewal with the code %q: %d %.1500s", code, r.status, r.body)
			}
		}
		if page := get(t, b, ts.URL+"/account"); !strings.Contains(page.body, "9 of 10") {
			t.Errorf("a refused renewal changed the recovery codes")
		}
		s.Clock.Add(30 * time.Second)
		renewed := postForm(t, b, ts.URL+"/account/recovery-codes", renewForm(totpCode(t, secret, s.Clock.Now())))
		fresh := recoveryCodes.FindAllStringSubmatch(renewed.body, -1)
		if renewed.status != 200 || len(fresh) != twostep.RecoveryCodes {
			t.Fatalf("renew: %d %.1500s", renewed.status, renewed.body)
		}
		if r := signInForm(t, browserClient(), ts.URL, "camille@pc.example", testPassword, codes[1][1]); r.status != http.StatusUnauthorized {
			t.Errorf("an old recovery code after renewal: %d", r.status)
		}
		if r := signInForm(t, browserClient(), ts.URL, "camille@pc.example", testPassword, fresh[0][1]); r.status != http.StatusSeeOther {
			t.Errorf("a renewed recovery code: %d", r.status)
		}

		// Five wrong codes end the sign-in: back to the password.
		b = browserClient()
		r = signInForm(t, b, ts.URL, "camille@pc.example", testPassword, "111111")
		for i := 1; i < twostep.MaxFailures; i++ {
			r = postAnonForm(t, b, ts.URL+"/signin/code", url.Values{"code": {"111111"}})
		}
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin" {
			t.Errorf("after %d wrong codes: %d %v", twostep.MaxFailures, r.status, r.header)
		}
		if page := get(t, b, ts.URL+"/signin"); !strings.Contains(page.body, "expired or was ended") {
			t.Errorf("no word why the sign-in restarted")
		}

		// Ten wrong codes a day at most: then even the right code waits.
		throttled := 0
		for i := 0; i < twostep.WrongCodesPerDay && throttled == 0; i++ {
			if r := signInForm(t, browserClient(), ts.URL, "camille@pc.example", testPassword, "222222"); r.status == http.StatusTooManyRequests {
				throttled = i + 1
			}
		}
		s.Clock.Add(30 * time.Second)
		r = signInForm(t, browserClient(), ts.URL, "camille@pc.example", testPassword, totpCode(t, secret, s.Clock.Now()))
		if throttled == 0 || r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || signedIn(r) {
			t.Errorf("wrong codes past the day's limit: throttled after %d more, then the right code %d", throttled, r.status)
		}
		checkWaitSaid(t, "the code page", r, "en")

		// A supporter with no authenticator signs in with the password.
		org := s.Stakeholder(t, "state")
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri", Role: user.Supporter,
			StakeholderID: org.ID, OrgRole: user.Member, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		if r := postAnonForm(t, browserClient(), ts.URL+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}}); r.status != http.StatusSeeOther ||
			r.header.Get("Location") != "/workspace" || !signedIn(r) {
			t.Errorf("supporter sign-in: %d %v", r.status, r.header)
		}
		// Renewing recovery codes without an authenticator is a clear conflict.
		kadri := browserClient()
		postAnonForm(t, kadri, ts.URL+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
		account = get(t, kadri, ts.URL+"/account")
		if r := postForm(t, kadri, ts.URL+"/account/recovery-codes", url.Values{"csrf_token": {csrfOf(t, account.body)}, "code": {"123456"}}); r.status != http.StatusConflict ||
			!strings.Contains(r.body, "not set up") {
			t.Errorf("renewal without an authenticator: %d", r.status)
		}
		// Each change, and each sign-in stopped at a wrong code, was mailed
		// to the person, with when and from where.
		mails := testutil.Mails(t, mailDir(t), "camille@pc.example")
		kinds := map[string]int{}
		for _, m := range mails {
			kinds[strings.SplitN(strings.TrimPrefix(m.Subject, "pctracker: "), " /", 2)[0]]++
			if !strings.Contains(m.Text, "127.0.0.1") || !strings.Contains(m.Text, "Bonjour Camille") {
				t.Errorf("notice %q: %s", m.Subject, m.Text)
			}
			if strings.HasPrefix(m.Subject, "pctracker: a wrong sign-in code") && !strings.Contains(m.Text, "http://pct.test/reset") {
				t.Errorf("wrong-code notice without the reset link: %s", m.Text)
			}
		}
		for _, k := range []string{"two-step sign-in set up", "a wrong sign-in code", "a recovery code was used", "new recovery codes"} {
			if kinds[k] == 0 {
				t.Errorf("no notice %q in %v", k, kinds)
			}
		}
		t.Logf("setup page, wrong code, enrolment with %d recovery codes, spent code refused, next code, recovery code once, renewal (only with a code), %d-failure end, "+
			"429 after %d more wrong codes (right code refused too): checked; notices mailed: %v", len(codes), twostep.MaxFailures, throttled, kinds)
	})
}

// The CLI resets a lost authenticator: the next sign-in enrols again.
func TestUserResetTwoStep(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			dbURL := testutil.NewDatabaseURL(t, engine)
			mails := t.TempDir()
			env := map[string]string{"PCT_DATABASE_URL": dbURL, "PCT_LOG_LEVEL": "warn", "PCT_MAIL_DIR": mails}
			db := testutil.NewDBAt(t, dbURL)
			s := testutil.NewServices(db)
			if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "sec@pc.example", Name: "S",
				Role: user.Secretariat, Password: testPassword}); err != nil {
				t.Fatal(err)
			}
			withAuthenticator(t, db, "sec@pc.example")
			_, apiToken, err := s.Users.CreateToken(context.Background(), testutil.System, "sec@pc.example", "ci")
			if err != nil {
				t.Fatal(err)
			}
			if r := run(t, env, "", "user", "reset-two-step", "--email", "SEC@pc.example"); r.code != 0 || !strings.Contains(r.stdout, "two-step sign-in reset") {
				t.Fatalf("reset: %+v", r)
			}
			if m := testutil.Mails(t, mails, "sec@pc.example"); len(m) != 1 || !strings.Contains(m[0].Subject, "two-step sign-in reset") ||
				!strings.Contains(m[0].Text, "Every API token of your account was revoked") || !strings.Contains(m[0].Text, "Tous les jetons d'API") {
				t.Errorf("the person was not told of the reset and the revoked tokens: %+v", m)
			}
			ts := startServerAt(t, db, s.Clock.Now)
			if r := get(t, nil, ts.URL+"/api/v1/me", "Authorization", "Bearer "+apiToken); r.status != http.StatusUnauthorized {
				t.Errorf("an API token after the reset: %d", r.status)
			}
			b := browserClient()
			postAnonForm(t, b, ts.URL+"/signin", url.Values{"email": {"sec@pc.example"}, "password": {testPassword}})
			if page := get(t, b, ts.URL+"/signin/code"); !setupKey.MatchString(page.body) {
				t.Errorf("no setup after reset: %.1000s", page.body)
			}
			if r := run(t, env, "", "user", "reset-two-step", "--email", "nobody@pc.example"); r.code == 0 || !strings.Contains(r.stderr, "no user with this email") {
				t.Errorf("reset of an unknown account: %+v", r)
			}
		})
	}
}

// The two-step pages in a real browser: setting up the app at the first
// sign-in (read the key off the page, as a person types it into their
// app), the recovery codes, then the code page in French; no WCAG 2.2 AA
// violation on any of them, and nothing wider than a phone.
func TestTwoStepInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	s := testutil.NewServices(db)
	ts := startServerAt(t, db, s.Clock.Now)
	if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
		Role: user.Secretariat, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	ctx := testutil.Browser(t)
	signInPassword := func(lang string) {
		t.Helper()
		if err := chromedp.Do(ctx, passwordStep(ts.URL+"/signin?lang="+lang, "camille@pc.example")...); err != nil {
			t.Fatal(err)
		}
	}
	signInPassword("en")
	key, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.secret")))
	if err != nil {
		t.Fatal(err)
	}
	testutil.CheckAccessibility(t, ctx, "two-step setup (en)")
	testutil.Screenshot(t, ctx, "twostep-setup")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the setup page scrolls sideways at 360 px")
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900),
		chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
	); err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#recovery-codes li').length`))
	if err != nil || n != twostep.RecoveryCodes {
		t.Errorf("%d recovery codes shown: %v", n, err)
	}
	testutil.CheckAccessibility(t, ctx, "recovery codes")
	testutil.Screenshot(t, ctx, "twostep-recovery-codes")

	// Signed out, in French: the code page.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.button`)), chromedp.WaitVisible(chromedp.CSS("h1")),
		chromedp.Submit(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	s.Clock.Add(30 * time.Second)
	signInPassword("fr")
	heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if heading != "Confirmez votre connexion" {
		t.Errorf("French code page: %q", heading)
	}
	testutil.CheckAccessibility(t, ctx, "two-step code (fr)")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), "000000"),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#code-error")),
	); err != nil {
		t.Fatal(err)
	}
	testutil.CheckAccessibility(t, ctx, "two-step wrong code (fr)")
	testutil.Screenshot(t, ctx, "twostep-code-error-fr")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitNotPresent(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	); err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/admin/status") {
		t.Errorf("after the code: %s %v", loc, err)
	}

	// New recovery codes from the account page, confirmed with a code: a
	// wrong one first.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/account"),
		chromedp.WaitVisible(chromedp.CSS("#renew-code")),
		chromedp.SendKeys(chromedp.CSS("#renew-code"), "000000"),
		chromedp.Submit(chromedp.CSS("#renew-code")),
		chromedp.WaitVisible(chromedp.CSS("#renew-error")),
	); err != nil {
		t.Fatal(err)
	}
	testutil.CheckAccessibility(t, ctx, "account, renewal refused (fr)")
	testutil.Screenshot(t, ctx, "account-renew-error-fr")
	s.Clock.Add(30 * time.Second)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#renew-code"), totpCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
		chromedp.Submit(chromedp.CSS("#renew-code")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
	); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#recovery-codes li').length`)); err != nil || n != twostep.RecoveryCodes {
		t.Errorf("%d renewed recovery codes shown: %v", n, err)
	}
}

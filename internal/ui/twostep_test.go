package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/user"
)

// signedIn reports whether an answer starts a session.
func signedIn(r apptest.Response) bool {
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if strings.HasSuffix(ck.Name, "pct_session") && ck.Value != "" {
			return true
		}
	}
	return false
}

var (
	recoveryCodes = regexp.MustCompile(`<li>([a-z2-7]{5}-[a-z2-7]{5})</li>`)
)

// The second step through the pages: enrolment at the first sign-in,
// single-use codes, recovery codes, the account page, and no session
// until the code is right.
func TestTwoStepSignIn(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		ts := apptest.StartServerAt(t, db, s.Clock.Now)
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
			Role: user.Secretariat, Password: apptest.Password}); err != nil {
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
		b := apptest.BrowserClient()
		r := apptest.PostAnonForm(t, b, ts.URL+"/signin?next=%2Freview", url.Values{"email": {"camille@pc.example"}, "password": {apptest.Password}, "next": {"/review"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin/code" || signedIn(r) || sessions() != 0 {
			t.Fatalf("password: %d %v", r.Status, r.Header)
		}
		if r := apptest.Get(t, b, ts.URL+"/review"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin") {
			t.Fatalf("signed in after the password alone: %d %v", r.Status, r.Header)
		}

		// First sign-in: the setup page, with the key as a QR code and as text.
		page := apptest.Get(t, b, ts.URL+"/signin/code")
		m := apptest.SetupKey.FindStringSubmatch(page.Body)
		if page.Status != 200 || m == nil || !strings.Contains(page.Body, `src="data:image/png;base64,`) ||
			!strings.Contains(page.Body, "otpauth://totp/") || !strings.Contains(page.Body, `autocomplete="one-time-code"`) {
			t.Fatalf("setup page: %d %.2000s", page.Status, page.Body)
		}
		secret := strings.ReplaceAll(m[1], " ", "")

		// Another browser has no challenge: back to the password.
		if r := apptest.Get(t, apptest.BrowserClient(), ts.URL+"/signin/code"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
			t.Errorf("code page without a challenge: %d %v", r.Status, r.Header)
		}
		// A wrong code: the page again, with the message, the same key.
		r = apptest.PostAnonForm(t, b, ts.URL+"/signin/code", url.Values{"code": {apptest.WrongCode(t, secret, s.Clock.Now())}})
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, `id="code-error"`) || !strings.Contains(r.Body, m[1]) || signedIn(r) {
			t.Fatalf("wrong code: %d %.1500s", r.Status, r.Body)
		}
		// The right code: signed in, and the recovery codes shown once.
		r = apptest.PostAnonForm(t, b, ts.URL+"/signin/code", url.Values{"code": {apptest.TOTPCode(t, secret, s.Clock.Now())}})
		codes := recoveryCodes.FindAllStringSubmatch(r.Body, -1)
		if r.Status != http.StatusOK || !signedIn(r) || len(codes) != twostep.RecoveryCodes || !strings.Contains(r.Body, `href="/review"`) {
			t.Fatalf("enrolment: %d %.2000s", r.Status, r.Body)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("recovery codes cacheable: %q", r.Header.Get("Cache-Control"))
		}
		if r := apptest.Get(t, b, ts.URL+"/review"); r.Status != 200 {
			t.Fatalf("review after enrolment: %d", r.Status)
		}
		account := apptest.Get(t, b, ts.URL+"/account")
		if !strings.Contains(account.Body, "10 of 10") {
			t.Errorf("account page: %.3000s", account.Body)
		}
		apptest.PostForm(t, b, ts.URL+"/signout", url.Values{"csrf_token": {apptest.CSRFOf(t, account.Body)}})

		// Next sign-in: the code page; the enrolment's code is spent.
		spent := apptest.TOTPCode(t, secret, s.Clock.Now())
		if r := apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, "camille@pc.example", apptest.Password, spent); r.Status != http.StatusUnauthorized || signedIn(r) {
			t.Errorf("a spent code: %d", r.Status)
		}
		s.Clock.Add(30 * time.Second)
		b = apptest.BrowserClient()
		if r := apptest.SignInForm(t, b, ts.URL, "camille@pc.example", apptest.Password, apptest.TOTPCode(t, secret, s.Clock.Now())); r.Status != http.StatusSeeOther ||
			r.Header.Get("Location") != "/admin/status" || !signedIn(r) {
			t.Fatalf("sign-in with a code: %d %v", r.Status, r.Header)
		}

		// A recovery code, once; the page says how many are left.
		b = apptest.BrowserClient()
		r = apptest.SignInForm(t, b, ts.URL, "camille@pc.example", apptest.Password, strings.ToUpper(codes[0][1]))
		if r.Status != http.StatusSeeOther || !signedIn(r) {
			t.Fatalf("recovery code: %d %v", r.Status, r.Header)
		}
		if r.Header.Get("Location") != "/account#two-step" {
			t.Errorf("after a recovery code: to %s, want the account page", r.Header.Get("Location"))
		}
		if page := apptest.Get(t, b, ts.URL+"/account"); !strings.Contains(page.Body, "9 codes left") || !strings.Contains(page.Body, "9 of 10") {
			t.Errorf("no word of the recovery code spent: %.2000s", page.Body)
		}
		if r := apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, "camille@pc.example", apptest.Password, codes[0][1]); r.Status != http.StatusUnauthorized {
			t.Errorf("a recovery code twice: %d", r.Status)
		}

		// New recovery codes from the account page void the old ones. They
		// ask for a code: an open session alone is not enough.
		account = apptest.Get(t, b, ts.URL+"/account")
		renewForm := func(code string) url.Values {
			return url.Values{"csrf_token": {apptest.CSRFOf(t, account.Body)}, "code": {code}}
		}
		for code, want := range map[string]string{"": "Enter the code.", apptest.WrongCode(t, secret, s.Clock.Now()): "This code is not right."} {
			r := apptest.PostForm(t, b, ts.URL+"/account/recovery-codes", renewForm(code))
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `aria-invalid="true"`) ||
				recoveryCodes.MatchString(r.Body) {
				t.Errorf("renewal with the code %q: %d %.1500s", code, r.Status, r.Body)
			}
		}
		if page := apptest.Get(t, b, ts.URL+"/account"); !strings.Contains(page.Body, "9 of 10") {
			t.Errorf("a refused renewal changed the recovery codes")
		}
		s.Clock.Add(30 * time.Second)
		renewed := apptest.PostForm(t, b, ts.URL+"/account/recovery-codes", renewForm(apptest.TOTPCode(t, secret, s.Clock.Now())))
		fresh := recoveryCodes.FindAllStringSubmatch(renewed.Body, -1)
		if renewed.Status != 200 || len(fresh) != twostep.RecoveryCodes {
			t.Fatalf("renew: %d %.1500s", renewed.Status, renewed.Body)
		}
		if r := apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, "camille@pc.example", apptest.Password, codes[1][1]); r.Status != http.StatusUnauthorized {
			t.Errorf("an old recovery code after renewal: %d", r.Status)
		}
		if r := apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, "camille@pc.example", apptest.Password, fresh[0][1]); r.Status != http.StatusSeeOther {
			t.Errorf("a renewed recovery code: %d", r.Status)
		}

		// Five wrong codes end the sign-in: back to the password.
		b = apptest.BrowserClient()
		wrong := apptest.WrongCode(t, secret, s.Clock.Now())
		r = apptest.SignInForm(t, b, ts.URL, "camille@pc.example", apptest.Password, wrong)
		for i := 1; i < twostep.MaxFailures; i++ {
			r = apptest.PostAnonForm(t, b, ts.URL+"/signin/code", url.Values{"code": {wrong}})
		}
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
			// The body says which check refused, should one ever refuse here.
			t.Errorf("after %d wrong codes: %d %v %.3000s", twostep.MaxFailures, r.Status, r.Header, r.Body)
		}
		if page := apptest.Get(t, b, ts.URL+"/signin"); !strings.Contains(page.Body, "expired or was ended") {
			t.Errorf("no word why the sign-in restarted")
		}

		// Ten wrong codes a day at most: then even the right code waits.
		throttled := 0
		for i := 0; i < twostep.WrongCodesPerDay && throttled == 0; i++ {
			if r := apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, "camille@pc.example", apptest.Password, wrong); r.Status == http.StatusTooManyRequests {
				throttled = i + 1
			}
		}
		s.Clock.Add(30 * time.Second)
		r = apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, "camille@pc.example", apptest.Password, apptest.TOTPCode(t, secret, s.Clock.Now()))
		if throttled == 0 || r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || signedIn(r) {
			t.Errorf("wrong codes past the day's limit: throttled after %d more, then the right code %d", throttled, r.Status)
		}
		checkWaitSaid(t, "the code page", r, "en")

		// A supporter with no authenticator signs in with the password.
		org := s.Stakeholder(t, "state")
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri", Role: user.Supporter,
			StakeholderID: org.ID, OrgRole: user.Member, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		if r := apptest.PostAnonForm(t, apptest.BrowserClient(), ts.URL+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}}); r.Status != http.StatusSeeOther ||
			r.Header.Get("Location") != "/workspace" || !signedIn(r) {
			t.Errorf("supporter sign-in: %d %v", r.Status, r.Header)
		}
		// Renewing recovery codes without an authenticator is a clear conflict.
		kadri := apptest.BrowserClient()
		apptest.PostAnonForm(t, kadri, ts.URL+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}})
		account = apptest.Get(t, kadri, ts.URL+"/account")
		if r := apptest.PostForm(t, kadri, ts.URL+"/account/recovery-codes", url.Values{"csrf_token": {apptest.CSRFOf(t, account.Body)}, "code": {"123456"}}); r.Status != http.StatusConflict ||
			!strings.Contains(r.Body, "not set up") {
			t.Errorf("renewal without an authenticator: %d", r.Status)
		}
		// Each change, and each sign-in stopped at a wrong code, was mailed
		// to the person, with when and from where.
		mails := testutil.Mails(t, apptest.MailDir(t), "camille@pc.example")
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

// The two-step pages in a real browser: setting up the app at the first
// sign-in (read the key off the page, as a person types it into their
// app), the recovery codes, then the code page in French; no WCAG 2.2 AA
// violation on any of them, and nothing wider than a phone.
func TestTwoStepInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	s := testutil.NewServices(db)
	ts := apptest.StartServerAt(t, db, s.Clock.Now)
	if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
		Role: user.Secretariat, Password: apptest.Password}); err != nil {
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
		chromedp.SendKeys(chromedp.CSS("#code"), apptest.TOTPCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
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
		chromedp.SendKeys(chromedp.CSS("#code"), apptest.WrongCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#code-error")),
	); err != nil {
		t.Fatal(err)
	}
	testutil.CheckAccessibility(t, ctx, "two-step wrong code (fr)")
	testutil.Screenshot(t, ctx, "twostep-code-error-fr")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), apptest.TOTPCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
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
		chromedp.SendKeys(chromedp.CSS("#renew-code"), apptest.WrongCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
		chromedp.Submit(chromedp.CSS("#renew-code")),
		chromedp.WaitVisible(chromedp.CSS("#renew-error")),
	); err != nil {
		t.Fatal(err)
	}
	testutil.CheckAccessibility(t, ctx, "account, renewal refused (fr)")
	testutil.Screenshot(t, ctx, "account-renew-error-fr")
	s.Clock.Add(30 * time.Second)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#renew-code"), apptest.TOTPCode(t, strings.ReplaceAll(key, " ", ""), s.Clock.Now())),
		chromedp.Submit(chromedp.CSS("#renew-code")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
	); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#recovery-codes li').length`)); err != nil || n != twostep.RecoveryCodes {
		t.Errorf("%d renewed recovery codes shown: %v", n, err)
	}
}

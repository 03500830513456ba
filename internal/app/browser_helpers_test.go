package app

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// setValue sets a form control's value, as choosing it would; date inputs
// and selects take no keystrokes reliably.
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector('` + sel + `').value = '` + v + `'`)
}

// dropAlerts removes the page's messages, so that waiting for one after a
// submit waits for the new page's, not the old one's.
var dropAlerts = chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.alert').forEach(e => e.remove())`)

// secretariatBrowser creates Camille of the secretariat, with her
// authenticator app, signs her in (password, then code) in a fresh
// browser, and waits on next until ready is visible.
func secretariatBrowser(t *testing.T, sc *scenario, next, ready string) context.Context {
	t.Helper()
	if _, err := sc.s.Users.Create(context.Background(), testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
		Role: user.Secretariat, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	withAuthenticator(t, sc.s.DB, "camille@pc.example")
	b := testutil.Browser(t)
	if err := chromedp.Do(b, append(passwordStep(sc.ts+"/signin?next="+next, "camille@pc.example"),
		chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, testAuthenticator, sc.s.Clock.Now())),
		chromedp.Submit(chromedp.CSS("#code")),
		// The sign-in pages have an h1 too: wait until they are gone, or
		// a check could run on the page being left.
		chromedp.WaitNotPresent(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	)...); err != nil {
		t.Fatalf("secretariat sign-in: %v", err)
	}
	return b
}

// passwordStep fills in the sign-in form at page as a person does and
// waits for the second step: the code page.
func passwordStep(page, email string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(page),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	}
}

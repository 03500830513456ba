package ui_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
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
func secretariatBrowser(t *testing.T, sc *apptest.Scenario, next, ready string) context.Context {
	t.Helper()
	return secretariatBrowserAs(t, sc, "camille@pc.example", "Camille", next, ready)
}

// secretariatBrowserAs is secretariatBrowser for another person of the
// secretariat, created with her authenticator app.
func secretariatBrowserAs(t *testing.T, sc *apptest.Scenario, email, name, next, ready string) context.Context {
	t.Helper()
	if _, err := sc.S.Users.Create(context.Background(), testutil.System, user.Input{Email: email, Name: name,
		Role: user.Secretariat, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	apptest.WithAuthenticator(t, sc.S.DB, email)
	b := testutil.Browser(t)
	if err := chromedp.Do(b, append(passwordStep(sc.TS+"/signin?next="+next, email),
		chromedp.SendKeys(chromedp.CSS("#code"), apptest.TOTPCode(t, apptest.AuthenticatorSecret, sc.S.Clock.Now())),
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
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	}
}

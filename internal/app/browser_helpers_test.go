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

// secretariatBrowser creates Camille of the secretariat, signs her in in
// a fresh browser, and waits on next until ready is visible.
func secretariatBrowser(t *testing.T, sc *scenario, next, ready string) context.Context {
	t.Helper()
	if _, err := sc.s.Users.Create(context.Background(), testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
		Role: user.Secretariat, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	b := testutil.Browser(t)
	if err := chromedp.Do(b,
		chromedp.Navigate(sc.ts+"/signin?next="+next),
		chromedp.SendKeys(chromedp.CSS("#email"), "camille@pc.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		// The sign-in page has an h1 too: wait until it is gone, or a
		// check could run on the page being left.
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	); err != nil {
		t.Fatalf("secretariat sign-in: %v", err)
	}
	return b
}

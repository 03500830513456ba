package app

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// From a supporter's draft to the public dashboard, all in a real browser:
// the focal point writes and submits an action, the secretariat accepts
// it, and a visitor finds it on the dashboard's figures and on its
// recommendation's page, in English and in French.
func TestActionReachesThePublicInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	if _, err := sc.s.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const title = "Transparent procurement of surveillance tools"
	visitor := testutil.Browser(t)
	acting := func() string {
		t.Helper()
		must(chromedp.Do(visitor, chromedp.Navigate(sc.ts+"/?cycle=2026&lang=en"), chromedp.WaitVisible(chromedp.CSS("h1"))))
		s, err := chromedp.Run(visitor, chromedp.Text(chromedp.CSS(`section[aria-labelledby="coverage"] > .table-scroll a[href="/actions?cycle=2026&recommendation=5"]`)))
		must(err)
		return s
	}
	if before := acting(); before != "0" {
		t.Fatalf("organisations acting on recommendation 5 before: %q", before)
	}

	// The focal point writes the action and submits it.
	focal := testutil.Browser(t)
	must(chromedp.Do(focal,
		chromedp.Navigate(sc.ts+"/signin?next=/actions/new?cycle=2026"),
		chromedp.SendKeys(chromedp.CSS("#email"), "kadri@own.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#f-title")),
		chromedp.SendKeys(chromedp.CSS("#f-title"), title),
		chromedp.Click(chromedp.CSS(`input[name="recommendations"][value="5"]`)),
		setValue("#f-stage", "adopted"),
		setValue("#f-measure", "public_oversight"),
		setValue("#f-scope", "national"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))

	// The secretariat accepts it from the queue.
	sec := secretariatBrowser(t, sc, "/review?cycle=2026", "table.data")
	must(chromedp.Do(sec,
		chromedp.Click(chromedp.CSS("table.data tbody a")),
		chromedp.WaitVisible(chromedp.CSS(`button[value="accept"]`)),
		chromedp.Click(chromedp.CSS(`button[value="accept"]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))

	// The visitor sees it counted, and listed on the recommendation's page,
	// in both languages.
	if after := acting(); after != "1" {
		t.Errorf("organisations acting on recommendation 5 after: %q", after)
	}
	for _, lang := range []string{"en", "fr"} {
		must(chromedp.Do(visitor, chromedp.Navigate(sc.ts+"/recommendations/5?lang="+lang), chromedp.WaitVisible(chromedp.CSS(".action-list"))))
		list, err := chromedp.Run(visitor, chromedp.Text(chromedp.CSS(".action-list")))
		must(err)
		if !strings.Contains(list, title) {
			t.Errorf("%s: the recommendation's page does not list the action: %q", lang, list)
		}
		heading, _ := chromedp.Run(visitor, chromedp.Text(chromedp.CSS("h1")))
		if want := map[string]string{"en": "Adopt transparent procurement practices", "fr": "Adopter des pratiques d'achat transparentes"}[lang]; heading != want {
			t.Errorf("%s heading: %q", lang, heading)
		}
	}
	must(chromedp.Do(visitor, chromedp.Navigate(sc.ts+"/?cycle=2026&lang=fr"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	if fr, _ := chromedp.Run(visitor, chromedp.Text(chromedp.CSS(`section[aria-labelledby="coverage"] > .table-scroll a[href="/actions?cycle=2026&recommendation=5"]`))); fr != "1" {
		t.Errorf("French dashboard: %q", fr)
	}
}

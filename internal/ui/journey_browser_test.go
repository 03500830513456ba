package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// From a supporter's draft to the public dashboard, all in a real browser,
// once in English and once in French: the focal point writes and submits
// an action, the secretariat accepts it, and a visitor finds it counted on
// the dashboard and listed on its recommendation's page.
func TestActionReachesThePublicInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	if _, err := sc.S.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	visitor := testutil.Browser(t)
	acting := func(rec int, lang string) string {
		t.Helper()
		testutil.Must(t, chromedp.Do(visitor, chromedp.Navigate(fmt.Sprintf("%s/?cycle=2026&lang=%s", sc.TS, lang)), chromedp.WaitVisible(chromedp.CSS("h1"))))
		// The cell reads the organisations, then links their actions' list.
		s, err := chromedp.Run(visitor, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('section[aria-labelledby="coverage"] > .table-scroll a[href="/actions?cycle=2026&recommendation=%d"]').closest('td').firstChild.textContent.trim()`, rec)))
		testutil.Must(t, err)
		return s
	}
	focal := testutil.Browser(t)
	testutil.Must(t, chromedp.Do(focal,
		chromedp.Navigate(sc.TS+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "kadri@own.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".workspace-grid")),
	))
	sec := secretariatBrowser(t, sc, "/review", "h1")

	for _, c := range []struct {
		lang, title, recTitle, flash string
		rec                          int
	}{
		{"en", "Transparent procurement of surveillance tools", "Adopt transparent procurement practices", "submitted", 5},
		{"fr", "Vérification des fournisseurs de logiciels espions", "Imposer la vérification des fournisseurs", "soumise", 6},
	} {
		if before := acting(c.rec, c.lang); before != "0" {
			t.Fatalf("%s: organisations acting on recommendation %d before: %q", c.lang, c.rec, before)
		}
		// The focal point writes the action and submits it, in the language.
		testutil.Must(t, chromedp.Do(focal,
			chromedp.Navigate(fmt.Sprintf("%s/actions/new?cycle=2026&lang=%s", sc.TS, c.lang)),
			chromedp.WaitVisible(chromedp.CSS("#f-title")),
			chromedp.SendKeys(chromedp.CSS("#f-title"), c.title),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="recommendations"][value="%d"]`, c.rec))),
			setValue("#f-stage", "adopted"),
			setValue("#f-measure", "public_oversight"),
			setValue("#f-scope", "national"),
			// The cycle accepts only actions that cite evidence.
			setValue("#ek0", "report"),
			chromedp.SendKeys(chromedp.CSS("#eu0"), "https://example.org/procurement"),
			chromedp.SendKeys(chromedp.CSS("#et0"), "Procurement register"),
			chromedp.Click(chromedp.CSS(`button[value="save"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/submit"] button`)),
			dropAlerts, // the "saved" message must not pass for the next one
			chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
			chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
		))
		if flash, _ := chromedp.Run(focal, chromedp.Text(chromedp.CSS(".alert-ok"))); !strings.Contains(strings.ToLower(flash), c.flash) {
			t.Errorf("%s: flash after submitting: %q", c.lang, flash)
		}
		// The secretariat accepts it from the queue.
		testutil.Must(t, chromedp.Do(sec,
			chromedp.Navigate(fmt.Sprintf("%s/review?cycle=2026&lang=%s", sc.TS, c.lang)),
			chromedp.WaitVisible(chromedp.CSS("table.data tbody a")),
			chromedp.Click(chromedp.CSS("table.data tbody a")),
			chromedp.WaitVisible(chromedp.CSS(`button[value="accept"]`)),
			dropAlerts,
			chromedp.Click(chromedp.CSS(`button[value="accept"]`)),
			chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
		))
		// The visitor sees it counted, and listed on the recommendation's page.
		if after := acting(c.rec, c.lang); after != "1" {
			t.Errorf("%s: organisations acting on recommendation %d after: %q", c.lang, c.rec, after)
		}
		testutil.Must(t, chromedp.Do(visitor, chromedp.Navigate(fmt.Sprintf("%s/recommendations/%d?lang=%s", sc.TS, c.rec, c.lang)),
			chromedp.WaitVisible(chromedp.CSS(".action-list"))))
		list, err := chromedp.Run(visitor, chromedp.Text(chromedp.CSS(".action-list")))
		testutil.Must(t, err)
		heading, _ := chromedp.Run(visitor, chromedp.Text(chromedp.CSS("h1")))
		if !strings.Contains(list, c.title) || heading != c.recTitle {
			t.Errorf("%s: the recommendation's page (%q) does not list the action: %q", c.lang, heading, list)
		}
	}
}

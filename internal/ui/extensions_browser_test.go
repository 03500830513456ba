package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Deadline extensions in a real browser, without JavaScript of ours: a
// refused date at its field, the list, the confirmation page in both
// languages and the revocation; axe on each page.
func TestExtensionsInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	b := secretariatBrowser(t, sc, "/admin/cycles/2026", "#x-date")
	grant := func(date string, wait string) {
		t.Helper()
		testutil.Must(t, chromedp.Do(b, dropAlerts, setValue("#x-org", fmt.Sprint(sc.Org.ID)), setValue("#x-date", date),
			chromedp.Click(chromedp.CSS(`form[action$="/extensions"] button`)), chromedp.WaitVisible(chromedp.CSS(wait))))
	}
	grant("2026-10-30", "#e-x-date")
	if msg, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("#e-x-date"))); !strings.Contains(msg, "after the deadline, 1 October 2026, and no later than the report date, 21 October 2026") {
		t.Errorf("refused date: %q", msg)
	}
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS("#x-date"))); v != "2026-10-30" {
		t.Errorf("typed date lost: %q", v)
	}
	testutil.CheckAccessibility(t, b, "cycle with a refused extension")
	grant("2026-10-15", ".alert-ok")
	testutil.CheckAccessibility(t, b, "cycle with an extension")
	testutil.Screenshot(t, b, "14-cycle-extensions")

	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)), chromedp.WaitVisible(chromedp.CSS(`.confirm-effects`))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); h1 != "Revoke this deadline extension?" {
		t.Errorf("confirmation page: %q", h1)
	}
	testutil.CheckAccessibility(t, b, "revoke confirmation")
	testutil.Screenshot(t, b, "15-revoke-extension")
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`a[hreflang="fr"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] h1`))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); h1 != "Révoquer cette prolongation de délai ?" {
		t.Errorf("the confirmation page in French: %q", h1)
	}
	testutil.CheckAccessibility(t, b, "revoke confirmation (fr)")
	c, _ := sc.S.Cycles.Get(context.Background(), 2026)
	if _, ok, _ := db.DeadlineExtension(context.Background(), c.ID, sc.Org.ID); !ok {
		t.Fatal("asking revoked the extension")
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`form.toolbar button.danger`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if _, ok, _ := db.DeadlineExtension(context.Background(), c.ID, sc.Org.ID); ok {
		t.Error("the confirmed revocation left the extension")
	}
	if flash, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(".alert-ok"))); !strings.Contains(flash, "révoquée") {
		t.Errorf("flash after revoking: %q", flash)
	}
}

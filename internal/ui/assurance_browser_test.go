package ui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The secretariat sets an action's assurance in a browser, in French: the
// form refuses a level without its note and keeps the choice, then saves;
// the public page shows the level, on a computer and on a phone. Every
// page is checked with axe.
func TestAssuranceInTheBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	a := sc.LastYearAction
	page := fmt.Sprintf("/actions/%d", a.ID)
	b := secretariatBrowser(t, sc, page+"?lang=fr", "#as-note")
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		testutil.Must(t, err)
		return s
	}
	testutil.CheckAccessibility(t, b, "page d'une action, niveau d'assurance")
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS("#as-level-evidence_checked")), chromedp.Submit(chromedp.CSS("#as-note")),
		chromedp.WaitVisible(chromedp.CSS(".assurance-panel .alert-error"))))
	if s := text(".assurance-panel .alert-error"); !strings.Contains(s, "Indiquez ce qui a été vérifié") {
		t.Errorf("refused without a note: %q", s)
	}
	if checked, _ := chromedp.Run(b, chromedp.Evaluate[bool](`document.querySelector('#as-level-evidence_checked').checked`)); !checked {
		t.Errorf("the level chosen was not kept")
	}
	testutil.CheckAccessibility(t, b, "niveau refusé")
	testutil.Must(t, chromedp.Do(b, chromedp.SendKeys(chromedp.CSS("#as-note"), "Le décret est publié au Journal officiel."),
		chromedp.Submit(chromedp.CSS("#as-note")), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if s := text(".assurance-panel"); !strings.Contains(s, "Justificatifs vérifiés") || !strings.Contains(s, "Le décret est publié") {
		t.Errorf("after saving: %q", s)
	}
	testutil.Screenshot(t, b, "assurance-secretariat-fr")

	for _, width := range []int64{1280, 375} {
		pub := testutil.Browser(t)
		testutil.Must(t, chromedp.Do(pub, chromedp.EmulateViewport(width, 900), chromedp.Navigate(sc.TS+page+"?lang=en"),
			chromedp.WaitVisible(chromedp.CSS(".assurance"))))
		s, err := chromedp.Run(pub, chromedp.Text(chromedp.CSS("dl.facts")))
		testutil.Must(t, err)
		if !strings.Contains(s, "Evidence checked") || !strings.Contains(s, "The secretariat checked that the evidence supports the claim.") {
			t.Errorf("the public page at %d px: %q", width, s)
		}
		if wide, _ := chromedp.Run(pub, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
			t.Errorf("the public page is wider than %d px", width)
		}
		testutil.CheckAccessibility(t, pub, "public action page")
		testutil.Screenshot(t, pub, fmt.Sprintf("assurance-public-%d", width))
	}
}

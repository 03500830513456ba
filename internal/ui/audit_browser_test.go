package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/testutil"
)

// The audit log in a real browser, as the secretariat signs in (password,
// then code): accessible in both languages, with a search by name, the
// raw entry opened, an empty result, and on a phone's width.
func TestAuditLogInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newAuditScenario(t, db)
	b := secretariatBrowser(t, sc.Scenario, "/admin/audit?lang=en", "table.audit")
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		testutil.Must(t, err)
		return strings.Join(strings.Fields(s), " ")
	}
	testutil.CheckAccessibility(t, b, "audit log")
	testutil.Screenshot(t, b, "audit-1280")
	if s := text("table.audit"); !strings.Contains(s, "Camille Martin accepted action") || !strings.Contains(s, "The scheduler recorded") {
		t.Errorf("sentences: %s", s)
	}

	// A search by a name the entries' labels do not hold, kept in the form.
	testutil.Must(t, chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS("#a-actor"), "élodie"),
		chromedp.Submit(chromedp.CSS("#a-actor")),
		chromedp.WaitVisible(chromedp.CSS(`#a-actor[value="élodie"]`)),
	))
	if s := text("table.audit"); !strings.Contains(s, "Élodie Durand submitted action") || strings.Contains(s, "Camille Martin accepted") {
		t.Errorf("search by name: %s", s)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS("table.audit summary")), chromedp.WaitVisible(chromedp.CSS("table.audit details pre"))))
	testutil.CheckAccessibility(t, b, "audit log, searched, details open")

	// Report events, on a phone, in French.
	testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(375, 812), chromedp.Navigate(sc.TS+"/admin/audit?lang=fr&verb=report."),
		chromedp.WaitVisible(chromedp.CSS("table.audit"))))
	if s := text("table.audit"); !strings.Contains(s, "a publié le rapport") || strings.Contains(s, "a accepté l'action") {
		t.Errorf("report events: %s", s)
	}
	if wide, _ := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Errorf("the log is wider than a phone")
	}
	testutil.CheckAccessibility(t, b, "journal d'audit")
	testutil.Screenshot(t, b, "audit-375-fr")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/admin/audit?lang=en"), chromedp.WaitVisible(chromedp.CSS("table.audit"))))
	if wide, _ := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Errorf("the log is wider than a phone")
	}
	testutil.Screenshot(t, b, "audit-375")

	// Nothing found: said so, with a way back.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/admin/audit?lang=en&actor=nobody"), chromedp.WaitVisible(chromedp.CSS(".empty a"))))
	testutil.CheckAccessibility(t, b, "audit log, nothing found")
}

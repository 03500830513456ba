package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The report in a real browser: the secretariat compiles a draft from the
// cycle's page, opens it and publishes it; then a visitor finds it among
// the reports, with each file's Checksum. axe on each page.
func TestReportsInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	b := secretariatBrowser(t, sc, "/admin/cycles/2025", "h1")
	testutil.CheckAccessibility(t, b, "cycle with reports")
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`form[action$="/reports"] button`)), chromedp.WaitVisible(chromedp.CSS(".alert"))))
	url, _ := chromedp.Run(b, chromedp.Location())
	if !strings.Contains(url, "/reports/") {
		t.Fatalf("after compiling: %s", url)
	}
	if flash, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(".alert"))); !strings.Contains(flash, "compiled") {
		t.Errorf("flash: %q", flash)
	}
	testutil.CheckAccessibility(t, b, "draft report")
	testutil.Screenshot(t, b, "21-report-draft")
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	path := url[strings.Index(url, "/reports/"):]
	if r := apptest.Get(t, anon, sc.TS+path); r.Status != 404 {
		t.Errorf("a visitor sees the draft: %d", r.Status)
	}

	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)), chromedp.WaitVisible(chromedp.CSS(".confirm-effects")),
		chromedp.Click(chromedp.CSS(`.confirm form button`)), chromedp.WaitVisible(chromedp.CSS(".badge-published"))))
	if flash, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(".alert"))); !strings.Contains(flash, "published") {
		t.Errorf("flash: %q", flash)
	}
	hashes, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('td code.hash').length`))
	if hashes != 10 { // five formats in two languages; no Chromium for the PDF in this server
		t.Errorf("checksums on the page: %d", hashes)
	}
	testutil.CheckAccessibility(t, b, "published report")
	testutil.Screenshot(t, b, "22-report-published")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+path+"?lang=fr"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); h1 != "Rapport d'étape 2025" {
		t.Errorf("French title: %q", h1)
	}
	testutil.CheckAccessibility(t, b, "published report (fr)")

	// A visitor: the list and the page, and a file whose Checksum is the
	// one shown.
	list := apptest.Get(t, anon, sc.TS+"/reports")
	if list.Status != 200 || !strings.Contains(list.Body, path) {
		t.Errorf("public list: %d", list.Status)
	}
	page := apptest.Get(t, anon, sc.TS+path)
	if page.Status != 200 || !strings.Contains(page.Body, "/api/v1/reports/") {
		t.Fatalf("public page: %d", page.Status)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/reports"), chromedp.WaitVisible(chromedp.CSS("table.data"))))
	testutil.CheckAccessibility(t, b, "reports")
	testutil.Screenshot(t, b, "23-reports")
}

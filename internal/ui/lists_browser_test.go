package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The lists in a browser with JavaScript turned off (issue 19.3): a page
// past the last says so and links to the last page, which says "page 2 of
// 2"; the actions list is sorted by choosing an order in its form; axe
// finds nothing on either page.
func TestListPagesInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	for i := range 50 { // with the scenario's two, the directory holds two pages of 50
		if _, err := sc.S.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: fmt.Sprintf("Supporter %02d", i),
			Kind: stakeholder.Company, Country: "DE", Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct {
		title string
		stage action.Stage
	}{{"Implemented register", action.Implemented}, {"Planned guidelines", action.Planned}, {"Adopted decree", action.Adopted}} {
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title, in.Stage = a.title, a.stage })
		sc.S.Clock.Add(60e9)
	}
	b := testutil.Browser(t)
	scripts := func(off bool) {
		t.Helper()
		_, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		testutil.Must(t, err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		testutil.Must(t, err)
		return strings.TrimSpace(s)
	}
	scripts(true)

	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/organisations?kind=&page=9&lang=en"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	if h1, p := text("h1"), text(".error-page h1 + p"); h1 != "This page of the list does not exist" || p != "Page 9 does not exist; the last page is 2." {
		t.Errorf("past the last page: %q / %q", h1, p)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(".error-page a.button")), chromedp.WaitVisible(chromedp.CSS("nav.pager"))))
	if got := text("nav.pager span"); got != "Page 2 of 2" {
		t.Errorf("the last page says %q", got)
	}
	if url, _ := chromedp.Run(b, chromedp.Location()); !strings.Contains(url, "page=2") {
		t.Errorf("the link went to %s", url)
	}

	// Sorting is the form's select and its button: no script needed.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/actions?cycle=2026&lang=en"), chromedp.WaitVisible(chromedp.CSS("#f-sort"))))
	if got := text(".action-list li h2"); got != "Adopted decree" {
		t.Errorf("newest first: %q", got)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.SetValue(chromedp.CSS("#f-sort"), "stage"), chromedp.Submit(chromedp.CSS("#f-sort")),
		chromedp.WaitReady(chromedp.CSS(`#f-sort option[value="stage"][selected]`)))) // the new page: an option is no visible thing
	if got := text(".action-list li h2"); got != "Planned guidelines" {
		t.Errorf("sorted by stage: %q first", got)
	}
	if url, _ := chromedp.Run(b, chromedp.Location()); !strings.Contains(url, "sort=stage") || !strings.Contains(url, "cycle=2026") {
		t.Errorf("the form went to %s", url)
	}

	scripts(false) // axe itself is a script
	for _, p := range []struct{ path, ready, shot string }{
		{"/organisations?page=9&lang=en", ".error-page", "41-page-past-the-last"},
		{"/organisations?page=9&lang=fr", ".error-page", "42-page-past-the-last-fr"},
		{"/actions?page=x&lang=en", ".error-page", "43-page-unreadable"},
		{"/actions?cycle=2026&sort=stage&lang=fr", "#f-sort", "44-actions-sorted-fr"},
	} {
		testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready))))
		testutil.CheckAccessibility(t, b, p.path)
		testutil.Screenshot(t, b, p.shot)
	}
}

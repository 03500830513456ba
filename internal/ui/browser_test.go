package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The recommendations page in a real browser: the twelve, the language
// switch working without JavaScript, the skip link, and no WCAG 2.2 AA
// violation in either language, on a phone-sized screen, or on an error page.
func TestHomePageInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	ts := apptest.StartServer(t, db)
	ctx := testutil.Browser(t)
	lang := func() string {
		t.Helper()
		a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
		testutil.Must(t, err)
		return a.Value
	}

	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/recommendations")))
	count, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('li.recommendation').length`))
	testutil.Must(t, err)
	if count != 12 || lang() != "en" {
		t.Fatalf("English page: %d recommendations, lang %q", count, lang())
	}
	testutil.CheckAccessibility(t, ctx, "home (en)")

	// The first Tab reaches the skip link.
	testutil.Must(t, chromedp.Do(ctx, chromedp.KeyEvent("\t")))
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
	testutil.Must(t, err)
	if focused != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", focused)
	}

	// Switch to French by following the link, as a person would.
	testutil.Must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[hreflang="fr"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] h1`)),
	))
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	testutil.Must(t, err)
	if !strings.Contains(heading, "Les douze recommandations prioritaires") {
		t.Errorf("French heading: %q", heading)
	}
	testutil.CheckAccessibility(t, ctx, "home (fr)")

	// The choice is remembered on the next visit; with no cycle yet, the
	// dashboard says so.
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")))
	if empty, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.empty"))); !strings.Contains(empty, "Aucun cycle") {
		t.Errorf("empty dashboard: %q", empty)
	}
	testutil.CheckAccessibility(t, ctx, "empty dashboard (fr)")
	if l := lang(); l != "fr" {
		t.Errorf("remembered language: %q", l)
	}

	// A phone-sized screen: nothing wider than the viewport.
	testutil.Must(t, chromedp.Do(ctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(ts.URL+"/?lang=en")))
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	testutil.Must(t, err)
	if overflow {
		t.Error("the page scrolls sideways at 360 px")
	}
	testutil.CheckAccessibility(t, ctx, "home (360 px)")

	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/missing")))
	testutil.CheckAccessibility(t, ctx, "404 page")
}

package ui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/testutil"
)

// In a real browser: without JavaScript, choosing a framework on the list
// of actions narrows the provisions offered to its own; the frameworks'
// pages and an action's "Counts for" pass axe in English and French and
// fit a 375 px phone.
func TestCrosswalkPagesInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	fx := newCrosswalkFixture(t, db)
	ts := fx.sc.TS
	b := testutil.Browser(t)
	scripts := func(off bool) {
		t.Helper()
		_, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		testutil.Must(t, err)
	}
	scripts(true)
	testutil.Must(t, chromedp.Do(b,
		chromedp.Navigate(ts+"/actions?lang=en"), chromedp.WaitVisible(chromedp.CSS("#f-framework")),
		chromedp.SetValue(chromedp.CSS("#f-framework"), "un-gge-2015"), chromedp.Submit(chromedp.CSS("#f-framework")),
		chromedp.WaitVisible(chromedp.CSS(".results-heading"))))
	options, err := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#f-provision option")].map(o => o.value)`))
	testutil.Must(t, err)
	if fmt.Sprint(options) != "[ 13(j) 13(i) 13(e) 13(c)]" {
		t.Errorf("the provisions offered once UN GGE 2015 is chosen: %q", options)
	}
	scripts(false) // axe is a script
	for _, lang := range []string{"en", "fr"} {
		for _, p := range []struct{ path, ready, name string }{
			{"/frameworks", "#cw-overview", "cw-frameworks"},
			{"/frameworks/pall-mall-states", "#cw-provisions", "cw-framework-pall-mall"},
			{"/frameworks/wassenaar-intrusion-2013", "#cw-provisions", "cw-framework-wassenaar"},
			{fmt.Sprintf("/actions/%d", fx.pubDeclare.ID), "#counts-for", "cw-action-counts-for"},
			{"/actions?framework=wassenaar-intrusion-2013&provision=4.E.1.c+%282017+notes%29&cycle=2026", ".results-heading", "cw-actions-filtered"},
			{"/about", "#crosswalk", "cw-about"},
			{"/about/crosswalk-sources", ".sources", "cw-sources"},
		} {
			testutil.Must(t, chromedp.Do(b, chromedp.Navigate(ts+p.path+map[bool]string{true: "&", false: "?"}[strings.Contains(p.path, "?")]+"lang="+lang),
				chromedp.WaitVisible(chromedp.CSS(p.ready))))
			screens(t, b, p.name+"-"+lang)
		}
	}
}

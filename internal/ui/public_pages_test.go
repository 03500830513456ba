package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The dashboard in a real browser, with JavaScript turned off: the cycle is
// chosen with the form, and axe finds nothing in either language.
func TestDashboardInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Recommendations = []int{2, 3} })
	b := testutil.Browser(t)
	scripts := func(off bool) {
		t.Helper()
		_, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		testutil.Must(t, err)
	}
	scripts(true)
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); h1 != "Progress on the twelve recommendations · 2026" {
		t.Errorf("heading: %q", h1)
	}
	// The select and its button are a plain form: choosing a cycle needs no
	// script.
	testutil.Must(t, chromedp.Do(b, chromedp.SetValue(chromedp.CSS("#d-cycle"), "2025"), chromedp.Submit(chromedp.CSS("#d-cycle")),
		chromedp.WaitVisible(chromedp.CSS(`h1`))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); !strings.HasSuffix(h1, "2025") {
		t.Errorf("after choosing 2025 without JavaScript: %q", h1)
	}
	// axe itself is a script.
	scripts(false)
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	testutil.CheckAccessibility(t, b, "dashboard (en)")
	testutil.Screenshot(t, b, "30-dashboard")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/?lang=fr"), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); !strings.HasPrefix(h1, "Progrès sur les douze recommandations") {
		t.Errorf("French heading: %q", h1)
	}
	testutil.CheckAccessibility(t, b, "dashboard (fr)")
	testutil.Screenshot(t, b, "31-dashboard-fr")
	for _, p := range []struct{ path, name string }{{"/recommendations/2?lang=en", "32-recommendation"}, {"/actions?cycle=2026", "33-actions"},
		{"/organisations", "36-supporters"}, {"/about?lang=fr", "38-about-fr"}, {"/search?q=intrusion", "39-search"},
		{fmt.Sprintf("/actions/%d?lang=fr", sc.LastYearAction.ID), "40-public-action-fr"}, {fmt.Sprintf("/organisations/%d", sc.Org.ID), "37-profile"},
		{"/actions?stage=done", "34-actions-bad-filter"}, {"/recommendations/3?lang=fr", "35-recommendation-fr"}} {
		testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+p.path), chromedp.WaitVisible(chromedp.CSS("h1"))))
		testutil.CheckAccessibility(t, b, p.path)
		testutil.Screenshot(t, b, p.name)
	}
}

// An action's public page: for anyone when it is public, with its earlier
// cycles; a draft or a secretariat-only action stays behind the sign-in (or
// not found), as before.
func TestPublicActionPage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		c, _ := sc.S.Cycles.Get(ctx, 2026)
		in := testutil.ActionInput()
		in.Stage = action.Implemented
		cont, err := sc.S.Actions.CreateContinuation(ctx, testutil.System, sc.Org.ID, c.ID, sc.LastYearAction.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		cont, _ = sc.S.Actions.Move(ctx, testutil.System, cont.ID, cont.Version, action.Submitted, "")
		if _, err := sc.S.Actions.Move(ctx, testutil.System, cont.ID, cont.Version, action.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		secret, err := sc.S.Actions.Create(ctx, testutil.System, sc.OtherOrg.ID, c.ID, func() action.Input {
			in := testutil.ActionInput()
			in.Title, in.Visibility = "Confidential vendor register", action.SecretariatOnly
			return in
		}())
		if err != nil {
			t.Fatal(err)
		}
		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		page := apptest.Get(t, anon, fmt.Sprintf("%s/actions/%d", sc.TS, cont.ID))
		if page.Status != 200 || !strings.Contains(page.Body, "Over the years") ||
			!strings.Contains(page.Body, fmt.Sprintf(`<a href="/actions/%d">2025</a>: Adopted`, sc.LastYearAction.ID)) ||
			!strings.Contains(page.Body, "https://example.org/decree") {
			t.Errorf("public action page: %d\n%s", page.Status, page.Body)
		}
		// Another organisation's focal point sees the public page of a
		// public action.
		if r := sc.Other.Do("GET", fmt.Sprintf("/actions/%d", cont.ID), ""); r.Status != 200 || !strings.Contains(r.Body, "Over the years") {
			t.Errorf("another organisation on a public action: %d", r.Status)
		}
		// A link to an action that is not there, or not public, is the same
		// answer to everyone: not found or not public, never a sign-in
		// form that would tell a draft is there (issue 19.5).
		for _, c := range []struct {
			who     string
			get     func(path string) (int, string)
			path    string
			visitor bool
		}{
			{"a visitor, a draft kept for the secretariat", anonGet(t, anon, sc.TS), fmt.Sprintf("/actions/%d", secret.ID), true},
			{"a visitor, no such action", anonGet(t, anon, sc.TS), "/actions/999999", true},
			{"a visitor, in French", anonGet(t, anon, sc.TS), "/actions/999999?lang=fr", true},
			{"another organisation, a draft", memberGet(sc.Member), fmt.Sprintf("/actions/%d", secret.ID), false},
			{"another organisation, no such action", memberGet(sc.Member), "/actions/999999", false},
		} {
			status, body := c.get(c.path)
			heading := "Action not found or not public"
			if strings.Contains(c.path, "lang=fr") {
				heading = "Action introuvable ou non publique"
			}
			if status != 404 || !strings.Contains(body, heading) || strings.Contains(body, "Confidential") ||
				strings.Contains(body, "sign in to see it") != (c.visitor && !strings.Contains(c.path, "lang=fr")) {
				t.Errorf("%s: %d, want 404 %q\n%s", c.who, status, heading, body)
			}
		}
	})
}

func anonGet(t *testing.T, c *http.Client, ts string) func(string) (int, string) {
	return func(path string) (int, string) {
		r := apptest.Get(t, c, ts+path)
		return r.Status, r.Body
	}
}

func memberGet(u apptest.APIClient) func(string) (int, string) {
	return func(path string) (int, string) {
		r := u.Do("GET", path, "")
		return r.Status, r.Body
	}
}

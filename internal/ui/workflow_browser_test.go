package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// interactions drives a browser as a person does and counts what they do:
// each click of a button or link and each form submitted. Typing and
// waiting are not counted.
type interactions struct {
	t   *testing.T
	ctx context.Context
	n   int
}

// click clicks sel and waits for ready on the page it leads to.
func (in *interactions) click(sel, ready string) {
	in.t.Helper()
	in.n++
	if err := chromedp.Do(in.ctx, dropAlerts, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		in.t.Fatalf("interaction %d, click %s: %v", in.n, sel, err)
	}
}

// screens checks the current page with axe and saves it at 1280 and 375
// px wide.
func screens(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	testutil.CheckAccessibility(t, ctx, name)
	testutil.Screenshot(t, ctx, name)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812)); err != nil {
		t.Fatal(err)
	}
	if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		t.Errorf("%s is %d px wide on a 375 px phone", name, w)
	}
	testutil.Screenshot(t, ctx, name+"-375")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
}

// A returning focal point reconfirms last year's five actions one by one,
// from the sign-in page, in at most eight interactions; each is recorded
// as reconfirmed, after a carry forward, in the history.
func TestReconfirmFiveInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	last, _ := sc.S.Cycles.Get(ctx, 2025)
	for i := 2; i <= 5; i++ { // the scenario has one accepted action last year; four more
		in := testutil.ActionInput()
		in.Title = fmt.Sprintf("Measure %d of last year", i)
		a, err := sc.S.Actions.Create(ctx, testutil.System, sc.Org.ID, last.ID, in)
		if err == nil {
			a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
		}
		if err == nil {
			_, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, 0, action.Accepted, "")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri Tamm",
		Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	b := testutil.Browser(t)
	in := &interactions{t: t, ctx: b}
	if err := chromedp.Do(b, chromedp.Navigate(sc.TS+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "kadri@own.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password)); err != nil {
		t.Fatal(err)
	}
	in.click(`form[action="/signin"] button[type="submit"]`, ".workspace-grid")
	// Each step lands on a page with a notice: the old page's notices
	// are removed before each click, so that the wait is for the new one.
	in.click(`form[action="/workspace/carry-forward"] button`, ".alert-ok")
	screens(t, b, "20-workspace-reconfirm")
	for i := 0; i < 5; i++ {
		in.click(`button[id^="reconfirm-"]`, ".alert-ok")
	}
	if flash, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(".alert-ok"))); !strings.Contains(flash, "Reconfirmed unchanged") {
		t.Errorf("flash after the last reconfirmation: %q", flash)
	}
	if in.n > 8 {
		t.Errorf("%d interactions from the sign-in page, want at most 8", in.n)
	}
	list, _, _ := sc.S.Actions.List(ctx, testutil.System, action.Filter{CycleYear: 2026, StakeholderID: sc.Org.ID, Limit: 50})
	reconfirmed := 0
	for _, a := range list {
		_, events, _ := sc.S.Actions.History(ctx, testutil.System, a.ID)
		if a.State == action.Submitted && len(events) == 1 && events[0].Decision == action.DecisionReconfirmed {
			reconfirmed++
		}
	}
	if len(list) != 5 || reconfirmed != 5 {
		t.Errorf("%d actions this year, %d reconfirmed, want 5 and 5", len(list), reconfirmed)
	}
	t.Logf("5 carried actions reconfirmed one by one in %d interactions from the sign-in page", in.n)

	// The history tells both steps in words, and the review queue says
	// "unchanged since 2025".
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d/history", sc.TS, list[0].ID)), chromedp.WaitVisible(chromedp.CSS(".timeline"))))
	text, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(".timeline")))
	for _, want := range []string{"Carried forward from 2025", "Reconfirmed unchanged", "Submitted as it was carried forward"} {
		if !strings.Contains(text, want) {
			t.Errorf("history lacks %q: %q", want, text)
		}
	}
	screens(t, b, "21-history-carried")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d/history?lang=fr", sc.TS, list[0].ID)), chromedp.WaitVisible(chromedp.CSS(".timeline"))))
	testutil.CheckAccessibility(t, b, "historique reprise")
	sec := secretariatBrowser(t, sc, "/review?cycle=2026", "table.data")
	if text, _ := chromedp.Run(sec, chromedp.Text(chromedp.CSS("table.data"))); strings.Count(text, "Unchanged since 2025") != 5 {
		t.Errorf("review queue: %q", text)
	}
	screens(t, sec, "22-review-unchanged")
}

// The rest of a focal point's steps in a browser: submit-all leaves an
// action sent back alone; resubmitting it unchanged asks for a reply;
// withdrawing asks first; a withdrawn action reopens. The secretariat
// publishes a report after a confirmation. Every new page passes axe in
// English and French.
func TestWorkflowStepsInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	kadri, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri Tamm",
		Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint, Password: apptest.Password})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(title string, path ...action.State) action.Action {
		t.Helper()
		in := testutil.ActionInput()
		in.Title = title
		a, err := sc.S.Actions.CreateIn(ctx, kadri.Actor(), 2026, in)
		for _, to := range path {
			if err == nil {
				a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, 0, to, "Add the link to the published decree.")
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	back := mk("Sent back for a link", action.Submitted, action.ChangesRequested)
	mk("A fresh draft")
	sent := mk("Already with the secretariat", action.Submitted)

	b := testutil.Browser(t)
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), "kadri@own.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".workspace-grid"))))
	if text, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Submitting all drafts does not send") ||
		!strings.Contains(text, "Submit all drafts to the secretariat (1)") {
		t.Errorf("workspace before submit-all: %q", text)
	}
	testutil.Must(t, chromedp.Do(b, dropAlerts, chromedp.Click(chromedp.CSS(`form[action="/workspace/submit-all"] button`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, back.ID); got.State != action.ChangesRequested || got.Version != back.Version {
		t.Fatalf("submit-all sent the action sent back: %s", got.State)
	}

	// The action sent back: resubmitted unchanged without a reply, refused
	// with the reason by the box; with a reply, sent.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d", sc.TS, back.ID)), chromedp.WaitVisible(chromedp.CSS("#s-reply"))))
	screens(t, b, "23-action-sent-back")
	// The box is required in the page; a browser that does not check it
	// (or a person who fills it with spaces) meets the server's refusal.
	testutil.Must(t, chromedp.Do(b, chromedp.SendKeys(chromedp.CSS("#s-reply"), "   "),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#s-reply').required = false`),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)), chromedp.WaitVisible(chromedp.CSS("#submit-error"))))
	if msg, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("#submit-error"))); !strings.Contains(msg, "Edit the action, or reply to the request") {
		t.Errorf("unchanged resubmission: %q", msg)
	}
	screens(t, b, "24-reply-needed")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d?lang=fr", sc.TS, back.ID)), chromedp.WaitVisible(chromedp.CSS("#s-reply"))))
	testutil.CheckAccessibility(t, b, "action renvoyée")
	testutil.Must(t, chromedp.Do(b, chromedp.SendKeys(chromedp.CSS("#s-reply"), "Le décret n'est pas encore publié ; le lien suivra."),
		dropAlerts, chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, back.ID); got.State != action.Submitted {
		t.Errorf("resubmitted with a reply: %s", got.State)
	}

	// Withdraw asks first, in French and in English; then reopen.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d?lang=fr", sc.TS, sent.ID)),
		chromedp.Click(chromedp.CSS(`a[href$="/withdraw"]`)), chromedp.WaitVisible(chromedp.CSS(".confirm-effects"))))
	testutil.CheckAccessibility(t, b, "confirmer le retrait")
	testutil.Screenshot(t, b, "25-confirm-withdraw-fr")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d/withdraw?lang=en", sc.TS, sent.ID)), chromedp.WaitVisible(chromedp.CSS(".confirm-effects"))))
	screens(t, b, "25-confirm-withdraw")
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, sent.ID); got.State != action.Submitted {
		t.Fatalf("withdrawn by showing the confirmation: %s", got.State)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`.confirm form button`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/reopen"]`))))
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, sent.ID); got.State != action.Withdrawn {
		t.Fatalf("after confirming: %s", got.State)
	}
	screens(t, b, "26-withdrawn")
	testutil.Must(t, chromedp.Do(b, dropAlerts, chromedp.Click(chromedp.CSS(`form[action$="/reopen"] button`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, sent.ID); got.State != action.Draft {
		t.Errorf("after reopening: %s", got.State)
	}
	// Delete asks first too (a draft never submitted).
	fresh := mk("To be deleted")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d", sc.TS, fresh.ID)),
		chromedp.Click(chromedp.CSS(`a[href$="/delete"]`)), chromedp.WaitVisible(chromedp.CSS(".confirm-effects"))))
	screens(t, b, "27-confirm-delete")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d/delete?lang=fr", sc.TS, fresh.ID)), chromedp.WaitVisible(chromedp.CSS(".confirm-effects"))))
	testutil.CheckAccessibility(t, b, "confirmer la suppression")

	// The account page: the language of mail and the notices wanted.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/account?lang=en"), chromedp.WaitVisible(chromedp.CSS("#mail-lang"))))
	testutil.Must(t, chromedp.Do(b, setValue("#mail-lang", "fr"), chromedp.Click(chromedp.CSS(`input[value="accepted"]`)),
		dropAlerts, chromedp.Click(chromedp.CSS(`form[action="/account/preferences"] button`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if u, _ := sc.S.Users.Get(ctx, kadri.ID); u.Lang != "fr" || !u.LangChosen || len(u.NoticesOff) != 1 || u.NoticesOff[0] != user.NoticeAccepted {
		t.Errorf("preferences saved: %q %v %v", u.Lang, u.LangChosen, u.NoticesOff)
	}
	screens(t, b, "28-account-notices")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/account?lang=fr"), chromedp.WaitVisible(chromedp.CSS("#mail-lang"))))
	testutil.CheckAccessibility(t, b, "compte, avis")

	// The secretariat publishes a report, after a confirmation.
	r := sc.Sec.Do("POST", "/api/v1/cycles/2026/reports", "")
	rep := apptest.Decode[apptest.ReportJSON](t, r)
	if r.Status != 201 {
		t.Fatalf("compile: %d %s", r.Status, r.Body)
	}
	sec := secretariatBrowser(t, sc, fmt.Sprintf("/reports/%d?lang=fr", rep.ID), `form[action$="/publish"]`)
	testutil.Must(t, chromedp.Do(sec, chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)), chromedp.WaitVisible(chromedp.CSS(".confirm-effects"))))
	testutil.CheckAccessibility(t, sec, "confirmer la publication")
	testutil.Screenshot(t, sec, "29-confirm-publish-fr")
	testutil.Must(t, chromedp.Do(sec, chromedp.Navigate(fmt.Sprintf("%s/reports/%d/publish?lang=en", sc.TS, rep.ID)), chromedp.WaitVisible(chromedp.CSS(".confirm-effects"))))
	screens(t, sec, "29-confirm-publish")
	if got := apptest.Decode[apptest.ReportJSON](t, sc.Sec.Do("GET", fmt.Sprintf("/api/v1/reports/%d", rep.ID), "")); got.Status != "draft" {
		t.Fatalf("published before the confirmation: %s", got.Status)
	}
	testutil.Must(t, chromedp.Do(sec, dropAlerts, chromedp.Click(chromedp.CSS(`.confirm form button`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if got := apptest.Decode[apptest.ReportJSON](t, sc.Sec.Do("GET", fmt.Sprintf("/api/v1/reports/%d", rep.ID), "")); got.Status != "published" {
		t.Errorf("after confirming: %s", got.Status)
	}
}

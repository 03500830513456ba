package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// A focal point's year in a real browser, without JavaScript of ours: sign
// in, carry last year forward, edit a draft and add evidence, submit, read
// the history. Every page passes axe (WCAG 2.2 AA).
func TestSupporterJourneyInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := testutil.Browser(t)
	ts := sc.TS
	if _, err := sc.S.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		testutil.Must(t, err)
		return s
	}

	// An unauthenticated visit goes to the sign-in form and comes back.
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts+"/workspace")))
	testutil.CheckAccessibility(t, ctx, "sign-in")
	testutil.Screenshot(t, ctx, "01-signin")
	testutil.Must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), "kadri@own.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".workspace-grid")),
	))
	if h := text("h1"); !strings.Contains(h, "2026") {
		t.Fatalf("workspace heading: %q", h)
	}
	testutil.CheckAccessibility(t, ctx, "workspace (empty)")
	testutil.Screenshot(t, ctx, "02-workspace-empty")

	// Carry last year forward: one draft, linked.
	testutil.Must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/workspace/carry-forward"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	if f := text(".alert-ok"); !strings.Contains(f, "1 new") {
		t.Errorf("flash after carry forward: %q", f)
	}
	testutil.CheckAccessibility(t, ctx, "workspace (drafts)")
	testutil.Screenshot(t, ctx, "03-workspace-carried")

	// Open the draft and edit it: a new stage, and one more evidence link.
	testutil.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".action-list a")), chromedp.WaitVisible(chromedp.CSS(`a[href$="/edit"]`))))
	testutil.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href$="/edit"]`)), chromedp.WaitVisible(chromedp.CSS("#f-title"))))
	testutil.CheckAccessibility(t, ctx, "editor")
	testutil.Screenshot(t, ctx, "04-editor")
	testutil.Must(t, chromedp.Do(ctx,
		setValue("#f-stage", "implemented"),
		chromedp.SendKeys(chromedp.CSS("#et1"), "Implementing decree 2026"),
		chromedp.SendKeys(chromedp.CSS("#eu1"), "javascript:alert(1)"), // not a link anyone may follow
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS("#form-errors")),
	))
	// The form comes back with the error and the person's text kept.
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#et1"))); v != "Implementing decree 2026" {
		t.Errorf("typed evidence lost after an error: %q", v)
	}
	testutil.CheckAccessibility(t, ctx, "editor with errors")
	testutil.Screenshot(t, ctx, "05-editor-errors")
	testutil.Must(t, chromedp.Do(ctx,
		setValue("#eu1", "https://example.org/decree-2026"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.evidence li').length`)); n != 2 {
		t.Errorf("evidence links after saving: %d", n)
	}
	testutil.CheckAccessibility(t, ctx, "action page")
	testutil.Screenshot(t, ctx, "06-action")

	// Submit, then the history shows the saves side by side.
	testutil.Must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".badge-submitted")),
		chromedp.Click(chromedp.CSS(`a[href$="/history"]`)),
		chromedp.WaitVisible(chromedp.CSS(".timeline")),
	))
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.timeline > li').length`)); n != 3 {
		t.Errorf("history entries (created, edited, submitted): %d", n)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.timeline .badge').length`)); n != 1 {
		t.Errorf("only the submission is a workflow step: %d badges", n)
	}
	if d := text(".diff"); !strings.Contains(d, "Implemented") {
		t.Errorf("the diff shows the new stage: %q", d)
	}
	testutil.CheckAccessibility(t, ctx, "history")
	testutil.Screenshot(t, ctx, "07-history")

	// The account page, with a new token shown once.
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts+"/account"), chromedp.SendKeys(chromedp.CSS("#token-name"), "script"),
		chromedp.Submit(chromedp.CSS("#token-name")), chromedp.WaitVisible(chromedp.CSS("#new-token"))))
	testutil.CheckAccessibility(t, ctx, "account")
	testutil.Screenshot(t, ctx, "10-account")

	// The import page.
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts+"/actions/import?cycle=2026"), chromedp.WaitVisible(chromedp.CSS("#file"))))
	testutil.CheckAccessibility(t, ctx, "import")
	testutil.Screenshot(t, ctx, "09-import")

	// The people page and its invitation form; the reset form.
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts+"/people"), chromedp.WaitVisible(chromedp.CSS("table.data"))))
	testutil.CheckAccessibility(t, ctx, "people")
	testutil.Screenshot(t, ctx, "08-people")
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts+"/reset"), chromedp.WaitVisible(chromedp.CSS("#email"))))
	testutil.CheckAccessibility(t, ctx, "reset")
	testutil.Must(t, chromedp.Do(ctx, chromedp.Navigate(ts+"/invite?token=forged"), chromedp.WaitVisible(chromedp.CSS(".alert-error"))))
	testutil.CheckAccessibility(t, ctx, "expired link")

	list, _, _ := sc.S.Actions.List(context.Background(), testutil.System, action.Filter{State: action.Submitted})
	if len(list) != 1 {
		t.Errorf("submitted actions in the database: %d", len(list))
	}
}

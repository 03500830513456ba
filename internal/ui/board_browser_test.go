package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The secretariat's board, reminders and jobs in a real browser, without
// JavaScript doing any of the work: the board's explanation of what the
// public figures leave out, a reminder re-sent from a row (and the notice
// of a second press), the reminders job's confirmation before it runs, a
// report's page with its difference, and the organisation's people; axe
// on each page, in English and French, and the board at phone width.
func TestBoardAndRemindersInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	kept := func(in *action.Input) { in.Visibility = action.SecretariatOnly }
	apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(*action.Input) {})
	apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, kept)
	apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, kept)
	// An organisation that has sent nothing: the reminders job would
	// remind it, 30 days before the deadline.
	quiet := sc.S.Stakeholder(t, stakeholder.CivilSociety)
	if _, err := sc.S.Users.Create(context.Background(), testutil.System, user.Input{Email: "focal@quiet.example", Name: "Quiet",
		Role: user.Supporter, StakeholderID: quiet.ID, OrgRole: user.FocalPoint}); err != nil {
		t.Fatal(err)
	}
	b := secretariatBrowser(t, sc, "/admin/status?cycle=2026", "table.board")
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		testutil.Must(t, err)
		return s
	}
	if s := text("#board-difference"); !strings.Contains(s, "2 accepted actions are kept for the secretariat and are not in the public report or on the dashboard.") {
		t.Errorf("the board's explanation: %q", s)
	}
	testutil.CheckAccessibility(t, b, "status board with a difference")
	testutil.Screenshot(t, b, "40-status-difference")

	// Re-send a reminder to the other organisation from its row, while
	// the board is open in a second tab too.
	resend := fmt.Sprintf(`form[action^="/admin/status/%d/remind"] button`, sc.OtherOrg.ID)
	tab, closeTab := chromedp.NewContext(b)
	defer closeTab()
	testutil.Must(t, chromedp.Do(tab, chromedp.Navigate(sc.TS+"/admin/status?cycle=2026"), chromedp.WaitVisible(chromedp.CSS(resend))))
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(resend)), chromedp.WaitVisible(chromedp.CSS("#board-notice"))))
	if s := text("#board-notice"); !strings.Contains(s, "A reminder to "+sc.OtherOrg.Name+" is queued") {
		t.Errorf("notice: %q", s)
	}
	testutil.CheckAccessibility(t, b, "status board after a re-send")
	testutil.Screenshot(t, b, "41-status-resent")
	// Pressed again in the tab opened before: a notice, not an error.
	testutil.Must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS(resend)), chromedp.WaitVisible(chromedp.CSS("#board-notice"))))
	if s, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#board-notice"))); !strings.Contains(s, sc.OtherOrg.Name+" was already sent a reminder today") {
		t.Errorf("second press: %q", s)
	}
	testutil.CheckAccessibility(t, tab, "status board after a second press")
	testutil.Screenshot(t, tab, "41b-status-resent-again")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/admin/status?cycle=2026&lang=fr"), chromedp.WaitVisible(chromedp.CSS("table.board"))))
	testutil.CheckAccessibility(t, b, "état des comptes rendus")
	// At phone width the page does not scroll sideways: the table scrolls
	// in its own region.
	testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(375, 740), chromedp.Navigate(sc.TS+"/admin/status?cycle=2026&lang=en"),
		chromedp.WaitVisible(chromedp.CSS("table.board"))))
	if wide, _ := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Errorf("the board scrolls sideways at 375 px")
	}
	testutil.CheckAccessibility(t, b, "status board at 375 px")
	testutil.Screenshot(t, b, "42-status-phone")
	testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(1280, 900)))

	// The reminders job: Run now shows what it would queue, then runs.
	runNow := chromedp.CSS(`form[action="/admin/jobs/reminders/run"] button`)
	confirm := func(page string) {
		t.Helper()
		testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+page), chromedp.WaitVisible(chromedp.CSS("table.data")),
			chromedp.Click(runNow), chromedp.WaitVisible(chromedp.CSS("#job-run-plan"))))
	}
	confirm("/admin/jobs?lang=fr")
	testutil.CheckAccessibility(t, b, "lancer les relances")
	confirm("/admin/jobs?lang=en")
	if s := text("#job-run-plan"); !strings.Contains(s, "queues this reminder") {
		t.Errorf("confirmation: %q", s)
	}
	testutil.CheckAccessibility(t, b, "run the reminders job")
	testutil.Screenshot(t, b, "43-jobs-reminders-confirm")
	testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(375, 740)))
	confirm("/admin/jobs")
	if wide, _ := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Errorf("the confirmation scrolls sideways at 375 px")
	}
	testutil.Screenshot(t, b, "44-jobs-reminders-confirm-phone")
	testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(1280, 900)))
	if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reminders WHERE kind = 'deadline_30'"); n != 0 {
		t.Fatalf("the confirmation queued %d reminders", n)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Click(runNow), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reminders WHERE kind = 'deadline_30'"); n != 1 {
		t.Errorf("the run queued %d deadline reminders, the confirmation said 1", n)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Click(runNow), chromedp.WaitVisible(chromedp.CSS("#job-run-done"))))
	testutil.CheckAccessibility(t, b, "reminders job already run")

	// A report compiled now, then one more kept action: its page says why
	// the board counts more.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/admin/cycles/2026"), chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/cycles/2026/reports"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/cycles/2026/reports"] button`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	apptest.AcceptIn(t, sc, sc.Org.ID, 2026, kept)
	testutil.Must(t, chromedp.Do(b, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#report-difference"))))
	if s := text("#report-difference"); !strings.Contains(s, "Accepted actions on the status board now: 4; counted in this report: 1.") {
		t.Errorf("report page: %q", s)
	}
	testutil.CheckAccessibility(t, b, "draft report with a difference")
	testutil.Screenshot(t, b, "45-report-difference")

	// The organisation's people, seen by the secretariat.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/admin/organisations/%d?lang=fr", sc.TS, sc.Org.ID)), chromedp.WaitVisible(chromedp.CSS("h2"))))
	if s := text("h2"); s != "Les personnes de l'organisation" {
		t.Errorf("people heading: %q", s)
	}
	testutil.CheckAccessibility(t, b, "organisation, in French")
	testutil.Screenshot(t, b, "46-organisation-people")
}

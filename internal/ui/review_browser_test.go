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

// The secretariat's review in a real browser: the queue, a request for
// changes with a comment, an acceptance, a bulk acceptance; axe on each
// page, in English and French.
func TestReviewInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	focal, _ := sc.S.Users.GetByEmail(ctx, "focal@own.example")
	var ids []int64
	for i := 0; i < 3; i++ {
		in := testutil.ActionInput()
		in.Title = []string{"Export licensing", "Oversight board", "Vendor register"}[i]
		a, err := sc.S.Actions.CreateIn(ctx, focal.Actor(), 2026, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sc.S.Actions.Move(ctx, focal.Actor(), a.ID, 0, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	b := secretariatBrowser(t, sc, "/review", "table.data")
	n, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('table.data tbody tr').length`))
	if n != 3 {
		t.Fatalf("queue rows: %d", n)
	}
	testutil.CheckAccessibility(t, b, "review queue")
	testutil.Screenshot(t, b, "11-review-queue")

	// Open the first: ask for changes without a comment (refused), then with one.
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS("table.data tbody a")), chromedp.WaitVisible(chromedp.CSS(".review-panel"))))
	testutil.CheckAccessibility(t, b, "action under review")
	testutil.Screenshot(t, b, "12-review-action")
	// A correction chosen before the refusal is still chosen after it.
	stage, _ := chromedp.Run(b, chromedp.Evaluate[string](`(() => { const s = document.querySelector('#r-stage');
		s.selectedIndex = (s.selectedIndex + 1) % s.options.length; return s.value })()`))
	testutil.Must(t, chromedp.Do(b, chromedp.Click(chromedp.CSS(`button[value="request_changes"]`)), chromedp.WaitVisible(chromedp.CSS(".review-panel .alert-error"))))
	if msg, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(".review-panel .alert-error"))); !strings.Contains(msg, "write a comment") {
		t.Errorf("refused review: %q", msg)
	}
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS("#r-stage"))); v != stage || stage == "" {
		t.Errorf("corrected stage lost: %q, chose %q", v, stage)
	}
	testutil.CheckAccessibility(t, b, "refused review")
	testutil.Screenshot(t, b, "12b-refused-review")
	testutil.Must(t, chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS("#r-comment"), "Please link the published decree."),
		chromedp.Click(chromedp.CSS(`button[value="request_changes"]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	// Accept the rest in bulk, in French.
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/review?lang=fr"), chromedp.WaitVisible(chromedp.CSS("table.data"))))
	testutil.CheckAccessibility(t, b, "file d'examen")
	// The select-all box takes every action listed, without JavaScript;
	// a confirmation lists them before anything is accepted.
	testutil.Must(t, chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#pick-all`)),
		chromedp.Click(chromedp.CSS(`form[action^="/review/accept"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".confirm-items")),
	))
	if n, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll('.confirm-items li').length`)); n != 2 {
		t.Errorf("actions listed for confirmation: %d, want 2", n)
	}
	testutil.CheckAccessibility(t, b, "confirmer l'acceptation")
	testutil.Screenshot(t, b, "11b-confirm-accept-fr")
	for _, id := range ids {
		if a, _ := sc.S.Actions.Get(ctx, testutil.System, id); a.State == action.Accepted {
			t.Fatalf("accepted before the confirmation: %d", id)
		}
	}
	testutil.Must(t, chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`.confirm form button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	flash, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(".alert-ok")))
	if !strings.Contains(flash, "2 actions acceptées") {
		t.Errorf("bulk flash: %q", flash)
	}
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/admin/status?lang=en"), chromedp.WaitVisible(chromedp.CSS("table.board"))))
	testutil.CheckAccessibility(t, b, "status board")
	testutil.Screenshot(t, b, "15-status")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("table.audit"))))
	testutil.CheckAccessibility(t, b, "audit log")
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(sc.TS+"/admin/jobs"), chromedp.WaitVisible(chromedp.CSS("table.data"))))
	testutil.CheckAccessibility(t, b, "jobs")
	got := map[action.State]int{}
	for _, id := range ids {
		a, _ := sc.S.Actions.Get(ctx, testutil.System, id)
		got[a.State]++
	}
	if got[action.ChangesRequested] != 1 || got[action.Accepted] != 2 {
		t.Errorf("states after review: %v", got)
	}
}

// The cycle pages in a real browser: create next year's cycle, refuse dates
// out of order with the typed values kept, grant an extension.
func TestCyclePagesInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	b := secretariatBrowser(t, sc, "/admin/cycles", "#c-year")
	testutil.CheckAccessibility(t, b, "cycles")
	testutil.Must(t, chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS("#c-year"), "2027"),
		setValue("#c-opens_at", "2027-10-01"), setValue("#c-deadline", "2027-06-01"), setValue("#c-forum_date", "2027-11-11"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/cycles"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-error")),
	))
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS("#c-opens_at"))); v != "2027-10-01" {
		t.Errorf("typed date lost: %q", v)
	}
	testutil.CheckAccessibility(t, b, "cycles with errors")
	testutil.Must(t, chromedp.Do(b,
		setValue("#c-opens_at", "2027-06-01"), setValue("#c-deadline", "2027-10-01"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/cycles"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
		chromedp.Click(chromedp.CSS(`a[href="/admin/cycles/2027"]`)),
		chromedp.WaitVisible(chromedp.CSS("#x-date")),
	))
	testutil.CheckAccessibility(t, b, "cycle 2027")
	testutil.Screenshot(t, b, "13-cycle")
	testutil.Must(t, chromedp.Do(b, setValue("#x-org", fmt.Sprint(sc.Org.ID)), setValue("#x-date", "2027-10-10"),
		chromedp.Click(chromedp.CSS(`form[action$="/extensions"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok"))))
	c, err := sc.S.Cycles.Get(context.Background(), 2027)
	if err != nil || !c.ReportAt.Equal(c.ForumDate.AddDate(0, 0, -21)) {
		t.Fatalf("created cycle: %+v %v", c, err)
	}
	if d, ok, _ := db.DeadlineExtension(context.Background(), c.ID, sc.Org.ID); !ok || d.Format("2006-01-02") != "2027-10-10" {
		t.Errorf("extension: %v %v", d, ok)
	}
	// A deadline moved past that extension is refused, with a message that
	// says why, and the typed date kept.
	testutil.Must(t, chromedp.Do(b,
		dropAlerts,
		setValue("#c-deadline", "2027-10-12"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/cycles/2027"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#e-deadline")),
	))
	if msg, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("#e-deadline"))); !strings.Contains(msg, "deadline extension") {
		t.Errorf("refused deadline: %q", msg)
	}
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS("#c-deadline"))); v != "2027-10-12" {
		t.Errorf("typed deadline lost: %q", v)
	}
	testutil.CheckAccessibility(t, b, "cycle with a stranded extension")
}

// The organisation pages in a real browser: a refused creation keeps what
// was typed; then add, verify, and invite the focal point.
func TestOrganisationPagesInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	b := secretariatBrowser(t, sc, "/admin/organisations", "#o-name")
	testutil.CheckAccessibility(t, b, "organisations")
	testutil.Must(t, chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS("#o-name"), "Republic of Moldova"), setValue("#o-kind", "state"),
		chromedp.SendKeys(chromedp.CSS("#o-country"), "XX"),
		chromedp.Click(chromedp.CSS(`form[method="post"][action="/admin/organisations"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-error")),
	))
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS("#o-name"))); v != "Republic of Moldova" {
		t.Errorf("typed name lost: %q", v)
	}
	testutil.CheckAccessibility(t, b, "organisations with errors")
	testutil.Must(t, chromedp.Do(b, setValue("#o-country", "MD"),
		chromedp.Click(chromedp.CSS(`form[method="post"][action="/admin/organisations"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#i-email")),
		// Each step's flash is removed before the next submit, so that the
		// wait below sees the next page's, not this one's.
		dropAlerts,
		chromedp.Click(chromedp.CSS(`input[name="verified"]`)),
		chromedp.Click(chromedp.CSS(`form[action^="/admin/organisations/"]:not([action$="/invite"]) button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
		dropAlerts,
		chromedp.SendKeys(chromedp.CSS("#i-name"), "Ion"),
		chromedp.SendKeys(chromedp.CSS("#i-email"), "ion@gov.md.example"),
		chromedp.Click(chromedp.CSS(`form[action$="/invite"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")),
	))
	testutil.CheckAccessibility(t, b, "organisation")
	testutil.Screenshot(t, b, "14-organisation")
	u, err := sc.S.Users.GetByEmail(context.Background(), "ion@gov.md.example")
	if err != nil || u.OrgRole != user.FocalPoint {
		t.Fatalf("invited focal point: %+v %v", u, err)
	}
	org, _ := sc.S.Stakeholders.Get(context.Background(), u.StakeholderID)
	if org.Name != "Republic of Moldova" || org.Country != "MD" || !org.Verified {
		t.Errorf("organisation: %+v", org)
	}
}

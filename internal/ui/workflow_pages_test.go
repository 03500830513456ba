package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Pages offer only what the person may do; a read-only action's editor
// sends back to the action with the reason; a save refused because the
// action left the drafts keeps the text typed.
func TestPagesOfferOnlyWhatIsAllowed(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		if _, err := sc.S.Users.SetPreferences(ctx, apptest.MustUser(t, sc, "focal@own.example").Actor(), user.Preferences{Lang: "en"}); err != nil {
			t.Fatal(err)
		}
		a, err := sc.S.Actions.CreateIn(ctx, apptest.MustUser(t, sc, "member@own.example").Actor(), 2026, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/actions/%d", a.ID)

		// A draft: the member edits and deletes it, and is told who submits.
		r := sc.Member.Do("GET", page, "")
		for _, want := range []string{`href="` + page + `/edit"`, `href="` + page + `/delete"`, "Your focal point, focal@own.example, submits"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("a member's draft page lacks %q", want)
			}
		}
		if strings.Contains(r.Body, `action="`+page+`/submit"`) || strings.Contains(r.Body, page+"/withdraw") {
			t.Error("a member's draft page offers to submit or withdraw")
		}
		if r := sc.Member.Do("GET", "/workspace?cycle=2026", ""); !strings.Contains(r.Body, "Your focal point, focal@own.example, submits") {
			t.Error("the member's workspace does not say who submits")
		}

		// After the deadline nothing on the workspace invites a submission
		// the service would refuse.
		sc.S.Clock.Set(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
		for _, c := range []apptest.APIClient{sc.Member, sc.Focal} {
			if r := c.Do("GET", "/workspace?cycle=2026", ""); strings.Contains(r.Body, "/workspace/submit-all") || strings.Contains(r.Body, "submits your organisation") {
				t.Error("a closed cycle's workspace offers or announces a submission")
			}
		}
		sc.S.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
		if r := sc.Focal.Do("GET", "/workspace?cycle=2026", ""); !strings.Contains(r.Body, `action="/workspace/submit-all"`) {
			t.Error("an open cycle's workspace does not offer to submit the draft")
		}

		// A form opened on the draft, saved after the focal point submitted
		// it: refused, with the text typed kept and the reason.
		if _, err := sc.S.Actions.Move(ctx, apptest.MustUser(t, sc, "focal@own.example").Actor(), a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		r = sc.Member.Form(page, url.Values{"version": {"1"}, "cycle": {"2026"}, "op": {"save"}, "title": {"My long edited title"},
			"recommendations": {"1"}, "stage": {"planned"}, "measure": {"legal_framework"}, "scope": {"national"}, "visibility": {"public"}})
		if r.Status != 409 || !strings.Contains(r.Body, `value="My long edited title"`) || !strings.Contains(r.Body, "Nothing was saved") ||
			!strings.Contains(r.Body, "with the secretariat") || strings.Contains(r.Body, `value="save"`) {
			t.Errorf("saving a draft submitted meanwhile: %d", r.Status)
		}
		// Its editor now sends back to the action, saying why.
		r = sc.Member.Do("GET", page+"/edit", "")
		if r.Status != 303 || r.Header.Get("Location") != page || apptest.FlashOf(r) != "flash_err_readonly_submitted" {
			t.Errorf("the editor of a submitted action: %d %q %q", r.Status, r.Header.Get("Location"), apptest.FlashOf(r))
		}
		r = sc.Member.Do("GET", page, "")
		if strings.Contains(r.Body, page+"/edit") || strings.Contains(r.Body, page+"/withdraw") {
			t.Error("a member's submitted action offers to edit or withdraw")
		}
		if r := sc.Focal.Do("GET", page, ""); !strings.Contains(r.Body, `href="`+page+`/withdraw"`) || strings.Contains(r.Body, page+"/edit") {
			t.Error("the focal point's submitted action: withdraw offered, edit not")
		}
		if r := sc.Sec.Do("GET", page+"/edit", ""); r.Status != 303 || apptest.FlashOf(r) != "flash_err_readonly_secretariat" {
			t.Errorf("the secretariat opens the editor: %d %q", r.Status, apptest.FlashOf(r))
		}
		// A member's withdrawal is refused by the service as well as hidden.
		if r := sc.Member.Do("GET", page+"/withdraw", ""); r.Status != 303 || apptest.FlashOf(r) != "flash_err_cannot_withdraw" {
			t.Errorf("a member asks to withdraw: %d %q", r.Status, apptest.FlashOf(r))
		}
		if r := sc.Member.Form(page+"/withdraw", url.Values{"confirm": {"yes"}, "version": {"2"}}); r.Status != 403 || !strings.Contains(r.Body, "This action cannot be withdrawn by you now.") {
			t.Errorf("a member withdraws: %d", r.Status)
		}
		if r := sc.Member.Form(page+"/withdraw?lang=fr", url.Values{"confirm": {"yes"}, "version": {"2"}}); r.Status != 403 ||
			!strings.Contains(r.Body, "Vous ne pouvez pas retirer cette action") || strings.Contains(r.Body, "focal point") {
			t.Errorf("a member withdraws, in French: %d", r.Status)
		}
		if got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID); got.State != action.Submitted {
			t.Errorf("after a member's withdrawal: %s", got.State)
		}
	})
}

// Withdraw, delete, publish and accept in bulk ask first: a page that
// lists what will happen; only its form, posted, acts. A GET never does.
func TestDestructiveStepsAskFirst(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		focal := apptest.MustUser(t, sc, "focal@own.example").Actor()
		in := testutil.ActionInput()
		in.Title = "Export licensing rule"
		a, _ := sc.S.Actions.CreateIn(ctx, focal, 2026, in)
		a, _ = sc.S.Actions.Move(ctx, focal, a.ID, 0, action.Submitted, "")
		page := fmt.Sprintf("/actions/%d", a.ID)
		state := func() action.State {
			got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID)
			return got.State
		}

		for _, r := range []apptest.Response{
			sc.Focal.Do("GET", page+"/withdraw", ""),
			sc.Focal.Do("GET", page+"/withdraw?confirm=yes&version=2", ""),
			sc.Focal.Form(page+"/withdraw", url.Values{"version": {"2"}}),
		} {
			if r.Status != 200 || !strings.Contains(r.Body, "Withdraw this action?") || !strings.Contains(r.Body, "Export licensing rule") ||
				!strings.Contains(r.Body, `name="confirm" value="yes"`) || !strings.Contains(r.Body, "leaves the dashboard") {
				t.Errorf("withdraw before confirming: %d", r.Status)
			}
		}
		if state() != action.Submitted {
			t.Fatalf("withdrawn before it was confirmed: %s", state())
		}
		r := sc.Focal.Form(page+"/withdraw", url.Values{"version": {"2"}, "confirm": {"yes"}})
		if r.Status != 303 || state() != action.Withdrawn {
			t.Fatalf("confirmed withdrawal: %d %s", r.Status, state())
		}
		// Reopened from the page, then from the API.
		if r := sc.Member.Form(page+"/reopen", url.Values{"version": {"3"}}); r.Status != 303 || state() != action.Draft || apptest.FlashOf(r) != "flash_reopened" {
			t.Fatalf("reopen on the page: %d %s", r.Status, state())
		}
		sc.S.Actions.Move(ctx, focal, a.ID, 0, action.Submitted, "")
		sc.S.Actions.Move(ctx, focal, a.ID, 0, action.Withdrawn, "")
		if r := sc.Member.Do("POST", fmt.Sprintf("/api/v1%s/reopen", page), ""); r.Status != 200 || apptest.Decode[apptest.ActionJSON](t, r).State != "draft" {
			t.Fatalf("reopen through the API: %d %s", r.Status, r.Body)
		}
		if r := sc.Member.Do("POST", fmt.Sprintf("/api/v1%s/reopen", page), ""); r.Status != 409 {
			t.Errorf("reopening a draft: %d", r.Status)
		}

		// Delete: a draft never submitted.
		d, _ := sc.S.Actions.CreateIn(ctx, focal, 2026, testutil.ActionInput())
		dpage := fmt.Sprintf("/actions/%d", d.ID)
		if r := sc.Member.Do("GET", dpage+"/delete", ""); r.Status != 200 || !strings.Contains(r.Body, "Delete this draft?") || !strings.Contains(r.Body, "cannot be undone") {
			t.Errorf("delete before confirming: %d", r.Status)
		}
		if r := sc.Member.Form(dpage+"/delete", url.Values{}); r.Status != 200 {
			t.Errorf("delete posted without confirming: %d", r.Status)
		}
		if _, err := sc.S.Actions.Get(ctx, testutil.System, d.ID); err != nil {
			t.Fatalf("deleted before it was confirmed: %v", err)
		}
		if r := sc.Member.Form(dpage+"/delete", url.Values{"confirm": {"yes"}}); r.Status != 303 {
			t.Errorf("confirmed delete: %d", r.Status)
		}
		if _, err := sc.S.Actions.Get(ctx, testutil.System, d.ID); err == nil {
			t.Error("not deleted after confirming")
		}
		// The reopened draft was once submitted: withdrawn, never deleted.
		if r := sc.Member.Do("GET", page+"/delete", ""); r.Status != 303 || apptest.FlashOf(r) != "flash_err_cannot_delete" {
			t.Errorf("delete a draft once submitted: %d %q", r.Status, apptest.FlashOf(r))
		}

		// Accept in bulk: the confirmation lists exactly the actions chosen.
		var picks []string
		for _, title := range []string{"First to accept", "Second to accept"} {
			in := testutil.ActionInput()
			in.Title = title
			x, _ := sc.S.Actions.CreateIn(ctx, focal, 2026, in)
			x, _ = sc.S.Actions.Move(ctx, focal, x.ID, 0, action.Submitted, "")
			picks = append(picks, fmt.Sprintf("%d:%d", x.ID, x.Version))
		}
		r = sc.Sec.Form("/review/accept?cycle=2026", url.Values{"ids": {picks[0]}, "listed": picks})
		if r.Status != 200 || !strings.Contains(r.Body, "First to accept") || strings.Contains(r.Body, "Second to accept") {
			t.Errorf("bulk accept of one, before confirming: %d", r.Status)
		}
		r = sc.Sec.Form("/review/accept?cycle=2026", url.Values{"all": {"1"}, "listed": picks})
		if r.Status != 200 || !strings.Contains(r.Body, "First to accept") || !strings.Contains(r.Body, "Second to accept") ||
			!strings.Contains(r.Body, "next daily digest") {
			t.Errorf("bulk accept of all listed, before confirming: %d", r.Status)
		}
		if n := len(acceptedTitles(t, sc)); n != 1 { // last year's
			t.Fatalf("accepted before confirming: %d", n)
		}
		r = sc.Sec.Form("/review/accept?cycle=2026", url.Values{"ids": picks, "confirm": {"yes"}})
		if r.Status != 303 || apptest.FlashOf(r) != "flash_accepted_all" || len(acceptedTitles(t, sc)) != 3 {
			t.Errorf("confirmed bulk accept: %d %q %v", r.Status, apptest.FlashOf(r), acceptedTitles(t, sc))
		}

		// Publish: compile, then ask first.
		r = sc.Sec.Do("POST", "/api/v1/cycles/2026/reports", "")
		rep := apptest.Decode[apptest.ReportJSON](t, r)
		if r.Status != 201 {
			t.Fatalf("compile: %d %s", r.Status, r.Body)
		}
		rpage := fmt.Sprintf("/reports/%d", rep.ID)
		status := func() string {
			return apptest.Decode[apptest.ReportJSON](t, sc.Sec.Do("GET", "/api/v1"+rpage, "")).Status
		}
		for _, r := range []apptest.Response{sc.Sec.Do("GET", rpage+"/publish", ""), sc.Sec.Form(rpage+"/publish", url.Values{})} {
			if r.Status != 200 || !strings.Contains(r.Body, "Publish this report?") || !strings.Contains(r.Body, "focal point is mailed") {
				t.Errorf("publish before confirming: %d", r.Status)
			}
		}
		if got := status(); got != "draft" {
			t.Fatalf("published before confirming: %s", got)
		}
		if r := sc.Sec.Form(rpage+"/publish", url.Values{"confirm": {"yes"}}); r.Status != 303 || apptest.FlashOf(r) != "flash_report_published" {
			t.Errorf("confirmed publish: %d %q", r.Status, apptest.FlashOf(r))
		}
		if r := sc.Sec.Do("GET", rpage+"/publish", ""); r.Status != 303 || apptest.FlashOf(r) != "flash_err_report_published_already" {
			t.Errorf("asking to publish a published report: %d %q", r.Status, apptest.FlashOf(r))
		}
	})
}

func acceptedTitles(t *testing.T, sc *apptest.Scenario) []string {
	t.Helper()
	list, _, err := sc.S.Actions.List(context.Background(), testutil.System, action.Filter{State: action.Accepted, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range list {
		out = append(out, a.Title)
	}
	return out
}

// The reviewer reads the organisation's reply beside the request it
// answers, on the action page.
func TestReplyShownToTheReviewer(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		focal := apptest.MustUser(t, sc, "focal@own.example").Actor()
		a, _ := sc.S.Actions.CreateIn(ctx, focal, 2026, testutil.ActionInput())
		a, _ = sc.S.Actions.Move(ctx, focal, a.ID, 0, action.Submitted, "")
		a, _ = sc.S.Actions.Move(ctx, apptest.MustUser(t, sc, "sec@pc.example").Actor(), a.ID, 0, action.ChangesRequested, "Link the published decree.")
		r := sc.Focal.Form(fmt.Sprintf("/actions/%d/submit", a.ID), url.Values{"version": {fmt.Sprint(a.Version)}})
		if r.Status != 409 || !strings.Contains(r.Body, "Edit the action, or reply to the request") || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("resubmitted on the page without a reply: %d", r.Status)
		}
		r = sc.Focal.Form(fmt.Sprintf("/actions/%d/submit", a.ID), url.Values{"version": {fmt.Sprint(a.Version)}, "comment": {"Not published yet; the link follows in June."}})
		if r.Status != 303 {
			t.Fatalf("resubmitted with a reply: %d", r.Status)
		}
		page := sc.Sec.Do("GET", fmt.Sprintf("/actions/%d", a.ID), "").Body
		for _, want := range []string{"The organisation replied:", "Not published yet; the link follows in June.", "Link the published decree."} {
			if !strings.Contains(page, want) {
				t.Errorf("the reviewer's page lacks %q", want)
			}
		}
	})
}

package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// form posts a page's form as a signed-in client (by its token, which
// the pages take as a browser session).
func (c apiClient) form(path string, v url.Values) response {
	c.t.Helper()
	return c.do("POST", path, v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// flashOf returns the catalogue key of the notice an answer sets for the
// next page.
func flashOf(r response) string {
	for _, ck := range r.header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(ck, "pct_flash="); ok {
			v, _, _ = strings.Cut(v, ";")
			v, _ = url.QueryUnescape(v)
			key, _, _ := strings.Cut(v, "|")
			return key
		}
	}
	return ""
}

// Pages offer only what the person may do; a read-only action's editor
// sends back to the action with the reason; a save refused because the
// action left the drafts keeps the text typed.
func TestPagesOfferOnlyWhatIsAllowed(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		ctx := context.Background()
		if _, err := sc.s.Users.SetPreferences(ctx, mustUser(t, sc, "focal@own.example").Actor(), user.Preferences{Lang: "en"}); err != nil {
			t.Fatal(err)
		}
		a, err := sc.s.Actions.CreateIn(ctx, mustUser(t, sc, "member@own.example").Actor(), 2026, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/actions/%d", a.ID)

		// A draft: the member edits and deletes it, and is told who submits.
		r := sc.member.do("GET", page, "")
		for _, want := range []string{`href="` + page + `/edit"`, `href="` + page + `/delete"`, "Your focal point, focal@own.example, submits"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("a member's draft page lacks %q", want)
			}
		}
		if strings.Contains(r.body, `action="`+page+`/submit"`) || strings.Contains(r.body, page+"/withdraw") {
			t.Error("a member's draft page offers to submit or withdraw")
		}
		if r := sc.member.do("GET", "/workspace?cycle=2026", ""); !strings.Contains(r.body, "Your focal point, focal@own.example, submits") {
			t.Error("the member's workspace does not say who submits")
		}

		// After the deadline nothing on the workspace invites a submission
		// the service would refuse.
		sc.s.Clock.Set(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
		for _, c := range []apiClient{sc.member, sc.focal} {
			if r := c.do("GET", "/workspace?cycle=2026", ""); strings.Contains(r.body, "/workspace/submit-all") || strings.Contains(r.body, "submits your organisation") {
				t.Error("a closed cycle's workspace offers or announces a submission")
			}
		}
		sc.s.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
		if r := sc.focal.do("GET", "/workspace?cycle=2026", ""); !strings.Contains(r.body, `action="/workspace/submit-all"`) {
			t.Error("an open cycle's workspace does not offer to submit the draft")
		}

		// A form opened on the draft, saved after the focal point submitted
		// it: refused, with the text typed kept and the reason.
		if _, err := sc.s.Actions.Move(ctx, mustUser(t, sc, "focal@own.example").Actor(), a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		r = sc.member.form(page, url.Values{"version": {"1"}, "cycle": {"2026"}, "op": {"save"}, "title": {"My long edited title"},
			"recommendations": {"1"}, "stage": {"planned"}, "measure": {"legal_framework"}, "scope": {"national"}, "visibility": {"public"}})
		if r.status != 409 || !strings.Contains(r.body, `value="My long edited title"`) || !strings.Contains(r.body, "Nothing was saved") ||
			!strings.Contains(r.body, "with the secretariat") || strings.Contains(r.body, `value="save"`) {
			t.Errorf("saving a draft submitted meanwhile: %d", r.status)
		}
		// Its editor now sends back to the action, saying why.
		r = sc.member.do("GET", page+"/edit", "")
		if r.status != 303 || r.header.Get("Location") != page || flashOf(r) != "flash_err_readonly_submitted" {
			t.Errorf("the editor of a submitted action: %d %q %q", r.status, r.header.Get("Location"), flashOf(r))
		}
		r = sc.member.do("GET", page, "")
		if strings.Contains(r.body, page+"/edit") || strings.Contains(r.body, page+"/withdraw") {
			t.Error("a member's submitted action offers to edit or withdraw")
		}
		if r := sc.focal.do("GET", page, ""); !strings.Contains(r.body, `href="`+page+`/withdraw"`) || strings.Contains(r.body, page+"/edit") {
			t.Error("the focal point's submitted action: withdraw offered, edit not")
		}
		if r := sc.sec.do("GET", page+"/edit", ""); r.status != 303 || flashOf(r) != "flash_err_readonly_secretariat" {
			t.Errorf("the secretariat opens the editor: %d %q", r.status, flashOf(r))
		}
		// A member's withdrawal is refused by the service as well as hidden.
		if r := sc.member.do("GET", page+"/withdraw", ""); r.status != 303 || flashOf(r) != "flash_err_cannot_withdraw" {
			t.Errorf("a member asks to withdraw: %d %q", r.status, flashOf(r))
		}
		if r := sc.member.form(page+"/withdraw", url.Values{"confirm": {"yes"}, "version": {"2"}}); r.status != 403 || !strings.Contains(r.body, "This action cannot be withdrawn by you now.") {
			t.Errorf("a member withdraws: %d", r.status)
		}
		if r := sc.member.form(page+"/withdraw?lang=fr", url.Values{"confirm": {"yes"}, "version": {"2"}}); r.status != 403 ||
			!strings.Contains(r.body, "Vous ne pouvez pas retirer cette action") || strings.Contains(r.body, "focal point") {
			t.Errorf("a member withdraws, in French: %d", r.status)
		}
		if got, _ := sc.s.Actions.Get(ctx, testutil.System, a.ID); got.State != action.Submitted {
			t.Errorf("after a member's withdrawal: %s", got.State)
		}
	})
}

func mustUser(t *testing.T, sc *scenario, email string) user.User {
	t.Helper()
	u, err := sc.s.Users.GetByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Withdraw, delete, publish and accept in bulk ask first: a page that
// lists what will happen; only its form, posted, acts. A GET never does.
func TestDestructiveStepsAskFirst(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		ctx := context.Background()
		focal := mustUser(t, sc, "focal@own.example").Actor()
		in := testutil.ActionInput()
		in.Title = "Export licensing rule"
		a, _ := sc.s.Actions.CreateIn(ctx, focal, 2026, in)
		a, _ = sc.s.Actions.Move(ctx, focal, a.ID, 0, action.Submitted, "")
		page := fmt.Sprintf("/actions/%d", a.ID)
		state := func() action.State {
			got, _ := sc.s.Actions.Get(ctx, testutil.System, a.ID)
			return got.State
		}

		for _, r := range []response{
			sc.focal.do("GET", page+"/withdraw", ""),
			sc.focal.do("GET", page+"/withdraw?confirm=yes&version=2", ""),
			sc.focal.form(page+"/withdraw", url.Values{"version": {"2"}}),
		} {
			if r.status != 200 || !strings.Contains(r.body, "Withdraw this action?") || !strings.Contains(r.body, "Export licensing rule") ||
				!strings.Contains(r.body, `name="confirm" value="yes"`) || !strings.Contains(r.body, "leaves the dashboard") {
				t.Errorf("withdraw before confirming: %d", r.status)
			}
		}
		if state() != action.Submitted {
			t.Fatalf("withdrawn before it was confirmed: %s", state())
		}
		r := sc.focal.form(page+"/withdraw", url.Values{"version": {"2"}, "confirm": {"yes"}})
		if r.status != 303 || state() != action.Withdrawn {
			t.Fatalf("confirmed withdrawal: %d %s", r.status, state())
		}
		// Reopened from the page, then from the API.
		if r := sc.member.form(page+"/reopen", url.Values{"version": {"3"}}); r.status != 303 || state() != action.Draft || flashOf(r) != "flash_reopened" {
			t.Fatalf("reopen on the page: %d %s", r.status, state())
		}
		sc.s.Actions.Move(ctx, focal, a.ID, 0, action.Submitted, "")
		sc.s.Actions.Move(ctx, focal, a.ID, 0, action.Withdrawn, "")
		if r := sc.member.do("POST", fmt.Sprintf("/api/v1%s/reopen", page), ""); r.status != 200 || decode[actionJSON](t, r).State != "draft" {
			t.Fatalf("reopen through the API: %d %s", r.status, r.body)
		}
		if r := sc.member.do("POST", fmt.Sprintf("/api/v1%s/reopen", page), ""); r.status != 409 {
			t.Errorf("reopening a draft: %d", r.status)
		}

		// Delete: a draft never submitted.
		d, _ := sc.s.Actions.CreateIn(ctx, focal, 2026, testutil.ActionInput())
		dpage := fmt.Sprintf("/actions/%d", d.ID)
		if r := sc.member.do("GET", dpage+"/delete", ""); r.status != 200 || !strings.Contains(r.body, "Delete this draft?") || !strings.Contains(r.body, "cannot be undone") {
			t.Errorf("delete before confirming: %d", r.status)
		}
		if r := sc.member.form(dpage+"/delete", url.Values{}); r.status != 200 {
			t.Errorf("delete posted without confirming: %d", r.status)
		}
		if _, err := sc.s.Actions.Get(ctx, testutil.System, d.ID); err != nil {
			t.Fatalf("deleted before it was confirmed: %v", err)
		}
		if r := sc.member.form(dpage+"/delete", url.Values{"confirm": {"yes"}}); r.status != 303 {
			t.Errorf("confirmed delete: %d", r.status)
		}
		if _, err := sc.s.Actions.Get(ctx, testutil.System, d.ID); err == nil {
			t.Error("not deleted after confirming")
		}
		// The reopened draft was once submitted: withdrawn, never deleted.
		if r := sc.member.do("GET", page+"/delete", ""); r.status != 303 || flashOf(r) != "flash_err_cannot_delete" {
			t.Errorf("delete a draft once submitted: %d %q", r.status, flashOf(r))
		}

		// Accept in bulk: the confirmation lists exactly the actions chosen.
		var picks []string
		for _, title := range []string{"First to accept", "Second to accept"} {
			in := testutil.ActionInput()
			in.Title = title
			x, _ := sc.s.Actions.CreateIn(ctx, focal, 2026, in)
			x, _ = sc.s.Actions.Move(ctx, focal, x.ID, 0, action.Submitted, "")
			picks = append(picks, fmt.Sprintf("%d:%d", x.ID, x.Version))
		}
		r = sc.sec.form("/review/accept?cycle=2026", url.Values{"ids": {picks[0]}, "listed": picks})
		if r.status != 200 || !strings.Contains(r.body, "First to accept") || strings.Contains(r.body, "Second to accept") {
			t.Errorf("bulk accept of one, before confirming: %d", r.status)
		}
		r = sc.sec.form("/review/accept?cycle=2026", url.Values{"all": {"1"}, "listed": picks})
		if r.status != 200 || !strings.Contains(r.body, "First to accept") || !strings.Contains(r.body, "Second to accept") ||
			!strings.Contains(r.body, "next daily digest") {
			t.Errorf("bulk accept of all listed, before confirming: %d", r.status)
		}
		if n := len(acceptedTitles(t, sc)); n != 1 { // last year's
			t.Fatalf("accepted before confirming: %d", n)
		}
		r = sc.sec.form("/review/accept?cycle=2026", url.Values{"ids": picks, "confirm": {"yes"}})
		if r.status != 303 || flashOf(r) != "flash_accepted_all" || len(acceptedTitles(t, sc)) != 3 {
			t.Errorf("confirmed bulk accept: %d %q %v", r.status, flashOf(r), acceptedTitles(t, sc))
		}

		// Publish: compile, then ask first.
		r = sc.sec.do("POST", "/api/v1/cycles/2026/reports", "")
		rep := decode[reportJSON](t, r)
		if r.status != 201 {
			t.Fatalf("compile: %d %s", r.status, r.body)
		}
		rpage := fmt.Sprintf("/reports/%d", rep.ID)
		status := func() string { return decode[reportJSON](t, sc.sec.do("GET", "/api/v1"+rpage, "")).Status }
		for _, r := range []response{sc.sec.do("GET", rpage+"/publish", ""), sc.sec.form(rpage+"/publish", url.Values{})} {
			if r.status != 200 || !strings.Contains(r.body, "Publish this report?") || !strings.Contains(r.body, "focal point is mailed") {
				t.Errorf("publish before confirming: %d", r.status)
			}
		}
		if got := status(); got != "draft" {
			t.Fatalf("published before confirming: %s", got)
		}
		if r := sc.sec.form(rpage+"/publish", url.Values{"confirm": {"yes"}}); r.status != 303 || flashOf(r) != "flash_report_published" {
			t.Errorf("confirmed publish: %d %q", r.status, flashOf(r))
		}
		if r := sc.sec.do("GET", rpage+"/publish", ""); r.status != 303 || flashOf(r) != "flash_err_report_published_already" {
			t.Errorf("asking to publish a published report: %d %q", r.status, flashOf(r))
		}
	})
}

func acceptedTitles(t *testing.T, sc *scenario) []string {
	t.Helper()
	list, _, err := sc.s.Actions.List(context.Background(), testutil.System, action.Filter{State: action.Accepted, Limit: 100})
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
		sc := newScenario(t, db)
		ctx := context.Background()
		focal := mustUser(t, sc, "focal@own.example").Actor()
		a, _ := sc.s.Actions.CreateIn(ctx, focal, 2026, testutil.ActionInput())
		a, _ = sc.s.Actions.Move(ctx, focal, a.ID, 0, action.Submitted, "")
		a, _ = sc.s.Actions.Move(ctx, mustUser(t, sc, "sec@pc.example").Actor(), a.ID, 0, action.ChangesRequested, "Link the published decree.")
		r := sc.focal.form(fmt.Sprintf("/actions/%d/submit", a.ID), url.Values{"version": {fmt.Sprint(a.Version)}})
		if r.status != 409 || !strings.Contains(r.body, "Edit the action, or reply to the request") || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Errorf("resubmitted on the page without a reply: %d", r.status)
		}
		r = sc.focal.form(fmt.Sprintf("/actions/%d/submit", a.ID), url.Values{"version": {fmt.Sprint(a.Version)}, "comment": {"Not published yet; the link follows in June."}})
		if r.status != 303 {
			t.Fatalf("resubmitted with a reply: %d", r.status)
		}
		page := sc.sec.do("GET", fmt.Sprintf("/actions/%d", a.ID), "").body
		for _, want := range []string{"The organisation replied:", "Not published yet; the link follows in June.", "Link the published decree."} {
			if !strings.Contains(page, want) {
				t.Errorf("the reviewer's page lacks %q", want)
			}
		}
	})
}

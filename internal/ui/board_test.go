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
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestStatusBoard(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	if _, err := sc.S.Stakeholders.Create(context.Background(), testutil.System, stakeholder.Input{Name: "=HYPERLINK(\"http://evil\")",
		Kind: stakeholder.Company, Country: "US", Active: true}); err != nil {
		t.Fatal(err)
	}
	page := sc.Sec.Do("GET", "/admin/status?cycle=2026", "")
	if page.Status != 200 || !strings.Contains(page.Body, "light-none") || !strings.Contains(page.Body, sc.Org.Name) {
		t.Fatalf("board page: %d", page.Status)
	}
	csv := sc.Sec.Do("GET", "/admin/status.csv?cycle=2026&kind=company", "")
	if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(csv.Body, `'=HYPERLINK(""http://evil"")`) || strings.Contains(csv.Body, sc.Org.Name) {
		t.Errorf("CSV: %d %q", csv.Status, csv.Body)
	}
	api := sc.Sec.Do("GET", "/api/v1/cycles/2026/status", "")
	if api.Status != 200 || !strings.Contains(api.Body, `"light":"none"`) {
		t.Errorf("API board: %d %s", api.Status, api.Body)
	}
	if r := sc.Focal.Do("GET", "/admin/status.csv?cycle=2026", ""); r.Status != 403 {
		t.Errorf("a supporter downloads the board: %d", r.Status)
	}
}

func TestAuditLogPage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody)
	r := sc.Sec.Do("GET", "/admin/audit?verb=action.&actor=member", "")
	if r.Status != 200 || !strings.Contains(r.Body, "action.create") || !strings.Contains(r.Body, "member@own.example") || strings.Contains(r.Body, "user.create") {
		t.Fatalf("audit page: %d", r.Status)
	}
	if r := sc.Sec.Do("GET", "/admin/audit?object=action+999999", ""); !strings.Contains(r.Body, "0 entries") {
		t.Errorf("filter by object")
	}
	if r := sc.Focal.Do("GET", "/admin/audit", ""); r.Status != 403 {
		t.Errorf("a supporter reads the audit log: %d", r.Status)
	}
}

// The jobs page runs a job now, once per slot.
func TestJobsPage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	page := sc.Sec.Do("GET", "/admin/jobs", "")
	if page.Status != 200 || !strings.Contains(page.Body, "housekeeping") || !strings.Contains(page.Body, "never run") {
		t.Fatalf("jobs page: %d", page.Status)
	}
	form := func() apptest.Response {
		return sc.Sec.Do("POST", "/admin/jobs/housekeeping/run", "", "Content-Type", "application/x-www-form-urlencoded")
	}
	if r := form(); r.Status != 303 || !strings.Contains(r.Header.Get("Set-Cookie"), "flash_job_ran") {
		t.Fatalf("run now: %d %s %v", r.Status, r.Body, r.Header)
	}
	if r := sc.Sec.Do("GET", "/admin/jobs", ""); !strings.Contains(r.Body, "succeeded") || !strings.Contains(r.Body, "2026-09-01") {
		t.Errorf("after the run: %s", r.Body[strings.Index(r.Body, "<tbody>"):])
	}
	if r := form(); !strings.Contains(r.Header.Get("Set-Cookie"), "flash_job_done_already") {
		t.Errorf("a second run in the same slot is not reported as already done: %v", r.Header)
	}
	var n int
	db.SQL().QueryRow("SELECT count(*) FROM job_runs WHERE job = 'housekeeping'").Scan(&n)
	if n != 1 {
		t.Errorf("run now twice in one slot ran %d times", n)
	}
	if r := sc.Sec.Do("POST", "/admin/jobs/nope/run", "", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 404 {
		t.Errorf("unknown job: %d", r.Status)
	}
	// The runs are counted on /metrics, with the requests by route.
	m := apptest.APIClient{T: t, Base: sc.TS}.Do("GET", "/metrics", "")
	for _, want := range []string{`pctracker_job_runs_total{job="housekeeping",result="succeeded"} 1`,
		`pctracker_job_runs_total{job="housekeeping",result="skipped"} 1`,
		`pctracker_http_requests_total{code="404",method="POST",route="/admin/jobs/:name/run"} 1`,
		`pctracker_scheduler_leader 0`} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// A refused review comes back as the action page with each problem named
// and what the reviewer typed kept; nothing is decided.
func TestReviewErrorsOnThePage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	c, err := sc.S.Cycles.Get(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	a := sc.S.Action(t, sc.Org, c)
	a, _ = sc.S.Actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
	post := func(form string) apptest.Response {
		return sc.Sec.Do("POST", fmt.Sprintf("/actions/%d/review", a.ID), form, "Content-Type", "application/x-www-form-urlencoded")
	}
	for form, want := range map[string]string{
		fmt.Sprintf("version=%d&decision=request_changes&comment=+&stage=implemented", a.Version):   "write a comment",
		fmt.Sprintf("version=%d&decision=accept&comment=Typed+text&recommendations=13", a.Version):  "twelve recommendations",
		fmt.Sprintf("version=%d&decision=accept&comment=Typed+text&stage=implemented", a.Version-1): "changed this action meanwhile",
	} {
		r := post(form)
		if r.Status != 422 || !strings.Contains(r.Body, want) {
			t.Errorf("%s: %d, want %q in the page", form, r.Status, want)
		}
		if strings.Contains(form, "Typed") && !strings.Contains(r.Body, ">Typed text</textarea>") {
			t.Errorf("%s: the comment typed is lost", form)
		}
	}
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID); got.State != action.Submitted || got.Version != a.Version {
		t.Errorf("a refused review changed the action: %+v", got)
	}
	// Bulk accept from the queue: a pick at an older version accepts nothing.
	bulk := func(form string) apptest.Response {
		return sc.Sec.Do("POST", "/review/accept?cycle=2026", form+"&confirm=yes", "Content-Type", "application/x-www-form-urlencoded")
	}
	for form, flash := range map[string]string{
		fmt.Sprintf("ids=%d:%d", a.ID, a.Version-1): "flash_err_bulk_changed",
		"": "flash_err_choose_actions",
	} {
		if r := bulk(form); r.Status != 303 || !strings.Contains(r.Header.Get("Set-Cookie"), flash) {
			t.Errorf("bulk %q: %d %v", form, r.Status, r.Header)
		}
	}
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID); got.State != action.Submitted {
		t.Errorf("a stale bulk pick was accepted: %s", got.State)
	}
	if r := post(fmt.Sprintf("version=%d&decision=accept", a.Version)); r.Status != 303 {
		t.Fatalf("accept: %d", r.Status)
	}
	if r := post(fmt.Sprintf("version=%d&decision=accept", a.Version+1)); r.Status != 422 || !strings.Contains(r.Body, "no longer waiting for review") {
		t.Errorf("reviewing an accepted action: %d", r.Status)
	}
}

// Two people edit a cycle at once: the second save is stopped, shows the
// first person's change with the second's on top, and saving again keeps
// both.
func TestCycleConcurrentEdits(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	before, err := sc.S.Cycles.Get(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	page := sc.Sec.Do("GET", "/admin/cycles/2026", "")
	if !strings.Contains(page.Body, `name="orig_forum_date" value="`+before.ForumDate.Format(time.DateOnly)+`"`) {
		t.Fatalf("the page does not carry the values it was rendered with")
	}
	// Someone else moves the Forum by a day.
	theirs := before.ForumDate.AddDate(0, 0, 1)
	if _, err := sc.S.Cycles.Update(ctx, testutil.System, 2026, before.Version, func(in *cycle.Input) { in.ForumDate = theirs }); err != nil {
		t.Fatal(err)
	}
	form := func(version int, orig cycle.Cycle, deadline string) url.Values {
		d := func(t time.Time) string { return t.Format(time.DateOnly) }
		return url.Values{"version": {fmt.Sprint(version)}, "opens_at": {d(orig.OpensAt)}, "deadline": {deadline}, "report_at": {d(orig.ReportAt)},
			"forum_date": {d(orig.ForumDate)}, "embargo": {string(orig.Embargo)}, "orig_opens_at": {d(orig.OpensAt)}, "orig_deadline": {d(orig.Deadline)},
			"orig_report_at": {d(orig.ReportAt)}, "orig_forum_date": {d(orig.ForumDate)}, "orig_embargo": {string(orig.Embargo)}}
	}
	post := func(v url.Values) apptest.Response {
		return sc.Sec.Do("POST", "/admin/cycles/2026", v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	}
	mine := before.Deadline.AddDate(0, 0, -2).Format(time.DateOnly)
	r := post(form(before.Version, before, mine))
	if r.Status != 422 || !strings.Contains(r.Body, "Someone else changed this cycle") ||
		!strings.Contains(r.Body, `value="`+theirs.Format(time.DateOnly)+`"`) || !strings.Contains(r.Body, `id="c-deadline" name="deadline" type="date" value="`+mine+`"`) {
		t.Fatalf("stale save: %d", r.Status)
	}
	if got, _ := sc.S.Cycles.Get(ctx, 2026); !got.Deadline.Equal(before.Deadline) {
		t.Errorf("a stale save was written: %v", got.Deadline)
	}
	// Saving again, from the page as re-rendered, keeps both changes.
	cur, _ := sc.S.Cycles.Get(ctx, 2026)
	if r := post(form(cur.Version, cur, mine)); r.Status != 303 {
		t.Fatalf("save again: %d", r.Status)
	}
	got, _ := sc.S.Cycles.Get(ctx, 2026)
	if got.Deadline.Format(time.DateOnly) != mine || !got.ForumDate.Equal(theirs) {
		t.Errorf("after saving again: deadline %v, forum %v", got.Deadline, got.ForumDate)
	}
}

// Two people edit an organisation at once: as for cycles, saving again
// after a stale save keeps both changes.
func TestOrganisationConcurrentEdits(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	before := sc.Org
	path := fmt.Sprintf("/admin/organisations/%d", before.ID)
	if page := sc.Sec.Do("GET", path, ""); !strings.Contains(page.Body, `name="orig_name" value="`+before.Name+`"`) {
		t.Fatalf("the page does not carry the values it was rendered with")
	}
	// Someone else verifies it.
	if _, err := sc.S.Stakeholders.Update(ctx, testutil.System, before.ID, before.Version, func(in *stakeholder.Input) { in.Verified = true }); err != nil {
		t.Fatal(err)
	}
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	form := func(version int, orig stakeholder.Stakeholder, website string) string {
		v := url.Values{"version": {fmt.Sprint(version)}, "orig": {"1"}, "name": {orig.Name}, "kind": {string(orig.Kind)}, "country": {orig.Country},
			"website": {website}, "orig_name": {orig.Name}, "orig_kind": {string(orig.Kind)}, "orig_country": {orig.Country},
			"orig_website": {orig.Website}, "orig_verified": {flag(orig.Verified)}, "orig_active": {flag(orig.Active)}}
		if orig.Verified {
			v.Set("verified", "1")
		}
		if orig.Active {
			v.Set("active", "1")
		}
		return v.Encode()
	}
	post := func(body string) apptest.Response {
		return sc.Sec.Do("POST", path, body, "Content-Type", "application/x-www-form-urlencoded")
	}
	mine := "https://www.example.gov/cyber"
	if r := post(form(before.Version, before, mine)); r.Status != 422 || !strings.Contains(r.Body, `value="`+mine+`"`) ||
		!strings.Contains(r.Body, `name="verified" value="1" checked`) {
		t.Fatalf("stale save: %d; the page must show their verification and my website", r.Status)
	}
	cur, _ := sc.S.Stakeholders.Get(ctx, before.ID)
	if r := post(form(cur.Version, cur, mine)); r.Status != 303 {
		t.Fatalf("save again: %d", r.Status)
	}
	got, _ := sc.S.Stakeholders.Get(ctx, before.ID)
	if got.Website != mine || !got.Verified {
		t.Errorf("after saving again: website %q, verified %v", got.Website, got.Verified)
	}

	// The date it joined: a wrong one is named and kept, nothing saved; a
	// right one is saved and shown.
	since := func(v string) string {
		q, _ := url.ParseQuery(form(got.Version, got, got.Website))
		q.Set("supporter_since", v)
		return q.Encode()
	}
	if r := post(since("2025-02-30")); r.Status != 422 || !strings.Contains(r.Body, `value="2025-02-30"`) ||
		!strings.Contains(r.Body, "Give the date it joined") {
		t.Errorf("a wrong date: %d", r.Status)
	}
	if r := post(since("2025-02-14")); r.Status != 303 {
		t.Fatalf("a right date: %d", r.Status)
	}
	got, _ = sc.S.Stakeholders.Get(ctx, before.ID)
	if got.SupporterSince == nil || got.SupporterSince.Format("2006-01-02") != "2025-02-14" || got.Website != mine {
		t.Errorf("supporter since: %v", got.SupporterSince)
	}
	if page := sc.Sec.Do("GET", path, ""); !strings.Contains(page.Body, `name="supporter_since" type="date" value="2025-02-14"`) {
		t.Errorf("the page does not show the date")
	}
}

// The review queue filters by organisation, offering those with something
// waiting, and keeps the filter for bulk acceptance.
func TestReviewQueueByOrganisation(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	current, _ := sc.S.Cycles.Get(ctx, 2026)
	for _, who := range []stakeholder.Stakeholder{sc.Org, sc.OtherOrg, sc.OtherOrg} {
		a, err := sc.S.Actions.Create(ctx, testutil.System, who.ID, current.ID, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
	}
	all := sc.Sec.Do("GET", "/review?cycle=2026", "")
	for _, o := range []stakeholder.Stakeholder{sc.Org, sc.OtherOrg} {
		if !strings.Contains(all.Body, fmt.Sprintf(`<option value="%d" >%s</option>`, o.ID, o.Name)) {
			t.Errorf("the filter does not offer %s", o.Name)
		}
	}
	r := sc.Sec.Do("GET", fmt.Sprintf("/review?cycle=2026&organisation=%d", sc.OtherOrg.ID), "")
	if r.Status != 200 || strings.Count(r.Body, `name="ids"`) != 2 || !strings.Contains(r.Body, fmt.Sprintf(`&amp;organisation=%d"`, sc.OtherOrg.ID)) {
		t.Errorf("filtered queue: %d, %d rows", r.Status, strings.Count(r.Body, `name="ids"`))
	}
}

// An action that cites no evidence, in a cycle that requires it: the
// action page refuses to accept it and says why (in the reviewer's
// language), the queue marks it, and a bulk acceptance with it accepts
// nothing and says why.
func TestReviewEvidenceRuleOnThePage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	ctx := context.Background()
	c, err := sc.S.Cycles.Get(ctx, 2026)
	if err != nil || !c.RequiresEvidence() {
		t.Fatalf("the cycle requires evidence: %+v %v", c, err)
	}
	in := testutil.ActionInput()
	in.Evidence = nil
	a, err := sc.S.Actions.Create(ctx, testutil.System, sc.Org.ID, c.ID, in)
	if err == nil {
		a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	form := fmt.Sprintf("version=%d&decision=accept&comment=Typed+text", a.Version)
	for lang, want := range map[string]string{"en": "This action cites no evidence", "fr": "Cette action ne cite aucun justificatif"} {
		r := sc.Sec.Do("POST", fmt.Sprintf("/actions/%d/review", a.ID), form, "Content-Type", "application/x-www-form-urlencoded", "Accept-Language", lang)
		if r.Status != 422 || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, ">Typed text</textarea>") {
			t.Errorf("%s: accept without evidence: %d, want %q in the page", lang, r.Status, want)
		}
	}
	if r := sc.Sec.Do("GET", "/review?cycle=2026", ""); r.Status != 200 || !strings.Contains(r.Body, "no evidence: cannot be accepted") {
		t.Errorf("the queue does not mark the action without evidence: %d", r.Status)
	}
	r := sc.Sec.Do("POST", "/review/accept?cycle=2026", fmt.Sprintf("ids=%d:%d&confirm=yes", a.ID, a.Version), "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != 303 || !strings.Contains(r.Header.Get("Set-Cookie"), "flash_err_bulk_evidence") {
		t.Errorf("bulk accept without evidence: %d %v", r.Status, r.Header)
	}
	if got, _ := sc.S.Actions.Get(ctx, testutil.System, a.ID); got.State != action.Submitted {
		t.Errorf("an action without evidence was accepted: %s", got.State)
	}
}

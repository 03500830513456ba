package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestStatusBoard(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	if _, err := sc.s.Stakeholders.Create(context.Background(), testutil.System, stakeholder.Input{Name: "=HYPERLINK(\"http://evil\")",
		Kind: stakeholder.Company, Country: "US", Active: true}); err != nil {
		t.Fatal(err)
	}
	page := sc.sec.do("GET", "/admin/status?cycle=2026", "")
	if page.status != 200 || !strings.Contains(page.body, "light-none") || !strings.Contains(page.body, sc.org.Name) {
		t.Fatalf("board page: %d", page.status)
	}
	csv := sc.sec.do("GET", "/admin/status.csv?cycle=2026&kind=company", "")
	if csv.status != 200 || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(csv.body, `'=HYPERLINK(""http://evil"")`) || strings.Contains(csv.body, sc.org.Name) {
		t.Errorf("CSV: %d %q", csv.status, csv.body)
	}
	api := sc.sec.do("GET", "/api/v1/cycles/2026/status", "")
	if api.status != 200 || !strings.Contains(api.body, `"light":"none"`) {
		t.Errorf("API board: %d %s", api.status, api.body)
	}
	if r := sc.focal.do("GET", "/admin/status.csv?cycle=2026", ""); r.status != 403 {
		t.Errorf("a supporter downloads the board: %d", r.status)
	}
}

func TestAuditLogPage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	sc.member.do("POST", "/api/v1/actions", newActionBody)
	r := sc.sec.do("GET", "/admin/audit?verb=action.&actor=member", "")
	if r.status != 200 || !strings.Contains(r.body, "action.create") || !strings.Contains(r.body, "member@own.example") || strings.Contains(r.body, "user.create") {
		t.Fatalf("audit page: %d", r.status)
	}
	if r := sc.sec.do("GET", "/admin/audit?object=action+999999", ""); !strings.Contains(r.body, "0 entries") {
		t.Errorf("filter by object")
	}
	if r := sc.focal.do("GET", "/admin/audit", ""); r.status != 403 {
		t.Errorf("a supporter reads the audit log: %d", r.status)
	}
}

// The jobs page runs a job now, once per slot.
func TestJobsPage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	page := sc.sec.do("GET", "/admin/jobs", "")
	if page.status != 200 || !strings.Contains(page.body, "housekeeping") || !strings.Contains(page.body, "never run") {
		t.Fatalf("jobs page: %d", page.status)
	}
	form := func() response {
		return sc.sec.do("POST", "/admin/jobs/housekeeping/run", "", "Content-Type", "application/x-www-form-urlencoded")
	}
	if r := form(); r.status != 303 || !strings.Contains(r.header.Get("Set-Cookie"), "flash_job_ran") {
		t.Fatalf("run now: %d %s %v", r.status, r.body, r.header)
	}
	if r := sc.sec.do("GET", "/admin/jobs", ""); !strings.Contains(r.body, "succeeded") || !strings.Contains(r.body, "2026-09-01") {
		t.Errorf("after the run: %s", r.body[strings.Index(r.body, "<tbody>"):])
	}
	if r := form(); !strings.Contains(r.header.Get("Set-Cookie"), "flash_job_done_already") {
		t.Errorf("a second run in the same slot is not reported as already done: %v", r.header)
	}
	var n int
	db.SQL().QueryRow("SELECT count(*) FROM job_runs WHERE job = 'housekeeping'").Scan(&n)
	if n != 1 {
		t.Errorf("run now twice in one slot ran %d times", n)
	}
	if r := sc.sec.do("POST", "/admin/jobs/nope/run", "", "Content-Type", "application/x-www-form-urlencoded"); r.status != 404 {
		t.Errorf("unknown job: %d", r.status)
	}
	// The runs are counted on /metrics, with the requests by route.
	m := apiClient{t: t, base: sc.ts}.do("GET", "/metrics", "")
	for _, want := range []string{`pctracker_job_runs_total{job="housekeeping",result="succeeded"} 1`,
		`pctracker_job_runs_total{job="housekeeping",result="skipped"} 1`,
		`pctracker_http_requests_total{code="404",method="POST",route="/admin/jobs/:name/run"} 1`,
		`pctracker_scheduler_leader 0`} {
		if !strings.Contains(m.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// A refused review comes back as the action page with each problem named
// and what the reviewer typed kept; nothing is decided.
func TestReviewErrorsOnThePage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	ctx := context.Background()
	c, err := sc.s.Cycles.Get(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	a := sc.s.Action(t, sc.org, c)
	a, _ = sc.s.Actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
	post := func(form string) response {
		return sc.sec.do("POST", fmt.Sprintf("/actions/%d/review", a.ID), form, "Content-Type", "application/x-www-form-urlencoded")
	}
	for form, want := range map[string]string{
		fmt.Sprintf("version=%d&decision=request_changes&comment=+&stage=implemented", a.Version):   "write a comment",
		fmt.Sprintf("version=%d&decision=accept&comment=Typed+text&recommendations=13", a.Version):  "twelve recommendations",
		fmt.Sprintf("version=%d&decision=accept&comment=Typed+text&stage=implemented", a.Version-1): "changed this action meanwhile",
	} {
		r := post(form)
		if r.status != 422 || !strings.Contains(r.body, want) {
			t.Errorf("%s: %d, want %q in the page", form, r.status, want)
		}
		if strings.Contains(form, "Typed") && !strings.Contains(r.body, ">Typed text</textarea>") {
			t.Errorf("%s: the comment typed is lost", form)
		}
	}
	if got, _ := sc.s.Actions.Get(ctx, testutil.System, a.ID); got.State != action.Submitted || got.Version != a.Version {
		t.Errorf("a refused review changed the action: %+v", got)
	}
	// Bulk accept from the queue: a pick at an older version accepts nothing.
	bulk := func(form string) response {
		return sc.sec.do("POST", "/review/accept?cycle=2026", form+"&confirm=yes", "Content-Type", "application/x-www-form-urlencoded")
	}
	for form, flash := range map[string]string{
		fmt.Sprintf("ids=%d:%d", a.ID, a.Version-1): "flash_err_bulk_changed",
		"": "flash_err_choose_actions",
	} {
		if r := bulk(form); r.status != 303 || !strings.Contains(r.header.Get("Set-Cookie"), flash) {
			t.Errorf("bulk %q: %d %v", form, r.status, r.header)
		}
	}
	if got, _ := sc.s.Actions.Get(ctx, testutil.System, a.ID); got.State != action.Submitted {
		t.Errorf("a stale bulk pick was accepted: %s", got.State)
	}
	if r := post(fmt.Sprintf("version=%d&decision=accept", a.Version)); r.status != 303 {
		t.Fatalf("accept: %d", r.status)
	}
	if r := post(fmt.Sprintf("version=%d&decision=accept", a.Version+1)); r.status != 422 || !strings.Contains(r.body, "no longer waiting for review") {
		t.Errorf("reviewing an accepted action: %d", r.status)
	}
}

// Two people edit a cycle at once: the second save is stopped, shows the
// first person's change with the second's on top, and saving again keeps
// both.
func TestCycleConcurrentEdits(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	ctx := context.Background()
	before, err := sc.s.Cycles.Get(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	page := sc.sec.do("GET", "/admin/cycles/2026", "")
	if !strings.Contains(page.body, `name="orig_forum_date" value="`+before.ForumDate.Format(time.DateOnly)+`"`) {
		t.Fatalf("the page does not carry the values it was rendered with")
	}
	// Someone else moves the Forum by a day.
	theirs := before.ForumDate.AddDate(0, 0, 1)
	if _, err := sc.s.Cycles.Update(ctx, testutil.System, 2026, before.Version, func(in *cycle.Input) { in.ForumDate = theirs }); err != nil {
		t.Fatal(err)
	}
	form := func(version int, orig cycle.Cycle, deadline string) url.Values {
		d := func(t time.Time) string { return t.Format(time.DateOnly) }
		return url.Values{"version": {fmt.Sprint(version)}, "opens_at": {d(orig.OpensAt)}, "deadline": {deadline}, "report_at": {d(orig.ReportAt)},
			"forum_date": {d(orig.ForumDate)}, "embargo": {string(orig.Embargo)}, "orig_opens_at": {d(orig.OpensAt)}, "orig_deadline": {d(orig.Deadline)},
			"orig_report_at": {d(orig.ReportAt)}, "orig_forum_date": {d(orig.ForumDate)}, "orig_embargo": {string(orig.Embargo)}}
	}
	post := func(v url.Values) response {
		return sc.sec.do("POST", "/admin/cycles/2026", v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	}
	mine := before.Deadline.AddDate(0, 0, -2).Format(time.DateOnly)
	r := post(form(before.Version, before, mine))
	if r.status != 422 || !strings.Contains(r.body, "Someone else changed this cycle") ||
		!strings.Contains(r.body, `value="`+theirs.Format(time.DateOnly)+`"`) || !strings.Contains(r.body, `id="c-deadline" name="deadline" type="date" value="`+mine+`"`) {
		t.Fatalf("stale save: %d", r.status)
	}
	if got, _ := sc.s.Cycles.Get(ctx, 2026); !got.Deadline.Equal(before.Deadline) {
		t.Errorf("a stale save was written: %v", got.Deadline)
	}
	// Saving again, from the page as re-rendered, keeps both changes.
	cur, _ := sc.s.Cycles.Get(ctx, 2026)
	if r := post(form(cur.Version, cur, mine)); r.status != 303 {
		t.Fatalf("save again: %d", r.status)
	}
	got, _ := sc.s.Cycles.Get(ctx, 2026)
	if got.Deadline.Format(time.DateOnly) != mine || !got.ForumDate.Equal(theirs) {
		t.Errorf("after saving again: deadline %v, forum %v", got.Deadline, got.ForumDate)
	}
}

// Two people edit an organisation at once: as for cycles, saving again
// after a stale save keeps both changes.
func TestOrganisationConcurrentEdits(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	ctx := context.Background()
	before := sc.org
	path := fmt.Sprintf("/admin/organisations/%d", before.ID)
	if page := sc.sec.do("GET", path, ""); !strings.Contains(page.body, `name="orig_name" value="`+before.Name+`"`) {
		t.Fatalf("the page does not carry the values it was rendered with")
	}
	// Someone else verifies it.
	if _, err := sc.s.Stakeholders.UpdateWith(ctx, testutil.System, before.ID, before.Version, func(in *stakeholder.Input) { in.Verified = true }); err != nil {
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
	post := func(body string) response {
		return sc.sec.do("POST", path, body, "Content-Type", "application/x-www-form-urlencoded")
	}
	mine := "https://www.example.gov/cyber"
	if r := post(form(before.Version, before, mine)); r.status != 422 || !strings.Contains(r.body, `value="`+mine+`"`) ||
		!strings.Contains(r.body, `name="verified" value="1" checked`) {
		t.Fatalf("stale save: %d; the page must show their verification and my website", r.status)
	}
	cur, _ := sc.s.Stakeholders.Get(ctx, before.ID)
	if r := post(form(cur.Version, cur, mine)); r.status != 303 {
		t.Fatalf("save again: %d", r.status)
	}
	got, _ := sc.s.Stakeholders.Get(ctx, before.ID)
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
	if r := post(since("2025-02-30")); r.status != 422 || !strings.Contains(r.body, `value="2025-02-30"`) ||
		!strings.Contains(r.body, "Give the date it joined") {
		t.Errorf("a wrong date: %d", r.status)
	}
	if r := post(since("2025-02-14")); r.status != 303 {
		t.Fatalf("a right date: %d", r.status)
	}
	got, _ = sc.s.Stakeholders.Get(ctx, before.ID)
	if got.SupporterSince == nil || got.SupporterSince.Format("2006-01-02") != "2025-02-14" || got.Website != mine {
		t.Errorf("supporter since: %v", got.SupporterSince)
	}
	if page := sc.sec.do("GET", path, ""); !strings.Contains(page.body, `name="supporter_since" type="date" value="2025-02-14"`) {
		t.Errorf("the page does not show the date")
	}
}

// The review queue filters by organisation, offering those with something
// waiting, and keeps the filter for bulk acceptance.
func TestReviewQueueByOrganisation(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	ctx := context.Background()
	current, _ := sc.s.Cycles.Get(ctx, 2026)
	for _, who := range []stakeholder.Stakeholder{sc.org, sc.otherOrg, sc.otherOrg} {
		a, err := sc.s.Actions.Create(ctx, testutil.System, who.ID, current.ID, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sc.s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
	}
	all := sc.sec.do("GET", "/review?cycle=2026", "")
	for _, o := range []stakeholder.Stakeholder{sc.org, sc.otherOrg} {
		if !strings.Contains(all.body, fmt.Sprintf(`<option value="%d" >%s</option>`, o.ID, o.Name)) {
			t.Errorf("the filter does not offer %s", o.Name)
		}
	}
	r := sc.sec.do("GET", fmt.Sprintf("/review?cycle=2026&organisation=%d", sc.otherOrg.ID), "")
	if r.status != 200 || strings.Count(r.body, `name="ids"`) != 2 || !strings.Contains(r.body, fmt.Sprintf(`&amp;organisation=%d"`, sc.otherOrg.ID)) {
		t.Errorf("filtered queue: %d, %d rows", r.status, strings.Count(r.body, `name="ids"`))
	}
}

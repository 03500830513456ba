package app

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Public validators come from public data only: drafting, editing,
// submitting, reviewing and withdrawing work the public does not see, an
// acceptance in a cycle still under embargo, an inactive organisation and
// a draft report leave every public ETag as it was, so that nobody can
// tell from one, or count from it, what goes on behind the sign-in. The
// one exception is the dashboard of the cycle whose action kept for the
// secretariat was accepted: it gives the number of actions withheld, so
// its answer and its ETag change, and only those. A change the public
// sees changes every ETag.
func TestPublicETagsMoveOnlyWithPublicData(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db) // 2025 (an accepted public action) and 2026, open
		ctx := context.Background()
		anon := apiClient{t: t, base: sc.ts}
		acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) { in.Title, in.Recommendations = "Export licensing reform", []int{2} })
		acceptIn(t, sc, sc.otherOrg.ID, 2026, func(in *action.Input) { in.Visibility = action.SecretariatOnly })
		later, err := sc.s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2027, OpensAt: day(2027, 6, 1), Deadline: day(2027, 10, 1),
			ForumDate: day(2027, 11, 11), Embargo: cycle.UntilForum})
		if err != nil {
			t.Fatal(err)
		}

		dashboard2026 := []string{"/", "/?cycle=2026", "/api/v1/dashboard", "/api/v1/dashboard?cycle=2026&lang=fr"}
		paths := append(slices.Clone(dashboard2026), "/?cycle=2025", "/api/v1/dashboard?cycle=2025",
			"/actions", "/actions?cycle=2026", "/api/v1/actions", "/api/v1/actions?cycle=2026&recommendation=2",
			"/api/v1/open-data/actions.csv", "/api/v1/open-data/actions.json?cycle=2026", "/feed.atom",
			"/recommendations/2", "/organisations", fmt.Sprintf("/organisations/%d", sc.org.ID),
			fmt.Sprintf("/organisations/%d", sc.otherOrg.ID), "/search?q=export")
		tags := map[string]string{}
		snapshot := func() {
			t.Helper()
			for _, p := range paths {
				r := anon.do("GET", p, "")
				if tags[p] = r.header.Get("ETag"); r.status != 200 || tags[p] == "" {
					t.Fatalf("%s: %d, ETag %q", p, r.status, tags[p])
				}
			}
		}
		unchanged := func(step string, except ...string) {
			t.Helper()
			for _, p := range paths {
				if slices.Contains(except, p) {
					continue
				}
				if r := anon.do("GET", p, "", "If-None-Match", tags[p]); r.status != 304 {
					t.Errorf("after %s, %s answers %d (ETag %s, was %s)", step, p, r.status, r.header.Get("ETag"), tags[p])
				}
			}
		}
		changed := func(step string) {
			t.Helper()
			for _, p := range paths {
				if r := anon.do("GET", p, "", "If-None-Match", tags[p]); r.status != 200 || r.header.Get("ETag") == tags[p] {
					t.Errorf("after %s, %s answers %d with the same ETag %s", step, p, r.status, tags[p])
				}
			}
			snapshot()
		}
		withheld := func(p string) int {
			return decode[dashboardJSON](t, anon.do("GET", p, "")).Figures.Headline.Withheld
		}
		snapshot()
		if n := withheld("/api/v1/dashboard?cycle=2026"); n != 1 {
			t.Fatalf("%d actions withheld, want 1", n)
		}

		// Work the public does not see, on an action kept for the
		// secretariat: drafted, edited, submitted, sent back, edited and
		// submitted again.
		body := `{"cycle": 2026, "title": "Confidential vendor register", "recommendations": [3], "stage": "planned",
			"measure": "export_controls", "scope": "national", "visibility": "secretariat"}`
		kept := decode[actionJSON](t, sc.other.do("POST", "/api/v1/actions", body))
		unchanged("a draft")
		path := fmt.Sprintf("/api/v1/actions/%d", kept.ID)
		kept = decode[actionJSON](t, sc.other.do("PATCH", path, fmt.Sprintf(`{"version": %d, "title": "Vendor register, draft 2"}`, kept.Version)))
		unchanged("an edit of the draft")
		if r := sc.other.do("POST", path+"/submit", ""); r.status != 200 {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		unchanged("its submission")
		if r := sc.sec.do("POST", path+"/review", `{"decision": "request_changes", "comment": "Name the register."}`); r.status != 200 {
			t.Fatalf("request changes: %d %s", r.status, r.body)
		}
		unchanged("a request for changes")
		kept = decode[actionJSON](t, sc.other.do("GET", path, ""))
		sc.other.do("PATCH", path, fmt.Sprintf(`{"version": %d, "title": "National vendor register"}`, kept.Version))
		if r := sc.other.do("POST", path+"/submit", ""); r.status != 200 {
			t.Fatalf("submit again: %d %s", r.status, r.body)
		}
		unchanged("an edit and a second submission")

		// A public draft submitted and withdrawn before any review; an
		// acceptance in 2027, embargoed until its Forum; an inactive
		// organisation; a draft report.
		draft := decode[actionJSON](t, sc.member.do("POST", "/api/v1/actions", newActionBody))
		sc.focal.do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", draft.ID), "")
		if r := sc.focal.do("POST", fmt.Sprintf("/api/v1/actions/%d/withdraw", draft.ID), ""); r.status != 200 {
			t.Fatalf("withdraw: %d %s", r.status, r.body)
		}
		unchanged("a submission withdrawn")
		embargoed, err := sc.s.Actions.Create(ctx, testutil.System, sc.org.ID, later.ID, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		embargoed, _ = sc.s.Actions.Move(ctx, testutil.System, embargoed.ID, 0, action.Submitted, "")
		if _, err := sc.s.Actions.Move(ctx, testutil.System, embargoed.ID, 0, action.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		unchanged("an acceptance under embargo")
		org := decode[struct{ ID, Version int64 }](t, sc.sec.do("POST", "/api/v1/stakeholders",
			`{"name": "Quiet Ministry", "kind": "state", "country": "EE", "active": false}`))
		sc.sec.do("PATCH", fmt.Sprintf("/api/v1/stakeholders/%d", org.ID), fmt.Sprintf(`{"version": %d, "website": "https://quiet.example"}`, org.Version))
		unchanged("an inactive organisation onboarded and edited")
		if r := sc.sec.do("POST", "/api/v1/cycles/2026/reports", ""); r.status != 201 {
			t.Fatalf("compile: %d %s", r.status, r.body)
		}
		unchanged("a draft report")
		r := sc.sec.do("POST", "/api/v1/cycles/2027/reports", "")
		report := decode[struct{ ID int64 }](t, r)
		if r := sc.sec.do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", report.ID), ""); r.status != 200 {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		unchanged("a report published under embargo")

		// The action kept for the secretariat accepted: the number of
		// actions withheld is public, and the 2026 dashboard gives it.
		if r := sc.sec.do("POST", path+"/review", `{"decision": "accept"}`); r.status != 200 {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
		unchanged("an acceptance kept for the secretariat", dashboard2026...)
		for _, p := range dashboard2026 {
			if r := anon.do("GET", p, "", "If-None-Match", tags[p]); r.status != 200 || r.header.Get("ETag") == tags[p] {
				t.Errorf("%s, which gives the actions withheld, answers %d with its ETag %s", p, r.status, tags[p])
			}
		}
		if n := withheld("/api/v1/dashboard?cycle=2026"); n != 2 {
			t.Errorf("%d actions withheld, want 2", n)
		}
		snapshot()

		// What the public sees changes every ETag: an acceptance, the
		// withdrawal of a public action, an organisation renamed.
		acceptIn(t, sc, sc.otherOrg.ID, 2026, func(in *action.Input) { in.Title = "Export controls, second step" })
		changed("a public acceptance")
		if _, err := sc.s.Actions.Move(ctx, testutil.System, sc.lastYearAction.ID, 0, action.Withdrawn, "withdrawn"); err != nil {
			t.Fatal(err)
		}
		changed("a public action withdrawn")
		o := decode[struct{ Version int64 }](t, sc.sec.do("GET", fmt.Sprintf("/api/v1/stakeholders/%d", sc.otherOrg.ID), ""))
		if r := sc.sec.do("PATCH", fmt.Sprintf("/api/v1/stakeholders/%d", sc.otherOrg.ID),
			fmt.Sprintf(`{"version": %d, "name": "Ministry of Digital Affairs"}`, o.Version)); r.status != 200 {
			t.Fatalf("rename: %d %s", r.status, r.body)
		}
		changed("an organisation renamed")
	})
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

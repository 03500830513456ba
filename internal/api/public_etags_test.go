package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
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
		sc := apptest.NewScenario(t, db) // 2025 (an accepted public action) and 2026, open
		ctx := context.Background()
		anon := apptest.APIClient{T: t, Base: sc.TS}
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title, in.Recommendations = "Export licensing reform", []int{2} })
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Visibility = action.SecretariatOnly })
		later, err := sc.S.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2027, OpensAt: day(2027, 6, 1), Deadline: day(2027, 10, 1),
			ForumDate: day(2027, 11, 11), Embargo: cycle.UntilForum})
		if err != nil {
			t.Fatal(err)
		}

		dashboard2026 := []string{"/", "/?cycle=2026", "/api/v1/dashboard", "/api/v1/dashboard?cycle=2026&lang=fr"}
		paths := append(slices.Clone(dashboard2026), "/?cycle=2025", "/api/v1/dashboard?cycle=2025",
			"/actions", "/actions?cycle=2026", "/api/v1/actions", "/api/v1/actions?cycle=2026&recommendation=2",
			"/api/v1/open-data/actions.csv", "/api/v1/open-data/actions.json?cycle=2026", "/feed.atom",
			"/recommendations/2", "/organisations", fmt.Sprintf("/organisations/%d", sc.Org.ID),
			fmt.Sprintf("/organisations/%d", sc.OtherOrg.ID), "/search?q=export")
		tags := map[string]string{}
		snapshot := func() {
			t.Helper()
			for _, p := range paths {
				r := anon.Do("GET", p, "")
				if tags[p] = r.Header.Get("ETag"); r.Status != 200 || tags[p] == "" {
					t.Fatalf("%s: %d, ETag %q", p, r.Status, tags[p])
				}
			}
		}
		unchanged := func(step string, except ...string) {
			t.Helper()
			for _, p := range paths {
				if slices.Contains(except, p) {
					continue
				}
				if r := anon.Do("GET", p, "", "If-None-Match", tags[p]); r.Status != 304 {
					t.Errorf("after %s, %s answers %d (ETag %s, was %s)", step, p, r.Status, r.Header.Get("ETag"), tags[p])
				}
			}
		}
		changed := func(step string) {
			t.Helper()
			for _, p := range paths {
				if r := anon.Do("GET", p, "", "If-None-Match", tags[p]); r.Status != 200 || r.Header.Get("ETag") == tags[p] {
					t.Errorf("after %s, %s answers %d with the same ETag %s", step, p, r.Status, tags[p])
				}
			}
			snapshot()
		}
		withheld := func(p string) int {
			return apptest.Decode[dashboardJSON](t, anon.Do("GET", p, "")).Figures.Headline.Withheld
		}
		snapshot()
		if n := withheld("/api/v1/dashboard?cycle=2026"); n != 1 {
			t.Fatalf("%d actions withheld, want 1", n)
		}

		// Work the public does not see, on an action kept for the
		// secretariat: drafted, edited, submitted, sent back, edited and
		// submitted again.
		body := `{"cycle": 2026, "title": "Confidential vendor register", "recommendations": [3], "stage": "planned",
			"measure": "export_controls", "scope": "national", "visibility": "secretariat",
			"evidence": [{"kind": "report", "url": "https://example.org/register", "title": "Register"}]}`
		kept := apptest.Decode[apptest.ActionJSON](t, sc.Other.Do("POST", "/api/v1/actions", body))
		unchanged("a draft")
		path := fmt.Sprintf("/api/v1/actions/%d", kept.ID)
		kept = apptest.Decode[apptest.ActionJSON](t, sc.Other.Do("PATCH", path, fmt.Sprintf(`{"version": %d, "title": "Vendor register, draft 2"}`, kept.Version)))
		unchanged("an edit of the draft")
		if r := sc.Other.Do("POST", path+"/submit", ""); r.Status != 200 {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		unchanged("its submission")
		if r := sc.Sec.Do("POST", path+"/review", `{"decision": "request_changes", "comment": "Name the register."}`); r.Status != 200 {
			t.Fatalf("request changes: %d %s", r.Status, r.Body)
		}
		unchanged("a request for changes")
		kept = apptest.Decode[apptest.ActionJSON](t, sc.Other.Do("GET", path, ""))
		sc.Other.Do("PATCH", path, fmt.Sprintf(`{"version": %d, "title": "National vendor register"}`, kept.Version))
		if r := sc.Other.Do("POST", path+"/submit", ""); r.Status != 200 {
			t.Fatalf("submit again: %d %s", r.Status, r.Body)
		}
		unchanged("an edit and a second submission")

		// A public draft submitted and withdrawn before any review; an
		// acceptance in 2027, embargoed until its Forum; an inactive
		// organisation; a draft report.
		draft := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody))
		sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", draft.ID), "")
		if r := sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/withdraw", draft.ID), ""); r.Status != 200 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		unchanged("a submission withdrawn")
		embargoed, err := sc.S.Actions.Create(ctx, testutil.System, sc.Org.ID, later.ID, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		embargoed, _ = sc.S.Actions.Move(ctx, testutil.System, embargoed.ID, 0, action.Submitted, "")
		if _, err := sc.S.Actions.Move(ctx, testutil.System, embargoed.ID, 0, action.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		unchanged("an acceptance under embargo")
		org := apptest.Decode[struct{ ID, Version int64 }](t, sc.Sec.Do("POST", "/api/v1/stakeholders",
			`{"name": "Quiet Ministry", "kind": "state", "country": "EE", "active": false}`))
		sc.Sec.Do("PATCH", fmt.Sprintf("/api/v1/stakeholders/%d", org.ID), fmt.Sprintf(`{"version": %d, "website": "https://quiet.example"}`, org.Version))
		unchanged("an inactive organisation onboarded and edited")
		if r := sc.Sec.Do("POST", "/api/v1/cycles/2026/reports", ""); r.Status != 201 {
			t.Fatalf("compile: %d %s", r.Status, r.Body)
		}
		unchanged("a draft report")
		r := sc.Sec.Do("POST", "/api/v1/cycles/2027/reports", "")
		report := apptest.Decode[struct{ ID int64 }](t, r)
		if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", report.ID), ""); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		unchanged("a report published under embargo")

		// The action kept for the secretariat accepted: the number of
		// actions withheld is public, and the 2026 dashboard gives it.
		if r := sc.Sec.Do("POST", path+"/review", `{"decision": "accept"}`); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		unchanged("an acceptance kept for the secretariat", dashboard2026...)
		for _, p := range dashboard2026 {
			if r := anon.Do("GET", p, "", "If-None-Match", tags[p]); r.Status != 200 || r.Header.Get("ETag") == tags[p] {
				t.Errorf("%s, which gives the actions withheld, answers %d with its ETag %s", p, r.Status, tags[p])
			}
		}
		if n := withheld("/api/v1/dashboard?cycle=2026"); n != 2 {
			t.Errorf("%d actions withheld, want 2", n)
		}
		snapshot()

		// What the public sees changes every ETag: an acceptance, the
		// withdrawal of a public action, an organisation renamed.
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Title = "Export controls, second step" })
		changed("a public acceptance")
		if _, err := sc.S.Actions.Move(ctx, testutil.System, sc.LastYearAction.ID, 0, action.Withdrawn, "withdrawn"); err != nil {
			t.Fatal(err)
		}
		changed("a public action withdrawn")
		o := apptest.Decode[struct{ Version int64 }](t, sc.Sec.Do("GET", fmt.Sprintf("/api/v1/stakeholders/%d", sc.OtherOrg.ID), ""))
		if r := sc.Sec.Do("PATCH", fmt.Sprintf("/api/v1/stakeholders/%d", sc.OtherOrg.ID),
			fmt.Sprintf(`{"version": %d, "name": "Ministry of Digital Affairs"}`, o.Version)); r.Status != 200 {
			t.Fatalf("rename: %d %s", r.Status, r.Body)
		}
		changed("an organisation renamed")
	})
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

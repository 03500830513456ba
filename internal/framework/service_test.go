package framework_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
	"github.com/pctracker/pctracker/migrations"
)

func supporter(t *testing.T, s *testutil.Services, org stakeholder.Stakeholder, email string) user.Actor {
	t.Helper()
	u, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: email, Name: email, Role: user.Supporter,
		StakeholderID: org.ID, OrgRole: user.FocalPoint})
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

func withRecs(recs ...int) action.Input {
	in := testutil.ActionInput()
	in.Recommendations = recs
	return in
}

func keysOf(links []framework.Link) []string {
	var out []string
	for _, l := range links {
		out = append(out, fmt.Sprintf("%s/%s:%s", l.Framework.Key, l.Provision.Key, l.Kind))
	}
	return out
}

// An action counts for the provisions its recommendations share, and for
// those its organisation or the secretariat declares; a derived one taken
// away (with a reason) stops counting, and comes back when added again.
// Every change is in the action's history; other organisations cannot
// see or change them.
func TestLinksDerivedAndDeclared(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		s.Crosswalk(t)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		focal, stranger := supporter(t, s, org, "focal@own.example"), supporter(t, s, other, "focal@other.example")
		secretariat := testutil.System
		a := s.Accepted(t, org, s.Cycle(t, 2025), withRecs(10))

		got, err := s.Frameworks.Links(ctx, focal, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Recommendation 10 is evidenced by UN GGE 13(j), Tech Accord 4 and
		// the Wassenaar 2017 notes, nothing else.
		want := []string{"tech-accord-cyber-mercenaries/4:derived", "un-gge-2015/13(j):derived", "wassenaar-intrusion-2013/4.E.1.c (2017 notes):derived"}
		if !slices.Equal(keysOf(got.Links), want) {
			t.Fatalf("derived links: %v, want %v", keysOf(got.Links), want)
		}

		// Declared by the organisation.
		if l, err := s.Frameworks.Add(ctx, focal, a.ID, "pall-mall-states", "pillar:transparency"); err != nil || l.Kind != framework.Declared {
			t.Fatalf("declare: %+v %v", l, err)
		}
		if _, err := s.Frameworks.Add(ctx, focal, a.ID, "pall-mall-states", "pillar:transparency"); !errs.Is(err, errs.Conflict) {
			t.Errorf("declared twice: %v", err)
		}
		if _, err := s.Frameworks.Add(ctx, focal, a.ID, "un-gge-2015", "13(j)"); !errs.Is(err, errs.Conflict) {
			t.Errorf("declaring a derived one: %v", err)
		}
		for _, c := range []struct{ fw, p, field string }{{"nope", "1", "framework"}, {"un-gge-2015", "13(z)", "provision"}} {
			if _, err := s.Frameworks.Add(ctx, focal, a.ID, c.fw, c.p); !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("unknown %s: %v", c.field, err)
			}
		}
		// Taken away by the secretariat, for a reason.
		if err := s.Frameworks.Remove(ctx, secretariat, a.ID, "un-gge-2015", "13(j)", "  "); !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["reason"] == "" {
			t.Errorf("removal without a reason: %v", err)
		}
		if err := s.Frameworks.Remove(ctx, secretariat, a.ID, "un-gge-2015", "13(j)", "The action concerns exports, not reporting."); err != nil {
			t.Fatal(err)
		}
		if err := s.Frameworks.Remove(ctx, secretariat, a.ID, "un-gge-2015", "13(j)", "again"); !errs.Is(err, errs.Conflict) {
			t.Errorf("removed twice: %v", err)
		}
		// Another organisation sees nothing and changes nothing.
		if _, err := s.Frameworks.Links(ctx, stranger, a.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation reads the links: %v", err)
		}
		if _, err := s.Frameworks.Add(ctx, stranger, a.ID, "pall-mall-states", "1"); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation declares: %v", err)
		}
		if err := s.Frameworks.Remove(ctx, stranger, a.ID, "tech-accord-cyber-mercenaries", "4", "no"); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation removes: %v", err)
		}

		got, _ = s.Frameworks.Links(ctx, focal, a.ID)
		want = []string{"pall-mall-states/pillar:transparency:declared", "tech-accord-cyber-mercenaries/4:derived", "wassenaar-intrusion-2013/4.E.1.c (2017 notes):derived"}
		if !slices.Equal(keysOf(got.Links), want) || len(got.Removed) != 1 || got.Removed[0].Key != "13(j)" {
			t.Fatalf("after the changes: %v removed %v", keysOf(got.Links), got.Removed)
		}
		// Added again, the derived one is derived again.
		if l, err := s.Frameworks.Add(ctx, focal, a.ID, "un-gge-2015", "13(j)"); err != nil || l.Kind != framework.Derived {
			t.Fatalf("restore: %+v %v", l, err)
		}
		// A declared one taken away is gone.
		if err := s.Frameworks.Remove(ctx, focal, a.ID, "pall-mall-states", "pillar:transparency", "Declared by mistake."); err != nil {
			t.Fatal(err)
		}

		history, err := s.Frameworks.History(ctx, focal, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range history {
			lines = append(lines, fmt.Sprintf("%s %s %s/%s %q by %d", e.Change, e.Kind, e.FrameworkKey, e.ProvisionKey, e.Reason, e.UserID))
		}
		wantHistory := []string{
			fmt.Sprintf(`added declared pall-mall-states/pillar:transparency "" by %d`, focal.UserID),
			`removed derived un-gge-2015/13(j) "The action concerns exports, not reporting." by 0`,
			fmt.Sprintf(`added derived un-gge-2015/13(j) "" by %d`, focal.UserID),
			fmt.Sprintf(`removed declared pall-mall-states/pillar:transparency "Declared by mistake." by %d`, focal.UserID),
		}
		if !slices.Equal(lines, wantHistory) {
			t.Errorf("history:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(wantHistory, "\n"))
		}
		if _, err := s.Frameworks.History(ctx, stranger, a.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation reads the history: %v", err)
		}
		// A withdrawn action counts for nothing new.
		if _, err := s.Actions.Move(ctx, testutil.System, a.ID, 0, action.Withdrawn, "no longer in force"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Frameworks.Add(ctx, focal, a.ID, "pall-mall-states", "1"); !errs.Is(err, errs.Conflict) {
			t.Errorf("declaring on a withdrawn action: %v", err)
		}
		t.Logf("derived, declared, removed and restored links, %d history entries, refusals: checked", len(history))
	})
}

// The figures per provision count the public actions of the cycle that
// count for it, and their organisations, as a count made by hand on the
// same data does; drafts, actions kept for the secretariat and those of a
// cycle under embargo count nowhere; the actions list filtered by
// framework and provision gives the same actions.
func TestCoverageAgainstHandCount(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		all := s.Crosswalk(t)
		c25 := s.Cycle(t, 2025)
		embargoed := s.Cycle(t, 2026)
		if _, err := s.Cycles.Update(ctx, testutil.System, 2026, 0, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		orgs := []stakeholder.Stakeholder{s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.State)}
		type made struct {
			a      action.Action
			public bool
		}
		var actions []made
		for i, recs := range [][]int{{2}, {2, 3}, {1, 4}, {10}, {9}, {2}, {6, 7}} {
			a := s.Accepted(t, orgs[i%3], c25, withRecs(recs...))
			actions = append(actions, made{a, true})
		}
		draft, err := s.Actions.Create(ctx, testutil.System, orgs[0].ID, c25.ID, withRecs(2))
		if err != nil {
			t.Fatal(err)
		}
		hidden := withRecs(2)
		hidden.Visibility = action.SecretariatOnly
		actions = append(actions, made{draft, false}, made{s.Accepted(t, orgs[1], c25, hidden), false},
			made{s.Accepted(t, orgs[2], embargoed, withRecs(2)), false})
		// The organisation of the third action declares Wassenaar 4.A.5
		// (recommendation 2) for it, and the secretariat takes Joint
		// Statement commitment-5 away from the second.
		if _, err := s.Frameworks.Add(ctx, testutil.System, actions[2].a.ID, "wassenaar-intrusion-2013", "4.A.5"); err != nil {
			t.Fatal(err)
		}
		if err := s.Frameworks.Remove(ctx, testutil.System, actions[1].a.ID, "joint-statement-spyware", "commitment-5", "Not an alignment of export controls."); err != nil {
			t.Fatal(err)
		}
		declared := map[[2]string]int64{{"wassenaar-intrusion-2013", "4.A.5"}: actions[2].a.ID}
		removed := map[[2]string]int64{{"joint-statement-spyware", "commitment-5"}: actions[1].a.ID}

		coverage, year, err := s.Frameworks.Coverage(ctx, 0)
		if err != nil || year != 2025 || len(coverage) != 7 {
			t.Fatalf("coverage: year %d, %d frameworks, %v", year, len(coverage), err)
		}
		checked := 0
		for i, cov := range coverage {
			fwActions, fwOrgs := map[int64]bool{}, map[int64]bool{}
			for j, fig := range cov.Figures {
				p := all[i].Provisions[j]
				ids, orgIDs := map[int64]bool{}, map[int64]bool{}
				for _, m := range actions {
					key := [2]string{cov.Framework.Key, p.Key}
					counts := (p.Derives(m.a.Recommendations) && removed[key] != m.a.ID) || declared[key] == m.a.ID
					if m.public && counts {
						ids[m.a.ID], orgIDs[m.a.StakeholderID] = true, true
						fwActions[m.a.ID], fwOrgs[m.a.StakeholderID] = true, true
					}
				}
				if fig.Actions != len(ids) || fig.Organisations != len(orgIDs) {
					t.Errorf("%s %s: %d actions, %d organisations; by hand %d, %d", cov.Framework.Key, p.Key, fig.Actions, fig.Organisations, len(ids), len(orgIDs))
				}
				list, total, err := s.Actions.Public(ctx, action.Filter{CycleYear: 2025, Framework: cov.Framework.Key, Provision: p.Key, Limit: 100})
				if err != nil || total != fig.Actions || len(list) != total {
					t.Errorf("%s %s: the filtered list holds %d (%d), the figure says %d: %v", cov.Framework.Key, p.Key, total, len(list), fig.Actions, err)
				}
				for _, a := range list {
					if !ids[a.ID] {
						t.Errorf("%s %s: the list shows action %d, which does not count", cov.Framework.Key, p.Key, a.ID)
					}
				}
				checked++
			}
			if cov.Actions != len(fwActions) || cov.Organisations != len(fwOrgs) {
				t.Errorf("%s: %d actions, %d organisations; by hand %d, %d", cov.Framework.Key, cov.Actions, cov.Organisations, len(fwActions), len(fwOrgs))
			}
			if _, total, _ := s.Actions.Public(ctx, action.Filter{CycleYear: 2025, Framework: cov.Framework.Key, Limit: 100}); total != len(fwActions) {
				t.Errorf("%s: the framework's list holds %d, by hand %d", cov.Framework.Key, total, len(fwActions))
			}
		}
		if _, y, _ := s.Frameworks.Coverage(ctx, 2026); y != 2026 {
			t.Errorf("the cycle asked: %d", y)
		}
		if cov, _, _ := s.Frameworks.Coverage(ctx, 2026); cov[0].Actions+cov[1].Actions+cov[6].Actions != 0 {
			t.Errorf("an embargoed cycle shows figures: %+v", cov[6])
		}
		t.Logf("%d provisions' figures and filtered lists agree with a count by hand over %d actions (3 not public)", checked, len(actions))
	})
}

// Import makes the crosswalk what the file says: changed entries get a new
// version, dropped ones go, unless an action declares them; a file with a
// mistake writes nothing. The first start seeds the initial file once.
func TestImportKeepsWhatIsDeclared(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		if seeded, err := s.Frameworks.Seed(ctx, migrations.Crosswalk()); err != nil || !seeded {
			t.Fatalf("seed: %v %v", seeded, err)
		}
		if seeded, err := s.Frameworks.Seed(ctx, migrations.Crosswalk()); err != nil || seeded {
			t.Fatalf("seeded twice: %v %v", seeded, err)
		}
		org := s.Stakeholder(t, stakeholder.State)
		a := s.Accepted(t, org, s.Cycle(t, 2025), withRecs(1))
		if _, err := s.Frameworks.Add(ctx, testutil.System, a.ID, "wassenaar-intrusion-2013", "4.A.5"); err != nil {
			t.Fatal(err)
		}
		original := string(migrations.Crosswalk())
		// The Wassenaar framework goes from the file, with 4.A.5 declared.
		cut := original[:strings.Index(original, "  - key: wassenaar-intrusion-2013")]
		if _, err := s.Frameworks.Import(ctx, testutil.System, []byte(cut)); !errs.Is(err, errs.Invalid) ||
			!strings.Contains(err.Error(), `"wassenaar-intrusion-2013", provision "4.A.5" is missing from the file, but 1 action(s) declare it`) {
			t.Fatalf("dropping a declared provision: %v", err)
		}
		all, _ := s.Frameworks.List(ctx)
		if len(all) != 7 {
			t.Fatalf("a refused import changed the crosswalk: %d frameworks", len(all))
		}
		// A title changed, a provision gone: new versions, the rest alike.
		changed := strings.Replace(original, `en: "Technology for developing intrusion software"`, `en: "Technology for the development of intrusion software"`, 1)
		changed = strings.Replace(changed, `      - key: "2(m)"
        title:
          en: "Time-limited waivers for extraordinary circumstances, with notification"
          fr: "Dérogations temporaires en cas de circonstances extraordinaires, avec notification"
        recommendations: []
        confidence: high
`, "", 1)
		res, err := s.Frameworks.Import(ctx, testutil.System, []byte(changed))
		if err != nil || res.ProvisionsChanged < 1 || res.ProvisionsRemoved != 1 || res.FrameworksAdded != 0 || res.FrameworksRemoved != 0 {
			t.Fatalf("import of a change: %+v %v", res, err)
		}
		wassenaar, _ := s.Frameworks.Get(ctx, "wassenaar-intrusion-2013")
		if p, _ := wassenaar.Provision("4.E.1.c"); p.Version != 2 || p.Title.EN != "Technology for the development of intrusion software" {
			t.Errorf("changed provision: %+v", p)
		}
		if p, _ := wassenaar.Provision("4.D.4"); p.Version != 1 {
			t.Errorf("an unchanged provision got a new version: %+v", p)
		}
		eo, _ := s.Frameworks.Get(ctx, "us-eo-14093")
		if _, err := eo.Provision("2(m)"); !errs.Is(err, errs.NotFound) {
			t.Errorf("a provision gone from the file stays: %v", err)
		}
		// Broken files write nothing.
		before, _ := s.Frameworks.Export(ctx)
		if _, err := s.Frameworks.Import(ctx, testutil.System, []byte(strings.Replace(changed, "        confidence: high", "        confidence: certain", 1))); !errs.Is(err, errs.Invalid) {
			t.Errorf("a wrong confidence: %v", err)
		}
		if after, _ := s.Frameworks.Export(ctx); string(after) != string(before) {
			t.Errorf("a refused import changed the crosswalk")
		}
		// Export then import gives the same data, and changes nothing.
		res, err = s.Frameworks.Import(ctx, testutil.System, before)
		if err != nil || !res.Unchanged() {
			t.Errorf("re-import of the export: %+v %v", res, err)
		}
		// Only the secretariat imports.
		if _, err := s.Frameworks.Import(ctx, supporter(t, s, org, "x@own.example"), before); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter imports: %v", err)
		}
	})
}

// The secretariat's edits are versioned: a stale version writes nothing.
func TestEditsAreVersioned(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		s.Crosswalk(t)
		sec := testutil.System
		f, err := s.Frameworks.UpdateFramework(ctx, sec, "un-gge-2015", 1, func(in *framework.FrameworkInput) { in.TitleFR = "Rapport du GGE (A/70/174)" })
		if err != nil || f.Version != 2 || f.Title.FR != "Rapport du GGE (A/70/174)" {
			t.Fatalf("edit: %+v %v", f, err)
		}
		if _, err := s.Frameworks.UpdateFramework(ctx, sec, "un-gge-2015", 1, func(in *framework.FrameworkInput) { in.Note = "x" }); !errs.Is(err, errs.Conflict) {
			t.Errorf("a stale edit: %v", err)
		}
		p, err := s.Frameworks.UpdateProvision(ctx, sec, "un-gge-2015", "13(c)", 1, func(in *framework.ProvisionInput) {
			in.Recommendations = []int{6, 3, 6}
			in.Confidence = framework.High
		})
		if err != nil || p.Version != 2 || !slices.Equal(p.Recommendations, []int{3, 6}) {
			t.Fatalf("provision edit: %+v %v", p, err)
		}
		if _, err := s.Frameworks.UpdateProvision(ctx, sec, "un-gge-2015", "13(c)", 2, func(in *framework.ProvisionInput) {
			in.Recommendations = []int{13}
			in.Confidence = "certain"
		}); !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["recommendations"] == "" || errs.FieldsOf(err)["confidence"] == "" {
			t.Errorf("a wrong provision: %v", err)
		}
		if again, _ := s.Frameworks.Get(ctx, "un-gge-2015"); again.Version != 2 {
			t.Errorf("framework version %d", again.Version)
		} else if q, _ := again.Provision("13(c)"); q.Version != 2 || !slices.Equal(q.Recommendations, []int{3, 6}) {
			t.Errorf("a refused edit changed the provision: %+v", q)
		}
		org := s.Stakeholder(t, stakeholder.State)
		if _, err := s.Frameworks.UpdateFramework(ctx, supporter(t, s, org, "y@own.example"), "un-gge-2015", 2, func(*framework.FrameworkInput) {}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter edits: %v", err)
		}
	})
}

// Public answers are revalidated by the public state: an edit of the
// crosswalk, an import, and a change of a public action's links each
// change it (and the ETag of a public answer); a change of a draft's
// links does not.
func TestPublicStateFollowsTheCrosswalk(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		s.Crosswalk(t)
		c := s.Cycle(t, 2025)
		org := s.Stakeholder(t, stakeholder.State)
		public, draft := s.Accepted(t, org, c, withRecs(2)), s.Action(t, org, c)
		ts := apptest.StartServerAt(t, db, s.Clock.Now)
		state := func() string {
			t.Helper()
			r := apptest.Get(t, http.DefaultClient, ts.URL+"/api/v1/dashboard?cycle=2025")
			if r.Status != http.StatusOK || r.Header.Get("ETag") == "" {
				t.Fatalf("dashboard: %d %v", r.Status, r.Header)
			}
			return r.Header.Get("ETag")
		}
		before := state()
		for _, step := range []struct {
			name    string
			do      func() error
			changes bool
		}{
			{"a draft's declared provision", func() error {
				_, err := s.Frameworks.Add(ctx, testutil.System, draft.ID, "pall-mall-states", "1")
				return err
			}, false},
			{"a public action's declared provision", func() error {
				_, err := s.Frameworks.Add(ctx, testutil.System, public.ID, "pall-mall-states", "1")
				return err
			}, true},
			{"a public action's derived provision taken away", func() error {
				return s.Frameworks.Remove(ctx, testutil.System, public.ID, "wassenaar-intrusion-2013", "4.A.5", "Not intrusion software.")
			}, true},
			{"a provision's edit", func() error {
				_, err := s.Frameworks.UpdateProvision(ctx, testutil.System, "un-gge-2015", "13(c)", 0, func(in *framework.ProvisionInput) { in.Note = "Checked." })
				return err
			}, true},
			{"an import", func() error {
				data, err := s.Frameworks.Export(ctx)
				if err == nil {
					_, err = s.Frameworks.Import(ctx, testutil.System, data)
				}
				return err
			}, true},
		} {
			if err := step.do(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			after := state()
			if (after != before) != step.changes {
				t.Errorf("%s: public state %s -> %s, want a change: %v", step.name, before, after, step.changes)
			}
			before = after
		}
	})
}

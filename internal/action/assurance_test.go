package action_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

func TestAssuranceRank(t *testing.T) {
	for _, c := range []struct {
		level action.Assurance
		rank  int
		valid bool
	}{
		{"", 0, false},
		{action.SelfDeclared, 0, true},
		{action.EvidenceChecked, 1, true},
		{action.IndependentlyVerified, 2, true},
		{"verified", 0, false},
	} {
		if got := c.level.Rank(); got != c.rank {
			t.Errorf("%q.Rank() = %d, want %d", c.level, got, c.rank)
		}
		if got := c.level.Valid(); got != c.valid {
			t.Errorf("%q.Valid() = %t", c.level, got)
		}
	}
}

// A correction offers every stage but the action's own, and only the
// levels below its own: what Correct takes.
func TestCorrections(t *testing.T) {
	for _, c := range []struct {
		name   string
		a      action.Action
		stages string
		levels string
	}{
		{"adopted, self-declared", action.Action{Stage: action.Adopted, Assurance: action.SelfDeclared},
			"planned in_progress implemented discontinued", ""},
		{"an action stored before levels", action.Action{Stage: action.Planned}, "in_progress adopted implemented discontinued", ""},
		{"implemented, evidence checked", action.Action{Stage: action.Implemented, Assurance: action.EvidenceChecked},
			"planned in_progress adopted discontinued", "self_declared"},
		{"independently verified", action.Action{Stage: action.Adopted, Assurance: action.IndependentlyVerified},
			"planned in_progress implemented discontinued", "self_declared evidence_checked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stages, levels := c.a.Corrections()
			if got := fmt.Sprint(stages); got != "["+c.stages+"]" {
				t.Errorf("stages %s, want [%s]", got, c.stages)
			}
			if got := fmt.Sprint(levels); got != "["+c.levels+"]" {
				t.Errorf("levels %s, want [%s]", got, c.levels)
			}
		})
	}
}

// The secretariat's level of an accepted action: refused, field by field,
// for anything else; a new version, a review event, a public change and
// an audit entry when set; back to self-declared when withdrawn.
func TestSetAssurance(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		accepted := s.Accepted(t, org, c, testutil.ActionInput())
		draft := s.Action(t, org, c)
		const note = "The decree's text on the official journal says what the action says."

		for _, tc := range []struct {
			name    string
			by      user.Actor
			id      int64
			version int
			level   action.Assurance
			note    string
			kind    errs.Kind
			field   string
		}{
			{"the organisation's focal point", p.focal, accepted.ID, accepted.Version, action.EvidenceChecked, note, errs.Forbidden, ""},
			{"no one", user.Actor{}, accepted.ID, accepted.Version, action.EvidenceChecked, note, errs.Unauthorized, ""},
			{"an unknown level", p.secretariat, accepted.ID, accepted.Version, "checked", note, errs.Invalid, "level"},
			{"no note", p.secretariat, accepted.ID, accepted.Version, action.EvidenceChecked, "  ", errs.Invalid, "note"},
			{"no version", p.secretariat, accepted.ID, 0, action.EvidenceChecked, note, errs.Invalid, "version"},
			{"a draft", p.secretariat, draft.ID, draft.Version, action.EvidenceChecked, note, errs.Conflict, "state"},
			{"a stale version", p.secretariat, accepted.ID, accepted.Version - 1, action.EvidenceChecked, note, errs.Conflict, "version"},
			{"the level it has", p.secretariat, accepted.ID, accepted.Version, action.SelfDeclared, note, errs.Conflict, "level"},
			{"verified without a reviewer", p.secretariat, accepted.ID, accepted.Version, action.IndependentlyVerified, note, errs.Invalid, "level"},
			{"a missing action", p.secretariat, 999999, 1, action.EvidenceChecked, note, errs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.Actions.SetAssurance(ctx, tc.by, tc.id, tc.version, tc.level, tc.note)
				if !errs.Is(err, tc.kind) || (tc.field != "" && errs.FieldsOf(err)[tc.field] == "") {
					t.Fatalf("got %v (fields %v), want %s on %q", err, errs.FieldsOf(err), tc.kind, tc.field)
				}
				if a, _ := s.Actions.Get(ctx, p.secretariat, accepted.ID); a.Version != accepted.Version || a.Assurance != action.SelfDeclared {
					t.Errorf("a refused step changed the action: version %d, %s", a.Version, a.Assurance)
				}
			})
		}

		shown := testutil.Column[int64](t, db.SQL(), "SELECT count(*) FROM public_changes")[0]
		got, err := s.Actions.SetAssurance(ctx, p.secretariat, accepted.ID, accepted.Version, action.EvidenceChecked, " "+note+" ")
		if err != nil {
			t.Fatal(err)
		}
		if got.Assurance != action.EvidenceChecked || got.Version != accepted.Version+1 || got.State != action.Accepted {
			t.Errorf("after setting: %s, version %d, %s", got.Assurance, got.Version, got.State)
		}
		versions, events, err := s.Actions.History(ctx, p.member, accepted.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Decision != action.DecisionAssurance || last.Assurance != action.EvidenceChecked || last.Comment != note ||
			last.ReviewerID != p.secretariat.UserID || last.Version != got.Version {
			t.Errorf("the review event: %+v", last)
		}
		if v := versions[len(versions)-1]; v.Version != got.Version || v.Snapshot.Assurance != action.EvidenceChecked {
			t.Errorf("the version: %d %s", v.Version, v.Snapshot.Assurance)
		}
		if n := testutil.Column[int64](t, db.SQL(), "SELECT count(*) FROM public_changes")[0]; n != shown+1 {
			t.Errorf("public changes: %d, want %d: the public sees levels", n, shown+1)
		}
		entries, _, err := db.AuditEntries(ctx, audit.Filter{Verb: "action.assurance", Limit: 5})
		if err != nil || len(entries) != 1 || entries[0].Details["assurance"] != string(action.EvidenceChecked) ||
			entries[0].Details["was"] != string(action.SelfDeclared) || entries[0].Details["comment"] != note {
			t.Errorf("audit: %+v %v", entries, err)
		}

		// Public lists filter by level.
		for level, want := range map[action.Assurance]int{action.EvidenceChecked: 1, action.SelfDeclared: 0, action.IndependentlyVerified: 0} {
			if _, n, err := s.Actions.Public(ctx, action.Filter{Assurance: level}); err != nil || n != want {
				t.Errorf("public with assurance=%s: %d %v, want %d", level, n, err, want)
			}
		}
		if _, _, err := s.Actions.Public(ctx, action.Filter{Assurance: "verified"}); errs.FieldsOf(err)["assurance"] == "" {
			t.Errorf("an unknown level in a filter: %v", err)
		}

		// Lowered, with its reason; then raised again.
		low, err := s.Actions.SetAssurance(ctx, p.secretariat, got.ID, got.Version, action.SelfDeclared, "The decree was repealed.")
		if err != nil || low.Assurance != action.SelfDeclared {
			t.Fatalf("lowering: %v", err)
		}
		if got, err = s.Actions.SetAssurance(ctx, p.secretariat, low.ID, low.Version, action.EvidenceChecked, note); err != nil {
			t.Fatal(err)
		}

		// A withdrawal ends the level, and says so in its step: the claim
		// is checked again once it is accepted again.
		w, err := s.Actions.Move(ctx, p.secretariat, got.ID, got.Version, action.Withdrawn, "Withdrawn at the organisation's request.")
		if err != nil {
			t.Fatal(err)
		}
		_, events, _ = s.Actions.History(ctx, p.member, w.ID)
		if w.Assurance != action.SelfDeclared || events[len(events)-1].Assurance != action.SelfDeclared {
			t.Errorf("withdrawn: %s, its step %+v", w.Assurance, events[len(events)-1])
		}
	})
}

// A confirmation stands behind the action as it was accepted: once the
// action is withdrawn and accepted again, the secretariat cannot restore
// independent verification on the strength of the old one.
func TestVerifiedAgainNeedsANewConfirmation(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		lab := s.Reviewer(t, stakeholder.Academia)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "analyst@lab.example", Name: "Analyst",
			Role: user.Supporter, StakeholderID: lab.ID, OrgRole: user.Member})
		if err != nil {
			t.Fatal(err)
		}
		a := s.Accepted(t, org, c, testutil.ActionInput())
		ev := []action.Evidence{{Kind: "report", URL: "https://lab.example.org/audit", Title: "Audit"}}
		if a, _, err = s.Actions.Verify(ctx, u.Actor(), lab.ID, a.ID, a.Version, "Audited.", ev); err != nil {
			t.Fatal(err)
		}
		steps := []action.State{action.Withdrawn, action.Draft, action.Submitted, action.Accepted}
		for _, to := range steps {
			if a, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, to, "Sent again."); err != nil {
				t.Fatalf("to %s: %v", to, err)
			}
		}
		if _, err := s.Actions.SetAssurance(ctx, p.secretariat, a.ID, a.Version, action.IndependentlyVerified, "Restored."); errs.FieldsOf(err)["level"] == "" {
			t.Errorf("restored on a confirmation of the earlier acceptance: %v", err)
		}
	})
}

package action_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestReview(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		submitted := func() action.Action {
			a, err := s.Actions.CreateIn(ctx, p.member, 2026, testutil.ActionInput())
			if err != nil {
				t.Fatal(err)
			}
			a, err = s.Actions.Move(ctx, p.focal, a.ID, 0, action.Submitted, "")
			if err != nil {
				t.Fatal(err)
			}
			return a
		}

		// Only the secretariat reviews.
		a := submitted()
		if _, err := s.Actions.Review(ctx, p.focal, a.ID, 0, action.Review{Accept: true}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("focal point reviews: %v", err)
		}
		// Changes need a comment the organisation can act on.
		if _, err := s.Actions.Review(ctx, p.secretariat, a.ID, 0, action.Review{}); errs.FieldsOf(err)["comment"] == "" {
			t.Errorf("request changes without comment: %v", err)
		}
		back, err := s.Actions.Review(ctx, p.secretariat, a.ID, 0, action.Review{Comment: "Add the decree's link."})
		if err != nil || back.State != action.ChangesRequested {
			t.Fatalf("request changes: %v", err)
		}
		if _, err := s.Actions.Review(ctx, p.secretariat, a.ID, 0, action.Review{Accept: true}); !errs.Is(err, errs.Conflict) {
			t.Errorf("reviewing an action that is not submitted: %v", err)
		}

		// Accept with a correction: it is in the saved action, the history
		// and the review event's comment.
		b := submitted()
		got, err := s.Actions.Review(ctx, p.secretariat, b.ID, b.Version, action.Review{Accept: true, Stage: action.Implemented, Recommendations: []int{4, 9}})
		if err != nil || got.State != action.Accepted || got.Stage != action.Implemented || len(got.Recommendations) != 2 || got.Recommendations[1] != 9 {
			t.Fatalf("accept with correction: %+v %v", got, err)
		}
		versions, events, _ := s.Actions.History(ctx, p.member, b.ID)
		last := versions[len(versions)-1].Snapshot
		if last.Stage != action.Implemented || events[len(events)-1].Decision != action.DecisionAccepted ||
			!strings.Contains(events[len(events)-1].Comment, "stage, recommendations") {
			t.Errorf("history of the correction: %+v %+v", last, events[len(events)-1])
		}
		if _, err := s.Actions.Review(ctx, p.secretariat, submitted().ID, 0, action.Review{Accept: true, Recommendations: []int{13}}); errs.FieldsOf(err)["recommendations"] == "" {
			t.Errorf("a correction to a recommendation that does not exist: %v", err)
		}

		// Accept many at once: all or none.
		c, d := submitted(), submitted()
		pick := func(x action.Action) action.Pick { return action.Pick{ID: x.ID, Version: x.Version} }
		if _, err := s.Actions.AcceptAll(ctx, p.secretariat, []action.Pick{pick(c), pick(a), pick(d)}); !errs.Is(err, errs.Conflict) || !strings.HasPrefix(errs.MessageOf(err), fmt.Sprintf("action %d:", a.ID)) {
			t.Errorf("bulk with one that cannot be accepted: %v", err)
		}
		if x, _ := s.Actions.Get(ctx, p.secretariat, c.ID); x.State != action.Submitted {
			t.Errorf("a refused bulk accepted %d", c.ID)
		}
		// A pick at a version older than the one stored is refused: the
		// reviewer did not see what would be accepted.
		if _, err := s.Actions.AcceptAll(ctx, p.secretariat, []action.Pick{pick(c), {ID: d.ID, Version: d.Version - 1}}); !errs.Is(err, errs.Conflict) {
			t.Errorf("bulk accept of a stale pick: %v", err)
		}
		for _, bad := range [][]action.Pick{nil, {{ID: c.ID}}, {pick(c), {ID: c.ID, Version: c.Version + 1}}} {
			if _, err := s.Actions.AcceptAll(ctx, p.secretariat, bad); errs.FieldsOf(err)["actions"] == "" {
				t.Errorf("bulk accept of %v: %v", bad, err)
			}
		}
		// The same pick twice counts once.
		done, err := s.Actions.AcceptAll(ctx, p.secretariat, []action.Pick{pick(c), pick(d), pick(c)})
		if err != nil || len(done) != 2 {
			t.Errorf("bulk accept: %d %v", len(done), err)
		}
	})
}

// A cycle that requires evidence accepts only actions that cite a link,
// however they are accepted (one review, or many at once); a cycle that
// does not accepts them as they are. Acceptance is refused with a field
// error on "evidence" and the action stays submitted.
func TestAcceptanceEvidenceRule(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		if c := s.Cycle(t, 2026); c.Evidence != cycle.EvidenceRequired {
			t.Fatalf("a new cycle's evidence rule: %q, want required", c.Evidence)
		}
		p := newPeople(t, s, org, other)
		for _, tc := range []struct {
			rule     cycle.EvidenceRule
			evidence bool
			bulk     bool
			accepted bool
		}{
			{cycle.EvidenceRequired, true, false, true},
			{cycle.EvidenceRequired, false, false, false},
			{cycle.EvidenceRequired, false, true, false},
			{cycle.EvidenceOptional, true, false, true},
			{cycle.EvidenceOptional, false, false, true},
			{cycle.EvidenceOptional, false, true, true},
		} {
			name := fmt.Sprintf("%s, evidence %v, bulk %v", tc.rule, tc.evidence, tc.bulk)
			if _, err := s.Cycles.Update(ctx, testutil.System, 2026, 0, func(in *cycle.Input) { in.Evidence = tc.rule }); err != nil {
				t.Fatalf("%s: set the rule: %v", name, err)
			}
			in := testutil.ActionInput()
			if !tc.evidence {
				in.Evidence = nil
			}
			a, err := s.Actions.CreateIn(ctx, p.member, 2026, in)
			if err == nil {
				a, err = s.Actions.Move(ctx, p.focal, a.ID, 0, action.Submitted, "")
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if tc.bulk {
				_, err = s.Actions.AcceptAll(ctx, p.secretariat, []action.Pick{{ID: a.ID, Version: a.Version}})
			} else {
				_, err = s.Actions.Review(ctx, p.secretariat, a.ID, a.Version, action.Review{Accept: true})
			}
			got, _ := s.Actions.Get(ctx, p.secretariat, a.ID)
			switch {
			case tc.accepted && (err != nil || got.State != action.Accepted):
				t.Errorf("%s: want accepted, got %s, %v", name, got.State, err)
			case !tc.accepted && (!errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["evidence"] == "" || got.State != action.Submitted):
				t.Errorf("%s: want refused on evidence, got %s, %v", name, got.State, err)
			}
		}
	})
}

package action_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

type people struct {
	member, focal, otherFocal, secretariat, anonymous user.Actor
}

func newPeople(t *testing.T, s *testutil.Services, org, other stakeholder.Stakeholder) people {
	t.Helper()
	mk := func(email string, role user.Role, sid int64, orgRole user.OrgRole) user.Actor {
		u, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: email, Name: email, Role: role, StakeholderID: sid, OrgRole: orgRole})
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	return people{
		member:      mk("member@own.example", user.Supporter, org.ID, user.Member),
		focal:       mk("focal@own.example", user.Supporter, org.ID, user.FocalPoint),
		otherFocal:  mk("focal@other.example", user.Supporter, other.ID, user.FocalPoint),
		secretariat: mk("sec@pc.example", user.Secretariat, 0, ""),
	}
}

// Every operation for every kind of caller, on a draft of "own".
func TestPolicy(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		fresh := func() action.Action {
			a, err := s.Actions.CreateIn(ctx, p.member, 2026, testutil.ActionInput())
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		ops := []struct {
			name string
			do   func(by user.Actor, a action.Action) error
			want map[string]errs.Kind // "" means allowed
		}{
			{"get", func(by user.Actor, a action.Action) error { _, err := s.Actions.Get(ctx, by, a.ID); return err },
				map[string]errs.Kind{"member": "", "focal": "", "other": errs.NotFound, "secretariat": "", "anonymous": errs.NotFound}},
			{"history", func(by user.Actor, a action.Action) error { _, _, err := s.Actions.History(ctx, by, a.ID); return err },
				map[string]errs.Kind{"member": "", "focal": "", "other": errs.NotFound, "secretariat": "", "anonymous": errs.NotFound}},
			{"update", func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Update(ctx, by, a.ID, a.Version, func(cur *action.Input) { *cur = testutil.ActionInput() })
				return err
			}, map[string]errs.Kind{"member": "", "focal": "", "other": errs.NotFound, "secretariat": errs.Forbidden, "anonymous": errs.NotFound}},
			{"submit", func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Move(ctx, by, a.ID, a.Version, action.Submitted, "")
				return err
			}, map[string]errs.Kind{"member": errs.Forbidden, "focal": "", "other": errs.NotFound, "secretariat": errs.Forbidden, "anonymous": errs.NotFound}},
			{"accept a draft", func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Move(ctx, by, a.ID, a.Version, action.Accepted, "")
				return err
			}, map[string]errs.Kind{"member": errs.Forbidden, "focal": errs.Forbidden, "other": errs.NotFound, "secretariat": errs.Conflict, "anonymous": errs.NotFound}},
			{"delete", func(by user.Actor, a action.Action) error { return s.Actions.Delete(ctx, by, a.ID) },
				map[string]errs.Kind{"member": "", "focal": "", "other": errs.NotFound, "secretariat": errs.Forbidden, "anonymous": errs.NotFound}},
		}
		callers := map[string]user.Actor{"member": p.member, "focal": p.focal, "other": p.otherFocal, "secretariat": p.secretariat, "anonymous": p.anonymous}
		for _, op := range ops {
			for name, by := range callers {
				a := fresh()
				err := op.do(by, a)
				if got := errs.KindOf(err); got != op.want[name] {
					t.Errorf("%s by %s: %q (%v), want %q", op.name, name, got, err, op.want[name])
				}
			}
		}
		// Lists: a supporter sees only their organisation's actions.
		if _, err := s.Actions.CreateIn(ctx, p.otherFocal, 2026, testutil.ActionInput()); err != nil {
			t.Fatal(err)
		}
		mine, _, _ := s.Actions.List(ctx, p.member, action.Filter{CycleID: c.ID, Limit: 500})
		all, _, _ := s.Actions.List(ctx, p.secretariat, action.Filter{CycleID: c.ID, Limit: 500})
		for _, a := range mine {
			if a.StakeholderID != org.ID {
				t.Fatalf("a supporter's list shows another organisation's action %d", a.ID)
			}
		}
		if len(all) <= len(mine) {
			t.Errorf("the secretariat sees every organisation: %d vs %d", len(all), len(mine))
		}
		if _, _, err := s.Actions.List(ctx, p.anonymous, action.Filter{}); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("anonymous list: %v", err)
		}
		if _, err := s.Actions.CreateIn(ctx, p.secretariat, 2026, testutil.ActionInput()); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the secretariat drafts no actions: %v", err)
		}
	})
}

func TestSubmissionWindowAndWithdraw(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.Company)
		c := s.Cycle(t, 2026) // deadline 1 October 2026
		p := newPeople(t, s, org, other)
		a, _ := s.Actions.CreateIn(ctx, p.member, 2026, testutil.ActionInput())

		s.Clock.Set(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
		if _, err := s.Actions.Move(ctx, p.focal, a.ID, a.Version, action.Submitted, ""); !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["cycle"] == "" {
			t.Fatalf("after the deadline: %v", err)
		}
		if _, err := s.Actions.CreateIn(ctx, p.member, 2026, testutil.ActionInput()); !errs.Is(err, errs.Conflict) {
			t.Errorf("a new draft in a closed cycle: %v", err)
		}
		// An extension for this organisation reopens submission for it only.
		if err := db.SetDeadlineExtension(ctx, c.ID, org.ID, time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		sub, err := s.Actions.Move(ctx, p.focal, a.ID, a.Version, action.Submitted, "")
		if err != nil {
			t.Fatalf("within the extension: %v", err)
		}
		// The extension also lets the organisation draft.
		if _, err := s.Actions.CreateIn(ctx, p.member, 2026, testutil.ActionInput()); err != nil {
			t.Errorf("a new draft within the extension: %v", err)
		}
		// Submitted is read-only for the organisation; it may withdraw.
		if _, err := s.Actions.Update(ctx, p.member, a.ID, sub.Version, func(cur *action.Input) { *cur = testutil.ActionInput() }); !errs.Is(err, errs.Conflict) {
			t.Errorf("editing a submitted action: %v", err)
		}
		if err := s.Actions.Delete(ctx, p.member, a.ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("deleting a submitted action: %v", err)
		}
		// Only the focal point withdraws what was sent to the secretariat.
		if _, err := s.Actions.Move(ctx, p.member, a.ID, sub.Version, action.Withdrawn, ""); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a member withdraws: %v", err)
		}
		w, err := s.Actions.Move(ctx, p.focal, a.ID, sub.Version, action.Withdrawn, "")
		if err != nil || w.State != action.Withdrawn {
			t.Fatalf("withdraw: %v", err)
		}
		// After every deadline, an action the secretariat sends back can be
		// resubmitted until the report date (21 October), not after.
		s.Clock.Set(time.Date(2026, 9, 30, 9, 0, 0, 0, time.UTC))
		other2, err := s.Actions.CreateIn(ctx, p.otherFocal, 2026, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		other2, _ = s.Actions.Move(ctx, p.otherFocal, other2.ID, 0, action.Submitted, "")
		s.Clock.Set(time.Date(2026, 10, 10, 9, 0, 0, 0, time.UTC))
		other2, err = s.Actions.Move(ctx, p.secretariat, other2.ID, 0, action.ChangesRequested, "Add the link.")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Actions.Move(ctx, p.otherFocal, other2.ID, 0, action.Submitted, "Linked now."); err != nil {
			t.Errorf("resubmitting after changes were requested: %v", err)
		}
		// Past the report date, even that is over.
		s.Clock.Set(time.Date(2026, 10, 22, 9, 0, 0, 0, time.UTC))
		back, _ := s.Actions.Move(ctx, p.secretariat, other2.ID, 0, action.ChangesRequested, "One more thing.")
		if _, err := s.Actions.Move(ctx, p.otherFocal, back.ID, 0, action.Submitted, "Done."); !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["cycle"] == "" {
			t.Errorf("resubmitting after the report date: %v", err)
		}

	})
}

func TestCarryForwardAndSubmitAll(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		p := newPeople(t, s, org, other)
		s.Cycle(t, 2025)
		s.Cycle(t, 2026)
		// Last year: two accepted actions, one withdrawn; another
		// organisation's accepted action.
		s.Clock.Set(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
		var accepted []action.Action
		for i, final := range []action.State{action.Accepted, action.Accepted, action.Withdrawn} {
			in := testutil.ActionInput()
			in.Title = []string{"Export rule", "Oversight board", "Duplicate"}[i]
			a, err := s.Actions.CreateIn(ctx, p.member, 2025, in)
			if err != nil {
				t.Fatal(err)
			}
			a, _ = s.Actions.Move(ctx, p.focal, a.ID, a.Version, action.Submitted, "")
			decides := p.secretariat
			if final == action.Withdrawn {
				decides = p.focal // the organisation withdraws what it sent
			}
			a, err = s.Actions.Move(ctx, decides, a.ID, a.Version, final, "")
			if err != nil {
				t.Fatal(err)
			}
			if final == action.Accepted {
				accepted = append(accepted, a)
			}
		}
		theirs, _ := s.Actions.CreateIn(ctx, p.otherFocal, 2025, testutil.ActionInput())
		theirs, _ = s.Actions.Move(ctx, p.otherFocal, theirs.ID, theirs.Version, action.Submitted, "")
		s.Actions.Move(ctx, p.secretariat, theirs.ID, theirs.Version, action.Accepted, "")

		s.Clock.Set(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
		drafts, err := s.Actions.CarryForward(ctx, p.member, 2026)
		if err != nil || len(drafts) != 2 {
			t.Fatalf("carry forward: %d drafts, %v", len(drafts), err)
		}
		for _, d := range drafts {
			if d.State != action.Draft || d.CarriedFrom == nil || len(d.Evidence) != 1 || d.StakeholderID != org.ID {
				t.Errorf("carried draft: %+v", d)
			}
		}
		again, err := s.Actions.CarryForward(ctx, p.focal, 2026)
		if err != nil || len(again) != 0 {
			t.Errorf("carrying forward twice: %d new, %v", len(again), err)
		}
		if _, err := s.Actions.CarryForward(ctx, p.secretariat, 2026); !errs.Is(err, errs.Forbidden) {
			t.Errorf("secretariat carry forward: %v", err)
		}
		// The focal point submits them all at once; a member may not.
		if _, err := s.Actions.SubmitAll(ctx, p.member, 2026); !errs.Is(err, errs.Forbidden) {
			t.Errorf("member submits all: %v", err)
		}
		subs, err := s.Actions.SubmitAll(ctx, p.focal, 2026)
		if err != nil || len(subs) != 2 {
			t.Fatalf("submit all: %d, %v", len(subs), err)
		}
		list, _, _ := s.Actions.List(ctx, p.focal, action.Filter{State: action.Draft})
		if len(list) != 0 {
			t.Errorf("%d drafts left", len(list))
		}
	})
}

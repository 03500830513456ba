package action_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Submit-all sends drafts only. An action sent back for changes goes back
// on its own: after an edit, or with a reply; unchanged and without a
// word, it is refused with the request named.
func TestSentBackIsResubmittedOnItsOwn(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		draft := func(title string) action.Action {
			in := testutil.ActionInput()
			in.Title = title
			a, err := s.Actions.CreateIn(ctx, p.member, 2026, in)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		back := draft("Sent back")
		back, _ = s.Actions.Move(ctx, p.focal, back.ID, 0, action.Submitted, "")
		back, err := s.Actions.Move(ctx, p.secretariat, back.ID, 0, action.ChangesRequested, "Link the published decree.")
		if err != nil {
			t.Fatal(err)
		}
		fresh := draft("A new draft")

		subs, err := s.Actions.SubmitAll(ctx, p.focal, 2026)
		if err != nil || len(subs) != 1 || subs[0].ID != fresh.ID {
			t.Fatalf("submit all: %d submitted (%v), want the draft only", len(subs), err)
		}
		if got, _ := s.Actions.Get(ctx, p.focal, back.ID); got.State != action.ChangesRequested || got.Version != back.Version {
			t.Fatalf("submit-all resubmitted the action sent back: %s v%d", got.State, got.Version)
		}

		// Unchanged, without a reply: 409, naming the request.
		_, err = s.Actions.Move(ctx, p.focal, back.ID, back.Version, action.Submitted, "  ")
		if !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["comment"] == "" || !strings.Contains(err.Error(), "Link the published decree.") {
			t.Fatalf("unchanged resubmission without a reply: %v", err)
		}
		perm, err := s.Actions.Permissions(ctx, p.focal, back)
		if err != nil || !perm.Submit || !perm.ReplyNeeded {
			t.Errorf("permissions of an unanswered request: %+v %v", perm, err)
		}
		// With a reply: submitted, the reply kept in the history.
		reply := "The decree is not published yet; the link follows in June."
		again, err := s.Actions.Move(ctx, p.focal, back.ID, back.Version, action.Submitted, reply)
		if err != nil || again.State != action.Submitted {
			t.Fatalf("resubmission with a reply: %v", err)
		}
		_, events, _ := s.Actions.History(ctx, p.secretariat, back.ID)
		if last := events[len(events)-1]; last.Decision != action.DecisionSubmitted || last.Comment != reply {
			t.Errorf("the reply in the history: %+v", last)
		}

		// Sent back again, then saved with nothing changed: a save is not
		// an answer, and the reply is still asked for.
		back, _ = s.Actions.Move(ctx, p.secretariat, back.ID, 0, action.ChangesRequested, "Still no link.")
		same, err := s.Actions.Update(ctx, p.member, back.ID, back.Version, func(*action.Input) {})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Actions.Move(ctx, p.focal, back.ID, same.Version, action.Submitted, ""); !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["comment"] == "" {
			t.Fatalf("resubmitted after a save that changed nothing: %v", err)
		}
		// Then edited: no reply needed.
		edited, err := s.Actions.Update(ctx, p.member, back.ID, same.Version, func(in *action.Input) {
			in.Evidence = append(in.Evidence, action.Evidence{Kind: "press_release", URL: "https://example.org/press", Title: "Press release"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if perm, _ := s.Actions.Permissions(ctx, p.focal, edited); perm.ReplyNeeded {
			t.Error("a reply is asked of an action edited since the request")
		}
		if _, err := s.Actions.Move(ctx, p.focal, back.ID, edited.Version, action.Submitted, ""); err != nil {
			t.Errorf("resubmission after an edit: %v", err)
		}
	})
}

// What each person may do with an action in each state: the pages show
// exactly these controls, and the service allows exactly these moves.
func TestPermissions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		last, this := s.Cycle(t, 2025), s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		sys := testutil.System
		mk := func(path ...action.State) action.Action {
			t.Helper()
			a, err := s.Actions.CreateIn(ctx, p.member, 2026, testutil.ActionInput())
			if err != nil {
				t.Fatal(err)
			}
			for _, to := range path {
				comment := ""
				if to == action.ChangesRequested {
					comment = "Add a link."
				}
				if a, err = s.Actions.Move(ctx, sys, a.ID, 0, to, comment); err != nil {
					t.Fatal(err)
				}
			}
			return a
		}
		// Each state is built afresh for every check, so that a check that
		// moves an action leaves the next one its own.
		states := []struct {
			name string
			make func() action.Action
		}{
			{"draft", func() action.Action { return mk() }},
			{"carried draft", func() action.Action {
				// Each from an origin of its own: an action is carried into a
				// cycle once.
				old, err := s.Actions.Create(ctx, sys, org.ID, last.ID, testutil.ActionInput())
				if err == nil {
					old, err = s.Actions.Move(ctx, sys, old.ID, 0, action.Submitted, "")
				}
				if err == nil {
					old, err = s.Actions.Move(ctx, sys, old.ID, 0, action.Accepted, "")
				}
				var a action.Action
				if err == nil {
					a, err = s.Actions.CreateContinuation(ctx, p.member, org.ID, this.ID, old.ID, testutil.ActionInput())
				}
				if err != nil {
					t.Fatal(err)
				}
				return a
			}},
			{"submitted", func() action.Action { return mk(action.Submitted) }},
			{"changes requested", func() action.Action { return mk(action.Submitted, action.ChangesRequested) }},
			{"accepted", func() action.Action { return mk(action.Submitted, action.Accepted) }},
			{"withdrawn", func() action.Action { return mk(action.Submitted, action.Withdrawn) }},
			{"reopened draft", func() action.Action { return mk(action.Submitted, action.Withdrawn, action.Draft) }},
		}
		// E edit, S submit, R reply needed, C reconfirm, W withdraw, D delete,
		// O reopen, V review, F the focal point submits (a member).
		want := map[string]map[string]string{
			"draft":             {"member": "E D F", "focal": "E S D", "secretariat": ""},
			"carried draft":     {"member": "E D F", "focal": "E S C D", "secretariat": ""},
			"submitted":         {"member": "", "focal": "W", "secretariat": "V"},
			"changes requested": {"member": "E F", "focal": "E S R W", "secretariat": ""},
			"accepted":          {"member": "", "focal": "", "secretariat": "W"},
			"withdrawn":         {"member": "O", "focal": "O", "secretariat": ""},
			"reopened draft":    {"member": "E F", "focal": "E S W", "secretariat": ""},
		}
		callers := []struct {
			name string
			by   user.Actor
		}{{"member", p.member}, {"focal", p.focal}, {"secretariat", p.secretariat}}
		// What the service does for each control: it must allow exactly
		// what the pages show.
		ops := []struct {
			name  string
			shown func(action.Permissions) bool
			do    func(by user.Actor, a action.Action) error
		}{
			{"edit", func(p action.Permissions) bool { return p.Edit }, func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Update(ctx, by, a.ID, a.Version, func(in *action.Input) { in.Title += " (edited)" })
				return err
			}},
			{"submit", func(p action.Permissions) bool { return p.Submit }, func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Move(ctx, by, a.ID, a.Version, action.Submitted, "Our reply.")
				return err
			}},
			{"withdraw", func(p action.Permissions) bool { return p.Withdraw }, func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Move(ctx, by, a.ID, a.Version, action.Withdrawn, "")
				return err
			}},
			{"reopen", func(p action.Permissions) bool { return p.Reopen }, func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Move(ctx, by, a.ID, a.Version, action.Draft, "")
				return err
			}},
			{"delete", func(p action.Permissions) bool { return p.Delete }, func(by user.Actor, a action.Action) error {
				return s.Actions.Delete(ctx, by, a.ID)
			}},
			{"review", func(p action.Permissions) bool { return p.Review }, func(by user.Actor, a action.Action) error {
				_, err := s.Actions.Review(ctx, by, a.ID, a.Version, action.Review{Accept: true})
				return err
			}},
		}
		for _, st := range states {
			a := st.make()
			for _, c := range callers {
				perm, err := s.Actions.Permissions(ctx, c.by, a)
				if err != nil {
					t.Fatal(err)
				}
				if got := letters(perm); got != want[st.name][c.name] {
					t.Errorf("%s, %s: %q, want %q", st.name, c.name, got, want[st.name][c.name])
				}
				for _, op := range ops {
					fresh := st.make()
					err := op.do(c.by, fresh)
					if (err == nil) != op.shown(perm) {
						t.Errorf("%s, %s, %s: the service says %v, the page shows it: %v", st.name, c.name, op.name, err, op.shown(perm))
					}
				}
			}
			if _, err := s.Actions.Permissions(ctx, p.otherFocal, a); !errs.Is(err, errs.NotFound) {
				t.Errorf("%s, another organisation: %v, want not found", st.name, err)
			}
		}
		// After the deadline, nothing is offered that the calendar refuses.
		d, w := states[0].make(), states[5].make()
		s.Clock.Set(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
		for _, a := range []action.Action{d, w} {
			if perm, _ := s.Actions.Permissions(ctx, p.focal, a); perm.Submit || perm.Reopen {
				t.Errorf("%s after the deadline: %+v", a.State, perm)
			}
			if perm, _ := s.Actions.Permissions(ctx, p.member, a); perm.FocalPointSubmits {
				t.Errorf("%s after the deadline, a member is told the focal point submits: %+v", a.State, perm)
			}
		}
	})
}

func letters(p action.Permissions) string {
	var out []string
	for _, f := range []struct {
		on bool
		l  string
	}{{p.Edit, "E"}, {p.Submit, "S"}, {p.ReplyNeeded, "R"}, {p.Reconfirm, "C"}, {p.Withdraw, "W"}, {p.Delete, "D"},
		{p.Reopen, "O"}, {p.Review, "V"}, {p.FocalPointSubmits, "F"}} {
		if f.on {
			out = append(out, f.l)
		}
	}
	return strings.Join(out, " ")
}

// A withdrawn action comes back as a draft, while the cycle is open for
// its organisation, as a new version in its history.
func TestReopen(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		a, _ := s.Actions.CreateIn(ctx, p.member, 2026, testutil.ActionInput())
		a, _ = s.Actions.Move(ctx, p.focal, a.ID, 0, action.Submitted, "")
		w, err := s.Actions.Move(ctx, p.focal, a.ID, 0, action.Withdrawn, "Reported twice.")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Actions.Move(ctx, p.secretariat, a.ID, 0, action.Draft, ""); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the secretariat reopens: %v", err)
		}
		if _, err := s.Actions.Move(ctx, p.otherFocal, a.ID, 0, action.Draft, ""); !errs.Is(err, errs.NotFound) {
			t.Errorf("another organisation reopens: %v", err)
		}
		s.Clock.Set(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
		if _, err := s.Actions.Move(ctx, p.member, a.ID, 0, action.Draft, ""); !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["cycle"] == "" {
			t.Errorf("reopening after the deadline: %v", err)
		}
		s.Clock.Set(time.Date(2026, 9, 2, 9, 0, 0, 0, time.UTC))
		d, err := s.Actions.Move(ctx, p.member, a.ID, w.Version, action.Draft, "")
		if err != nil || d.State != action.Draft || d.Version != w.Version+1 {
			t.Fatalf("reopen: %+v %v", d, err)
		}
		versions, events, _ := s.Actions.History(ctx, p.member, a.ID)
		if len(versions) != d.Version || events[len(events)-1].Decision != action.DecisionReopened {
			t.Errorf("reopening in the history: %d versions, last event %+v", len(versions), events[len(events)-1])
		}
		// A draft that was once submitted is withdrawn, never deleted.
		if err := s.Actions.Delete(ctx, p.member, a.ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("deleting a reopened draft: %v", err)
		}
	})
}

// A carried draft submitted as it was is "reconfirmed"; once edited, it
// is a plain submission.
func TestReconfirm(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		last := s.Cycle(t, 2025)
		s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		var origins []action.Action
		for _, title := range []string{"Kept as it was", "Updated"} {
			in := testutil.ActionInput()
			in.Title = title
			a, _ := s.Actions.Create(ctx, testutil.System, org.ID, last.ID, in)
			a, _ = s.Actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
			a, err := s.Actions.Move(ctx, testutil.System, a.ID, 0, action.Accepted, "")
			if err != nil {
				t.Fatal(err)
			}
			origins = append(origins, a)
		}
		carried, err := s.Actions.CarryForward(ctx, p.focal, 2026)
		if err != nil || len(carried) != 2 {
			t.Fatalf("carry forward: %v", err)
		}
		byTitle := map[string]action.Action{}
		for _, c := range carried {
			byTitle[c.Title] = c
		}
		kept, updated := byTitle["Kept as it was"], byTitle["Updated"]
		if !kept.Unchanged(origins[0]) {
			t.Fatalf("a carried draft says what its origin said: %+v vs %+v", kept, origins[0])
		}
		updated, err = s.Actions.Update(ctx, p.member, updated.ID, updated.Version, func(in *action.Input) { in.Stage = action.Implemented })
		if err != nil {
			t.Fatal(err)
		}
		if updated.Unchanged(origins[1]) {
			t.Error("an edited carried draft reads as unchanged")
		}
		for _, c := range []struct {
			a    action.Action
			want action.Decision
		}{{kept, action.DecisionReconfirmed}, {updated, action.DecisionSubmitted}} {
			if _, err := s.Actions.Move(ctx, p.focal, c.a.ID, c.a.Version, action.Submitted, ""); err != nil {
				t.Fatal(err)
			}
			_, events, _ := s.Actions.History(ctx, p.focal, c.a.ID)
			if got := events[len(events)-1].Decision; got != c.want {
				t.Errorf("%q submitted: %s, want %s", c.a.Title, got, c.want)
			}
		}
	})
}

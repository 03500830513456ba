package action_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestCreateUpdateWithHistory(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		in := testutil.ActionInput()
		in.Recommendations = []int{4, 1, 4}
		a, err := s.Actions.Create(ctx, testutil.System, org.ID, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != action.Draft || a.Version != 1 {
			t.Errorf("new action: %s v%d", a.State, a.Version)
		}
		got, err := s.Actions.Get(ctx, testutil.System, a.ID)
		if err != nil || len(got.Recommendations) != 2 || got.Recommendations[0] != 1 || len(got.Evidence) != 1 {
			t.Fatalf("stored: %+v %v", got, err)
		}

		in2 := testutil.ActionInput()
		in2.Title = "Guidelines, revised"
		in2.Evidence = append(in2.Evidence, action.Evidence{Kind: "report", URL: "https://example.org/r", Title: "Report"})
		up, err := s.Actions.Update(ctx, testutil.System, a.ID, 1, func(cur *action.Input) { *cur = in2 })
		if err != nil || up.Version != 2 {
			t.Fatalf("update: %v v%d", err, up.Version)
		}
		// A second writer who read version 1 loses nothing silently: Conflict.
		stale := testutil.ActionInput()
		stale.Title = "Stale edit"
		if _, err := s.Actions.Update(ctx, testutil.System, a.ID, 1, func(cur *action.Input) { *cur = stale }); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		got, _ = s.Actions.Get(ctx, testutil.System, a.ID)
		if got.Title != "Guidelines, revised" || len(got.Evidence) != 2 || got.Version != 2 {
			t.Errorf("after the conflict: %q %d v%d", got.Title, len(got.Evidence), got.Version)
		}
		hist, _, err := s.Actions.History(ctx, testutil.System, a.ID)
		if err != nil || len(hist) != 2 || hist[0].Snapshot.Title != in.Title || hist[1].Snapshot.Title != "Guidelines, revised" ||
			len(hist[1].Snapshot.Evidence) != 2 {
			t.Fatalf("history: %+v %v", hist, err)
		}
		entries, total, err := db.AuditEntries(ctx, audit.Filter{ObjectType: "action"})
		if err != nil || total != 2 || entries[0].Verb != "action.update" {
			t.Errorf("audit: %d %+v %v", total, entries, err)
		}
	})
}

func TestContinuationAndDates(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		mine, theirs := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		last, this := s.Cycle(t, 2025), s.Cycle(t, 2026)
		old := s.Action(t, mine, last)
		if _, err := s.Actions.CreateContinuation(ctx, testutil.System, theirs.ID, this.ID, old.ID, testutil.ActionInput()); !errs.Is(err, errs.NotFound) {
			t.Errorf("continuing another organisation's action: %v", err)
		}
		if _, err := s.Actions.CreateContinuation(ctx, testutil.System, mine.ID, last.ID, old.ID, testutil.ActionInput()); !errs.Is(err, errs.Invalid) {
			t.Errorf("continuing into the same cycle: %v", err)
		}
		in := testutil.ActionInput()
		start := time.Date(2026, 3, 5, 15, 4, 0, 0, time.FixedZone("", 2*3600))
		in.StartDate = &start
		a, err := s.Actions.CreateContinuation(ctx, testutil.System, mine.ID, this.ID, old.ID, in)
		if err != nil || a.CarriedFrom == nil || *a.CarriedFrom != old.ID {
			t.Fatalf("continuation: %+v %v", a, err)
		}
		if _, err := s.Actions.CreateContinuation(ctx, testutil.System, mine.ID, this.ID, old.ID, in); !errs.Is(err, errs.Conflict) {
			t.Errorf("carrying the same action twice into a cycle: %v", err)
		}
		got, _ := s.Actions.Get(ctx, testutil.System, a.ID)
		if got.StartDate == nil || !got.StartDate.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("start date is kept as its day: %v", got.StartDate)
		}
		if !got.UpdatedAt.Equal(s.Clock.Now()) || !got.CreatedAt.Equal(s.Clock.Now()) {
			t.Errorf("times follow the service clock: %v %v, clock %v", got.CreatedAt, got.UpdatedAt, s.Clock.Now())
		}
	})
}

func TestInvalidInputWritesNothing(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.Company)
		c := s.Cycle(t, 2026)
		for field, mutate := range map[string]func(*action.Input){
			"title":            func(in *action.Input) { in.Title = " " },
			"recommendations":  func(in *action.Input) { in.Recommendations = []int{13} },
			"stage":            func(in *action.Input) { in.Stage = "done" },
			"measure_type":     func(in *action.Input) { in.MeasureType = "" },
			"scope":            func(in *action.Input) { in.Scope = "galactic" },
			"evidence.0.url":   func(in *action.Input) { in.Evidence[0].URL = "javascript:alert(1)" },
			"evidence.0.kind":  func(in *action.Input) { in.Evidence[0].Kind = "tweet" },
			"evidence.0.title": func(in *action.Input) { in.Evidence[0].Title = "" },
		} {
			in := testutil.ActionInput()
			mutate(&in)
			if _, err := s.Actions.Create(ctx, testutil.System, org.ID, c.ID, in); errs.FieldsOf(err)[field] == "" {
				t.Errorf("%s: got %v", field, err)
			}
		}
		if _, err := s.Actions.Create(ctx, testutil.System, 999999, c.ID, testutil.ActionInput()); !errs.Is(err, errs.Invalid) {
			t.Errorf("unknown organisation: %v", err)
		}
		// The last write of a save fails (the audit entry): the action, its
		// recommendations, evidence and version written before it are
		// rolled back with it.
		failing := action.NewService(failAudit{db}, s.Clock.Now, nil)
		if _, err := failing.Create(ctx, testutil.System, org.ID, c.ID, testutil.ActionInput()); err == nil {
			t.Fatal("the failing audit write went unnoticed")
		}
		for _, table := range []string{"actions", "action_versions", "evidence", "action_recommendations", "audit_log WHERE object_type = 'action'"} {
			var n int
			if err := db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d rows, %v", table, n, err)
			}
		}
	})
}

// failAudit is the real store whose audit writes fail: the last write of
// every change.
type failAudit struct{ *store.DB }

func (failAudit) AppendAudit(context.Context, audit.Entry) error {
	return errs.E(errs.Unavailable, "audit log unavailable")
}

func TestWorkflow(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		a := s.Action(t, s.Stakeholder(t, stakeholder.Company), s.Cycle(t, 2026))
		steps := []struct {
			to      action.State
			comment string
			ok      bool
		}{
			{action.Accepted, "", false}, // a draft cannot be accepted
			{action.Submitted, "", true},
			{action.ChangesRequested, "", false}, // a comment is required
			{action.ChangesRequested, "Add the decree's link.", true},
			{action.Submitted, "", false}, // unchanged, the request unanswered
			{action.Submitted, "The decree is not public yet; the link follows in June.", true},
			{action.Accepted, "", true},
		}
		v := a.Version
		for _, st := range steps {
			got, err := s.Actions.Move(ctx, testutil.System, a.ID, v, st.to, st.comment)
			if st.ok != (err == nil) {
				t.Fatalf("move to %s: %v", st.to, err)
			}
			if err == nil {
				v = got.Version
			}
		}
		if _, err := s.Actions.Move(ctx, testutil.System, a.ID, v, "bogus", ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("an unknown state is invalid input: %v", err)
		}
		got, _ := s.Actions.Get(ctx, testutil.System, a.ID)
		if got.State != action.Accepted || got.AcceptedAt == nil || got.SubmittedAt == nil {
			t.Errorf("final: %+v", got)
		}
		if _, err := s.Actions.Update(ctx, testutil.System, a.ID, got.Version, func(cur *action.Input) { *cur = testutil.ActionInput() }); !errs.Is(err, errs.Conflict) {
			t.Errorf("an accepted action is not editable: %v", err)
		}
		_, ev, _ := s.Actions.History(ctx, testutil.System, a.ID)
		if len(ev) != 4 || ev[1].Decision != action.DecisionChangesRequested || ev[1].Comment == "" ||
			ev[2].Decision != action.DecisionSubmitted || ev[2].Comment == "" {
			t.Errorf("review events: %+v", ev)
		}
		hist, _, _ := s.Actions.History(ctx, testutil.System, a.ID)
		if len(hist) != 5 {
			t.Errorf("every step is a version: %d", len(hist))
		}
		list, total, _ := s.Actions.List(ctx, testutil.System, action.Filter{State: action.Accepted, Recommendation: 4})
		if total != 1 || list[0].ID != a.ID {
			t.Errorf("list by state and recommendation: %d", total)
		}
	})
}

// Two editors save the same version at once: exactly one wins.
func TestConcurrentSaves(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		a := s.Action(t, s.Stakeholder(t, stakeholder.Company), s.Cycle(t, 2026))
		var wg sync.WaitGroup
		results := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Actions.Update(context.Background(), testutil.System, a.ID, a.Version, func(cur *action.Input) { *cur = testutil.ActionInput() })
				results <- err
			}()
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch {
			case err == nil:
				won++
			case !errs.Is(err, errs.Conflict):
				t.Errorf("unexpected: %v", err)
			}
		}
		hist, _, _ := s.Actions.History(context.Background(), testutil.System, a.ID)
		if won != 1 || len(hist) != 2 {
			t.Errorf("winners %d, versions %d", won, len(hist))
		}
	})
}

package action_test

import (
	"context"
	"sync"
	"testing"

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
		got, err := s.Actions.Get(ctx, a.ID)
		if err != nil || len(got.Recommendations) != 2 || got.Recommendations[0] != 1 || len(got.Evidence) != 1 {
			t.Fatalf("stored: %+v %v", got, err)
		}

		in2 := testutil.ActionInput()
		in2.Title = "Guidelines, revised"
		in2.Evidence = append(in2.Evidence, action.Evidence{Kind: "report", URL: "https://example.org/r", Title: "Report"})
		up, err := s.Actions.Update(ctx, testutil.System, a.ID, 1, in2)
		if err != nil || up.Version != 2 {
			t.Fatalf("update: %v v%d", err, up.Version)
		}
		// A second writer who read version 1 loses nothing silently: Conflict.
		stale := testutil.ActionInput()
		stale.Title = "Stale edit"
		if _, err := s.Actions.Update(ctx, testutil.System, a.ID, 1, stale); !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		got, _ = s.Actions.Get(ctx, a.ID)
		if got.Title != "Guidelines, revised" || len(got.Evidence) != 2 || got.Version != 2 {
			t.Errorf("after the conflict: %q %d v%d", got.Title, len(got.Evidence), got.Version)
		}
		hist, err := s.Actions.History(ctx, a.ID)
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
		// A reference that does not exist fails inside the transaction:
		// no action, version or audit row is left behind.
		if _, err := s.Actions.Create(ctx, testutil.System, 999999, c.ID, testutil.ActionInput()); !errs.Is(err, errs.Invalid) {
			t.Errorf("unknown organisation: %v", err)
		}
		for _, table := range []string{"actions", "action_versions", "evidence", "action_recommendations", "audit_log WHERE object_type = 'action'"} {
			var n int
			if err := db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d rows, %v", table, n, err)
			}
		}
	})
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
			{action.Submitted, "", true},
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
		got, _ := s.Actions.Get(ctx, a.ID)
		if got.State != action.Accepted || got.AcceptedAt == nil || got.SubmittedAt == nil {
			t.Errorf("final: %+v", got)
		}
		if _, err := s.Actions.Update(ctx, testutil.System, a.ID, got.Version, testutil.ActionInput()); !errs.Is(err, errs.Conflict) {
			t.Errorf("an accepted action is not editable: %v", err)
		}
		ev, _ := s.Actions.Reviews(ctx, a.ID)
		if len(ev) != 4 || ev[1].Decision != action.DecisionChangesRequested || ev[1].Comment == "" {
			t.Errorf("review events: %+v", ev)
		}
		hist, _ := s.Actions.History(ctx, a.ID)
		if len(hist) != 5 {
			t.Errorf("every step is a version: %d", len(hist))
		}
		list, total, _ := s.Actions.List(ctx, action.Filter{State: action.Accepted, Recommendation: 4})
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
				_, err := s.Actions.Update(context.Background(), testutil.System, a.ID, a.Version, testutil.ActionInput())
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
		hist, _ := s.Actions.History(context.Background(), a.ID)
		if won != 1 || len(hist) != 2 {
			t.Errorf("winners %d, versions %d", won, len(hist))
		}
	})
}

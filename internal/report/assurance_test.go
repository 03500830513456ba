package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The figures split by assurance: each organisation acting on a
// recommendation counts once, at the most assured of its actions on it;
// the actions count by their own levels; a level set after the cut-off is
// not the report's, and a level lowered after it still counts as it was.
func TestFiguresByAssurance(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		s.Clock.Set(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC))
		c := s.Cycle(t, 2025)
		level := func(a action.Action, l action.Assurance) action.Action {
			t.Helper()
			a, err := s.Actions.SetAssurance(ctx, testutil.System, a.ID, a.Version, l, "Checked against the official journal.")
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		on := func(recs ...int) func(*action.Input) { return func(in *action.Input) { in.Recommendations = recs } }
		a, b, d := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
		// a: two actions on 1, one checked; b: one checked on 1 and 2,
		// lowered after the cut-off; d: one on 3, checked after it.
		accepted(t, s, a, c, on(1))
		level(accepted(t, s, a, c, on(1)), action.EvidenceChecked)
		lowered := level(accepted(t, s, b, c, on(1, 2)), action.EvidenceChecked)
		late := accepted(t, s, d, c, on(3))
		s.Clock.Set(time.Date(2025, 11, 9, 9, 0, 0, 0, time.UTC)) // after the cut-off, before the Forum
		level(late, action.EvidenceChecked)
		level(lowered, action.SelfDeclared)

		var opt report.CompileOptions
		if err := opt.SetCutoff("2025-11-08"); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Compile(ctx, testutil.System, 2025, opt)
		if err != nil {
			t.Fatal(err)
		}
		f, err := svc.Figures(ctx, testutil.System, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		counts := func(list []report.AssuranceCount) [3]int {
			var out [3]int
			for _, x := range list {
				out[x.Level.Rank()] += x.N
			}
			return out
		}
		if got, want := counts(f.ByAssurance), [3]int{2, 2, 0}; got != want {
			t.Errorf("actions by level: %v, want %v", got, want)
		}
		for _, rec := range f.Recommendations {
			want := map[int][3]int{1: {0, 2, 0}, 2: {0, 1, 0}, 3: {1, 0, 0}}[rec.Number]
			if got := counts(rec.ByAssurance); got != want {
				t.Errorf("recommendation %d: organisations by level %v, want %v (of %d acting)", rec.Number, got, want, rec.Organisations)
			}
		}
		// The live figures count the levels up to the Forum: as they stand now.
		live, err := svc.Live(ctx, 2025, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range live.Recommendations {
			want := map[int][3]int{1: {1, 1, 0}, 2: {1, 0, 0}, 3: {0, 1, 0}}[rec.Number]
			if got := counts(rec.ByAssurance); got != want {
				t.Errorf("live, recommendation %d: organisations by level %v, want %v", rec.Number, got, want)
			}
		}
	})
}

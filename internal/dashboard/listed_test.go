package dashboard_test

import (
	"context"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The counts of the lists the dashboard links to are the lists' own: for
// every recommendation, stage and kind, what the public list with that
// filter holds, walked page by page; private actions, drafts and other
// cycles' actions counted nowhere, an action on several recommendations in
// the list of each.
func TestListedCountsWhatTheListsHold(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		c, other := s.Cycle(t, 2026), s.Cycle(t, 2025)
		orgs := []stakeholder.Stakeholder{s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company),
			s.Stakeholder(t, stakeholder.CivilSociety)}
		stages := []action.Stage{action.Planned, action.Adopted, action.Implemented}
		for i := 0; i < 2*action.PublicPageSize+7; i++ { // more than one page of the list
			in := testutil.ActionInput()
			in.Stage, in.Recommendations = stages[i%3], []int{i%12 + 1}
			if i%4 == 0 {
				in.Recommendations = append(in.Recommendations, 7)
			}
			s.Accepted(t, orgs[i%len(orgs)], c, in)
		}
		private := testutil.ActionInput()
		private.Visibility = action.SecretariatOnly
		s.Accepted(t, orgs[0], c, private)
		s.Action(t, orgs[1], c)
		s.Accepted(t, orgs[2], other, testutil.ActionInput())

		d := dashboard.NewService(s.Cycles, report.NewService(db, nil, s.Clock.Now, nil), s.Actions, db, s.Clock.Now, 0)
		l, err := d.Listed(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		listed := func(f action.Filter) int {
			f.CycleYear, f.Limit = 2026, action.PublicPageSize
			n := 0
			for page := 0; ; page++ {
				f.Offset = page * action.PublicPageSize
				list, _, err := s.Actions.Public(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				n += len(list)
				if len(list) < action.PublicPageSize {
					return n
				}
			}
		}
		if want := listed(action.Filter{}); l.Total != want || want != 2*action.PublicPageSize+7 {
			t.Errorf("in all: %d, the list holds %d", l.Total, want)
		}
		for n := 1; n <= 12; n++ {
			if got, want := l.Rec(n), listed(action.Filter{Recommendation: n}); got != want {
				t.Errorf("recommendation %d: %d, the list holds %d", n, got, want)
			}
			for _, st := range stages {
				if got, want := l.Stage(n, st), listed(action.Filter{Recommendation: n, Stage: st}); got != want {
					t.Errorf("recommendation %d, %s: %d, the list holds %d", n, st, got, want)
				}
			}
			for _, o := range orgs {
				if got, want := l.Kind(n, o.Kind), listed(action.Filter{Recommendation: n, Kind: string(o.Kind)}); got != want {
					t.Errorf("recommendation %d, %s: %d, the list holds %d", n, o.Kind, got, want)
				}
			}
		}
	})
}

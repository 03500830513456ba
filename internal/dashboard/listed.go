package dashboard

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// Actions lists the public actions, as the public list of actions does.
type Actions interface {
	Public(ctx context.Context, f action.Filter) ([]action.Action, int, error)
}

// Listed counts a cycle's public actions the way the public list of
// actions filters them, for every list a figure of the dashboard links
// to. Most figures count organisations (an organisation with three actions
// on a recommendation counts once), so the number of actions their list
// holds is a different figure: the pages say both, and the link carries
// the one its list states.
type Listed struct {
	Year    int
	Total   int
	byRec   map[int]int
	byStage map[int]map[action.Stage]int     // by recommendation, then stage
	byKind  map[int]map[stakeholder.Kind]int // by recommendation, then kind of organisation
	state   string
}

// Rec is how many public actions of the cycle are on recommendation n.
func (l Listed) Rec(n int) int { return l.byRec[n] }

// Stage is how many of those are at stage st.
func (l Listed) Stage(n int, st action.Stage) int { return l.byStage[n][st] }

// Kind is how many of those organisations of kind k reported.
func (l Listed) Kind(n int, k stakeholder.Kind) int { return l.byKind[n][k] }

// Listed returns the counts of the public actions of the cycle of year,
// kept until the public data change like the views.
func (s *Service) Listed(ctx context.Context, year int) (Listed, error) {
	st, day, err := s.current(ctx)
	if err != nil {
		return Listed{}, err
	}
	state := st.key() + "@" + day.Format(time.DateOnly)
	s.mu.Lock()
	l, ok := s.listed[year]
	s.mu.Unlock()
	if ok && l.state == state {
		return l, nil
	}
	return shared(ctx, &s.builds, "listed|"+strconv.Itoa(year)+"|"+state, func(ctx context.Context) (Listed, error) {
		l, err := s.count(ctx, year)
		if err != nil {
			return l, err
		}
		l.state = state
		s.mu.Lock()
		if len(s.listed) > 100 { // the same bound as the views'
			s.listed = map[int]Listed{}
		}
		s.listed[year] = l
		s.mu.Unlock()
		return l, nil
	})
}

// count walks through the cycle's public actions a page at a time, by id
// so that no action is seen twice or missed while the walk goes on, and
// tallies them as the list's filters keep them: an action on several
// recommendations is in the list of each.
func (s *Service) count(ctx context.Context, year int) (Listed, error) {
	l := Listed{Year: year, byRec: map[int]int{}, byStage: map[int]map[action.Stage]int{},
		byKind: map[int]map[stakeholder.Kind]int{}}
	f := action.Filter{CycleYear: year, ByID: true, Limit: action.PublicPageSize}
	for {
		page, total, err := s.actions.Public(ctx, f)
		if err != nil {
			return l, err
		}
		if f.AfterID == 0 {
			l.Total = total
		}
		for _, a := range page {
			for _, n := range slices.Compact(slices.Sorted(slices.Values(a.Recommendations))) {
				l.byRec[n]++
				if l.byStage[n] == nil {
					l.byStage[n], l.byKind[n] = map[action.Stage]int{}, map[stakeholder.Kind]int{}
				}
				l.byStage[n][a.Stage]++
				l.byKind[n][stakeholder.Kind(a.OrganisationKind)]++
			}
		}
		if len(page) < f.Limit {
			return l, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

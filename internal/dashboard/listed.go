package dashboard

import (
	"context"
	"strconv"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// Actions counts the public actions, as the public list of actions keeps
// them.
type Actions interface {
	PublicTally(ctx context.Context, f action.Filter) (action.Tally, error)
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

// count tallies the cycle's public actions as the list's filters keep
// them (an action on several recommendations is in the list of each), in
// one read of the database.
func (s *Service) count(ctx context.Context, year int) (Listed, error) {
	l := Listed{Year: year, byRec: map[int]int{}, byStage: map[int]map[action.Stage]int{},
		byKind: map[int]map[stakeholder.Kind]int{}}
	t, err := s.actions.PublicTally(ctx, action.Filter{CycleYear: year})
	if err != nil {
		return l, err
	}
	l.Total = t.Total
	for _, r := range t.Rows {
		n := r.Recommendation
		l.byRec[n] += r.Actions
		if l.byStage[n] == nil {
			l.byStage[n], l.byKind[n] = map[action.Stage]int{}, map[stakeholder.Kind]int{}
		}
		l.byStage[n][r.Stage] += r.Actions
		l.byKind[n][stakeholder.Kind(r.Kind)] += r.Actions
	}
	return l, nil
}

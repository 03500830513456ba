package dashboard

import (
	"context"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// fakeActions answers as the public list does: a page at a time by id
// after AfterID, with the total of the whole list.
type fakeActions struct {
	all   []action.Action
	pages int
}

func (f *fakeActions) Public(_ context.Context, flt action.Filter) ([]action.Action, int, error) {
	f.pages++
	var page []action.Action
	for _, a := range f.all {
		if a.ID > flt.AfterID && len(page) < flt.Limit {
			page = append(page, a)
		}
	}
	return page, len(f.all), nil
}

// The counts walk every page of the list (more than one) and count an
// action in the list of each of its recommendations, once even when a
// recommendation is repeated.
func TestListedCountsEveryPage(t *testing.T) {
	fake := &fakeActions{}
	for i := 1; i <= 2*action.PublicPageSize+5; i++ {
		a := action.Action{ID: int64(i), Stage: action.Planned, OrganisationKind: string(stakeholder.State), Recommendations: []int{1}}
		if i%2 == 0 {
			a.Stage, a.OrganisationKind, a.Recommendations = action.Adopted, string(stakeholder.Company), []int{1, 3, 3}
		}
		fake.all = append(fake.all, a)
	}
	s := &Service{actions: fake}
	l, err := s.count(context.Background(), 2026)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"total", l.Total, 205},
		{"recommendation 1", l.Rec(1), 205},
		{"recommendation 3, counted once per action", l.Rec(3), 102},
		{"recommendation 1, planned", l.Stage(1, action.Planned), 103},
		{"recommendation 3, adopted", l.Stage(3, action.Adopted), 102},
		{"recommendation 1, companies", l.Kind(1, stakeholder.Company), 102},
		{"recommendation 2, none", l.Rec(2), 0},
		{"pages read", fake.pages, 3},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
}

package report

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/user"
)

// Difference is how the status board's count of a cycle's accepted actions
// differs from what a report counts, and why, organisation by
// organisation. The board counts every action accepted now, whoever may see
// it; a report counts the public actions accepted by its cut-off, as they
// stood when it was compiled. An action the two count differently is in
// exactly one of three cases:
//   - Kept: accepted, and kept for the secretariat: no report counts it;
//   - After: public, and accepted after the cut-off (or accepted again
//     after it, having been withdrawn and reopened);
//   - Withdrawn: counted by the report, and no longer accepted.
//
// So, for each organisation and in all: Board = Counted + Kept + After -
// Withdrawn.
type Difference struct {
	Year      int
	ReportID  int64 // the report compared with; 0: the live public figures, which have no report yet
	Published bool  // the report is the cycle's published one
	CutoffAt  time.Time
	// PublicFrom is the day the public first sees these figures when that
	// is still ahead (the cycle's actions are embargoed until its Forum);
	// zero when they are public already, or for a draft, which never is.
	PublicFrom    time.Time
	Organisations map[int64]Diff // every organisation with an accepted action on either side
}

// Diff is one organisation's side of a Difference, or a sum of them.
type Diff struct {
	Board     int // accepted now: what the status board counts
	Counted   int // what the report counts
	Kept      int // accepted, kept for the secretariat
	After     int // public, accepted after the cut-off
	Withdrawn int // counted by the report, no longer accepted
	// Unreported is the number of organisations with an accepted action
	// on the board (a green light) that the report does not count as
	// reporting, since it counts none of their actions.
	Unreported int
}

// Differs reports whether the board and the report count differently.
func (n Diff) Differs() bool { return n.Kept+n.After+n.Withdrawn > 0 }

// More is how many more accepted actions the board counts than the report
// (negative: fewer).
func (n Diff) More() int { return n.Board - n.Counted }

// Of sums the counts of the organisations given: those a filtered board
// shows.
func (d Difference) Of(ids []int64) Diff {
	var sum Diff
	for _, id := range ids {
		sum = sum.plus(d.Organisations[id])
	}
	return sum
}

// Total sums the counts of every organisation.
func (d Difference) Total() Diff {
	var sum Diff
	for _, n := range d.Organisations {
		sum = sum.plus(n)
	}
	return sum
}

func (n Diff) plus(m Diff) Diff {
	return Diff{Board: n.Board + m.Board, Counted: n.Counted + m.Counted, Kept: n.Kept + m.Kept, After: n.After + m.After,
		Withdrawn: n.Withdrawn + m.Withdrawn, Unreported: n.Unreported + m.Unreported}
}

// BoardDifference compares the status board of the cycle of year with what the
// public sees of it: its published report when it has one, else the live
// figures of the dashboard, which count the public actions accepted so far
// (until the end of the Forum day, for a past cycle).
func (s *Service) BoardDifference(ctx context.Context, by user.Actor, year int) (Difference, error) {
	if err := secretariatOnly(by); err != nil {
		return Difference{}, err
	}
	c, err := s.store.Cycle(ctx, year)
	if err != nil {
		return Difference{}, err
	}
	published, err := s.store.Reports(ctx, year, true)
	if err != nil {
		return Difference{}, err
	}
	if len(published) > 0 {
		return s.differenceWith(ctx, c, published[0])
	}
	now, cutoff := s.liveCutoff(c)
	d := Difference{Year: year, CutoffAt: cutoff}
	if !c.PublicOn(now) {
		d.PublicFrom = c.ForumDate
	}
	counted, err := countedIn(s.source(ctx, c.ID, cutoff, false))
	if err != nil {
		return Difference{}, err
	}
	return s.compare(ctx, c, d, counted)
}

// DifferenceOf compares the report id, a draft or the published one, with the
// status board of its cycle now.
func (s *Service) DifferenceOf(ctx context.Context, by user.Actor, id int64) (Difference, error) {
	if err := secretariatOnly(by); err != nil {
		return Difference{}, err
	}
	r, err := s.store.Report(ctx, id)
	if err != nil {
		return Difference{}, err
	}
	c, err := s.store.Cycle(ctx, r.CycleYear)
	if err != nil {
		return Difference{}, err
	}
	return s.differenceWith(ctx, c, r)
}

// differenceWith compares the board with a stored report: the actions it counted
// are read from its frozen inputs, as it was compiled.
func (s *Service) differenceWith(ctx context.Context, c cycle.Cycle, r Report) (Difference, error) {
	d := Difference{Year: c.Year, ReportID: r.ID, Published: r.Status == Published, CutoffAt: r.CutoffAt}
	if d.Published && !r.PublicOn(s.now()) {
		d.PublicFrom = r.PublicFrom
	}
	st, err := s.stored(ctx, r.ID)
	if err != nil {
		return Difference{}, err
	}
	counted, err := countedIn(st.Actions)
	if err != nil {
		return Difference{}, err
	}
	return s.compare(ctx, c, d, counted)
}

// everAccepted is a cut-off after every acceptance: read with it, the
// report's source gives every accepted action, as the board counts them.
var everAccepted = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// compare sorts each action the board counts, and each the report counted
// (by id, with its organisation), into the cases of Difference.
func (s *Service) compare(ctx context.Context, c cycle.Cycle, d Difference, counted map[int64]int64) (Difference, error) {
	d.Organisations = map[int64]Diff{}
	onBoard := map[int64]bool{}
	err := s.source(ctx, c.ID, everAccepted, false)(func(a Action) error {
		n := d.Organisations[a.OrganisationID]
		n.Board++
		_, in := counted[a.ID]
		switch {
		case in:
			n.Counted++
			onBoard[a.ID] = true
		case !a.Public:
			n.Kept++
		default:
			n.After++
		}
		d.Organisations[a.OrganisationID] = n
		return nil
	})
	if err != nil {
		return Difference{}, err
	}
	for id, org := range counted {
		if !onBoard[id] {
			n := d.Organisations[org]
			n.Counted++
			n.Withdrawn++
			d.Organisations[org] = n
		}
	}
	for id, n := range d.Organisations {
		if n.Board > 0 && n.Counted == 0 {
			n.Unreported = 1
			d.Organisations[id] = n
		}
	}
	return d, nil
}

// countedIn is the organisation of each action the report counts (the
// public ones, as compile counts them), by action id.
func countedIn(each ActionSource) (map[int64]int64, error) {
	counted := map[int64]int64{}
	err := each(func(a Action) error {
		if a.Public {
			counted[a.ID] = a.OrganisationID
		}
		return nil
	})
	return counted, err
}

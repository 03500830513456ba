// Package dashboard is about the public progress dashboard: for a cycle,
// the figures of its published report (the ones people cite), or, before
// there is one, the figures of the actions accepted so far; and the trend
// across every cycle. It shows public actions only, and nothing of a cycle
// whose actions are embargoed until its Forum before that day.
package dashboard

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/user"
)

// State is what the public answers and figures come from. Every part but
// Decided is public data, as the public sees it on a day: public
// validators (ETags) and the keys of shared caches come from those parts
// only, so that nothing the public does not see (a submission, a draft, an
// action kept for the secretariat) moves them, nor can be counted from
// them. Equal states, equal figures.
type State struct {
	Shown     int64 // the newest change to the actions the public is shown
	Published int64 // reports published and public
	Cycles    int64 // the sum of the cycles' versions
	Orgs      int64 // the sums of the versions and ids, and the number, of
	OrgIDs    int64 // the organisations the public sees
	OrgCount  int64
	// Crosswalk sums the versions of frameworks and provisions, and
	// CrosswalkImports numbers the newest import (which may remove some).
	Crosswalk        int64
	CrosswalkImports int64
	// Decided is the newest acceptance or withdrawal of any action: the
	// figures count the actions kept for the secretariat, and are compiled
	// again after it. It never leaves the service (see View.Version).
	Decided int64
}

// public names the public parts of the state.
func (st State) public() string {
	return fmt.Sprintf("%d.%d.%d.%d.%d.%d.%d.%d", st.Shown, st.Published, st.Cycles, st.Orgs, st.OrgIDs, st.OrgCount,
		st.Crosswalk, st.CrosswalkImports)
}

// key names the whole state, Decided included: for the service's own
// caches only.
func (st State) key() string { return st.public() + "." + strconv.FormatInt(st.Decided, 10) }

// Store reads the state of the public data.
type Store interface {
	PublicState(ctx context.Context, on time.Time) (State, error)
	// CyclesReviewedSince returns the years of the cycles with an
	// acceptance or withdrawal newer than the review event after.
	CyclesReviewedSince(ctx context.Context, after int64) ([]int, error)
}

// Cycles lists the reporting cycles.
type Cycles interface {
	List(ctx context.Context) ([]cycle.Cycle, error)
}

// Reports gives the figures: of a published report, or live.
type Reports interface {
	List(ctx context.Context, by user.Actor, year int) ([]report.Report, error)
	Figures(ctx context.Context, by user.Actor, id int64) (report.Figures, error)
	Live(ctx context.Context, year int, prev *report.Previous) (report.Figures, error)
	Previous(ctx context.Context, year int) (*report.Previous, error)
}

// Source says where a cycle's figures come from.
type Source string

const (
	FromReport Source = "report" // its published report
	Live       Source = "live"   // the actions accepted so far
	Embargoed  Source = "embargoed"
)

// Figures are one cycle's figures as the dashboard shows them.
type Figures struct {
	Cycle    cycle.Cycle
	Source   Source
	ReportID int64          // with FromReport
	Until    time.Time      // with Embargoed: the Forum date
	Figures  report.Figures // empty when Embargoed
}

// View is the dashboard of one cycle, with the trend across cycles.
type View struct {
	Figures
	Cycles []cycle.Cycle // those with something to show, latest first
	Trend  []Figures     // every such cycle, earliest first, not embargoed
	// Version names what the view shows, from public data only: the
	// public state, the day, and the number of actions withheld that the
	// figures give. Equal versions, equal views (but for the time they were
	// compiled at); it is the view's ETag and the key of its rendering.
	Version string
	state   string // the whole state it was built from
}

// Service builds the dashboard, and keeps what it built until what it
// comes from changes: a burst of visitors at the Forum costs one build, and
// a check of the state at most every Freshness. After a review, only the
// cycle reviewed (and the one after it, which compares itself with it) is
// compiled again; visitors who arrive during a build wait for it rather than
// make their own.
type Service struct {
	cycles    Cycles
	reports   Reports
	actions   Actions
	store     Store
	now       func() time.Time
	freshness time.Duration

	mu      sync.Mutex
	state   State
	day     time.Time
	checked time.Time       // when state was read
	touched bool            // a write went through this process since
	byCycle map[int]Figures // by cycle year, for state and day
	prevs   map[int]prev    // what each cycle's live figures compare with
	dropped int             // counts the times figures were dropped
	views   map[int]View    // by the year asked for (0: the default)
	listed  map[int]Listed  // by cycle year, each with the state it counts
	builds  singleflight.Group

	// checking says a request is reading the state again because it grew
	// older than freshness: the others meanwhile take the state as it was
	// read, instead of each reading it too (a crowd would otherwise send
	// the database as many reads as it has visitors, once a second).
	checking bool
}

// NewService builds the service. freshness bounds how long a change made
// through another process (a replica, the command line) can go unseen;
// changes made through this one are seen at once (see Touch).
func NewService(cycles Cycles, reports Reports, actions Actions, store Store, now func() time.Time, freshness time.Duration) *Service {
	return &Service{cycles: cycles, reports: reports, actions: actions, store: store, now: now, freshness: freshness,
		byCycle: map[int]Figures{}, prevs: map[int]prev{}, views: map[int]View{}, listed: map[int]Listed{}}
}

// Touch says that data may have changed through this process: the next
// request reads the state again.
func (s *Service) Touch() {
	s.mu.Lock()
	s.touched = true
	s.mu.Unlock()
}

// PublicVersion names the state of the public data and the day (embargoes
// lift at midnight), for caches and ETags: it moves with what the public
// sees, and with nothing else.
func (s *Service) PublicVersion(ctx context.Context) (string, error) {
	st, day, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	return st.public() + "@" + day.Format(time.DateOnly), nil
}

// current returns the state, read again when it is older than freshness
// or a write went through this process, and drops what it invalidates.
func (s *Service) current(ctx context.Context) (State, time.Time, error) {
	now := s.now()
	day := date.Day(now)
	s.mu.Lock()
	fresh := now.Sub(s.checked) < s.freshness && now.Sub(s.checked) >= 0
	if !s.touched && day.Equal(s.day) && (fresh || s.checking && s.freshness > 0) {
		st := s.state
		s.mu.Unlock()
		return st, day, nil
	}
	old, oldDay, had := s.state, s.day, !s.checked.IsZero()
	timed := !s.touched && had && day.Equal(s.day)
	s.touched = false
	if timed {
		s.checking = true
	}
	s.mu.Unlock()
	if timed {
		defer func() {
			s.mu.Lock()
			s.checking = false
			s.mu.Unlock()
		}()
	}

	st, err := s.store.PublicState(ctx, now)
	if err != nil {
		s.Touch() // the write that asked for this read is still unseen
		return State{}, day, err
	}
	var reviewed []int
	// Actions accepted or withdrawn, and nothing else: each public change
	// comes with its review event, in the same transaction.
	reviews := old
	reviews.Shown, reviews.Decided = st.Shown, st.Decided
	onlyReviews := had && day.Equal(oldDay) && st.Decided > old.Decided && reviews == st
	if onlyReviews {
		if reviewed, err = s.store.CyclesReviewedSince(ctx, old.Decided); err != nil {
			s.Touch()
			return State{}, day, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case st == s.state && day.Equal(s.day):
	case onlyReviews && s.state == old:
		s.dropReviewed(reviewed)
		s.views = map[int]View{}
		s.dropped++
	default:
		s.byCycle, s.prevs, s.views = map[int]Figures{}, map[int]prev{}, map[int]View{}
		s.dropped++
	}
	s.state, s.day, s.checked = st, day, now
	return st, day, nil
}

// dropReviewed drops the figures that reviews in the cycles of years
// change: those cycles', and the next cycle of each, whose change since
// the previous one moves too. The caller holds s.mu.
func (s *Service) dropReviewed(years []int) {
	for _, y := range years {
		delete(s.byCycle, y)
		next := 0
		for other := range s.byCycle {
			if other > y && (next == 0 || other < next) {
				next = other
			}
		}
		for other := range s.prevs {
			if other > y && (next == 0 || other < next) {
				next = other
			}
		}
		delete(s.byCycle, next)
		delete(s.prevs, next)
	}
}

// View returns the dashboard of the cycle of year, or of the latest cycle
// that has opened when year is 0.
func (s *Service) View(ctx context.Context, year int) (View, error) {
	st, day, err := s.current(ctx)
	if err != nil {
		return View{}, err
	}
	state := st.key() + "@" + day.Format(time.DateOnly)
	s.mu.Lock()
	v, ok := s.views[year]
	s.mu.Unlock()
	if ok && v.state == state {
		return v, nil
	}
	return shared(ctx, &s.builds, strconv.Itoa(year)+"|"+state, func(ctx context.Context) (View, error) {
		v, err := s.build(ctx, year)
		if err != nil {
			return v, err
		}
		v.state = state
		v.Version = fmt.Sprintf("%s@%s/%d", st.public(), day.Format(time.DateOnly), v.Figures.Figures.Withheld)
		s.mu.Lock()
		if len(s.views) > 100 { // a bound against a crawler asking for every year
			s.views = map[int]View{}
		}
		if s.state == st && s.day.Equal(day) {
			s.views[year] = v
		}
		s.mu.Unlock()
		return v, nil
	})
}

// shared runs build once for everyone who asks for key meanwhile. The
// build is theirs together: a visitor who gives up stops waiting for it
// but does not cancel it under the others (on Forum day, the first of a
// crowd to hang up would otherwise fail the whole crowd), and what it
// builds is kept for the next ones.
func shared[T any](ctx context.Context, g *singleflight.Group, key string, build func(context.Context) (T, error)) (T, error) {
	done := g.DoChan(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), buildTimeout)
		defer cancel()
		return build(ctx)
	})
	var zero T
	select {
	case r := <-done:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// buildTimeout bounds a build, which goes on when whoever asked for it
// gives up.
const buildTimeout = 5 * time.Minute

func (s *Service) build(ctx context.Context, year int) (View, error) {
	all, err := s.cycles.List(ctx) // latest first
	if err != nil {
		return View{}, err
	}
	now := s.now()
	var v View
	for _, c := range all {
		if c.StatusOn(now) != cycle.Upcoming {
			v.Cycles = append(v.Cycles, c)
		}
	}
	if len(v.Cycles) == 0 {
		return v, errs.E(errs.NotFound, "no reporting cycle has opened yet")
	}
	chosen := v.Cycles[0]
	if year != 0 {
		found := false
		for _, c := range v.Cycles {
			if c.Year == year {
				chosen, found = c, true
			}
		}
		if !found {
			return v, errs.E(errs.NotFound, "no open or past reporting cycle for %d", year)
		}
	}
	var latest *Figures // the latest cycle with figures to show
	for i := len(v.Cycles) - 1; i >= 0; i-- {
		f, err := s.figures(ctx, v.Cycles[i])
		if err != nil {
			return v, err
		}
		if f.Cycle.Year == chosen.Year {
			v.Figures = f
		}
		if f.Source != Embargoed {
			v.Trend = append(v.Trend, f)
			latest = &v.Trend[len(v.Trend)-1]
		}
	}
	if year == 0 && v.Source == Embargoed && latest != nil {
		// By default, the latest cycle that has figures to show; the
		// embargoed one stays a choice away.
		v.Figures = *latest
	}
	sort.SliceStable(v.Trend, func(i, j int) bool { return v.Trend[i].Cycle.Year < v.Trend[j].Cycle.Year })
	return v, nil
}

// figures are one cycle's figures, from the cache while they hold.
func (s *Service) figures(ctx context.Context, c cycle.Cycle) (Figures, error) {
	s.mu.Lock()
	f, ok := s.byCycle[c.Year]
	dropped := s.dropped
	s.mu.Unlock()
	if ok && f.Cycle.Version == c.Version {
		return f, nil
	}
	f, err := s.compile(ctx, c)
	if err != nil {
		return f, err
	}
	s.mu.Lock()
	if s.dropped == dropped { // else the data changed while compiling: these may be out of date
		s.byCycle[c.Year] = f
	}
	s.mu.Unlock()
	return f, nil
}

// compile works out one cycle's figures: its published report's if it has
// a public one, else nothing while its actions are embargoed, else live.
func (s *Service) compile(ctx context.Context, c cycle.Cycle) (Figures, error) {
	public := user.Actor{} // the dashboard shows what anyone may see
	out := Figures{Cycle: c}
	reports, err := s.reports.List(ctx, public, c.Year)
	if err != nil {
		return out, err
	}
	if len(reports) > 0 {
		out.Source, out.ReportID = FromReport, reports[0].ID
		out.Figures, err = s.reports.Figures(ctx, public, reports[0].ID)
		return out, err
	}
	if !c.PublicOn(s.now()) {
		out.Source, out.Until = Embargoed, c.ForumDate
		return out, nil
	}
	out.Source = Live
	p, err := s.previous(ctx, c.Year)
	if err != nil {
		return out, err
	}
	out.Figures, err = s.reports.Live(ctx, c.Year, p)
	return out, err
}

// prev is what a cycle's live figures compare with; p is nil for the
// first cycle.
type prev struct{ p *report.Previous }

// previous is what the cycle of year compares with, from the cache while
// it holds: a review changes a cycle's own figures far more often than
// those of the cycle before it.
func (s *Service) previous(ctx context.Context, year int) (*report.Previous, error) {
	s.mu.Lock()
	p, ok := s.prevs[year]
	dropped := s.dropped
	s.mu.Unlock()
	if ok {
		return p.p, nil
	}
	got, err := s.reports.Previous(ctx, year)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.dropped == dropped {
		s.prevs[year] = prev{got}
	}
	s.mu.Unlock()
	return got, nil
}

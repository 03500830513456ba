// Package dashboard is about the public progress dashboard: for a cycle,
// the figures of its published report (the ones people cite), or, before
// there is one, the figures of the actions accepted so far; and the trend
// across every cycle. It shows public actions only, and nothing of a cycle
// whose actions are embargoed until its Forum before that day.
package dashboard

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/user"
)

// Versions names the state the public figures come from (see
// store.PublicVersion).
type Versions interface {
	PublicVersion(ctx context.Context) (string, error)
}

// Cycles lists the reporting cycles.
type Cycles interface {
	List(ctx context.Context) ([]cycle.Cycle, error)
}

// Reports gives the figures: of a published report, or live.
type Reports interface {
	List(ctx context.Context, by user.Actor, year int) ([]report.Report, error)
	Figures(ctx context.Context, by user.Actor, id int64) (report.Figures, error)
	Live(ctx context.Context, year int) (report.Figures, error)
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
	Cycles  []cycle.Cycle // those with something to show, latest first
	Trend   []Figures     // every such cycle, earliest first, not embargoed
	Version string        // what the view was built from: equal versions, equal views
}

// Service builds the dashboard, and keeps the views it built until what
// they come from changes: a burst of visitors at the Forum costs one
// compilation per cycle, and a cheap check per request.
type Service struct {
	cycles   Cycles
	reports  Reports
	versions Versions
	now      func() time.Time

	mu    sync.Mutex
	cache map[int]View // by the year asked for (0: the default)
}

// NewService builds the service.
func NewService(cycles Cycles, reports Reports, versions Versions, now func() time.Time) *Service {
	return &Service{cycles: cycles, reports: reports, versions: versions, now: now, cache: map[int]View{}}
}

// View returns the dashboard of the cycle of year, or of the latest cycle
// that has opened when year is 0: from the cache while the data and the
// day (embargoes lift at midnight) are unchanged.
func (s *Service) View(ctx context.Context, year int) (View, error) {
	version, err := s.versions.PublicVersion(ctx)
	if err != nil {
		return View{}, err
	}
	version += "@" + date.Day(s.now()).Format(time.DateOnly)
	s.mu.Lock()
	v, ok := s.cache[year]
	s.mu.Unlock()
	if ok && v.Version == version {
		return v, nil
	}
	v, err = s.build(ctx, year)
	if err != nil {
		return v, err
	}
	v.Version = version
	s.mu.Lock()
	if len(s.cache) > 100 { // a bound against a crawler asking for every year
		s.cache = map[int]View{}
	}
	s.cache[year] = v
	s.mu.Unlock()
	return v, nil
}

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

// figures are one cycle's figures: its published report's if it has a
// public one, else nothing while its actions are embargoed, else live.
func (s *Service) figures(ctx context.Context, c cycle.Cycle) (Figures, error) {
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
	if c.Embargo == cycle.UntilForum && date.Day(s.now()).Before(c.ForumDate) {
		out.Source, out.Until = Embargoed, c.ForumDate
		return out, nil
	}
	out.Source = Live
	out.Figures, err = s.reports.Live(ctx, c.Year)
	return out, err
}

package dashboard_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// gatedCycles holds the first build of the dashboard at its first read
// until the test lets it go.
type gatedCycles struct {
	dashboard.Cycles
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (g *gatedCycles) List(ctx context.Context) ([]cycle.Cycle, error) {
	g.once.Do(func() { close(g.entered); <-g.release })
	return g.Cycles.List(ctx)
}

// countedState tells when the n-th request has read the public state, the
// step before it joins a build under way.
type countedState struct {
	dashboard.Store
	n      atomic.Int32
	second chan struct{}
}

func (c *countedState) PublicState(ctx context.Context, on time.Time) (dashboard.State, error) {
	st, err := c.Store.PublicState(ctx, on)
	if c.n.Add(1) == 2 {
		close(c.second)
	}
	return st, err
}

// A visitor who hangs up while the dashboard is built stops waiting at
// once, and the build goes on for the visitor who waits beside them.
func TestBuildOutlivesAVisitorWhoLeaves(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		c := s.Cycle(t, 2026)
		s.Accepted(t, s.Stakeholder(t, stakeholder.State), c, testutil.ActionInput())
		cycles := &gatedCycles{Cycles: s.Cycles, entered: make(chan struct{}), release: make(chan struct{})}
		state := &countedState{Store: db, second: make(chan struct{})}
		d := dashboard.NewService(cycles, report.NewService(db, nil, s.Clock.Now, nil), s.Actions, state, s.Clock.Now, 0)

		leaving, leave := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() { _, err := d.View(leaving, 2026); first <- err }()
		<-cycles.entered
		second := make(chan error, 1)
		go func() {
			v, err := d.View(context.Background(), 2026)
			if err == nil && v.Cycle.Year != 2026 {
				err = errors.New("the view of another cycle")
			}
			second <- err
		}()
		<-state.second
		leave()
		select {
		case err := <-first:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the visitor who left: %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the visitor who left still waits for the build")
		}
		close(cycles.release)
		if err := <-second; err != nil {
			t.Errorf("the visitor who waited: %v", err)
		}
	})
}

// gatedState counts the reads of the public state and holds the one it
// is told to until the test lets it go.
type gatedState struct {
	dashboard.Store
	reads   atomic.Int32
	hold    int32
	entered chan struct{}
	release chan struct{}
}

func (g *gatedState) PublicState(ctx context.Context, on time.Time) (dashboard.State, error) {
	if g.reads.Add(1) == g.hold {
		close(g.entered)
		<-g.release
	}
	return g.Store.PublicState(ctx, on)
}

// Once the state is older than freshness, one request reads it again;
// the crowd beside it takes the state as last read instead of each
// sending the database the same read.
func TestOneReadOfTheStateForACrowd(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		c := s.Cycle(t, 2026)
		s.Accepted(t, s.Stakeholder(t, stakeholder.State), c, testutil.ActionInput())
		state := &gatedState{Store: db, hold: 2, entered: make(chan struct{}), release: make(chan struct{})}
		d := dashboard.NewService(s.Cycles, report.NewService(db, nil, s.Clock.Now, nil), s.Actions, state, s.Clock.Now, time.Second)
		ctx := context.Background()
		if _, err := d.View(ctx, 2026); err != nil {
			t.Fatal(err)
		}
		s.Clock.Add(2 * time.Second)
		checker := make(chan error, 1)
		go func() { _, err := d.View(ctx, 2026); checker <- err }()
		<-state.entered
		const crowd = 20
		var wg sync.WaitGroup
		errs := make(chan error, crowd)
		for range crowd {
			wg.Add(1)
			go func() { defer wg.Done(); _, err := d.View(ctx, 2026); errs <- err }()
		}
		wg.Wait() // the crowd is answered while the read is held
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n := state.reads.Load(); n != 2 {
			t.Errorf("%d reads of the state for %d requests after it grew old, want 1 (2 in all)", n-1, crowd+1)
		}
		close(state.release)
		if err := <-checker; err != nil {
			t.Error(err)
		}
	})
}

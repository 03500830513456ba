package testutil

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/notice"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/user"
	"github.com/pctracker/pctracker/migrations"
)

// Clock is a settable clock for tests.
type Clock struct{ t atomic.Int64 }

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { c := &Clock{}; c.Set(t); return c }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.t.Load()).UTC() }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.t.Store(t.UnixNano()) }

// Add moves the clock forward.
func (c *Clock) Add(d time.Duration) { c.t.Add(int64(d)) }

// Services bundles every domain service over one database, for tests.
type Services struct {
	DB           *store.DB
	Clock        *Clock
	Stakeholders *stakeholder.Service
	Users        *user.Service
	Cycles       *cycle.Service
	Actions      *action.Service
	Notices      *notice.Service // writes to the outbox; nothing sends it
	Challenges   *challenge.Service
	Frameworks   *framework.Service
}

// NewServices builds the services over db with a clock set to 1 September 2026.
func NewServices(db *store.DB) *Services {
	clock := NewClock(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
	notices := notice.NewService(db, clock.Now, "http://pct.test")
	s := &Services{DB: db, Clock: clock, Notices: notices,
		Stakeholders: stakeholder.NewService(db, clock.Now),
		Users:        user.NewService(db, clock.Now),
		Cycles:       cycle.NewService(db, clock.Now, notices),
		Actions:      action.NewService(db, clock.Now, notices),
	}
	s.Challenges = challenge.NewService(db, s.Actions, notices, clock.Now, 30)
	s.Frameworks = framework.NewService(db, s.Actions, clock.Now)
	return s
}

// Crosswalk loads the initial crosswalk (7 frameworks, 48 provisions), as
// a new installation starts with.
func (s *Services) Crosswalk(t testing.TB) []framework.Framework {
	t.Helper()
	if _, err := s.Frameworks.Import(context.Background(), System, migrations.Crosswalk()); err != nil {
		t.Fatalf("crosswalk: %v", err)
	}
	all, err := s.Frameworks.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// System is the actor fixtures act as.
var System = user.System("test")

var seq atomic.Int64

// Stakeholder creates an organisation of kind with a unique name.
func (s *Services) Stakeholder(t testing.TB, kind stakeholder.Kind) stakeholder.Stakeholder {
	t.Helper()
	country := "FR"
	if kind == stakeholder.InternationalOrg {
		country = ""
	}
	st, err := s.Stakeholders.Create(context.Background(), System, stakeholder.Input{
		Name: fmt.Sprintf("Organisation %d", seq.Add(1)), Kind: kind, Country: country, Active: true})
	if err != nil {
		t.Fatalf("fixture stakeholder: %v", err)
	}
	return st
}

// Reviewer creates a verified organisation of kind (civil society or
// academia) that the secretariat designated a reviewer.
func (s *Services) Reviewer(t testing.TB, kind stakeholder.Kind) stakeholder.Stakeholder {
	t.Helper()
	st, err := s.Stakeholders.Create(context.Background(), System, stakeholder.Input{
		Name: fmt.Sprintf("Reviewer %d", seq.Add(1)), Kind: kind, Country: "FR", Active: true, Verified: true})
	if err == nil {
		st, err = s.Stakeholders.Update(context.Background(), System, st.ID, st.Version, func(in *stakeholder.Input) { in.Reviewer = true })
	}
	if err != nil {
		t.Fatalf("fixture reviewer: %v", err)
	}
	return st
}

// Cycle creates the cycle of year with the usual calendar.
func (s *Services) Cycle(t testing.TB, year int) cycle.Cycle {
	t.Helper()
	c, err := s.Cycles.Create(context.Background(), System, cycle.Input{Year: year,
		OpensAt:   time.Date(year, 6, 1, 0, 0, 0, 0, time.UTC),
		Deadline:  time.Date(year, 10, 1, 0, 0, 0, 0, time.UTC),
		ForumDate: time.Date(year, 11, 11, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("fixture cycle: %v", err)
	}
	return c
}

// ActionInput returns a valid action input.
func ActionInput() action.Input {
	return action.Input{Title: "National guidelines on the use of intrusion software",
		Description: "Adopted by decree.", Recommendations: []int{1, 4}, Stage: action.Adopted,
		MeasureType: "legal_framework", Scope: "national", Visibility: action.Public,
		Evidence: []action.Evidence{{Kind: "law", URL: "https://example.org/decree", Title: "Decree"}}}
}

// Action creates a draft action.
func (s *Services) Action(t testing.TB, st stakeholder.Stakeholder, c cycle.Cycle) action.Action {
	t.Helper()
	a, err := s.Actions.Create(context.Background(), System, st.ID, c.ID, ActionInput())
	if err != nil {
		t.Fatalf("fixture action: %v", err)
	}
	return a
}

// Accepted creates an action of st in c from in, submits and accepts it.
func (s *Services) Accepted(t testing.TB, st stakeholder.Stakeholder, c cycle.Cycle, in action.Input) action.Action {
	t.Helper()
	ctx := context.Background()
	a, err := s.Actions.Create(ctx, System, st.ID, c.ID, in)
	if err == nil {
		a, err = s.Actions.Move(ctx, System, a.ID, 0, action.Submitted, "")
	}
	if err == nil {
		a, err = s.Actions.Move(ctx, System, a.ID, 0, action.Accepted, "")
	}
	if err != nil {
		t.Fatalf("fixture accepted action: %v", err)
	}
	return a
}

// FreePort returns a loopback port nothing listens on at the moment, for a
// server the test starts later (or means to leave down).
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// AtOnce calls fn n times, each in its own goroutine, all released together
// so that they race, and returns what each call gave, in order. fn runs
// outside the test's goroutine, where t.Fatal cannot stop the test: it
// should return what went wrong for the test to judge.
func AtOnce[T any](n int, fn func(i int) T) []T {
	results := make([]T, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return results
}

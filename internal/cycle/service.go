package cycle

import (
	"context"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	CreateCycle(ctx context.Context, c *Cycle) error
	Cycle(ctx context.Context, year int) (Cycle, error)
	Cycles(ctx context.Context) ([]Cycle, error)
}

// Service manages reporting cycles.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Create validates and stores a new cycle; a year can have only one.
func (s *Service) Create(ctx context.Context, by user.Actor, in Input) (Cycle, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Cycle{}, err
	}
	now := s.now().UTC()
	c := Cycle{Year: in.Year, OpensAt: in.OpensAt, Deadline: in.Deadline, ReportAt: in.ReportAt,
		ForumDate: in.ForumDate, Embargo: in.Embargo, CreatedAt: now, UpdatedAt: now}
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateCycle(ctx, &c); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errs.Field(errs.Conflict, "year", fmt.Sprintf("a cycle for %d already exists", in.Year))
			}
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "cycle.create", "cycle", c.Year,
			map[string]any{"opens_at": c.OpensAt, "deadline": c.Deadline, "report_at": c.ReportAt,
				"forum_date": c.ForumDate, "embargo": c.Embargo}, now))
	})
	return c, err
}

// Get returns the cycle of a year.
func (s *Service) Get(ctx context.Context, year int) (Cycle, error) { return s.store.Cycle(ctx, year) }

// List returns every cycle, latest first.
func (s *Service) List(ctx context.Context) ([]Cycle, error) { return s.store.Cycles(ctx) }

// Current returns the cycle open today, else the latest that has opened,
// else the earliest upcoming one.
func (s *Service) Current(ctx context.Context) (Cycle, error) {
	all, err := s.store.Cycles(ctx)
	if err != nil {
		return Cycle{}, err
	}
	now := s.now()
	for _, c := range all { // latest first
		if c.StatusOn(now) != Upcoming {
			return c, nil
		}
	}
	if len(all) > 0 {
		return all[len(all)-1], nil
	}
	return Cycle{}, errs.E(errs.NotFound, "no reporting cycle yet")
}

package cycle

import (
	"context"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/stakeholder"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	CreateCycle(ctx context.Context, c *Cycle) error
	// UpdateCycle writes c if its stored version is still expected.
	UpdateCycle(ctx context.Context, c *Cycle, expected int) error
	Cycle(ctx context.Context, year int) (Cycle, error)
	Cycles(ctx context.Context) ([]Cycle, error)
	Stakeholder(ctx context.Context, id int64) (stakeholder.Stakeholder, error)
	// Deadline extensions: GrantDeadlineExtension sets an organisation's
	// (or moves it); GrantedExtension fails with NotFound when it has
	// none, and RevokeDeadlineExtension when there was none to delete.
	GrantDeadlineExtension(ctx context.Context, cycleID int64, e Extension) error
	GrantedExtension(ctx context.Context, cycleID, stakeholderID int64) (Extension, error)
	GrantedExtensions(ctx context.Context, cycleID int64) ([]Extension, error)
	RevokeDeadlineExtension(ctx context.Context, cycleID, stakeholderID int64) error
	// For the reporting-status board:
	Stakeholders(ctx context.Context, f stakeholder.Filter) ([]stakeholder.Stakeholder, int, error)
	CycleActivity(ctx context.Context, cycleID int64) (map[int64]Activity, error)
	FocalPoints(ctx context.Context) (map[int64]string, error)
	DeadlineExtensions(ctx context.Context, cycleID int64) (map[int64]time.Time, error)
	RemindersSent(ctx context.Context, cycleID int64) (map[int64]int, error)
}

// secretariatOnly: cycles are the secretariat's to run.
func secretariatOnly(by user.Actor) error {
	return by.RequireSecretariat("reporting cycles are run by the secretariat")
}

// Service manages reporting cycles.
type Service struct {
	store  Store
	now    func() time.Time
	notify Notifier
}

// NewService builds the service; notify may be nil (nobody is told).
func NewService(store Store, now func() time.Time, notify Notifier) *Service {
	return &Service{store: store, now: now, notify: notify}
}

// Create validates and stores a new cycle; a year can have only one.
func (s *Service) Create(ctx context.Context, by user.Actor, in Input) (Cycle, error) {
	if err := secretariatOnly(by); err != nil {
		return Cycle{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Cycle{}, err
	}
	now := s.now().UTC()
	c := Cycle{Year: in.Year, OpensAt: in.OpensAt, Deadline: in.Deadline, ReportAt: in.ReportAt,
		ForumDate: in.ForumDate, Embargo: in.Embargo, Evidence: in.Evidence, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateCycle(ctx, &c); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errs.Field(errs.Conflict, "year", fmt.Sprintf("a cycle for %d already exists", in.Year))
			}
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "cycle.create", "cycle", c.Year,
			map[string]any{"opens_at": c.OpensAt, "deadline": c.Deadline, "report_at": c.ReportAt,
				"forum_date": c.ForumDate, "embargo": c.Embargo, "evidence": c.Evidence}, now))
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

// Update changes the dates, embargo or evidence rule of the cycle of year, read at
// version. change receives what the cycle holds now; the year stays.
func (s *Service) Update(ctx context.Context, by user.Actor, year, version int, change func(*Input)) (Cycle, error) {
	if err := secretariatOnly(by); err != nil {
		return Cycle{}, err
	}
	var c Cycle
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.store.Cycle(ctx, year); err != nil {
			return err
		}
		if version = by.ReadVersion(version, c.Version); c.Version != version {
			return errs.Stale("the cycle", c.Version)
		}
		in := c.Input()
		change(&in)
		in.Year = c.Year
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		if err := s.keepsExtensions(ctx, c.ID, in); err != nil {
			return err
		}
		c.OpensAt, c.Deadline, c.ReportAt, c.ForumDate, c.Embargo = in.OpensAt, in.Deadline, in.ReportAt, in.ForumDate, in.Embargo
		c.Evidence = in.Evidence
		c.Version, c.UpdatedAt = version+1, s.now().UTC()
		if err := s.store.UpdateCycle(ctx, &c, version); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "cycle.update", "cycle", c.Year,
			map[string]any{"opens_at": c.OpensAt, "deadline": c.Deadline, "report_at": c.ReportAt,
				"forum_date": c.ForumDate, "embargo": c.Embargo, "evidence": c.Evidence, "version": c.Version}, c.UpdatedAt))
	})
	return c, err
}

// keepsExtensions refuses new dates that would strand an extension already
// granted: every extended deadline must stay after the cycle's deadline and
// no later than its report date, as Extend requires when it grants one.
func (s *Service) keepsExtensions(ctx context.Context, cycleID int64, in Input) error {
	ext, err := s.store.DeadlineExtensions(ctx, cycleID)
	if err != nil {
		return err
	}
	var earliest, latest time.Time
	for _, d := range ext {
		if earliest.IsZero() || d.Before(earliest) {
			earliest = d
		}
		if d.After(latest) {
			latest = d
		}
	}
	f := errs.FieldErrors{}
	if !earliest.IsZero() && !earliest.After(in.Deadline) {
		f.Addf("deadline", "must stay before %s, the earliest deadline extension granted; change that extension first", earliest.Format(time.DateOnly))
	}
	if latest.After(in.ReportAt) {
		f.Addf("report_at", "must stay on or after %s, the latest deadline extension granted; change that extension first", latest.Format(time.DateOnly))
	}
	return f.Err()
}

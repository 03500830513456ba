package cycle

import (
	"context"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Extension is a later deadline the secretariat granted one organisation
// in a cycle.
type Extension struct {
	StakeholderID int64
	Organisation  string    // its name, as read
	Deadline      time.Time // the organisation's own last day
	// GrantedBy is the person who granted the current deadline; 0 when
	// the program did, or when it was granted before pctracker kept it.
	GrantedBy     int64
	GrantedByName string
	GrantedAt     time.Time
}

// Notifier is told of each extension granted (or moved), inside the
// transaction that grants it, so that a notice to the organisation can be
// written to the outbox there: it then goes out if, and only if, the grant
// is committed. Its error undoes the grant. notice.Service is one.
type Notifier interface {
	ExtensionGranted(ctx context.Context, c Cycle, stakeholderID int64, deadline time.Time) error
}

// ExtensionRange gives the days an organisation's deadline may be moved
// to: from the day after the cycle's own deadline to the report date,
// which the report needs; ok is false when there is none.
func (c Cycle) ExtensionRange() (first, last time.Time, ok bool) {
	return c.Deadline.AddDate(0, 0, 1), c.ReportAt, c.ReportAt.After(c.Deadline)
}

// CanExtendTo reports whether an organisation's deadline may be moved to
// day.
func (c Cycle) CanExtendTo(day time.Time) bool {
	first, last, ok := c.ExtensionRange()
	day = date.Day(day)
	return ok && !day.Before(first) && !day.After(last)
}

// extensionDateError says which days an extension may end on.
func (c Cycle) extensionDateError() error {
	long := func(t time.Time) string { return t.Format("2 January 2006") }
	first, last, ok := c.ExtensionRange()
	if !ok {
		return errs.Field(errs.Invalid, "deadline", fmt.Sprintf("no extension is possible: the report date is the deadline itself, %s; "+
			"move the report date first", long(c.Deadline)))
	}
	return errs.Field(errs.Invalid, "deadline", fmt.Sprintf("choose a date after the deadline, %s, and no later than the report date, %s (%s to %s)",
		long(c.Deadline), long(c.ReportAt), first.Format(time.DateOnly), last.Format(time.DateOnly)))
}

// Extend gives one organisation a later deadline in the cycle of year, or
// moves the one it has, and records who did.
func (s *Service) Extend(ctx context.Context, by user.Actor, year int, stakeholderID int64, deadline time.Time) (Extension, error) {
	if err := secretariatOnly(by); err != nil {
		return Extension{}, err
	}
	deadline = date.Day(deadline)
	var e Extension
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Cycle(ctx, year)
		if err != nil {
			return err
		}
		org, err := s.store.Stakeholder(ctx, stakeholderID)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Field(errs.Invalid, "stakeholder_id", "no such organisation")
			}
			return err
		}
		if !c.CanExtendTo(deadline) {
			return c.extensionDateError()
		}
		previous, err := s.store.GrantedExtension(ctx, c.ID, stakeholderID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		now := s.now().UTC()
		if err := s.store.GrantDeadlineExtension(ctx, c.ID, Extension{StakeholderID: org.ID, Deadline: deadline,
			GrantedBy: by.UserID, GrantedAt: now}); err != nil {
			return err
		}
		// Read back as the list shows it, with the granter's name (an
		// actor is named by email).
		if e, err = s.store.GrantedExtension(ctx, c.ID, org.ID); err != nil {
			return err
		}
		details := map[string]any{"stakeholder_id": stakeholderID, "deadline": deadline}
		if !previous.Deadline.IsZero() {
			details["previous_deadline"] = previous.Deadline
		}
		if err := s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "cycle.extend", "cycle", c.Year, details, now)); err != nil {
			return err
		}
		if s.notify != nil {
			return s.notify.ExtensionGranted(ctx, c, e.StakeholderID, e.Deadline)
		}
		return nil
	})
	if err != nil {
		return Extension{}, err
	}
	return e, nil
}

// Extensions lists the extensions granted in the cycle of year, by
// organisation name, for the secretariat.
func (s *Service) Extensions(ctx context.Context, by user.Actor, year int) (Cycle, []Extension, error) {
	if err := secretariatOnly(by); err != nil {
		return Cycle{}, nil, err
	}
	c, err := s.store.Cycle(ctx, year)
	if err != nil {
		return Cycle{}, nil, err
	}
	list, err := s.store.GrantedExtensions(ctx, c.ID)
	return c, list, err
}

// Extension returns one organisation's extension in the cycle of year,
// with the cycle; NotFound when it has none.
func (s *Service) Extension(ctx context.Context, by user.Actor, year int, stakeholderID int64) (Cycle, Extension, error) {
	if err := secretariatOnly(by); err != nil {
		return Cycle{}, Extension{}, err
	}
	c, err := s.store.Cycle(ctx, year)
	if err != nil {
		return Cycle{}, Extension{}, err
	}
	e, err := s.store.GrantedExtension(ctx, c.ID, stakeholderID)
	return c, e, err
}

// Revoke takes back an organisation's extension in the cycle of year: its
// deadline is the cycle's again. It returns what was revoked; NotFound
// when there was none (someone may have revoked it first).
func (s *Service) Revoke(ctx context.Context, by user.Actor, year int, stakeholderID int64) (Extension, error) {
	if err := secretariatOnly(by); err != nil {
		return Extension{}, err
	}
	var e Extension
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Cycle(ctx, year)
		if err != nil {
			return err
		}
		if e, err = s.store.GrantedExtension(ctx, c.ID, stakeholderID); err != nil {
			return err
		}
		// Deleting reports NotFound too when a revocation committed
		// between the read and here: the audit never records two.
		if err := s.store.RevokeDeadlineExtension(ctx, c.ID, stakeholderID); err != nil {
			return err
		}
		details := map[string]any{"stakeholder_id": stakeholderID, "deadline": e.Deadline, "granted_at": e.GrantedAt}
		if e.GrantedBy != 0 {
			details["granted_by"] = e.GrantedBy
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "cycle.revoke_extension", "cycle", c.Year, details, s.now().UTC()))
	})
	if err != nil {
		return Extension{}, err
	}
	return e, nil
}

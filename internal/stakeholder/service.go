package stakeholder

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	CreateStakeholder(ctx context.Context, s *Stakeholder) error
	// UpdateStakeholder writes s if its stored version is still expected;
	// otherwise it returns a Conflict.
	UpdateStakeholder(ctx context.Context, s *Stakeholder, expected int) error
	Stakeholder(ctx context.Context, id int64) (Stakeholder, error)
	Stakeholders(ctx context.Context, f Filter) ([]Stakeholder, int, error)
	// EndOrganisationAccess ends the sessions and revokes the API tokens
	// of an organisation's people, and says how many of each.
	EndOrganisationAccess(ctx context.Context, stakeholderID int64, at time.Time) (sessions, tokens int, err error)
}

// Service manages organisations.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// secretariatOnly: the secretariat onboards and verifies organisations.
func secretariatOnly(by user.Actor) error {
	return by.RequireSecretariat("organisations are managed by the secretariat")
}

// Create validates and stores a new organisation, with its audit entry.
func (s *Service) Create(ctx context.Context, by user.Actor, in Input) (Stakeholder, error) {
	if err := secretariatOnly(by); err != nil {
		return Stakeholder{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Stakeholder{}, err
	}
	now := s.now().UTC()
	st := Stakeholder{Name: in.Name, Kind: in.Kind, Country: in.Country, Website: in.Website,
		SupporterSince: in.SupporterSince, Verified: in.Verified, Active: in.Active, Version: 1, CreatedAt: now, UpdatedAt: now}
	designated, err := designate(&st, in, now)
	if err != nil {
		return Stakeholder{}, err
	}
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateStakeholder(ctx, &st); err != nil {
			return err
		}
		if err := s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "stakeholder.create", "stakeholder", st.ID,
			map[string]any{"name": st.Name, "kind": st.Kind, "country": st.Country}, now)); err != nil {
			return err
		}
		if designated {
			return s.store.AppendAudit(ctx, reviewerEntry(by, st))
		}
		return nil
	})
	return st, err
}

// designate applies in's reviewer flag and end date to st on the day of
// now, and says whether the designation changed. ReviewerSince is the day
// the flag turned on, kept while it stays on; turning it off clears both
// days. A new end date, or one given with a new designation, may not be
// in the past: Validate knows no day, so the check is here. An end date
// that passed while nothing changed it does not stop other edits.
func designate(st *Stakeholder, in Input, now time.Time) (changed bool, err error) {
	today := date.Day(now)
	was, wasUntil := st.Reviewer, st.ReviewerUntil
	switch {
	case !in.Reviewer:
		st.ReviewerSince, st.ReviewerUntil = nil, nil
	case !was:
		st.ReviewerSince, st.ReviewerUntil = &today, in.ReviewerUntil
	default:
		st.ReviewerUntil = in.ReviewerUntil
	}
	st.Reviewer = in.Reviewer
	changed = was != st.Reviewer || !sameDay(wasUntil, st.ReviewerUntil)
	if changed && st.ReviewerUntil != nil && st.ReviewerUntil.Before(today) {
		return false, errs.Field(errs.Invalid, "reviewer_until", "must be today or later")
	}
	return changed, nil
}

// sameDay reports whether two optional days are the same, or both missing.
func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// reviewerEntry is the audit entry of a change of st's designation,
// apart from the organisation's other changes, so the log answers on its
// own who made an organisation a reviewer, from when and until when.
func reviewerEntry(by user.Actor, st Stakeholder) audit.Entry {
	day := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return *t
	}
	return audit.New(by.UserID, by.Label(), "stakeholder.reviewer", "stakeholder", st.ID,
		map[string]any{"name": st.Name, "reviewer": st.Reviewer, "since": day(st.ReviewerSince), "until": day(st.ReviewerUntil)}, st.UpdatedAt)
}

// Update saves an edit of an organisation the caller read at version (0
// from the program itself: whatever is current). change receives what the
// organisation holds now, inside the transaction that saves it, so a
// partial edit never overwrites a field someone else just changed. A stale
// version is a Conflict and nothing is written.
//
// Deactivating an organisation ends, in the same transaction, every session
// and API token of its people: they are kept out at once, and until it is
// active again (see user.User.MaySignIn). Reactivation lets them sign in
// again; their tokens stay revoked.
func (s *Service) Update(ctx context.Context, by user.Actor, id int64, version int, change func(*Input)) (Stakeholder, error) {
	if err := secretariatOnly(by); err != nil {
		return Stakeholder{}, err
	}
	var st Stakeholder
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if st, err = s.store.Stakeholder(ctx, id); err != nil {
			return err
		}
		if version = by.ReadVersion(version, st.Version); st.Version != version {
			return errs.Stale("this organisation", st.Version)
		}
		wasActive := st.Active
		in := st.Input()
		change(&in)
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		st.Version = version + 1
		st.Name, st.Kind, st.Country, st.Website = in.Name, in.Kind, in.Country, in.Website
		st.SupporterSince, st.Verified, st.Active = in.SupporterSince, in.Verified, in.Active
		st.UpdatedAt = s.now().UTC()
		designated, err := designate(&st, in, st.UpdatedAt)
		if err != nil {
			return err
		}
		if err := s.store.UpdateStakeholder(ctx, &st, version); err != nil {
			return err
		}
		if designated {
			if err := s.store.AppendAudit(ctx, reviewerEntry(by, st)); err != nil {
				return err
			}
		}
		detail := map[string]any{"name": st.Name, "verified": st.Verified, "active": st.Active, "version": st.Version}
		if wasActive && !st.Active {
			sessions, tokens, err := s.store.EndOrganisationAccess(ctx, st.ID, st.UpdatedAt)
			if err != nil {
				return err
			}
			detail["sessions_ended"], detail["tokens_revoked"] = sessions, tokens
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "stakeholder.update", "stakeholder", st.ID, detail, st.UpdatedAt))
	})
	return st, err
}

// Get returns one organisation.
func (s *Service) Get(ctx context.Context, id int64) (Stakeholder, error) {
	return s.store.Stakeholder(ctx, id)
}

// Visible returns an organisation as by may see it: an inactive one is the
// secretariat's to see; to anyone else it does not exist.
func (s *Service) Visible(ctx context.Context, by user.Actor, id int64) (Stakeholder, error) {
	st, err := s.store.Stakeholder(ctx, id)
	if err != nil {
		return Stakeholder{}, err
	}
	if !visibleTo(by, st) {
		return Stakeholder{}, errs.E(errs.NotFound, "no organisation %d", id)
	}
	return st, nil
}

// visibleTo is who sees an organisation: anyone while it is active, the
// secretariat always.
func visibleTo(by user.Actor, st Stakeholder) bool { return st.Active || by.IsSecretariat() }

// PublicNames gives, by id, the names of those of ids that the public
// sees, in one read: for the words that say what a feed or a
// subscription follows.
func (s *Service) PublicNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	list, _, err := s.store.Stakeholders(ctx, Filter{IDs: ids, All: true})
	if err != nil {
		return nil, err
	}
	for _, st := range list {
		if visibleTo(user.Actor{}, st) {
			out[st.ID] = st.Name
		}
	}
	return out, nil
}

// List returns a page of organisations and the total that match.
func (s *Service) List(ctx context.Context, f Filter) ([]Stakeholder, int, error) {
	return s.store.Stakeholders(ctx, f)
}

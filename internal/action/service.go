package action

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	RecommendationNumbers(ctx context.Context) ([]int, error)
	CreateAction(ctx context.Context, a *Action) error
	// UpdateAction writes a whose version was expected; it returns a
	// Conflict when the stored version differs.
	UpdateAction(ctx context.Context, a *Action, expected int) error
	Action(ctx context.Context, id int64) (Action, error)
	Actions(ctx context.Context, f Filter) ([]Action, int, error)
	AddActionVersion(ctx context.Context, v Version) error
	ActionVersions(ctx context.Context, actionID int64) ([]Version, error)
	AddReviewEvent(ctx context.Context, e *ReviewEvent) error
	ReviewEvents(ctx context.Context, actionID int64) ([]ReviewEvent, error)
}

// Service records actions and moves them through the workflow. Every change
// writes the action, a full version snapshot and an audit entry in one
// transaction.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Create stores a new draft action of an organisation in a cycle.
func (s *Service) Create(ctx context.Context, by user.Actor, stakeholderID, cycleID int64, in Input) (Action, error) {
	return s.create(ctx, by, stakeholderID, cycleID, nil, in)
}

// CreateContinuation stores a draft that continues an action the same
// organisation reported in another cycle.
func (s *Service) CreateContinuation(ctx context.Context, by user.Actor, stakeholderID, cycleID, from int64, in Input) (Action, error) {
	return s.create(ctx, by, stakeholderID, cycleID, &from, in)
}

func (s *Service) create(ctx context.Context, by user.Actor, stakeholderID, cycleID int64, from *int64, in Input) (Action, error) {
	if from != nil {
		origin, err := s.store.Action(ctx, *from)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return Action{}, err
		}
		// Another organisation's action is reported as missing, not as
		// someone else's: its existence is not the caller's business.
		if err != nil || origin.StakeholderID != stakeholderID {
			return Action{}, errs.Field(errs.NotFound, "carried_from", "no such action of this organisation")
		}
		if origin.CycleID == cycleID {
			return Action{}, errs.Field(errs.Invalid, "carried_from", "an action cannot continue one of the same cycle")
		}
	}
	known, err := s.store.RecommendationNumbers(ctx)
	if err != nil {
		return Action{}, err
	}
	in.Normalize()
	if err := in.Validate(known); err != nil {
		return Action{}, err
	}
	now := s.now().UTC()
	a := Action{StakeholderID: stakeholderID, CycleID: cycleID, State: Draft, Version: 1, CarriedFrom: from,
		CreatedBy: by.UserID, UpdatedBy: by.UserID, CreatedAt: now, UpdatedAt: now}
	a.apply(in)
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateAction(ctx, &a); err != nil {
			return err
		}
		return s.record(ctx, by, a, "action.create", nil)
	})
	return a, err
}

func (a *Action) apply(in Input) {
	a.Title, a.Description, a.Recommendations = in.Title, in.Description, in.Recommendations
	a.Stage, a.MeasureType, a.Scope, a.Visibility = in.Stage, in.MeasureType, in.Scope, in.Visibility
	a.StartDate, a.EndDate, a.Evidence = in.StartDate, in.EndDate, in.Evidence
}

// Update saves an edit of an action the caller read at version. A stale
// version is a Conflict and nothing is written.
func (s *Service) Update(ctx context.Context, by user.Actor, id int64, version int, in Input) (Action, error) {
	known, err := s.store.RecommendationNumbers(ctx)
	if err != nil {
		return Action{}, err
	}
	in.Normalize()
	if err := in.Validate(known); err != nil {
		return Action{}, err
	}
	var a Action
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		if a, err = s.store.Action(ctx, id); err != nil {
			return err
		}
		if a.Version != version {
			return staleError(a.Version)
		}
		if !a.State.Editable() {
			return &errs.Error{Kind: errs.Conflict, Message: fmt.Sprintf("an action that is %s cannot be edited", a.State),
				Fields: map[string]string{"state": "only drafts and actions sent back for changes can be edited"}}
		}
		a.apply(in)
		a.UpdatedBy, a.UpdatedAt = by.UserID, s.now().UTC()
		a.Version = version + 1
		if err := s.store.UpdateAction(ctx, &a, version); err != nil {
			return err
		}
		return s.record(ctx, by, a, "action.update", nil)
	})
	return a, err
}

// Move takes an action read at version to another workflow state and records
// the decision, with an optional comment. Requesting changes needs a comment
// the organisation can act on.
func (s *Service) Move(ctx context.Context, by user.Actor, id int64, version int, to State, comment string) (Action, error) {
	comment = strings.TrimSpace(comment)
	if !to.Valid() {
		return Action{}, errs.Field(errs.Invalid, "state", choose(to, States))
	}
	if to == ChangesRequested && comment == "" {
		return Action{}, (errs.FieldErrors{"comment": "say what should change"}).Err()
	}
	f := errs.FieldErrors{}
	if f.Text("comment", comment, false, 5000); len(f) > 0 {
		return Action{}, f.Err()
	}
	var a Action
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.store.Action(ctx, id); err != nil {
			return err
		}
		if a.Version != version {
			return staleError(a.Version)
		}
		decision, err := Transition(a.State, to)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		a.State, a.UpdatedBy, a.UpdatedAt, a.Version = to, by.UserID, now, version+1
		switch to {
		case Submitted:
			a.SubmittedAt = &now
		case Accepted:
			a.AcceptedAt = &now
		case Draft, Withdrawn:
			a.AcceptedAt = nil
		}
		if err := s.store.UpdateAction(ctx, &a, version); err != nil {
			return err
		}
		ev := ReviewEvent{ActionID: a.ID, Decision: decision, Comment: comment, ReviewerID: by.UserID, At: now}
		if err := s.store.AddReviewEvent(ctx, &ev); err != nil {
			return err
		}
		return s.record(ctx, by, a, "action."+string(decision), map[string]any{"comment": comment})
	})
	return a, err
}

// record writes the version snapshot and the audit entry of a change.
func (s *Service) record(ctx context.Context, by user.Actor, a Action, verb string, details map[string]any) error {
	if err := s.store.AddActionVersion(ctx, Version{ActionID: a.ID, Version: a.Version, Snapshot: a,
		ChangedBy: by.UserID, ChangedAt: a.UpdatedAt}); err != nil {
		return err
	}
	if details == nil {
		details = map[string]any{}
	}
	details["version"], details["state"], details["stakeholder_id"] = a.Version, a.State, a.StakeholderID
	return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), verb, "action", a.ID, details, a.UpdatedAt))
}

// Get returns one action with its evidence.
func (s *Service) Get(ctx context.Context, id int64) (Action, error) { return s.store.Action(ctx, id) }

// List returns a page of actions and the total that match.
func (s *Service) List(ctx context.Context, f Filter) ([]Action, int, error) {
	return s.store.Actions(ctx, f)
}

// History returns every saved version of an action, oldest first.
func (s *Service) History(ctx context.Context, id int64) ([]Version, error) {
	return s.store.ActionVersions(ctx, id)
}

// Reviews returns the workflow events of an action, oldest first.
func (s *Service) Reviews(ctx context.Context, id int64) ([]ReviewEvent, error) {
	return s.store.ReviewEvents(ctx, id)
}

func staleError(current int) error {
	return &errs.Error{Kind: errs.Conflict,
		Message: fmt.Sprintf("this action was changed by someone else (now at version %d); reload it and apply your changes again", current),
		Fields:  map[string]string{"version": fmt.Sprintf("stale; the current version is %d", current)}}
}

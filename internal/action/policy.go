package action

import (
	"context"
	"fmt"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Who may do what with an action. Every rule is here, so that pages and API
// obey the same ones: the service refuses with these checks, and
// Permissions, built from the very same checks, tells the pages which
// controls to show. An organisation's actions are invisible to other
// organisations: they get NotFound, never Forbidden, so that not even the
// existence of a draft leaks.

// mayRead reports whether by may see a, in any state.
func mayRead(by user.Actor, a Action) bool {
	return by.IsSecretariat() || by.Supports(a.StakeholderID)
}

func errNoAction(id int64) error { return errs.E(errs.NotFound, "no action %d", id) }

// mayWrite checks that by may draft for the organisation: its supporters,
// or the program itself.
func mayWrite(by user.Actor, stakeholderID int64) error {
	switch {
	case by.IsSystem(), by.Supports(stakeholderID):
		return nil
	case by.IsSecretariat():
		return errs.E(errs.Forbidden, "actions are written by their organisation; the secretariat reviews them")
	}
	return errs.E(errs.NotFound, "no such organisation")
}

// MayReport checks that by reports for an organisation, for the operations
// that act on the caller's own organisation. Handlers call it before
// reading a request, so that a refusal does not depend on what was sent.
func MayReport(by user.Actor) error {
	switch {
	case by.Role == user.Supporter && by.StakeholderID != 0:
		return nil
	case by.IsSecretariat():
		return errs.E(errs.Forbidden, "actions are written by their organisation; the secretariat reviews them")
	}
	return errs.E(errs.Unauthorized, "sign in to report your organisation's actions")
}

// deletable: only a draft that never reached the secretariat is deleted;
// anything the secretariat has seen is withdrawn, and its history stays.
func deletable(a Action) error {
	if a.State != Draft || a.SubmittedAt != nil {
		return errs.Field(errs.Conflict, "state", "only drafts that were never submitted can be deleted; withdraw it instead")
	}
	return nil
}

// mayMove checks that by may take a to state to: supporters draft, submit
// and withdraw (their focal point only: both are statements to the
// secretariat on the organisation's behalf), and reopen what was withdrawn;
// the secretariat reviews, and withdraws what it accepted.
func mayMove(by user.Actor, a Action, to State) error {
	if by.IsSystem() {
		return nil
	}
	if !mayRead(by, a) {
		return errNoAction(a.ID)
	}
	own := by.Supports(a.StakeholderID)
	switch to {
	case Submitted:
		if !own {
			return errs.E(errs.Forbidden, "only the organisation submits its actions")
		}
		if !by.IsFocalPoint() {
			return errs.E(errs.Forbidden, "only the organisation's focal point submits actions to the secretariat")
		}
	case Accepted, ChangesRequested:
		if !by.IsSecretariat() {
			return errs.E(errs.Forbidden, "only the secretariat reviews actions")
		}
	case Withdrawn:
		if a.State == Draft && a.SubmittedAt == nil {
			return errs.Field(errs.Conflict, "state", "a draft that was never submitted is deleted, not withdrawn")
		}
		switch {
		case own && a.State == Accepted:
			return errs.Field(errs.Conflict, "state", "an accepted action can only be withdrawn by the secretariat")
		case own && !by.IsFocalPoint():
			return errs.E(errs.Forbidden, "only the organisation's focal point withdraws what was sent to the secretariat")
		case !own && a.State != Accepted:
			return errs.E(errs.Forbidden, "the secretariat withdraws only what it accepted; the rest is the organisation's to withdraw")
		}
	case Draft:
		// Reopening a withdrawn action makes a draft, which its organisation
		// writes.
		if err := mayWrite(by, a.StakeholderID); err != nil {
			return err
		}
	default:
		return errs.Field(errs.Invalid, "state", fmt.Sprintf("%q is not a state an action can be moved to", to))
	}
	return nil
}

// Permissions is what one person may do with one action as it stands and
// on this day. Pages show exactly these controls; the service refuses
// anything else with the same checks.
type Permissions struct {
	Edit bool // change what it says: drafts and actions sent back
	// Submit sends it to the secretariat, or again after changes were
	// requested.
	Submit bool
	// ReplyNeeded: it was sent back and has not changed since, so sending
	// it again needs a reply to the request.
	ReplyNeeded bool
	// Reconfirm: a carried draft, as it was last year; submitting it says
	// "unchanged".
	Reconfirm bool
	Withdraw  bool
	Delete    bool
	Reopen    bool // back to a draft after it was withdrawn
	Review    bool // accept it or request changes
	Assure    bool // set its assurance level: the secretariat, on an accepted action
	// FocalPointSubmits: a member of the organisation, who drafts while
	// the focal point submits (while submissions are open); pages say so
	// where the buttons would be.
	FocalPointSubmits bool
}

// Permissions returns what by may do with a now.
func (s *Service) Permissions(ctx context.Context, by user.Actor, a Action) (Permissions, error) {
	all, err := s.PermissionsAll(ctx, by, []Action{a})
	if err != nil {
		return Permissions{}, err
	}
	return all[0], nil
}

// PermissionsAll returns what by may do with each action of a list, such
// as a workspace: the calendar of each cycle is read once, not once per
// action.
func (s *Service) PermissionsAll(ctx context.Context, by user.Actor, list []Action) ([]Permissions, error) {
	type window struct {
		cycleID, stakeholderID int64
		sentBack               bool
	}
	submitting := map[window]bool{} // may submit
	drafting := map[window]bool{}
	calendar := func(memo map[window]bool, w window, check func() error) (bool, error) {
		if ok, seen := memo[w]; seen {
			return ok, nil
		}
		err := check()
		if err != nil && !errs.Is(err, errs.Conflict) {
			return false, err
		}
		memo[w] = err == nil
		return err == nil, nil
	}
	out := make([]Permissions, len(list))
	for i, a := range list {
		if !mayRead(by, a) {
			return nil, errNoAction(a.ID)
		}
		can := func(to State) bool {
			_, err := Transition(a.State, to)
			return err == nil && mayMove(by, a, to) == nil
		}
		own := by.Supports(a.StakeholderID)
		p := Permissions{
			Edit:     mayWrite(by, a.StakeholderID) == nil && a.State.Editable() && !by.IsSystem(),
			Submit:   can(Submitted),
			Withdraw: can(Withdrawn),
			Delete:   own && deletable(a) == nil,
			Reopen:   can(Draft),
			Review:   by.IsSecretariat() && !by.IsSystem() && a.State == Submitted,
			Assure:   by.IsSecretariat() && !by.IsSystem() && a.State == Accepted,
		}
		p.FocalPointSubmits = own && !by.IsFocalPoint() && a.State.Editable()
		// The calendar: what is closed is not offered, nor said to be
		// someone else's to do.
		var err error
		if p.Submit || p.FocalPointSubmits {
			w := window{a.CycleID, a.StakeholderID, a.State == ChangesRequested}
			open, err := calendar(submitting, w, func() error { return s.submissionOpen(ctx, by, a) })
			if err != nil {
				return nil, err
			}
			p.Submit, p.FocalPointSubmits = p.Submit && open, p.FocalPointSubmits && open
		}
		if p.Reopen {
			w := window{cycleID: a.CycleID, stakeholderID: a.StakeholderID}
			if p.Reopen, err = calendar(drafting, w, func() error {
				c, err := s.store.CycleByID(ctx, a.CycleID)
				if err != nil {
					return err
				}
				return s.notClosed(ctx, by, c, a.StakeholderID)
			}); err != nil {
				return nil, err
			}
		}
		if p.Submit {
			if p.Reconfirm, err = s.reconfirms(ctx, a); err != nil {
				return nil, err
			}
			if _, p.ReplyNeeded, err = s.unanswered(ctx, a); err != nil {
				return nil, err
			}
		}
		out[i] = p
	}
	return out, nil
}

// reconfirms reports whether submitting a would reconfirm it: a draft
// carried from an earlier cycle that still says what its origin said.
func (s *Service) reconfirms(ctx context.Context, a Action) (bool, error) {
	if a.State != Draft || a.CarriedFrom == nil {
		return false, nil
	}
	origin, err := s.store.Action(ctx, *a.CarriedFrom)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return a.Unchanged(origin), nil
}

// unanswered returns the secretariat's latest request for changes when the
// action still says what it said when it was sent back (a save that
// changed nothing does not answer it): resubmitting it then needs a reply,
// or the request would be ignored.
func (s *Service) unanswered(ctx context.Context, a Action) (ReviewEvent, bool, error) {
	if a.State != ChangesRequested {
		return ReviewEvent{}, false, nil
	}
	events, err := s.store.ReviewEvents(ctx, a.ID)
	if err != nil {
		return ReviewEvent{}, false, err
	}
	var req *ReviewEvent
	for i := len(events) - 1; i >= 0 && req == nil; i-- {
		if events[i].Decision == DecisionChangesRequested {
			req = &events[i]
		}
	}
	if req == nil {
		return ReviewEvent{}, false, nil
	}
	versions, err := s.store.ActionVersions(ctx, a.ID)
	if err != nil {
		return ReviewEvent{}, false, err
	}
	for _, v := range versions {
		if v.Version == req.Version {
			return *req, a.Unchanged(v.Snapshot), nil
		}
	}
	return *req, false, nil
}

package action

import (
	"fmt"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Who may do what with an action. Every rule is here, so that pages and API
// obey the same ones. An organisation's actions are invisible to other
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

// mayMove checks that by may take a to state to: supporters draft, submit
// (focal points only) and withdraw their own; the secretariat reviews.
func mayMove(by user.Actor, a Action, to State) error {
	if by.IsSystem() {
		return nil
	}
	if !mayRead(by, a) {
		return errNoAction(a.ID)
	}
	switch to {
	case Submitted:
		if !by.Supports(a.StakeholderID) {
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
		if by.Supports(a.StakeholderID) && a.State == Accepted {
			return errs.Field(errs.Conflict, "state", "an accepted action can only be withdrawn by the secretariat")
		}
	case Draft:
		// reopening a withdrawn action: its organisation or the secretariat
	default:
		return errs.Field(errs.Invalid, "state", fmt.Sprintf("%q is not a state an action can be moved to", to))
	}
	return nil
}

package framework

import (
	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/user"
)

// MayLink reports whether by may add provisions to the action a, which
// by has read, or take them away: its organisation's people and the
// secretariat, unless it is withdrawn. Pages ask it to show the forms;
// Add and Remove enforce it.
func MayLink(by user.Actor, a action.Action) bool {
	return (by.IsSecretariat() || by.Supports(a.StakeholderID)) && a.State != action.Withdrawn
}

package challenge

import (
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Who may see and do what with a challenge. Its parties are the reviewer
// organisation that filed it and the organisation whose action it
// contests; the secretariat runs it. Nothing of a challenge is anyone
// else's before it is published, and a challenge one may not read is not
// found, so that not even its existence shows.

// Party is how someone stands to a challenge.
type Party int

const (
	Outsider    Party = iota
	Reviewer          // a person of the reviewer organisation that filed it
	Challenged        // a person of the organisation whose action it contests
	Secretariat       // the secretariat, or the program itself
)

// PartyOf says how by stands to c.
func PartyOf(by user.Actor, c Challenge) Party {
	switch {
	case by.IsSecretariat():
		return Secretariat
	case by.Role == user.Supporter && by.StakeholderID != 0 && by.StakeholderID == c.ReviewerID:
		return Reviewer
	case by.Role == user.Supporter && by.StakeholderID != 0 && by.StakeholderID == c.OrganisationID:
		return Challenged
	}
	return Outsider
}

// Visible reports whether by may read c as it stands: the secretariat and
// the reviewer always; the challenged organisation once the secretariat
// opened it (never while it was being screened, nor when it was found
// inadmissible); anyone once it is published.
func Visible(by user.Actor, c Challenge) bool {
	switch PartyOf(by, c) {
	case Secretariat, Reviewer:
		return true
	case Challenged:
		return c.State == Open || c.State == Decided || c.State == Published
	}
	return c.State == Published
}

// Named reports whether by may know who filed c: the secretariat always
// knows, the reviewer knows itself; anyone else only when the reviewer
// chose to be named.
func Named(by user.Actor, c Challenge) bool {
	p := PartyOf(by, c)
	return !c.Pseudonymous || p == Secretariat || p == Reviewer
}

// AsSeenBy returns c as by may read it: a pseudonymous reviewer's name and
// id cleared for anyone else than the secretariat and itself, the reason
// of inadmissibility for the challenged organisation and the public (it is
// the reviewer's), and who filed, replied and decided (people) for all but
// the secretariat.
func (c Challenge) AsSeenBy(by user.Actor) Challenge {
	p := PartyOf(by, c)
	if !Named(by, c) {
		c.ReviewerID, c.Reviewer = 0, ""
	}
	if p != Secretariat && p != Reviewer {
		c.ScreenReason = ""
	}
	if p != Secretariat {
		c.FiledBy, c.ScreenedBy, c.RepliedBy, c.DecidedBy, c.PublishedBy = 0, 0, 0, 0, 0
	}
	return c
}

func errNoChallenge(id int64) error { return errs.E(errs.NotFound, "no challenge %d", id) }

// mayReply checks that by answers for the challenged organisation: its
// focal point, who speaks for it to the secretariat.
func mayReply(by user.Actor, c Challenge) error {
	switch PartyOf(by, c) {
	case Secretariat, Reviewer:
		return errs.E(errs.Forbidden, "the organisation whose action is challenged replies to it")
	case Outsider:
		return errNoChallenge(c.ID)
	}
	if !by.IsFocalPoint() {
		return errs.E(errs.Forbidden, "only the organisation's focal point replies to a challenge")
	}
	return nil
}

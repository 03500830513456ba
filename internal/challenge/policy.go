package challenge

import (
	"fmt"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/date"
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

// AsSeenBy returns c as by may read it: a pseudonymous reviewer's name, id
// and kind cleared for anyone else than the secretariat and itself, the reason
// of inadmissibility for the challenged organisation and the public (it is
// the reviewer's), and who filed, replied and decided (people) for all but
// the secretariat.
func (c Challenge) AsSeenBy(by user.Actor) Challenge {
	p := PartyOf(by, c)
	if !Named(by, c) {
		// Its kind too: with one reviewer of a kind designated, "a
		// civil-society reviewer" would name it.
		c.ReviewerID, c.Reviewer, c.ReviewerKind = 0, "", ""
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

// mayContest checks that a reviewer organisation's person contests
// another organisation's action: a challenge of its own would review
// nothing independently.
func mayContest(by user.Actor, a action.Action) error {
	if a.StakeholderID == by.StakeholderID {
		return errs.E(errs.Forbidden, "a reviewer organisation does not challenge its own organisation's actions")
	}
	return nil
}

// Pending reports whether c stands in the way of another challenge of the
// same action by the same reviewer: it is neither found inadmissible nor
// published yet.
func (c Challenge) Pending() bool {
	return c.State == Filed || c.State == Open || c.State == Decided
}

// replyRefusal says why by may not reply to c today, or nil: only the
// challenged organisation's focal point, once, while c is open and until
// its reply deadline.
func (s *Service) replyRefusal(by user.Actor, c Challenge) error {
	if err := mayReply(by, c); err != nil {
		return err
	}
	switch {
	case c.State != Open:
		return errs.Field(errs.Conflict, "state", fmt.Sprintf("the challenge is %s: replies are taken while it is open", c.State))
	case c.RepliedAt != nil:
		return errs.Field(errs.Conflict, "reply", "your organisation replied already")
	case c.ReplyDue != nil && date.Day(s.now()).After(*c.ReplyDue):
		return errs.Field(errs.Conflict, "reply", "the time to reply ended on "+c.ReplyDue.Format("2 January 2006"))
	}
	return nil
}

// Permissions is what one person may do with one challenge as it stands
// and on this day. Its page shows exactly these forms; the service
// refuses anything else with the same checks.
type Permissions struct {
	Screen bool // the secretariat, on a filed challenge
	Reply  bool // the challenged organisation's focal point, while it may
	// Decide: the secretariat, on an open challenge whose organisation
	// replied or whose time to reply is over.
	Decide bool
	// AwaitReply: the secretariat, while the organisation may still reply;
	// the page says until when, where the decision would be.
	AwaitReply bool
	Publish    bool // the secretariat, on a decided challenge
}

// Permissions returns what by may do with c now (c as by reads it).
func (s *Service) Permissions(by user.Actor, c Challenge) Permissions {
	runs := by.IsSecretariat()
	open, closed := c.State == Open, s.ReplyClosed(c)
	return Permissions{
		Screen:     runs && c.State == Filed,
		Reply:      s.replyRefusal(by, c) == nil,
		Decide:     runs && open && closed,
		AwaitReply: runs && open && !closed,
		Publish:    runs && c.State == Decided,
	}
}

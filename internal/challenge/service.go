package challenge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage. Its challenges are
// "claim challenges" there, apart from the challenges of a two-step sign-in.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	Stakeholder(ctx context.Context, id int64) (stakeholder.Stakeholder, error)
	FileClaimChallenge(ctx context.Context, c *Challenge) error
	// UpdateClaimChallenge writes c if its stored version is still expected;
	// otherwise it returns a Conflict.
	UpdateClaimChallenge(ctx context.Context, c *Challenge, expected int) error
	// ClaimChallenge returns one challenge with its action's title, cycle and
	// organisation and its reviewer's name and kind.
	ClaimChallenge(ctx context.Context, id int64) (Challenge, error)
	ClaimChallenges(ctx context.Context, f Filter) ([]Challenge, int, error)
	// AddPublicChange records that the public sees an action differently
	// from now on (a challenge of it published).
	AddPublicChange(ctx context.Context, actionID int64, at time.Time) error
}

// Actions is what the service needs of actions: the public one a
// challenge contests, and the correction a decision makes.
type Actions interface {
	PublicGet(ctx context.Context, id int64) (action.Action, []action.Action, error)
	Correct(ctx context.Context, by user.Actor, id int64, stage action.Stage, level action.Assurance, note string) (action.Action, error)
}

// Notifier is told of each step, in its transaction, to mail the parties.
type Notifier interface {
	Challenged(ctx context.Context, step Step, c Challenge) error
}

// Step names what just happened to a challenge.
type Step string

const (
	StepFiled        Step = "filed"
	StepInadmissible Step = "inadmissible"
	StepOpened       Step = "opened"
	StepReplied      Step = "replied"
	StepDecided      Step = "decided"
	StepPublished    Step = "published"
)

// Filter narrows a listing.
type Filter struct {
	State    State
	ActionID int64
	// Party, when set, keeps the challenges an organisation is a party
	// to: those it filed, and those on its actions from their opening.
	Party     int64
	Published bool // published ones only, newest first
	// PublicOn, when set, keeps the challenges of the actions the public
	// sees on that day: a published challenge is public as long as its
	// action is, and no longer (a withdrawn action takes its challenges
	// out of every public answer with it).
	PublicOn time.Time
	// ByID orders by id instead, and AfterID keeps the challenges after
	// it: together they walk through every challenge a batch at a time.
	ByID    bool
	AfterID int64
	Limit   int
	Offset  int
}

// Service runs challenges.
type Service struct {
	store     Store
	actions   Actions
	notify    Notifier
	now       func() time.Time
	replyDays int
}

// NewService builds the service; replyDays is how long the challenged
// organisation has to reply once a challenge is open. notify may be nil.
func NewService(store Store, actions Actions, notify Notifier, now func() time.Time, replyDays int) *Service {
	return &Service{store: store, actions: actions, notify: notify, now: now, replyDays: replyDays}
}

// ReplyDays is how long an organisation has to reply.
func (s *Service) ReplyDays() int { return s.replyDays }

// MayFile checks that by files challenges (and confirms actions): a person of a reviewer
// organisation designated by the secretariat, as of today. Handlers call
// it before reading a request, so that a refusal does not depend on what
// was sent.
func (s *Service) MayFile(ctx context.Context, by user.Actor) (stakeholder.Stakeholder, error) {
	switch {
	case by.UserID == 0 && !by.IsSecretariat():
		return stakeholder.Stakeholder{}, errs.E(errs.Unauthorized, "sign in to file a challenge")
	case by.Role != user.Supporter || by.StakeholderID == 0:
		return stakeholder.Stakeholder{}, errs.E(errs.Forbidden, "only reviewer organisations challenge or confirm actions")
	}
	reviewer, err := s.store.Stakeholder(ctx, by.StakeholderID)
	if err != nil {
		return stakeholder.Stakeholder{}, err
	}
	if !reviewer.ReviewsOn(s.now()) {
		return stakeholder.Stakeholder{}, errs.E(errs.Forbidden, "only reviewer organisations designated by the secretariat challenge or confirm actions")
	}
	return reviewer, nil
}

// File records a challenge of a public accepted action by a person of a
// reviewer organisation.
func (s *Service) File(ctx context.Context, by user.Actor, actionID int64, in Input) (Challenge, error) {
	reviewer, err := s.MayFile(ctx, by)
	if err != nil {
		return Challenge{}, err
	}
	a, _, err := s.actions.PublicGet(ctx, actionID)
	if err != nil {
		return Challenge{}, err // not public: not found, whatever it is
	}
	if err := mayContest(by, a); err != nil {
		return Challenge{}, err
	}
	if err := in.Validate(); err != nil {
		return Challenge{}, err
	}
	now := s.now().UTC()
	c := Challenge{ActionID: a.ID, ReviewerID: reviewer.ID, FiledBy: by.UserID, Grounds: in.Grounds, Statement: in.Statement,
		Evidence: in.Evidence, Pseudonymous: in.Pseudonymous, State: Filed, Version: 1, FiledAt: now,
		ReplyEvidence: []action.Evidence{}}
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		if p, found, err := s.pendingOf(ctx, reviewer.ID, a.ID); err != nil {
			return err
		} else if found {
			return errs.E(errs.Conflict, "your organisation's challenge %d of this action is still %s", p.ID, p.State)
		}
		if err := s.store.FileClaimChallenge(ctx, &c); err != nil {
			return err
		}
		if c, err = s.store.ClaimChallenge(ctx, c.ID); err != nil {
			return err
		}
		return s.record(ctx, by, c, StepFiled, map[string]any{"grounds": c.Grounds, "pseudonymous": c.Pseudonymous})
	})
	return c, err
}

// MayChallenge checks that by may file a challenge of a, a public action
// as PublicGet returns it: MayFile, and an action of another organisation
// than by's. Pages ask it before offering to file one.
func (s *Service) MayChallenge(ctx context.Context, by user.Actor, a action.Action) error {
	if _, err := s.MayFile(ctx, by); err != nil {
		return err
	}
	return mayContest(by, a)
}

// pendingOf returns reviewer's pending challenge of an action, if any:
// a reviewer has one at a time on each action.
func (s *Service) pendingOf(ctx context.Context, reviewerID, actionID int64) (Challenge, bool, error) {
	list, _, err := s.store.ClaimChallenges(ctx, Filter{ActionID: actionID, Party: reviewerID, Limit: 100})
	if err != nil {
		return Challenge{}, false, err
	}
	for _, c := range list {
		if c.ReviewerID == reviewerID && c.Pending() {
			return c, true, nil
		}
	}
	return Challenge{}, false, nil
}

// Pending returns the challenge of an action that by's organisation filed
// and that is still pending, as by reads it, if any: where a page would
// offer to file another, it links to that one.
func (s *Service) Pending(ctx context.Context, by user.Actor, actionID int64) (Challenge, bool, error) {
	if by.Role != user.Supporter || by.StakeholderID == 0 {
		return Challenge{}, false, nil
	}
	c, found, err := s.pendingOf(ctx, by.StakeholderID, actionID)
	return c.AsSeenBy(by), found, err
}

// readable returns the challenge if by may read it, else NotFound.
func (s *Service) readable(ctx context.Context, by user.Actor, id int64) (Challenge, error) {
	c, err := s.store.ClaimChallenge(ctx, id)
	if err != nil {
		return Challenge{}, err
	}
	if !Visible(by, c) {
		return Challenge{}, errNoChallenge(id)
	}
	// Anyone but its parties and the secretariat reads a published
	// challenge while its action is public, as the public lists do: a
	// withdrawn action takes its challenges out with it.
	if PartyOf(by, c) == Outsider {
		if _, _, err := s.actions.PublicGet(ctx, c.ActionID); errs.Is(err, errs.NotFound) {
			return Challenge{}, errNoChallenge(id)
		} else if err != nil {
			return Challenge{}, err
		}
	}
	return c, nil
}

// Get returns a challenge as by may read it.
func (s *Service) Get(ctx context.Context, by user.Actor, id int64) (Challenge, error) {
	c, err := s.readable(ctx, by, id)
	return c.AsSeenBy(by), err
}

// List returns a page of the challenges by may read, as by may read them:
// all for the secretariat; for an organisation's people, those it is a
// party to.
func (s *Service) List(ctx context.Context, by user.Actor, f Filter) ([]Challenge, int, error) {
	switch {
	case by.IsSecretariat():
	case by.Role == user.Supporter && by.StakeholderID != 0:
		f.Party = by.StakeholderID
	default:
		return nil, 0, errs.E(errs.Unauthorized, "sign in to see challenges")
	}
	if f.State != "" && !f.State.Valid() {
		return nil, 0, errs.Field(errs.Invalid, "state", fmt.Sprintf("%q is not a state of a challenge", f.State))
	}
	list, total, err := s.store.ClaimChallenges(ctx, f)
	for i := range list {
		list[i] = list[i].AsSeenBy(by)
	}
	return list, total, err
}

// Published returns a page of published challenges of the actions the
// public sees, as the public reads them, newest first.
func (s *Service) Published(ctx context.Context, f Filter) ([]Challenge, int, error) {
	f.Published, f.State, f.Party, f.PublicOn = true, Published, 0, s.now()
	list, total, err := s.store.ClaimChallenges(ctx, f)
	for i := range list {
		list[i] = list[i].AsSeenBy(user.Actor{})
	}
	return list, total, err
}

// EachPublished calls fn with every published challenge the public may
// read, as it reads them, by id, a batch at a time: the open data.
func (s *Service) EachPublished(ctx context.Context, fn func([]Challenge) error) error {
	f := Filter{ByID: true, Limit: publishedBatch}
	for {
		page, _, err := s.Published(ctx, f)
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		if len(page) < publishedBatch {
			return nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// publishedBatch is how many challenges EachPublished reads at a time.
const publishedBatch = 500

// step reads a challenge for a step of the secretariat's, checks its
// state and the version read (0: the state is check enough), and saves
// what change does, with its audit entry and notices, in one transaction.
func (s *Service) step(ctx context.Context, by user.Actor, id int64, version int, from State, st Step,
	change func(ctx context.Context, c *Challenge) (map[string]any, error)) (Challenge, error) {
	var c Challenge
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.readable(ctx, by, id); err != nil {
			return err
		}
		if c.State != from {
			return errs.Field(errs.Conflict, "state", fmt.Sprintf("the challenge is %s, not %s", c.State, from))
		}
		if version != 0 && version != c.Version {
			return errs.Stale("this challenge", c.Version)
		}
		details, err := change(ctx, &c)
		if err != nil {
			return err
		}
		expected := c.Version
		c.Version++
		if err := s.store.UpdateClaimChallenge(ctx, &c, expected); err != nil {
			return err
		}
		return s.record(ctx, by, c, st, details)
	})
	return c.AsSeenBy(by), err
}

// Screen is the secretariat's first look: inadmissible, with a reason the
// reviewer reads; or open, which tells the challenged organisation and
// starts its time to reply. admissible nil is a field error: it must be
// said.
func (s *Service) Screen(ctx context.Context, by user.Actor, id int64, version int, admissible *bool, reason string) (Challenge, error) {
	if err := by.RequireSecretariat("the secretariat screens challenges"); err != nil {
		return Challenge{}, err
	}
	reason = normalizeText(reason)
	st := StepOpened
	if admissible != nil && !*admissible {
		st = StepInadmissible
	}
	return s.step(ctx, by, id, version, Filed, st, func(ctx context.Context, c *Challenge) (map[string]any, error) {
		f := errs.FieldErrors{}
		if admissible == nil {
			f.Add("admissible", "is required: true opens the challenge, false finds it inadmissible")
		} else {
			f.TextLines("reason", reason, !*admissible, MaxReason)
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		c.ScreenedBy, c.ScreenedAt, c.ScreenReason = by.UserID, &now, reason
		if !*admissible {
			c.State = Inadmissible
			return map[string]any{"admissible": false, "reason": reason}, nil
		}
		due := date.Day(now).AddDate(0, 0, s.replyDays)
		c.State, c.ReplyDue = Open, &due
		return map[string]any{"admissible": true, "reply_due": due.Format(time.DateOnly)}, nil
	})
}

// Reply records the challenged organisation's answer, by its focal point,
// until the reply deadline; an organisation replies once.
func (s *Service) Reply(ctx context.Context, by user.Actor, id int64, version int, reply string, ev []action.Evidence) (Challenge, error) {
	if by.UserID == 0 && !by.IsSecretariat() {
		return Challenge{}, errs.E(errs.Unauthorized, "sign in to reply to a challenge")
	}
	reply = normalizeText(reply)
	action.NormalizeEvidence(ev)
	if ev == nil {
		ev = []action.Evidence{}
	}
	var c Challenge
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.readable(ctx, by, id); err != nil {
			return err
		}
		if err := s.replyRefusal(by, c); err != nil {
			return err
		}
		if version != 0 && version != c.Version {
			return errs.Stale("this challenge", c.Version)
		}
		f := errs.FieldErrors{}
		checkMarkdown(f, "reply", reply, true, MaxStatement)
		action.CheckEvidence(f, "evidence", ev)
		if err := f.Err(); err != nil {
			return err
		}
		now := s.now().UTC()
		c.Reply, c.ReplyEvidence, c.RepliedBy, c.RepliedAt = reply, ev, by.UserID, &now
		expected := c.Version
		c.Version++
		if err := s.store.UpdateClaimChallenge(ctx, &c, expected); err != nil {
			return err
		}
		return s.record(ctx, by, c, StepReplied, nil)
	})
	return c.AsSeenBy(by), err
}

// ReplyClosed reports whether the time to reply to c is over: it replied,
// or its deadline passed.
func (s *Service) ReplyClosed(c Challenge) bool {
	return c.RepliedAt != nil || (c.ReplyDue != nil && date.Day(s.now()).After(*c.ReplyDue))
}

// Decide records the secretariat's decision on an open challenge once the
// organisation replied or its time to reply is over. An upheld challenge
// may change the action's stage or lower its assurance: checked now, made
// at publication (a new version of the action), so that nothing of the
// decision shows before. The decision is the parties' to read until it is
// published.
func (s *Service) Decide(ctx context.Context, by user.Actor, id int64, version int, d Decision) (Challenge, error) {
	if err := by.RequireSecretariat("the secretariat decides challenges"); err != nil {
		return Challenge{}, err
	}
	d.Reasons = normalizeText(d.Reasons)
	return s.step(ctx, by, id, version, Open, StepDecided, func(ctx context.Context, c *Challenge) (map[string]any, error) {
		if !s.ReplyClosed(*c) {
			return nil, errs.Field(errs.Conflict, "state", "the organisation may reply until "+c.ReplyDue.Format("2 January 2006"))
		}
		f := errs.FieldErrors{}
		if !d.Outcome.Valid() {
			f.Add("outcome", "is required (one of upheld, partly_upheld, dismissed)")
		}
		checkMarkdown(f, "reasons", d.Reasons, true, MaxStatement)
		if d.Stage != "" && !d.Stage.Valid() {
			f.Addf("stage", "%q is not a stage", d.Stage)
		}
		if d.Assurance != "" && !d.Assurance.Valid() {
			f.Addf("assurance", "%q is not an assurance level", d.Assurance)
		}
		if d.Outcome == Dismissed && (d.Stage != "" || d.Assurance != "") {
			f.Add("outcome", KeepsAction)
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
		if d.Stage != "" || d.Assurance != "" {
			// Checked now, made at publication: nothing of the decision
			// shows before, not even on the action.
			a, _, err := s.actions.PublicGet(ctx, c.ActionID)
			if errs.Is(err, errs.NotFound) {
				return nil, errs.Field(errs.Conflict, "stage", "the action is no longer public: the decision cannot change it")
			}
			if err != nil {
				return nil, err
			}
			if err := a.CheckCorrection(d.Stage, d.Assurance); err != nil {
				return nil, err
			}
		}
		now := s.now().UTC()
		c.State, c.Outcome, c.Reasons, c.StageSet, c.AssuranceSet = Decided, d.Outcome, d.Reasons, d.Stage, d.Assurance
		c.DecidedBy, c.DecidedAt = by.UserID, &now
		return map[string]any{"outcome": d.Outcome, "stage": d.Stage, "assurance": d.Assurance}, nil
	})
}

// Publish makes a decided challenge public, with the reply (or the
// absence of one) and the decision, and makes the change to the action
// that the decision gave, in the same transaction.
func (s *Service) Publish(ctx context.Context, by user.Actor, id int64, version int) (Challenge, error) {
	if err := by.RequireSecretariat("the secretariat publishes challenges"); err != nil {
		return Challenge{}, err
	}
	return s.step(ctx, by, id, version, Decided, StepPublished, func(ctx context.Context, c *Challenge) (map[string]any, error) {
		if c.StageSet != "" || c.AssuranceSet != "" {
			note := fmt.Sprintf("Challenge %d %s: %s", c.ID, strings.ReplaceAll(string(c.Outcome), "_", " "), c.Reasons)
			if _, err := s.actions.Correct(ctx, by, c.ActionID, c.StageSet, c.AssuranceSet, note); err != nil {
				return nil, err
			}
		}
		now := s.now().UTC()
		c.State, c.PublishedBy, c.PublishedAt = Published, by.UserID, &now
		if err := s.store.AddPublicChange(ctx, c.ActionID, now); err != nil {
			return nil, err
		}
		return map[string]any{"outcome": c.Outcome}, nil
	})
}

// record writes the audit entry of a step and tells the parties.
func (s *Service) record(ctx context.Context, by user.Actor, c Challenge, st Step, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["action_id"], details["stakeholder_id"], details["reviewer_id"], details["state"] =
		c.ActionID, c.OrganisationID, c.ReviewerID, c.State
	if err := s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "challenge."+string(st), "challenge", c.ID, details, s.now())); err != nil {
		return err
	}
	if s.notify == nil {
		return nil
	}
	return s.notify.Challenged(ctx, st, c)
}

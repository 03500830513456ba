package action

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	RecommendationNumbers(ctx context.Context) ([]int, error)
	Cycle(ctx context.Context, year int) (cycle.Cycle, error)
	CycleByID(ctx context.Context, id int64) (cycle.Cycle, error)
	Cycles(ctx context.Context) ([]cycle.Cycle, error)
	// DeadlineExtension returns an organisation's own deadline in a cycle,
	// if the secretariat granted one.
	DeadlineExtension(ctx context.Context, cycleID, stakeholderID int64) (time.Time, bool, error)
	CreateAction(ctx context.Context, a *Action) error
	// UpdateAction writes a whose version was expected; it returns a
	// Conflict when the stored version differs.
	UpdateAction(ctx context.Context, a *Action, expected int) error
	DeleteAction(ctx context.Context, id int64) error
	Action(ctx context.Context, id int64) (Action, error)
	// TallyActions counts the actions f keeps, as Actions would list them.
	TallyActions(ctx context.Context, f Filter) (Tally, error)
	Actions(ctx context.Context, f Filter) ([]Action, int, error)
	// ShownAmong returns which of ids the public sees on the day of on
	// (see ShownOn).
	ShownAmong(ctx context.Context, ids []int64, on time.Time) (map[int64]bool, error)
	// Publishers returns the organisations with actions the public sees
	// on the day of on, by name.
	Publishers(ctx context.Context, on time.Time) ([]Publisher, error)
	AddActionVersion(ctx context.Context, v Version) error
	ActionVersions(ctx context.Context, actionID int64) ([]Version, error)
	AddReviewEvent(ctx context.Context, e *ReviewEvent) error
	// Verifications returns the reviewer organisations' confirmations of
	// an action, oldest first.
	Verifications(ctx context.Context, actionID int64) ([]Verification, error)
	AddVerification(ctx context.Context, v *Verification) error
	// AddPublicChange records that the public sees an action differently
	// from now on: what public answers are revalidated by.
	AddPublicChange(ctx context.Context, actionID int64, at time.Time) error
	ReviewEvents(ctx context.Context, actionID int64) ([]ReviewEvent, error)
}

// Step is one workflow step just taken: the action as it now stands, and
// the review event that recorded it.
type Step struct {
	Action Action
	Event  ReviewEvent
}

// Notifier is told of the steps a decision took, inside the decision's
// transaction, so that what it writes to tell the people concerned (an
// outbox row) commits with the decision or not at all: nobody is told of
// a step that did not happen, nor left untold of one that did.
type Notifier interface {
	Decided(ctx context.Context, by user.Actor, steps []Step) error
}

// Notifiers tells several notifiers of each decision, in turn, in its
// transaction: the first error undoes the decision.
type Notifiers []Notifier

// Decided tells each notifier.
func (ns Notifiers) Decided(ctx context.Context, by user.Actor, steps []Step) error {
	for _, n := range ns {
		if err := n.Decided(ctx, by, steps); err != nil {
			return err
		}
	}
	return nil
}

// Service records actions and moves them through the workflow. Every change
// writes the action, a full version snapshot and an audit entry in one
// transaction. Who may do what is decided in policy.go.
type Service struct {
	store  Store
	now    func() time.Time
	notify Notifier
	batch  int // how many public actions EachPublic reads at a time
}

// NewService builds the service; notify may be nil, when nobody is to be
// told (tests of the workflow alone, the demo's generator).
func NewService(store Store, now func() time.Time, notify Notifier) *Service {
	return &Service{store: store, now: now, notify: notify, batch: 500}
}

// told passes the steps of a decision to the notifier, in its transaction.
func (s *Service) told(ctx context.Context, by user.Actor, steps ...Step) error {
	if s.notify == nil || len(steps) == 0 {
		return nil
	}
	return s.notify.Decided(ctx, by, steps)
}

// CreateIn stores a new draft of the caller's organisation in the cycle of
// year.
func (s *Service) CreateIn(ctx context.Context, by user.Actor, year int, in Input) (Action, error) {
	if err := MayReport(by); err != nil {
		return Action{}, err
	}
	c, err := s.store.Cycle(ctx, year)
	if errs.Is(err, errs.NotFound) {
		return Action{}, errs.Field(errs.Invalid, "cycle", fmt.Sprintf("there is no reporting cycle for %d", year))
	}
	if err != nil {
		return Action{}, err
	}
	return s.create(ctx, by, by.StakeholderID, c, nil, in)
}

// Create stores a new draft action of an organisation in a cycle.
func (s *Service) Create(ctx context.Context, by user.Actor, stakeholderID, cycleID int64, in Input) (Action, error) {
	c, err := s.store.CycleByID(ctx, cycleID)
	if err != nil {
		return Action{}, err
	}
	return s.create(ctx, by, stakeholderID, c, nil, in)
}

// CreateContinuation stores a draft that continues an action the same
// organisation reported in another cycle.
func (s *Service) CreateContinuation(ctx context.Context, by user.Actor, stakeholderID, cycleID, from int64, in Input) (Action, error) {
	c, err := s.store.CycleByID(ctx, cycleID)
	if err != nil {
		return Action{}, err
	}
	return s.create(ctx, by, stakeholderID, c, &from, in)
}

func (s *Service) create(ctx context.Context, by user.Actor, stakeholderID int64, c cycle.Cycle, from *int64, in Input) (Action, error) {
	if err := mayWrite(by, stakeholderID); err != nil {
		return Action{}, err
	}
	if err := s.notClosed(ctx, by, c, stakeholderID); err != nil {
		return Action{}, err
	}
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
		if origin.CycleID == c.ID {
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
	a := Action{StakeholderID: stakeholderID, CycleID: c.ID, CycleYear: c.Year, State: Draft, Assurance: SelfDeclared, Version: 1, CarriedFrom: from,
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

// DeadlineFor returns the last day an organisation reports in a cycle: the
// cycle's deadline, or the later one the secretariat granted it.
func (s *Service) DeadlineFor(ctx context.Context, c cycle.Cycle, stakeholderID int64) (time.Time, error) {
	ext, ok, err := s.store.DeadlineExtension(ctx, c.ID, stakeholderID)
	if err != nil {
		return time.Time{}, err
	}
	if ok && ext.After(c.Deadline) {
		return ext, nil
	}
	return c.Deadline, nil
}

// notClosed refuses new drafts once an organisation's reporting has ended.
func (s *Service) notClosed(ctx context.Context, by user.Actor, c cycle.Cycle, stakeholderID int64) error {
	if by.IsSystem() {
		return nil
	}
	deadline, err := s.DeadlineFor(ctx, c, stakeholderID)
	if err != nil {
		return err
	}
	if cycle.PastDeadline(deadline, s.now()) {
		return errs.Field(errs.Conflict, "cycle", fmt.Sprintf("reporting for %d closed on %s", c.Year, deadline.Format("2 January 2006")))
	}
	return nil
}

// submissionOpen checks that an organisation may still submit in a cycle:
// from the opening day to its deadline or extension. An action the
// secretariat sent back may be resubmitted until the report date, since
// reviews go on after the deadline.
func (s *Service) submissionOpen(ctx context.Context, by user.Actor, a Action) error {
	if by.IsSystem() {
		return nil
	}
	c, err := s.store.CycleByID(ctx, a.CycleID)
	if err != nil {
		return err
	}
	today := date.Day(s.now())
	deadline, err := s.DeadlineFor(ctx, c, a.StakeholderID)
	if err != nil {
		return err
	}
	if a.State == ChangesRequested && c.ReportAt.After(deadline) {
		deadline = c.ReportAt
	}
	switch {
	case today.Before(c.OpensAt):
		return errs.Field(errs.Conflict, "cycle", fmt.Sprintf("submissions for %d open on %s", c.Year, c.OpensAt.Format("2 January 2006")))
	case today.After(deadline):
		return errs.Field(errs.Conflict, "cycle", fmt.Sprintf("submissions for %d closed on %s", c.Year, deadline.Format("2 January 2006")))
	}
	return nil
}

func (a *Action) apply(in Input) {
	a.Title, a.Description, a.Recommendations = in.Title, in.Description, in.Recommendations
	a.Stage, a.MeasureType, a.Scope, a.Visibility = in.Stage, in.MeasureType, in.Scope, in.Visibility
	a.StartDate, a.EndDate, a.Evidence = in.StartDate, in.EndDate, in.Evidence
}

// Update saves an edit of an action the caller read at version: change
// receives what the action holds now and sets what the caller changes (all
// of it, for a whole form). A stale version is a Conflict whose message
// names the current version, and nothing is written.
func (s *Service) Update(ctx context.Context, by user.Actor, id int64, version int, change func(*Input)) (Action, error) {
	known, err := s.store.RecommendationNumbers(ctx)
	if err != nil {
		return Action{}, err
	}
	var a Action
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		if a, err = s.readable(ctx, by, id); err != nil {
			return err
		}
		if err := mayWrite(by, a.StakeholderID); err != nil {
			return err
		}
		// The state first: an action that left the drafts meanwhile cannot
		// be saved whatever version was read, and saying "stale" would
		// invite a second try.
		if !a.State.Editable() {
			return &errs.Error{Kind: errs.Conflict, Message: fmt.Sprintf("an action that is %s cannot be edited", a.State),
				Fields: map[string]string{"state": "only drafts and actions sent back for changes can be edited"}}
		}
		if a.Version != version {
			return errs.Stale("this action", a.Version)
		}
		in := a.Input()
		change(&in)
		in.Normalize()
		if err := in.Validate(known); err != nil {
			return err
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

// Delete removes a draft that was never submitted. Its audit entry stays.
func (s *Service) Delete(ctx context.Context, by user.Actor, id int64) error {
	return s.store.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.readable(ctx, by, id)
		if err != nil {
			return err
		}
		if err := mayWrite(by, a.StakeholderID); err != nil {
			return err
		}
		if err := deletable(a); err != nil {
			return err
		}
		if err := s.store.DeleteAction(ctx, a.ID); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "action.delete", "action", a.ID,
			map[string]any{"title": a.Title, "stakeholder_id": a.StakeholderID}, s.now()))
	})
}

// Move takes an action read at version (0: whatever is current) to another
// workflow state and records the decision, with an optional comment.
// Requesting changes needs a comment the organisation can act on; sending
// back unchanged an action the secretariat returned needs a comment too: the
// organisation's reply to the request.
func (s *Service) Move(ctx context.Context, by user.Actor, id int64, version int, to State, comment string) (Action, error) {
	comment = strings.TrimSpace(comment)
	if !to.Valid() {
		return Action{}, errs.Field(errs.Invalid, "state", choose(to, States))
	}
	if to == ChangesRequested && comment == "" {
		return Action{}, (errs.FieldErrors{"comment": "say what should change"}).Err()
	}
	f := errs.FieldErrors{}
	if f.TextLines("comment", comment, false, 5000); len(f) > 0 {
		return Action{}, f.Err()
	}
	var a Action
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.readable(ctx, by, id); err != nil {
			return err
		}
		step, err := s.move(ctx, by, a, version, to, comment)
		if err != nil {
			return err
		}
		a = step.Action
		return s.told(ctx, by, step)
	})
	return a, err
}

// move does Move's work inside its transaction, and returns the step for
// the caller to pass on, alone or with others of one decision.
func (s *Service) move(ctx context.Context, by user.Actor, a Action, version int, to State, comment string) (Step, error) {
	if err := mayMove(by, a, to); err != nil {
		return Step{Action: a}, err
	}
	if version == 0 {
		version = a.Version // the caller did not say which version it read
	}
	if a.Version != version {
		return Step{Action: a}, errs.Stale("this action", a.Version)
	}
	decision, err := Transition(a.State, to)
	if err != nil {
		return Step{Action: a}, err
	}
	was := a
	var c cycle.Cycle // read when the step needs it
	if to == Draft || to == Accepted || was.State == Accepted {
		if c, err = s.store.CycleByID(ctx, a.CycleID); err != nil {
			return Step{Action: a}, err
		}
	}
	if to == Accepted {
		if err := acceptable(c, a); err != nil {
			return Step{Action: a}, err
		}
	}
	if to == Draft {
		if err := s.notClosed(ctx, by, c, a.StakeholderID); err != nil {
			return Step{Action: a}, err
		}
	}
	if to == Submitted {
		if err := s.submissionOpen(ctx, by, a); err != nil {
			return Step{Action: a}, err
		}
		if err := s.answered(ctx, a, comment); err != nil {
			return Step{Action: a}, err
		}
		reconfirm, err := s.reconfirms(ctx, a)
		if err != nil {
			return Step{Action: a}, err
		}
		if reconfirm {
			decision = DecisionReconfirmed
		}
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
	var level Assurance
	if a.State != Accepted && a.Assurance.OrDefault() != SelfDeclared {
		// A level was given to the claim as accepted; whatever it says
		// when accepted again is checked again.
		a.Assurance, level = SelfDeclared, SelfDeclared
	}
	if err := s.store.UpdateAction(ctx, &a, version); err != nil {
		return Step{Action: a}, err
	}
	ev := ReviewEvent{ActionID: a.ID, Version: a.Version, Decision: decision, Comment: comment, ReviewerID: by.UserID, At: now,
		Assurance: level}
	if err := s.store.AddReviewEvent(ctx, &ev); err != nil {
		return Step{Action: a}, err
	}
	// Only a step the public sees is counted for the public answers'
	// validators: an acceptance or withdrawal of an action it is shown.
	if was.ShownOn(c, now) || a.ShownOn(c, now) {
		if err := s.store.AddPublicChange(ctx, a.ID, now); err != nil {
			return Step{Action: a}, err
		}
	}
	return Step{Action: a, Event: ev}, s.record(ctx, by, a, "action."+string(decision), map[string]any{"comment": comment})
}

// answered refuses to send back, unchanged and without a word, an action
// the secretariat returned with a request: that would ignore the request.
// The organisation edits the action, or replies (it may disagree).
func (s *Service) answered(ctx context.Context, a Action, reply string) error {
	if a.State != ChangesRequested || reply != "" {
		return nil
	}
	req, unchanged, err := s.unanswered(ctx, a)
	if err != nil || !unchanged {
		return err
	}
	return &errs.Error{Kind: errs.Conflict,
		Message: fmt.Sprintf("the secretariat asked for changes on %s (%q): edit the action, or reply to the request, before submitting it again",
			req.At.Format("2 January 2006"), req.Comment),
		Fields: map[string]string{"comment": "reply to the secretariat's request, or edit the action first"}}
}

// SubmitAll submits every draft of the caller's organisation in the cycle
// of year, in one transaction: all are submitted, or none. Actions sent
// back for changes are not among them: each is resubmitted on its own,
// after an edit or with a reply to the secretariat's request.
func (s *Service) SubmitAll(ctx context.Context, by user.Actor, year int) ([]Action, error) {
	if !by.IsFocalPoint() {
		return nil, errs.E(errs.Forbidden, "only the organisation's focal point submits actions to the secretariat")
	}
	c, err := s.store.Cycle(ctx, year)
	if err != nil {
		return nil, err
	}
	var out []Action
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		out = nil
		list, total, err := s.store.Actions(ctx, Filter{CycleID: c.ID, StakeholderID: by.StakeholderID, State: Draft, Limit: maxBatch})
		if err != nil {
			return err
		}
		if total > len(list) {
			return errs.E(errs.Invalid, "more than %d actions to submit at once; submit them in parts", maxBatch)
		}
		steps := make([]Step, 0, len(list))
		for _, a := range list {
			step, err := s.move(ctx, by, a, a.Version, Submitted, "")
			if err != nil {
				return errs.Prefix(err, "%q", a.Title)
			}
			out = append(out, step.Action)
			steps = append(steps, step)
		}
		return s.told(ctx, by, steps...)
	})
	return out, err
}

// maxBatch bounds the actions one request submits or carries forward.
const maxBatch = 500

// CarryForward starts the caller's report for the cycle of year from the
// previous cycle: every accepted action there becomes a draft here, linked
// to its origin, with its evidence. Actions already carried are skipped, so
// running it twice creates nothing the second time.
func (s *Service) CarryForward(ctx context.Context, by user.Actor, year int) ([]Action, error) {
	if err := MayReport(by); err != nil {
		return nil, err
	}
	cycles, err := s.store.Cycles(ctx) // latest first
	if err != nil {
		return nil, err
	}
	var this, prev *cycle.Cycle
	for i := range cycles {
		switch {
		case cycles[i].Year == year:
			this = &cycles[i]
		case cycles[i].Year < year && prev == nil:
			prev = &cycles[i]
		}
	}
	if this == nil {
		return nil, errs.E(errs.NotFound, "there is no reporting cycle for %d", year)
	}
	if prev == nil {
		return []Action{}, nil // a first cycle has nothing to carry
	}
	var created []Action
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		created = nil
		here, total, err := s.store.Actions(ctx, Filter{CycleID: this.ID, StakeholderID: by.StakeholderID, Limit: maxBatch})
		if err != nil {
			return err
		}
		if total > len(here) {
			return errs.E(errs.Invalid, "more than %d actions in the cycle; carry forward is meant for a yearly report", maxBatch)
		}
		done := map[int64]bool{}
		for _, a := range here {
			if a.CarriedFrom != nil {
				done[*a.CarriedFrom] = true
			}
		}
		last, total, err := s.store.Actions(ctx, Filter{CycleID: prev.ID, StakeholderID: by.StakeholderID, State: Accepted, Limit: maxBatch})
		if err != nil {
			return err
		}
		if total > len(last) {
			return errs.E(errs.Invalid, "more than %d accepted actions last year; carry forward is meant for a yearly report", maxBatch)
		}
		for _, old := range last {
			if done[old.ID] {
				continue
			}
			a, err := s.create(ctx, by, by.StakeholderID, *this, &old.ID, old.Input())
			if err != nil {
				return errs.Prefix(err, "carry %q forward", old.Title)
			}
			created = append(created, a)
		}
		return nil
	})
	return created, err
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

// readable returns the action if by may see it, else NotFound.
func (s *Service) readable(ctx context.Context, by user.Actor, id int64) (Action, error) {
	a, err := s.store.Action(ctx, id)
	if err != nil {
		return Action{}, err
	}
	if !mayRead(by, a) {
		return Action{}, errNoAction(id)
	}
	return a, nil
}

// Get returns one action with its evidence, if by may see it.
func (s *Service) Get(ctx context.Context, by user.Actor, id int64) (Action, error) {
	return s.readable(ctx, by, id)
}

// List returns a page of the actions by may see, and their total. A
// supporter sees only their organisation's.
func (s *Service) List(ctx context.Context, by user.Actor, f Filter) ([]Action, int, error) {
	switch {
	case by.Role == user.Supporter:
		f.StakeholderID = by.StakeholderID
	case !by.IsSecretariat():
		return nil, 0, errs.E(errs.Unauthorized, "sign in to see actions")
	}
	return s.store.Actions(ctx, f)
}

// PublicPageSize is the most public actions one page holds.
const PublicPageSize = 100

// Public returns a page of what anyone may see: accepted, public actions of
// cycles whose embargo is over, newest acceptance first, filtered; and their
// total. A filter value that is not one of the codes is a field error.
func (s *Service) Public(ctx context.Context, f Filter) ([]Action, int, error) {
	if err := f.CheckPublic(); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > PublicPageSize {
		f.Limit = PublicPageSize
	}
	f.PublicOn, f.State = s.now(), ""
	list, total, err := s.store.Actions(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.hideUnshown(ctx, f.PublicOn, list)
}

// PublicTally counts the actions of the public list f asks for, whole,
// by recommendation, stage and kind of organisation: what the list holds,
// for the figures that link to it, in one read rather than a walk through
// its pages.
func (s *Service) PublicTally(ctx context.Context, f Filter) (Tally, error) {
	if err := f.CheckPublic(); err != nil {
		return Tally{}, err
	}
	f.PublicOn, f.State = s.now(), ""
	return s.store.TallyActions(ctx, f)
}

// PublicGet returns an action anyone may see (accepted, public, its cycle's
// embargo over), with the earlier cycles' actions it continues, latest
// first, as far back as they are public too; anything else is not found.
func (s *Service) PublicGet(ctx context.Context, id int64) (Action, []Action, error) {
	now := s.now()
	a, err := s.publicOne(ctx, id, now)
	if err != nil {
		return Action{}, nil, err
	}
	var earlier []Action
	for from, seen := a.CarriedFrom, 0; from != nil && seen < 50; seen++ {
		p, err := s.publicOne(ctx, *from, now)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				break // an earlier step kept for the secretariat ends the public history
			}
			return Action{}, nil, err
		}
		earlier = append(earlier, p)
		from = p.CarriedFrom
	}
	all := append([]Action{a}, earlier...)
	if err := s.hideUnshown(ctx, now, all); err != nil {
		return Action{}, nil, err
	}
	return all[0], all[1:], nil
}

// ShownOn reports whether the public sees a, of cycle c, on the day of
// now: accepted, public, and the cycle's embargo over. (The store reads
// lists by the same rule, in SQL.)
func (a Action) ShownOn(c cycle.Cycle, now time.Time) bool {
	return a.State == Accepted && a.Visibility == Public && c.PublicOn(now)
}

func (s *Service) publicOne(ctx context.Context, id int64, now time.Time) (Action, error) {
	a, err := s.store.Action(ctx, id)
	if err != nil {
		return Action{}, err
	}
	c, err := s.store.CycleByID(ctx, a.CycleID)
	if err != nil {
		return Action{}, err
	}
	if !a.ShownOn(c, now) {
		return Action{}, errs.E(errs.NotFound, "no action %d", id)
	}
	return a, nil
}

// hideUnshown clears what public actions say of actions the public does
// not see: the earlier action one continues is named only when it is
// shown too, or a public answer would give the id of an action kept for
// the secretariat, withdrawn or embargoed.
func (s *Service) hideUnshown(ctx context.Context, now time.Time, list []Action) error {
	var ids []int64
	for _, a := range list {
		if a.CarriedFrom != nil {
			ids = append(ids, *a.CarriedFrom)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	shown, err := s.store.ShownAmong(ctx, ids, now)
	if err != nil {
		return err
	}
	for i, a := range list {
		if a.CarriedFrom != nil && !shown[*a.CarriedFrom] {
			list[i].CarriedFrom = nil
		}
	}
	return nil
}

// Publisher is an organisation with public actions, as the public list
// of actions offers it for a filter.
type Publisher struct {
	ID            int64
	Name, Country string
}

// Publishers returns the organisations with actions the public sees
// today, by name: the choices of the public list's organisation and
// country filters, which then never lead to an empty list.
func (s *Service) Publishers(ctx context.Context) ([]Publisher, error) {
	return s.store.Publishers(ctx, s.now())
}

// EachPublic calls fn with every public action that f selects, by id, a
// batch at a time: a download of every action holds one batch in memory,
// not the whole list, and what goes with a batch is read once for it.
func (s *Service) EachPublic(ctx context.Context, f Filter, fn func([]Action) error) error {
	if err := f.CheckPublic(); err != nil {
		return err
	}
	batch := s.batch
	f.PublicOn, f.State, f.Limit, f.Offset, f.AfterID, f.ByID, f.SkipTotal = s.now(), "", batch, 0, 0, true, true
	for {
		page, _, err := s.store.Actions(ctx, f)
		if err != nil {
			return err
		}
		if err := s.hideUnshown(ctx, f.PublicOn, page); err != nil {
			return err
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		if len(page) < batch {
			return nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// History returns every saved version of an action and its workflow events,
// oldest first.
func (s *Service) History(ctx context.Context, by user.Actor, id int64) ([]Version, []ReviewEvent, error) {
	if _, err := s.readable(ctx, by, id); err != nil {
		return nil, nil, err
	}
	versions, err := s.store.ActionVersions(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	events, err := s.store.ReviewEvents(ctx, id)
	return versions, events, err
}

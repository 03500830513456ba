package action

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Assurance is how far an accepted action's claim was checked, apart from
// how far the action has come (its stage): a supporter's own word, its
// evidence checked by the secretariat, or confirmed by a reviewer
// organisation with evidence of its own.
type Assurance string

const (
	SelfDeclared          Assurance = "self_declared"
	EvidenceChecked       Assurance = "evidence_checked"
	IndependentlyVerified Assurance = "independently_verified"
)

// Assurances lists the levels from the least to the most assured.
var Assurances = []Assurance{SelfDeclared, EvidenceChecked, IndependentlyVerified}

// Valid reports whether the code is known.
func (l Assurance) Valid() bool { return slices.Contains(Assurances, l) }

// Rank orders levels: a higher rank is more assured. Empty (an action
// stored before levels existed) ranks as self-declared.
func (l Assurance) Rank() int { return max(slices.Index(Assurances, l), 0) }

// OrDefault returns l, or self-declared when it is empty.
func (l Assurance) OrDefault() Assurance {
	if l == "" {
		return SelfDeclared
	}
	return l
}

// MaxNote bounds the note that goes with a level.
const MaxNote = 2000

// SetAssurance records the secretariat's level of an accepted action it
// read at version, with a note that says what was checked (or, when the
// level goes down, why): a new version of the action, a review event and
// an audit entry, in one transaction. Independent verification is a
// reviewer organisation's to give (Verify); the secretariat may set it
// only on an action a reviewer confirmed, to restore it after lowering it.
func (s *Service) SetAssurance(ctx context.Context, by user.Actor, id int64, version int, level Assurance, note string) (Action, error) {
	if err := by.RequireSecretariat("only the secretariat sets an action's assurance"); err != nil {
		return Action{}, err
	}
	note = strings.TrimSpace(note)
	var a Action
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.readable(ctx, by, id); err != nil {
			return err // a missing action first: nothing to correct in the form
		}
		f := errs.FieldErrors{}
		if !level.Valid() {
			f.Add("level", choose(level, Assurances))
		}
		f.TextLines("note", note, true, MaxNote)
		if version <= 0 {
			f.Add("version", "is required: the version you read, so that no one's step is lost")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := assurable(a, version); err != nil {
			return err
		}
		if a.Assurance.OrDefault() == level {
			return errs.Field(errs.Conflict, "level", fmt.Sprintf("the action is %s already", level))
		}
		if level == IndependentlyVerified {
			// The confirmations the public page shows: those of the action
			// as accepted now, not of a claim it made before.
			behind, err := s.AssuranceOf(ctx, a)
			if err != nil {
				return err
			}
			if len(behind.Verifications) == 0 {
				return errs.Field(errs.Invalid, "level", "only a reviewer organisation's confirmation makes an action independently verified")
			}
		}
		step, err := s.assure(ctx, by, a, level, DecisionAssurance, note)
		a = step.Action
		return err
	})
	return a, err
}

// assurable checks that a, read at version, may be given a level: it is
// accepted, and nobody changed it since.
func assurable(a Action, version int) error {
	if a.State != Accepted {
		return errs.Field(errs.Conflict, "state", fmt.Sprintf("only accepted actions have an assurance level; this one is %s", a.State))
	}
	if a.Version != version {
		return errs.Stale("this action", a.Version)
	}
	return nil
}

// assure sets a's level inside the caller's transaction: the new version,
// the review event that records the level, the public change (the public
// sees levels) and the audit entry.
func (s *Service) assure(ctx context.Context, by user.Actor, a Action, level Assurance, decision Decision, note string) (Step, error) {
	was := a.Assurance.OrDefault()
	now := s.now().UTC()
	expected := a.Version
	a.Assurance, a.UpdatedBy, a.UpdatedAt, a.Version = level, by.UserID, now, a.Version+1
	if err := s.store.UpdateAction(ctx, &a, expected); err != nil {
		return Step{Action: a}, err
	}
	ev := ReviewEvent{ActionID: a.ID, Version: a.Version, Decision: decision, Comment: note, ReviewerID: by.UserID, At: now}
	if level != was {
		ev.Assurance = level // the step records a level it changed, and no other
	}
	if err := s.store.AddReviewEvent(ctx, &ev); err != nil {
		return Step{Action: a}, err
	}
	c, err := s.store.CycleByID(ctx, a.CycleID)
	if err != nil {
		return Step{Action: a}, err
	}
	if a.ShownOn(c, now) {
		if err := s.store.AddPublicChange(ctx, a.ID, now); err != nil {
			return Step{Action: a}, err
		}
	}
	return Step{Action: a, Event: ev}, s.record(ctx, by, a, "action."+string(decision),
		map[string]any{"comment": note, "assurance": level, "was": was})
}

// Verification is a reviewer organisation's confirmation of an action, at
// the version it read, with evidence of its own.
type Verification struct {
	ID            int64
	ActionID      int64
	Version       int
	StakeholderID int64  // the reviewer organisation
	Reviewer      string // read-only: its name
	UserID        int64
	Note          string
	Evidence      []Evidence
	At            time.Time
}

// Assured is what anyone reads of an action's level: the step that set it
// (when, and its note) and the reviewer organisations' confirmations of
// the action as accepted now.
type Assured struct {
	Level         Assurance
	At            *time.Time // nil: self-declared since its acceptance
	Note          string
	Verifications []Verification
}

// AssuranceOf returns what stands behind a's level. a was read by someone
// who may see it (the public, for a public action).
func (s *Service) AssuranceOf(ctx context.Context, a Action) (Assured, error) {
	out := Assured{Level: a.Assurance.OrDefault(), Verifications: []Verification{}}
	events, err := s.store.ReviewEvents(ctx, a.ID)
	if err != nil {
		return Assured{}, err
	}
	accepted := 0 // the version of its latest acceptance
	for _, e := range events {
		switch {
		case e.Decision == DecisionAccepted:
			accepted = e.Version
		case e.Assurance != "" && e.Assurance == out.Level && e.Assurance != SelfDeclared:
			at := e.At
			out.At, out.Note = &at, e.Comment
		case e.Assurance != "":
			out.At, out.Note = nil, "" // a later step set another level
		}
	}
	if out.Level == SelfDeclared {
		out.At, out.Note = nil, ""
	}
	all, err := s.store.Verifications(ctx, a.ID)
	if err != nil {
		return Assured{}, err
	}
	for _, v := range all {
		if v.Version > accepted {
			out.Verifications = append(out.Verifications, v)
		}
	}
	return out, nil
}

// correctsStage reports whether a correction may set a's stage to st: any
// stage but the one it has.
func (a Action) correctsStage(st Stage) bool { return st.Valid() && st != a.Stage }

// lowersAssurance reports whether a correction may set a's level to l: a
// correction only ever lowers it.
func (a Action) lowersAssurance(l Assurance) bool { return l.Valid() && l.Rank() < a.Assurance.Rank() }

// Corrections lists what a correction of a may set, for a form to offer
// exactly these: the stages other than its own, and the levels below its
// own (none for a self-declared action).
func (a Action) Corrections() (stages []Stage, levels []Assurance) {
	for _, st := range Stages {
		if a.correctsStage(st) {
			stages = append(stages, st)
		}
	}
	for _, l := range Assurances {
		if a.lowersAssurance(l) {
			levels = append(levels, l)
		}
	}
	return stages, levels
}

// CheckCorrection says what is wrong with correcting a to stage and level
// (either may be "", kept): a stage other than its own, a level below its
// own, and at least one of them. Corrections lists the same choices.
func (a Action) CheckCorrection(stage Stage, level Assurance) error {
	f := errs.FieldErrors{}
	if stage != "" && !a.correctsStage(stage) {
		f.Add("stage", fmt.Sprintf("must be a stage other than the action's (%s)", a.Stage))
	}
	if level != "" && !a.lowersAssurance(level) {
		f.Add("assurance", fmt.Sprintf("must be a level below the action's (%s)", a.Assurance.OrDefault()))
	}
	if stage == "" && level == "" {
		f.Add("stage", "say what changes: the stage, the assurance level, or both")
	}
	return f.Err()
}

// Correct is what a published challenge's decision does to the action it
// upheld: another stage or a lower assurance level (either may be "",
// kept), with the decision as its note; the secretariat's, on an accepted
// action, in the caller's transaction when there is one. Its review event
// is the "challenge" step of the history.
func (s *Service) Correct(ctx context.Context, by user.Actor, id int64, stage Stage, level Assurance, note string) (Action, error) {
	if err := by.RequireSecretariat("only the secretariat corrects an accepted action"); err != nil {
		return Action{}, err
	}
	var a Action
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.readable(ctx, by, id); err != nil {
			return err
		}
		if err := assurable(a, a.Version); err != nil {
			return err
		}
		if err := a.CheckCorrection(stage, level); err != nil {
			return err
		}
		if stage != "" {
			a.Stage = stage
		}
		if level == "" {
			level = a.Assurance.OrDefault()
		}
		step, err := s.assure(ctx, by, a, level, DecisionChallenge, note)
		a = step.Action
		return err
	})
	return a, err
}

// Verify records a reviewer organisation's confirmation of a public
// accepted action it read at version, with evidence of its own: the
// action becomes independently verified (a new version, a "verified"
// review event, an audit entry). reviewer is the caller's organisation,
// which the caller checked designated (stakeholder.ReviewsOn); a reviewer
// confirms no action of its own organisation.
func (s *Service) Verify(ctx context.Context, by user.Actor, reviewer int64, id int64, version int, note string, ev []Evidence) (Action, Verification, error) {
	if by.Role != user.Supporter || by.StakeholderID == 0 || by.StakeholderID != reviewer {
		return Action{}, Verification{}, errs.E(errs.Forbidden, "actions are confirmed by reviewer organisations")
	}
	note = strings.TrimSpace(note)
	NormalizeEvidence(ev)
	var a Action
	var v Verification
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.publicOne(ctx, id, s.now()); err != nil {
			return err // not public: not found, whatever it is
		}
		if a.StakeholderID == reviewer {
			return errs.E(errs.Forbidden, "a reviewer organisation does not confirm its own organisation's actions")
		}
		f := errs.FieldErrors{}
		f.TextLines("note", note, true, MaxNote)
		if len(ev) == 0 {
			f.Add("evidence", "give at least one link of your own that supports the claim")
		}
		CheckEvidence(f, "evidence", ev)
		if version <= 0 {
			f.Add("version", "is required: the version of the action you confirm")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if a.Version != version {
			return errs.Stale("this action", a.Version)
		}
		step, err := s.assure(ctx, by, a, IndependentlyVerified, DecisionVerified, note)
		if err != nil {
			return err
		}
		a = step.Action
		v = Verification{ActionID: a.ID, Version: a.Version, StakeholderID: reviewer, UserID: by.UserID, Note: note,
			Evidence: ev, At: a.UpdatedAt}
		return s.store.AddVerification(ctx, &v)
	})
	return a, v, err
}

package action

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Review is the secretariat's decision on a submitted action. It may
// correct the stage or the recommendations the organisation chose; the
// correction is part of the same version, and so of the history.
type Review struct {
	Accept          bool   // false: changes are requested, with Comment
	Comment         string // what the organisation sees
	Stage           Stage  // "" keeps the organisation's
	Recommendations []int  // nil keeps the organisation's
}

// ErrNoEvidence is the message of an acceptance refused because the
// action cites no evidence in a cycle that requires it.
const ErrNoEvidence = "this cycle accepts only actions that cite at least one evidence link; request changes asking the organisation to add one"

// acceptable checks what acceptance asks of a in its cycle c: at least
// one evidence link, when the cycle requires it. Every way to accept (the
// review, the bulk acceptance, the API, the command line) goes through
// move, which asks this, so the public's "N of M cite evidence" and the
// cycle's rule cannot disagree.
func acceptable(c cycle.Cycle, a Action) error {
	if c.RequiresEvidence() && len(a.Evidence) == 0 {
		return errs.Field(errs.Invalid, "evidence", ErrNoEvidence)
	}
	return nil
}

// Review records the secretariat's decision on an action read at version
// (0: whatever is current), in one transaction: the corrected action, its
// new state, the version snapshot, the review event and the audit entry.
func (s *Service) Review(ctx context.Context, by user.Actor, id int64, version int, r Review) (Action, error) {
	if err := by.RequireSecretariat("only the secretariat reviews actions"); err != nil {
		return Action{}, err
	}
	r.Comment = strings.TrimSpace(r.Comment)
	f := errs.FieldErrors{}
	f.TextLines("comment", r.Comment, !r.Accept, 5000)
	if r.Stage != "" && !r.Stage.Valid() {
		f.Add("stage", choose(r.Stage, Stages))
	}
	if len(f) > 0 {
		return Action{}, f.Err()
	}
	known, err := s.store.RecommendationNumbers(ctx)
	if err != nil {
		return Action{}, err
	}
	var a Action
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.readable(ctx, by, id); err != nil {
			return err
		}
		if a.State != Submitted {
			return errs.Field(errs.Conflict, "state", fmt.Sprintf("only submitted actions are reviewed; this one is %s", a.State))
		}
		if version == 0 {
			version = a.Version
		}
		var corrected []string
		if r.Stage != "" && r.Stage != a.Stage {
			a.Stage = r.Stage
			corrected = append(corrected, "stage")
		}
		if r.Recommendations != nil {
			in := a.Input()
			in.Recommendations = r.Recommendations
			in.Normalize()
			if err := in.Validate(known); err != nil {
				return err
			}
			if !slices.Equal(in.Recommendations, a.Recommendations) {
				a.Recommendations = in.Recommendations
				corrected = append(corrected, "recommendations")
			}
		}
		to := ChangesRequested
		if r.Accept {
			to = Accepted
		}
		comment := r.Comment
		if len(corrected) > 0 {
			note := "The secretariat corrected: " + strings.Join(corrected, ", ") + "."
			if comment != "" {
				comment += "\n\n" + note
			} else {
				comment = note
			}
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

// Pick is one action chosen for a bulk decision, at the version the
// reviewer saw: an action changed since is not accepted unseen.
type Pick struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
}

// AcceptAll accepts submitted actions as they stand at the versions
// picked, in one transaction: all of them, or, if one cannot be, none.
func (s *Service) AcceptAll(ctx context.Context, by user.Actor, picks []Pick) ([]Action, error) {
	if len(picks) == 0 {
		return nil, errs.Field(errs.Invalid, "actions", "choose at least one action")
	}
	if len(picks) > maxBatch {
		return nil, errs.Field(errs.Invalid, "actions", fmt.Sprintf("at most %d actions at once", maxBatch))
	}
	seen := map[int64]int{}
	var unique []Pick
	for _, p := range picks {
		if p.ID <= 0 || p.Version <= 0 {
			return nil, errs.Field(errs.Invalid, "actions", "each needs its id and the version you read")
		}
		if v, ok := seen[p.ID]; ok {
			if v != p.Version {
				return nil, errs.Field(errs.Invalid, "actions", fmt.Sprintf("action %d is listed at two versions", p.ID))
			}
			continue // the same pick twice counts once
		}
		seen[p.ID] = p.Version
		unique = append(unique, p)
	}
	var out []Action
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		for _, p := range unique {
			a, err := s.Review(ctx, by, p.ID, p.Version, Review{Accept: true})
			if err != nil {
				return errs.Prefix(err, "action %d", p.ID)
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

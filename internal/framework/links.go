package framework

import (
	"context"
	"strings"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// An action counts for a provision through its recommendations (derived),
// and its organisation or the secretariat may add a provision to it or
// take one away (declared). Each change is kept in the action's history;
// taking a provision away needs a reason. Only the people who may read
// the action change its links: to anyone else it does not exist.

// mayLink checks that by may change the links of the action id, and
// returns it.
func (s *Service) mayLink(ctx context.Context, by user.Actor, id int64) (action.Action, error) {
	a, err := s.actions.Get(ctx, by, id)
	if err != nil {
		return action.Action{}, err
	}
	if !by.IsSecretariat() && !by.Supports(a.StakeholderID) {
		return action.Action{}, errs.E(errs.NotFound, "no action %d", id)
	}
	if a.State == action.Withdrawn {
		return action.Action{}, errs.E(errs.Conflict, "a withdrawn action counts for no framework")
	}
	return a, nil
}

// ActionLinks is what the action's page shows of the crosswalk.
type ActionLinks struct {
	Links []Link
	// Taken away: provisions its recommendations derive that were removed.
	Removed []Provision
}

// Links returns the provisions an action counts for, and the derived ones
// taken away, as by may see them.
func (s *Service) Links(ctx context.Context, by user.Actor, id int64) (ActionLinks, error) {
	a, err := s.actions.Get(ctx, by, id)
	if err != nil {
		return ActionLinks{}, err
	}
	return s.linksOf(ctx, a)
}

func (s *Service) linksOf(ctx context.Context, a action.Action) (ActionLinks, error) {
	links, err := s.store.ActionLinks(ctx, []int64{a.ID})
	if err != nil {
		return ActionLinks{}, err
	}
	out := ActionLinks{Links: links[a.ID]}
	said, err := s.store.ActionStatements(ctx, a.ID)
	if err != nil || len(said) == 0 {
		return out, err
	}
	all, err := s.store.Frameworks(ctx)
	if err != nil {
		return ActionLinks{}, err
	}
	for _, f := range all {
		for _, p := range f.Provisions {
			if said[p.ID] == "removed" && p.Derives(a.Recommendations) {
				out.Removed = append(out.Removed, p)
			}
		}
	}
	return out, nil
}

// PublicLinks returns the links of actions the caller has already found
// public, by action.
func (s *Service) PublicLinks(ctx context.Context, ids []int64) (map[int64][]Link, error) {
	if len(ids) == 0 {
		return map[int64][]Link{}, nil
	}
	return s.store.ActionLinks(ctx, ids)
}

// Add makes an action count for a provision: a derived one taken away
// comes back, any other is declared.
func (s *Service) Add(ctx context.Context, by user.Actor, id int64, framework, provision string) (Link, error) {
	var link Link
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.mayLink(ctx, by, id)
		if err != nil {
			return err
		}
		f, p, err := s.provision(ctx, framework, provision)
		if err != nil {
			return err
		}
		said, err := s.store.ActionStatements(ctx, a.ID)
		if err != nil {
			return err
		}
		kind := Declared
		switch {
		case said[p.ID] == "declared", said[p.ID] == "" && p.Derives(a.Recommendations):
			return errs.Field(errs.Conflict, "provision", "the action counts for this provision already")
		case said[p.ID] == "removed":
			kind = Derived
			err = s.store.DeleteActionStatement(ctx, a.ID, p.ID)
		default:
			err = s.store.SetActionStatement(ctx, a.ID, p.ID, "declared")
		}
		if err != nil {
			return err
		}
		link = Link{ActionID: a.ID, Framework: f, Provision: p, Kind: kind}
		return s.record(ctx, by, a, f, p, Added, kind, "")
	})
	return link, err
}

// Remove takes a provision away from an action, for a reason.
func (s *Service) Remove(ctx context.Context, by user.Actor, id int64, framework, provision, reason string) error {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	fe := errs.FieldErrors{}
	fe.TextLines("reason", reason, true, MaxReason)
	return s.store.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.mayLink(ctx, by, id)
		if err != nil {
			return err
		}
		f, p, err := s.provision(ctx, framework, provision)
		if err != nil {
			return err
		}
		if err := fe.Err(); err != nil { // after the checks of who and what: a refusal says nothing of a text not read
			return err
		}
		said, err := s.store.ActionStatements(ctx, a.ID)
		if err != nil {
			return err
		}
		var kind LinkKind
		switch {
		case said[p.ID] == "declared":
			kind = Declared
			err = s.store.DeleteActionStatement(ctx, a.ID, p.ID)
		case said[p.ID] == "" && p.Derives(a.Recommendations):
			kind = Derived
			err = s.store.SetActionStatement(ctx, a.ID, p.ID, "removed")
		default:
			return errs.Field(errs.Conflict, "provision", "the action does not count for this provision")
		}
		if err != nil {
			return err
		}
		return s.record(ctx, by, a, f, p, Removed, kind, reason)
	})
}

func (s *Service) provision(ctx context.Context, framework, key string) (Framework, Provision, error) {
	f, err := s.Get(ctx, framework)
	if err != nil {
		return Framework{}, Provision{}, errs.Field(errs.Invalid, "framework", "there is no such framework")
	}
	p, err := f.Provision(key)
	if err != nil {
		return Framework{}, Provision{}, errs.Field(errs.Invalid, "provision", "this framework has no such provision")
	}
	f.Provisions = nil
	p.FrameworkKey = f.Key
	return f, p, nil
}

// record writes the history of a change of links, its audit entry, and,
// when the public sees the action, a public change: its figures move.
func (s *Service) record(ctx context.Context, by user.Actor, a action.Action, f Framework, p Provision, change Change, kind LinkKind, reason string) error {
	now := s.now().UTC()
	e := LinkEvent{ActionID: a.ID, ProvisionID: p.ID, FrameworkKey: f.Key, ProvisionKey: p.Key, Change: change, Kind: kind,
		Reason: reason, UserID: by.UserID, At: now}
	if err := s.store.AddLinkEvent(ctx, &e); err != nil {
		return err
	}
	if err := s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "action.provision_"+string(change), "action", a.ID,
		map[string]any{"framework": f.Key, "provision": p.Key, "kind": kind, "reason": reason}, now)); err != nil {
		return err
	}
	shown, err := s.store.ShownAmong(ctx, []int64{a.ID}, now)
	if err != nil || !shown[a.ID] {
		return err
	}
	return s.store.AddPublicChange(ctx, a.ID, now)
}

// History returns the changes of an action's links, oldest first.
func (s *Service) History(ctx context.Context, by user.Actor, id int64) ([]LinkEvent, error) {
	a, err := s.actions.Get(ctx, by, id)
	if err != nil {
		return nil, err
	}
	if !by.IsSecretariat() && !by.Supports(a.StakeholderID) {
		return nil, errs.E(errs.NotFound, "no action %d", id)
	}
	return s.store.LinkEvents(ctx, a.ID)
}

// Preview says which provisions an action with these recommendations
// would count for through them: what the action editor shows.
func Preview(all []Framework, recs []int) []Link {
	var out []Link
	for _, f := range all {
		head := f
		head.Provisions = nil
		for _, p := range f.Provisions {
			if p.Derives(recs) {
				p.FrameworkKey = f.Key
				out = append(out, Link{Framework: head, Provision: p, Kind: Derived})
			}
		}
	}
	return out
}

// Coverage returns every framework's figures in the cycle of year, as
// the public sees them today; year 0 is the newest cycle with any.
func (s *Service) Coverage(ctx context.Context, year int) ([]Coverage, int, error) {
	now := s.now()
	if year == 0 {
		years, err := s.store.LinkedYears(ctx, now)
		if err != nil {
			return nil, 0, err
		}
		if len(years) > 0 {
			year = years[0]
		}
	}
	all, err := s.store.Frameworks(ctx)
	if err != nil {
		return nil, 0, err
	}
	var perProvision, perFramework map[int64]Count
	if year != 0 {
		if perProvision, perFramework, err = s.store.ProvisionFigures(ctx, year, now); err != nil {
			return nil, 0, err
		}
	}
	out := make([]Coverage, len(all))
	for i, f := range all {
		c := Coverage{Framework: f, Year: year, Actions: perFramework[f.ID].Actions, Organisations: perFramework[f.ID].Organisations}
		for _, p := range f.Provisions {
			n := perProvision[p.ID]
			c.Figures = append(c.Figures, Figure{Provision: p, Actions: n.Actions, Organisations: n.Organisations})
		}
		out[i] = c
	}
	return out, year, nil
}

// CheckFilter says whether a list's filter names a framework that exists,
// and a provision of it: what the actions list, the API, the open data
// and the feed ask before filtering.
func CheckFilter(all []Framework, framework, provision string) error {
	if framework == "" {
		return nil
	}
	f, err := find(all, framework)
	if err != nil {
		return errs.Field(errs.Invalid, "framework", "there is no such framework")
	}
	if provision == "" {
		return nil
	}
	if _, err := f.Provision(provision); err != nil {
		return errs.Field(errs.Invalid, "provision", "this framework has no such provision")
	}
	return nil
}

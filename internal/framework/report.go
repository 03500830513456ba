package framework

import (
	"context"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// "Our actions by framework": a supporting organisation's focal point
// downloads, for a cycle, every action of its organisation with each
// provision it counts for, to report to the other frameworks without
// entering anything again.

// Own is one action of an organisation with the provisions it counts for.
type Own struct {
	ID    int64
	Title string
	State action.State
	Stage action.Stage
	Links []Link // by framework and provision order; none for a withdrawn action
}

// OwnStore is what Ours needs of storage (part of Store).
type OwnStore interface {
	// OwnActions returns every action of the organisation in the cycle of
	// year, by id, without their links.
	OwnActions(ctx context.Context, stakeholderID int64, year int) ([]Own, error)
}

// MayDownload says whether by may download its organisation's actions by
// framework: the focal point of a supporting organisation, who answers
// for what the organisation reports; not its members, nor the
// secretariat, which has the organisation's actions on its own pages.
func MayDownload(by user.Actor) error {
	switch {
	case by.Role == "":
		return errs.E(errs.Unauthorized, "sign in to download your organisation's actions")
	case !by.IsFocalPoint():
		return errs.E(errs.Forbidden, "the focal point of an organisation downloads its actions by framework")
	}
	return nil
}

// Ours returns every action of by's organisation in the cycle of year,
// each with the provisions it counts for: derived through its
// recommendations or declared, whatever its state, as the action's page
// shows them to its organisation. A withdrawn action counts for none.
func (s *Service) Ours(ctx context.Context, by user.Actor, year int) ([]Own, error) {
	if err := MayDownload(by); err != nil {
		return nil, err
	}
	list, err := s.store.OwnActions(ctx, by.StakeholderID, year)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(list))
	for _, a := range list {
		if a.State != action.Withdrawn {
			ids = append(ids, a.ID)
		}
	}
	links, err := s.store.ActionLinks(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Links = links[list[i].ID]
	}
	return list, nil
}

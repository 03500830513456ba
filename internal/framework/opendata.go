package framework

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

// The open data of the crosswalk: every link of an action the public sees
// to a provision, one row a link, for anyone to count again.

// PublicLink is one link of a public action to a provision, as the open
// data writes it.
type PublicLink struct {
	ActionID     int64
	Year         int // of the action's cycle
	FrameworkKey string
	ProvisionKey string
	Kind         LinkKind
}

// LinkFilter narrows the open data: to a cycle (its year), a framework's
// provisions, one provision. Zero values keep everything.
type LinkFilter struct {
	Year      int
	Framework string
	Provision string // needs Framework
}

// OpenDataStore is what the open data needs of storage (part of Store):
// the links of the actions the public sees, in batches, by action.
type OpenDataStore interface {
	// EachPublicLink calls fn with the links of the next at most batch
	// actions the public sees on the day of on (accepted, public, of a
	// cycle whose embargo is over) that f keeps, by action id, then in
	// framework and provision order, until there are none.
	EachPublicLink(ctx context.Context, f LinkFilter, on time.Time, batch int, fn func([]PublicLink) error) error
}

// PublicLinkBatch is how many actions' links the open data reads at once.
const PublicLinkBatch = 500

// EachPublicLink streams every link of the public actions that f keeps,
// a batch at a time; a filter naming a framework or a provision that does
// not exist is invalid, its field named.
func (s *Service) EachPublicLink(ctx context.Context, f LinkFilter, fn func([]PublicLink) error) error {
	if f.Provision != "" && f.Framework == "" {
		return errs.Field(errs.Invalid, "provision", "needs the framework it belongs to (framework=KEY)")
	}
	all, err := s.store.Frameworks(ctx)
	if err != nil {
		return err
	}
	if err := CheckFilter(all, f.Framework, f.Provision); err != nil {
		return err
	}
	return s.store.EachPublicLink(ctx, f, s.now(), PublicLinkBatch, fn)
}

// Package audit describes the audit log: who did what to which object, and
// when. Services append entries in the same transaction as the change they
// record, so the log never claims a change that was rolled back.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

// Entry is one line of the audit log.
type Entry struct {
	ID         int64
	ActorID    int64 // 0 for the system or the command line
	Actor      string
	Verb       string // e.g. "stakeholder.create"
	ObjectType string
	ObjectID   string
	Details    map[string]any
	At         time.Time
}

// New builds an entry; id is formatted as text so any key fits.
func New(actorID int64, actor, verb, objectType string, id any, details map[string]any, at time.Time) Entry {
	if details == nil {
		details = map[string]any{}
	}
	return Entry{ActorID: actorID, Actor: actor, Verb: verb, ObjectType: objectType,
		ObjectID: fmt.Sprint(id), Details: details, At: at.UTC()}
}

// Filter narrows a listing of the log.
type Filter struct {
	ActorID int64
	// Actor is part of the name or email of who acted, in any case: it
	// matches the label the entry kept and the person's current name and
	// email, as a label holds an email where people look for a name.
	Actor string
	// Verb is a verb, or a family such as "report.": the verbs of that
	// prefix and any entry about an object of that type (a report), so a
	// family also finds what another verb recorded about its objects.
	Verb       string
	ObjectType string
	ObjectID   string
	Limit      int
	Offset     int
}

// Store reads the log.
type Store interface {
	AuditEntries(ctx context.Context, f Filter) ([]Entry, int, error)
	// AuditNames looks up, in a few queries whatever their number, the
	// records a page of entries names.
	AuditNames(ctx context.Context, w Wanted) (Names, error)
}

// Service reads the log for the secretariat.
type Service struct{ store Store }

// NewService builds the service.
func NewService(store Store) *Service { return &Service{store: store} }

// List returns a page of the log, newest first, each entry told as a
// sentence, and the total; only the secretariat reads it. The
// isSecretariat test is the caller's, as the audit package knows no roles.
func (s *Service) List(ctx context.Context, isSecretariat bool, f Filter) ([]Line, int, error) {
	if !isSecretariat {
		return nil, 0, errs.E(errs.Forbidden, "the audit log is for the secretariat")
	}
	entries, total, err := s.store.AuditEntries(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	names, err := s.store.AuditNames(ctx, Wants(entries))
	if err != nil {
		return nil, 0, err
	}
	return Describes(entries, names), total, nil
}

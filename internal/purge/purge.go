package purge

import (
	"context"
	"log/slog"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/retry"
	"github.com/pctracker/pctracker/internal/user"
)

// Status is where a purge stands in the outbox.
type Status string

// Statuses of a purge. There is no giving up: a purge not taken leaves
// stale pages in the CDN, so it is tried again, an hour apart at most,
// until the CDN takes it.
const (
	Pending Status = "pending"
	Sending Status = "sending" // claimed by a sender until its lease ends
	Sent    Status = "sent"
)

// Purge is a request to the cache in front to drop the answers tagged with
// any of Keys.
type Purge struct {
	ID            int64
	Keys          []string
	Status        Status
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// Store is what the service needs from storage.
type Store interface {
	// EnqueuePurge writes to the outbox in the transaction of ctx.
	EnqueuePurge(ctx context.Context, p *Purge) error
	ClaimDuePurges(ctx context.Context, now, lease time.Time, limit int) ([]Purge, error)
	MarkPurgeSent(ctx context.Context, p Purge, at time.Time) error
	MarkPurgeRetry(ctx context.Context, p Purge, msg string, next time.Time) error
}

// Sender asks the cache in front to drop the answers tagged with keys.
type Sender interface {
	Send(ctx context.Context, keys []string) error
}

// Options tune the sender's retries.
type Options struct {
	RetryBase time.Duration // the first wait after a refusal; it doubles...
	RetryMax  time.Duration // ... up to this
	Lease     time.Duration // how long a claimed purge is held by its sender
}

// Service writes purges to the outbox when decisions change public
// answers, and sends them.
type Service struct {
	store  Store
	sender Sender // nil: no cache in front, nothing is written
	now    func() time.Time
	opt    Options
	logger *slog.Logger
}

// NewService builds the service. With a nil sender no purge is written:
// nobody would take it.
func NewService(store Store, sender Sender, now func() time.Time, opt Options, logger *slog.Logger) *Service {
	return &Service{store: store, sender: sender, now: now, opt: opt, logger: logger}
}

// Decided writes, in the decision's transaction, a purge of what each step
// that changes the public answers shows: an acceptance, a withdrawal, and
// any other step on an accepted action (its assurance, a challenge
// published beside it).
func (s *Service) Decided(ctx context.Context, _ user.Actor, steps []action.Step) error {
	keys := Set{}
	for _, st := range steps {
		a := st.Action
		if a.State != action.Accepted && st.Event.Decision != action.DecisionWithdrawn {
			continue
		}
		keys = keys.Add(Accepted(a.ID, a.StakeholderID, a.CycleYear, a.Recommendations)...)
	}
	return s.enqueue(ctx, keys)
}

// ReportPublished writes, in the publication's transaction, a purge of
// what the report changes.
func (s *Service) ReportPublished(ctx context.Context, r report.Report, _ int64) error {
	return s.enqueue(ctx, Published(r.CycleYear))
}

func (s *Service) enqueue(ctx context.Context, keys Set) error {
	if s.sender == nil || len(keys) == 0 {
		return nil
	}
	now := s.now().UTC()
	return s.store.EnqueuePurge(ctx, &Purge{Keys: keys, NextAttemptAt: now, CreatedAt: now})
}

// Send sends the purges that are due, one at a time, until none is left or
// the CDN refuses one (the rest waits for the next run).
func (s *Service) Send(ctx context.Context) (sent, failed int, err error) {
	if s.sender == nil {
		return 0, 0, nil
	}
	for ctx.Err() == nil {
		now := s.now().UTC()
		claimed, err := s.store.ClaimDuePurges(ctx, now, now.Add(s.opt.Lease), 1)
		if err != nil || len(claimed) == 0 {
			return sent, failed, err
		}
		p := claimed[0]
		if serr := s.sender.Send(ctx, p.Keys); serr != nil {
			next := now.Add(s.backoff(p.Attempts))
			s.logger.Warn("purge not taken", "purge", p.ID, "attempt", p.Attempts, "next", next, "error", serr)
			if err := s.store.MarkPurgeRetry(ctx, p, serr.Error(), next); err != nil {
				return sent, failed, err
			}
			return sent, failed + 1, nil
		}
		if err := s.store.MarkPurgeSent(ctx, p, s.now().UTC()); err != nil {
			return sent, failed, err
		}
		sent++
	}
	return sent, failed, ctx.Err()
}

// backoff is the wait before attempt n+1.
func (s *Service) backoff(attempts int) time.Duration {
	return retry.Backoff(s.opt.RetryBase, s.opt.RetryMax, attempts)
}

package subscription

import (
	"context"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/retry"
	"github.com/pctracker/pctracker/internal/user"
)

// digestSize is how many actions a digest lists; a link to the list says
// there are more.
const digestSize = 100

// due reports whether a confirmed subscription gets a digest at slot: a
// daily one at every slot, a weekly one a week after its last.
func (sub Subscription) due(slot time.Time) bool {
	if sub.ConfirmedAt == nil || sub.LastDigestAt == nil || !sub.LastDigestAt.Before(slot) {
		return false
	}
	return sub.Frequency == Daily || slot.Sub(*sub.LastDigestAt) >= 7*24*time.Hour
}

// Digest writes to the outbox, for each confirmed subscription due at the
// slot, the accepted public actions matching its filters that became
// public since its last digest (from the Forum date for a cycle under
// embargo), and moves its last digest to the slot. An empty digest is not
// sent. Its writes join the transaction of ctx, where the digests job has
// claimed its slot: a slot is digested once across replicas, and the
// outbox's key (subscription, slot) holds even against a second run.
func (s *Service) Digest(ctx context.Context, slot time.Time) (int, error) {
	slot = slot.UTC()
	subs, err := s.store.ConfirmedSubscriptions(ctx)
	if err != nil {
		return 0, err
	}
	releases, err := s.publicReleases(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sub := range subs {
		if !sub.due(slot) {
			continue
		}
		f := sub.Filters.Action()
		f.PublicOn, f.PublishedAfter, f.Limit, f.SkipTotal = slot, *sub.LastDigestAt, digestSize+1, true
		list, _, err := s.store.Actions(ctx, f)
		if err != nil {
			return n, err
		}
		if err := s.store.MarkDigested(ctx, sub.ID, slot); err != nil {
			return n, err
		}
		news := releasedBetween(releases, *sub.LastDigestAt, slot)
		if len(list) == 0 && len(news) == 0 {
			continue
		}
		l, err := s.manageToken(ctx, sub.ID, slot)
		if err != nil {
			return n, err
		}
		more := len(list) > digestSize
		names, err := s.orgs.PublicNames(ctx, sub.Filters.Organisations)
		if err != nil {
			return n, err
		}
		subject, body := s.digestText(sub, names, list[:min(len(list), digestSize)], news, more, l)
		m := Mail{SubscriptionID: sub.ID, Slot: slotKey(slot.Unix()), To: sub.Email, Subject: subject, Body: body,
			Unsubscribe: l.Unsubscribe, Status: Pending, NextAttemptAt: slot, CreatedAt: s.now().UTC()}
		wrote, err := s.store.EnqueueSubscriptionMail(ctx, &m)
		if err != nil {
			return n, err
		}
		if wrote {
			n++
		}
	}
	return n, nil
}

// publicReleases are the data releases the public may see now.
func (s *Service) publicReleases(ctx context.Context) ([]release.Release, error) {
	if s.opt.Releases == nil {
		return nil, nil
	}
	return s.opt.Releases.List(ctx, user.Actor{})
}

// releasedBetween are the releases that became public after one time and
// by another: when they were made, or at the Forum when their report
// waited for it.
func releasedBetween(list []release.Release, after, by time.Time) []release.Release {
	var out []release.Release
	for _, r := range list {
		at := r.CreatedAt
		if r.PublicFrom.After(at) {
			at = r.PublicFrom
		}
		if at.After(after) && !at.After(by) {
			out = append(out, r)
		}
	}
	return out
}

// Send sends the due mails of the outbox, one claim at a time, as the
// reminders' sender does: a mail is claimed (a conditional update that
// commits at once) before it goes out, so two senders never send one;
// a failure waits longer each time, and is given up after MaxAttempts.
func (s *Service) Send(ctx context.Context) (sent, failed int, err error) {
	for ctx.Err() == nil {
		now := s.now().UTC()
		claimed, err := s.store.ClaimDueSubscriptionMails(ctx, now, now.Add(s.opt.Lease), 1)
		if err != nil || len(claimed) == 0 {
			return sent, failed, err
		}
		m := claimed[0]
		msg := mail.Message{To: m.To, Subject: m.Subject, Text: m.Body, Unsubscribe: m.Unsubscribe,
			ID: fmt.Sprintf("subscription-%d@pctracker", m.ID)}
		if serr := s.sender.Send(ctx, msg); serr != nil {
			final := m.Attempts >= s.opt.MaxAttempts
			next := now.Add(s.backoff(m.Attempts))
			s.logger.Warn("subscription mail not sent", "mail", m.ID, "attempt", m.Attempts, "final", final, "next", next, "error", serr)
			if err := s.store.MarkSubscriptionMailRetry(ctx, m, serr.Error(), next, final); err != nil {
				return sent, failed, err
			}
			return sent, failed + 1, nil // the server is struggling: the rest waits for the next run
		}
		if err := s.store.MarkSubscriptionMailSent(ctx, m, s.now().UTC()); err != nil {
			return sent, failed, err
		}
		sent++
	}
	return sent, failed, ctx.Err()
}

// backoff is the wait before attempt n+1: doubled each time, up to a day.
func (s *Service) backoff(attempts int) time.Duration {
	return retry.Backoff(s.opt.RetryBase, 24*time.Hour, attempts)
}

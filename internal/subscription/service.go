package subscription

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// CountSignups counts the sign-ups since a time by an address's hash
	// and by a client's; AddSignup records one.
	CountSignups(ctx context.Context, emailHash, clientHash string, since time.Time) (byEmail, byClient int, err error)
	AddSignup(ctx context.Context, emailHash, clientHash string, at time.Time) error
	AddSubscription(ctx context.Context, s *Subscription) error
	AddSubscriptionToken(ctx context.Context, subscriptionID int64, hash, purpose string, expires *time.Time, at time.Time) error
	// SubscriptionByToken finds the subscription of a token of a purpose
	// that has not expired at now: NotFound otherwise.
	SubscriptionByToken(ctx context.Context, hash, purpose string, now time.Time) (Subscription, error)
	// ConfirmSubscription marks a subscription confirmed from at, spends
	// its confirmation tokens, and deletes the older confirmed
	// subscriptions of the same address and filters, which it replaces.
	ConfirmSubscription(ctx context.Context, id int64, at time.Time) error
	UpdateSubscription(ctx context.Context, id int64, f Frequency, lang string) error
	DeleteSubscription(ctx context.Context, id int64) error
	// ConfirmedSubscriptions returns every confirmed subscription.
	ConfirmedSubscriptions(ctx context.Context) ([]Subscription, error)
	MarkDigested(ctx context.Context, id int64, at time.Time) error
	// EnqueueSubscriptionMail writes m unless its subscription has a mail
	// of its slot already; it reports whether it wrote.
	EnqueueSubscriptionMail(ctx context.Context, m *Mail) (bool, error)
	ClaimDueSubscriptionMails(ctx context.Context, now, lease time.Time, limit int) ([]Mail, error)
	MarkSubscriptionMailSent(ctx context.Context, m Mail, at time.Time) error
	MarkSubscriptionMailRetry(ctx context.Context, m Mail, msg string, next time.Time, final bool) error
	// Actions lists actions; with PublicOn and PublishedAfter, those that
	// became public in between.
	Actions(ctx context.Context, f action.Filter) ([]action.Action, int, error)
}

// Options tune the service.
type Options struct {
	BaseURL     string
	PerAddress  int           // sign-ups one address may make in Window
	PerClient   int           // sign-ups one client may make in Window
	Window      time.Duration // the sign-ups' window
	RetryBase   time.Duration // the first wait after a mail failed, doubled each time
	MaxAttempts int
	Lease       time.Duration // how long a claimed mail is held by its sender
	// Releases are the data releases a digest also tells of, whatever
	// its filters: a new release is news to every reader. Nil: none.
	Releases Releases
}

// Releases lists the data releases one may see.
type Releases interface {
	List(ctx context.Context, by user.Actor) ([]release.Release, error)
}

// Service signs people up, confirms, changes and ends subscriptions, and
// writes and sends their digests.
type Service struct {
	store  Store
	orgs   Organisations
	texts  *locale.Catalogue
	sender mail.Sender
	now    func() time.Time
	opt    Options
	logger *slog.Logger
}

// Organisations names the organisations a subscription follows.
type Organisations interface {
	PublicNames(ctx context.Context, ids []int64) (map[int64]string, error)
}

// NewService builds the service.
func NewService(store Store, orgs Organisations, texts *locale.Catalogue, sender mail.Sender, now func() time.Time, opt Options, logger *slog.Logger) *Service {
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	if opt.RetryBase <= 0 {
		opt.RetryBase = time.Minute
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.Lease <= 0 {
		opt.Lease = 5 * time.Minute
	}
	return &Service{store: store, orgs: orgs, texts: texts, sender: sender, now: now, opt: opt, logger: logger}
}

// hashOf is how an address or a client is counted without being kept.
func hashOf(s string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(s))))
	return hex.EncodeToString(sum[:])
}

// Subscribe signs an address up: it writes the subscription, unconfirmed,
// and its confirmation mail to the outbox. Whether the address already
// follows something is not looked at: every sign-up takes this one path
// and gets the same answer, so that the answer, and its time, tell nobody
// who is subscribed (a confirmed twin is replaced on confirmation). Over
// the limits of sign-ups per address or per client nothing is written or
// sent, and the answer is still the same: that sameness is the point.
func (s *Service) Subscribe(ctx context.Context, in Input, client string) error {
	if err := in.Validate(); err != nil {
		return err
	}
	now := s.now().UTC()
	email, from := hashOf(in.Email), hashOf(client)
	return s.store.WithTx(ctx, func(ctx context.Context) error {
		byEmail, byClient, err := s.store.CountSignups(ctx, email, from, now.Add(-s.opt.Window))
		if err != nil {
			return err
		}
		if byEmail >= s.opt.PerAddress || byClient >= s.opt.PerClient {
			s.logger.Warn("subscription sign-up over its limit: answered, nothing sent", "by_address", byEmail >= s.opt.PerAddress,
				"by_client", byClient >= s.opt.PerClient)
			return nil
		}
		if err := s.store.AddSignup(ctx, email, from, now); err != nil {
			return err
		}
		sub := Subscription{Email: in.Email, Filters: in.Filters, Frequency: in.Frequency, Lang: in.Lang, CreatedAt: now}
		if err := s.store.AddSubscription(ctx, &sub); err != nil {
			return err
		}
		confirm, hash, err := user.NewTokenSecret()
		if err != nil {
			return err
		}
		expires := now.Add(ConfirmFor)
		if err := s.store.AddSubscriptionToken(ctx, sub.ID, hash, PurposeConfirm, &expires, now); err != nil {
			return err
		}
		manage, err := s.manageToken(ctx, sub.ID, now)
		if err != nil {
			return err
		}
		names, err := s.orgs.PublicNames(ctx, sub.Filters.Organisations)
		if err != nil {
			return err
		}
		m := s.confirmText(sub, names, s.opt.BaseURL+"/follow/confirm/"+confirm, manage)
		_, err = s.store.EnqueueSubscriptionMail(ctx, &m)
		return err
	})
}

// manageToken makes a new secret that manages the subscription and
// returns it as the mail's links need it: one for each mail, stored
// hashed, so that no secret is kept in the clear.
func (s *Service) manageToken(ctx context.Context, id int64, now time.Time) (links, error) {
	secret, hash, err := user.NewTokenSecret()
	if err != nil {
		return links{}, err
	}
	if err := s.store.AddSubscriptionToken(ctx, id, hash, PurposeManage, nil, now); err != nil {
		return links{}, err
	}
	return links{Manage: s.opt.BaseURL + "/follow/manage/" + secret, Unsubscribe: s.opt.BaseURL + "/unsubscribe/" + secret}, nil
}

// links are a mail's links to manage the subscription and to leave it.
type links struct{ Manage, Unsubscribe string }

// Pending returns the unconfirmed subscription of a confirmation token:
// NotFound once it is used or has expired.
func (s *Service) Pending(ctx context.Context, token string) (Subscription, error) {
	return s.store.SubscriptionByToken(ctx, user.HashToken(token), PurposeConfirm, s.now())
}

// Confirm confirms the subscription of a confirmation token; its first
// digest tells what becomes public from now on.
func (s *Service) Confirm(ctx context.Context, token string) (Subscription, error) {
	var sub Subscription
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if sub, err = s.Pending(ctx, token); err != nil {
			return err
		}
		now := s.now().UTC()
		sub.ConfirmedAt, sub.LastDigestAt = &now, &now
		return s.store.ConfirmSubscription(ctx, sub.ID, now)
	})
	return sub, err
}

// Managed returns the subscription of a manage token.
func (s *Service) Managed(ctx context.Context, token string) (Subscription, error) {
	return s.store.SubscriptionByToken(ctx, user.HashToken(token), PurposeManage, s.now())
}

// Change sets the frequency and language of the subscription of a manage
// token.
func (s *Service) Change(ctx context.Context, token string, f Frequency, lang string) (Subscription, error) {
	bad := errs.FieldErrors{}
	if !f.Valid() {
		bad.Add("frequency", "must be daily or weekly")
	}
	if lang = locale.Supported(lang); lang == "" {
		bad.Add("lang", "must be en or fr")
	}
	if err := bad.Err(); err != nil {
		return Subscription{}, err
	}
	var sub Subscription
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if sub, err = s.Managed(ctx, token); err != nil {
			return err
		}
		sub.Frequency, sub.Lang = f, lang
		return s.store.UpdateSubscription(ctx, sub.ID, f, lang)
	})
	return sub, err
}

// Unsubscribe deletes the subscription of a manage token, and with it the
// address, its tokens and any mail not yet sent.
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	return s.store.WithTx(ctx, func(ctx context.Context) error {
		sub, err := s.Managed(ctx, token)
		if err != nil {
			return err
		}
		return s.store.DeleteSubscription(ctx, sub.ID)
	})
}

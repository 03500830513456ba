// Package signin checks email and password sign-ins. Failed attempts are
// counted in the database, per account and per client address, so the
// limits hold across replicas; password hashing runs under a concurrency cap
// so that a flood of sign-ins cannot starve the rest of the service.
package signin

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Limits bound failed sign-ins.
type Limits struct {
	AccountFailures int           // per account per AccountWindow
	AccountWindow   time.Duration // an hour when zero
	IPFailures      int           // per client address per IPWindow
	IPWindow        time.Duration // the burst window of an address
}

// Store is what sign-in needs from storage.
type Store interface {
	UserByEmail(ctx context.Context, email string) (user.User, error)
	// RecordSignInFailure counts an attempt as failed and returns its id,
	// so that a success can take it back.
	RecordSignInFailure(ctx context.Context, account, ip string, at time.Time) (int64, error)
	DeleteSignInFailure(ctx context.Context, id int64) error
	// SignInFailures counts failures of account since accountSince and of
	// ip since ipSince, and returns the oldest of each in its window.
	SignInFailures(ctx context.Context, account, ip string, accountSince, ipSince time.Time) (Failures, error)
}

// Failures is a count of recent failed sign-ins.
type Failures struct {
	Account       int
	OldestAccount time.Time
	IP            int
	OldestIP      time.Time
}

// Service signs people in.
type Service struct {
	store  Store
	now    func() time.Time
	limits Limits
	slots  chan struct{} // one per password hash running at once

	decoyOnce sync.Once
	decoy     string
}

// NewService builds the service.
func NewService(store Store, now func() time.Time, limits Limits) *Service {
	if limits.AccountWindow == 0 {
		limits.AccountWindow = time.Hour
	}
	return &Service{store: store, now: now, limits: limits, slots: make(chan struct{}, runtime.NumCPU())}
}

// errWrong is deliberately the same for an unknown email and a wrong
// password, so that sign-in does not tell who has an account.
func errWrong() error {
	return errs.Field(errs.Unauthorized, "password", "the email address or the password is wrong")
}

// SignIn returns the user whose email and password these are. Over a limit
// it answers TooMany with the wait, even for the right password.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (user.User, error) {
	account := strings.ToLower(strings.TrimSpace(email))
	if account == "" || password == "" {
		f := errs.FieldErrors{}
		if account == "" {
			f.Add("email", "is required")
		}
		if password == "" {
			f.Add("password", "is required")
		}
		return user.User{}, f.Err()
	}
	if len(account) > 254 || len(password) > 1024 {
		return user.User{}, errWrong()
	}
	attempt, err := s.begin(ctx, account, ip)
	if err != nil {
		return user.User{}, err
	}
	u, err := s.store.UserByEmail(ctx, account)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return user.User{}, err
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = s.decoyHash() // same work whether or not the account exists
	}
	ok, err := s.check(ctx, password, hash)
	if err != nil {
		return user.User{}, err
	}
	if !ok || u.ID == 0 || u.PasswordHash == "" || u.Disabled {
		return user.User{}, errWrong()
	}
	if err := s.store.DeleteSignInFailure(ctx, attempt); err != nil {
		return user.User{}, err
	}
	return u, nil
}

// Attempt runs check, a step of account's sign-in from ip after the
// password (a code), under this service's limits: a wrong answer counts as
// a failed sign-in. Over a limit it answers TooMany without running check.
func (s *Service) Attempt(ctx context.Context, account, ip string, check func() (bool, error)) (bool, error) {
	attempt, err := s.begin(ctx, strings.ToLower(account), ip)
	if err != nil {
		return false, err
	}
	ok, err := check()
	if err != nil || !ok {
		return false, err
	}
	// The check has taken effect: a failure to take the count back must
	// not turn it into an error (it only leaves one failure counted).
	_ = s.store.DeleteSignInFailure(ctx, attempt)
	return true, nil
}

// begin counts an attempt as failed before anything is checked; the caller
// takes it back if it succeeds. Parallel guesses then see each other, so a
// burst cannot slip past the limits between count and record.
func (s *Service) begin(ctx context.Context, account, ip string) (int64, error) {
	now := s.now().UTC()
	attempt, err := s.store.RecordSignInFailure(ctx, account, ip, now)
	if err != nil {
		return 0, err
	}
	fails, err := s.store.SignInFailures(ctx, account, ip, now.Add(-s.limits.AccountWindow), now.Add(-s.limits.IPWindow))
	if err != nil {
		return 0, err
	}
	if wait := s.wait(fails, now); wait > 0 {
		return 0, errs.Throttled(wait, "too many failed sign-ins")
	}
	return attempt, nil
}

// wait tells how long until the caller is under both limits again. The
// counts include the attempt being made.
func (s *Service) wait(f Failures, now time.Time) time.Duration {
	var wait time.Duration
	if f.Account > s.limits.AccountFailures {
		wait = f.OldestAccount.Add(s.limits.AccountWindow).Sub(now)
	}
	if f.IP > s.limits.IPFailures {
		if w := f.OldestIP.Add(s.limits.IPWindow).Sub(now); w > wait {
			wait = w
		}
	}
	return wait
}

// check compares a password with a hash, waiting for a hashing slot.
func (s *Service) check(ctx context.Context, password, hash string) (bool, error) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return false, errs.Wrap(errs.Unavailable, ctx.Err(), "sign-in cancelled")
	}
	return user.CheckPassword(password, hash), nil
}

func (s *Service) decoyHash() string {
	s.decoyOnce.Do(func() {
		h, err := user.HashPassword("decoy password for accounts that do not exist")
		if err == nil {
			s.decoy = h
		}
	})
	return s.decoy
}

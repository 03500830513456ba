// Package signin checks email and password sign-ins. Failed attempts are
// counted in the database, per account and per client address, so the
// limits hold across replicas; password hashing runs under a concurrency cap
// so that a flood of sign-ins cannot starve the rest of the service.
//
// Only attempts whose password was checked count: one refused by a limit
// is not held against anyone. Strangers can still push an account over its
// limit, so a browser that has signed in to it before (a device, as in
// OWASP's guidance on lockout) is judged under a limit of its own instead:
// nobody can lock the owner out.
package signin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Limits bound failed sign-ins.
type Limits struct {
	AccountFailures int           // per account, and per known device, per AccountWindow
	AccountWindow   time.Duration // an hour when zero
	IPFailures      int           // per client address per IPWindow
	IPWindow        time.Duration // the burst window of an address
}

// DeviceLifetime is how long a browser stays known after its last sign-in.
const DeviceLifetime = 180 * 24 * time.Hour

// Device is a browser that has signed in to an account: it holds a random
// token, of which only the SHA-256 is kept.
type Device struct {
	ID         int64
	UserID     int64
	Account    string // the email of UserID, read with the device
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Store is what sign-in needs from storage.
type Store interface {
	UserByEmail(ctx context.Context, email string) (user.User, error)
	// RecordSignInFailure counts an attempt as failed and returns its id,
	// so that a success, or an attempt refused unjudged, can take it back.
	// device is the known browser it came from, or 0.
	RecordSignInFailure(ctx context.Context, account, ip string, device int64, at time.Time) (int64, error)
	DeleteSignInFailure(ctx context.Context, id int64) error
	// SignInFailures counts failures of account since accountSince, of ip
	// since ipSince and of device (when not 0) since accountSince, and
	// returns the oldest of each in its window.
	SignInFailures(ctx context.Context, account, ip string, device int64, accountSince, ipSince time.Time) (Failures, error)
	CreateSignInDevice(ctx context.Context, d *Device) error
	// SignInDevice finds a device by the hash of its token, NotFound if none.
	SignInDevice(ctx context.Context, hash string) (Device, error)
	TouchSignInDevice(ctx context.Context, id int64, at time.Time) error
}

// Failures is a count of recent failed sign-ins.
type Failures struct {
	Account       int
	OldestAccount time.Time
	IP            int
	OldestIP      time.Time
	Device        int
	OldestDevice  time.Time
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

// SignIn returns the user whose email and password these are. device is
// the token of the browser's device cookie, if it has one. Over a limit it
// answers TooMany with the wait, even for the right password. A person
// whose organisation is deactivated is told so, once the password proved
// who they are.
func (s *Service) SignIn(ctx context.Context, email, password, ip, device string) (user.User, error) {
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
	known, err := s.knownDevice(ctx, account, device)
	if err != nil {
		return user.User{}, err
	}
	attempt, err := s.begin(ctx, account, ip, known)
	if err != nil {
		return user.User{}, err
	}
	u, ok, err := s.checkPassword(ctx, account, password)
	if err != nil {
		// Nothing was judged: the attempt is not held against anyone.
		_ = s.store.DeleteSignInFailure(context.WithoutCancel(ctx), attempt)
		return user.User{}, err
	}
	if !ok {
		return user.User{}, errWrong()
	}
	if err := s.store.DeleteSignInFailure(ctx, attempt); err != nil {
		return user.User{}, err
	}
	if err := u.MaySignIn(); err != nil {
		return user.User{}, err
	}
	return u, nil
}

// checkPassword reports whether password is that of the active account of
// email, with the same work whether or not the account exists.
func (s *Service) checkPassword(ctx context.Context, account, password string) (user.User, bool, error) {
	u, err := s.store.UserByEmail(ctx, account)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return user.User{}, false, err
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = s.decoyHash() // same work whether or not the account exists
	}
	ok, err := s.check(ctx, password, hash)
	if err != nil {
		return user.User{}, false, err
	}
	return u, ok && u.ID != 0 && u.PasswordHash != "" && !u.Disabled, nil
}

// Attempt runs check, a step of account's sign-in from ip after the
// password (a code), under this service's limits: a wrong answer counts as
// a failed sign-in. Over a limit it answers TooMany without running check.
func (s *Service) Attempt(ctx context.Context, account, ip string, check func() (bool, error)) (bool, error) {
	attempt, err := s.begin(ctx, strings.ToLower(account), ip, Device{})
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
// burst cannot slip past the limits between count and record. An attempt
// over a limit is taken back at once: it was refused unjudged, and counting
// it would let anyone keep an account over its limit for ever.
func (s *Service) begin(ctx context.Context, account, ip string, known Device) (int64, error) {
	now := s.now().UTC()
	attempt, err := s.store.RecordSignInFailure(ctx, account, ip, known.ID, now)
	if err != nil {
		return 0, err
	}
	fails, err := s.store.SignInFailures(ctx, account, ip, known.ID, now.Add(-s.limits.AccountWindow), now.Add(-s.limits.IPWindow))
	if err == nil {
		if wait := s.wait(fails, known.ID != 0, now); wait > 0 {
			err = errs.Throttled(wait, "too many failed sign-ins")
		}
	}
	if err != nil {
		if derr := s.store.DeleteSignInFailure(context.WithoutCancel(ctx), attempt); derr != nil {
			return 0, derr
		}
		return 0, err
	}
	return attempt, nil
}

// wait tells how long until the caller is under its limits again. The
// counts include the attempt being made. A known device answers to its own
// count instead of the account's, which strangers can fill.
func (s *Service) wait(f Failures, known bool, now time.Time) time.Duration {
	var wait time.Duration
	switch {
	case known && f.Device > s.limits.AccountFailures:
		wait = f.OldestDevice.Add(s.limits.AccountWindow).Sub(now)
	case !known && f.Account > s.limits.AccountFailures:
		wait = f.OldestAccount.Add(s.limits.AccountWindow).Sub(now)
	}
	if f.IP > s.limits.IPFailures {
		if w := f.OldestIP.Add(s.limits.IPWindow).Sub(now); w > wait {
			wait = w
		}
	}
	return wait
}

// knownDevice returns the device of token if it is a live one of account;
// the zero Device otherwise. A cookie of another account, or a made-up
// one, is no device: its sign-in is a stranger's.
func (s *Service) knownDevice(ctx context.Context, account, token string) (Device, error) {
	if token == "" || len(token) > 100 {
		return Device{}, nil
	}
	d, err := s.store.SignInDevice(ctx, hashToken(token))
	switch {
	case errs.Is(err, errs.NotFound):
		return Device{}, nil
	case err != nil:
		return Device{}, err
	case d.Account != account || !s.now().Before(d.LastUsedAt.Add(DeviceLifetime)):
		return Device{}, nil
	}
	return d, nil
}

// Remember marks the browser that has just signed in as u as one of u's
// devices, and returns the token for its cookie: the one it presented if
// that is a live device of u (now used again), else a new one.
func (s *Service) Remember(ctx context.Context, u user.User, presented string) (string, error) {
	now := s.now().UTC()
	d, err := s.knownDevice(ctx, strings.ToLower(u.Email), presented)
	if err != nil {
		return "", err
	}
	if d.ID != 0 && d.UserID == u.ID {
		return presented, s.store.TouchSignInDevice(ctx, d.ID, now)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", errs.Wrap(errs.Internal, err, "random token")
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, s.store.CreateSignInDevice(ctx, &Device{UserID: u.ID, Hash: hashToken(token), CreatedAt: now, LastUsedAt: now})
}

// hashToken is what is stored of a device's token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
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

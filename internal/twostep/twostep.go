// Package twostep is the second step of signing in: after the password, a
// six-digit code from an authenticator app (TOTP, RFC 6238), or one of ten
// single-use recovery codes for a lost phone. The secretariat must use it,
// since its accounts can accept, publish and see every organisation's
// drafts: whoever has only a secretariat password has nothing.
//
// Between the password and the code, the browser holds a challenge: a
// random token whose SHA-256 names a row, so the step works on any replica.
// A person with no authenticator yet is shown a new secret in the same
// way, and it is kept only once a code proves their app has it.
package twostep

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"log/slog"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/user"
)

// Factor is a person's authenticator.
type Factor struct {
	UserID    int64
	Secret    string // base32, as the app was given it
	LastStep  int64  // the last 30-second step whose code was accepted
	EnabledAt time.Time
}

// Challenge is a sign-in between the password and the code.
type Challenge struct {
	ID        string // SHA-256 of the browser's token
	UserID    int64
	Secret    string // proposed to a person enrolling; empty otherwise
	Next      string // where the sign-in goes once complete
	Failures  int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Enrolling reports whether the challenge sets up a new authenticator.
func (c Challenge) Enrolling() bool { return c.Secret != "" }

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	User(ctx context.Context, id int64) (user.User, error)
	UserByEmail(ctx context.Context, email string) (user.User, error)
	// SecondFactor is NotFound for a person with no authenticator.
	SecondFactor(ctx context.Context, userID int64) (Factor, error)
	// CreateSecondFactor keeps a new authenticator; false if the person
	// has one already.
	CreateSecondFactor(ctx context.Context, f Factor) (bool, error)
	// DeleteSecondFactor removes the authenticator and the recovery codes.
	DeleteSecondFactor(ctx context.Context, userID int64) error
	// AdvanceSecondFactor records step as used; false if it, or a later
	// one, already was: two uses of one code, even racing, succeed once.
	AdvanceSecondFactor(ctx context.Context, userID, step int64) (bool, error)
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string, at time.Time) error
	// UseRecoveryCode marks an unused code used; false if there is none.
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error)
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	CreateChallenge(ctx context.Context, c Challenge) error
	Challenge(ctx context.Context, id string) (Challenge, error)
	// FailChallenge counts a wrong code and returns the count.
	FailChallenge(ctx context.Context, id string) (int, error)
	// DeleteChallenge reports whether the challenge was still there.
	DeleteChallenge(ctx context.Context, id string) (bool, error)
	DeleteUserChallenges(ctx context.Context, userID int64) error
	// RevokeUserTokens revokes every API token of a user and says how many.
	RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int, error)
}

// Attempts bounds guesses: a wrong code counts as a failed sign-in, under
// limits of its own (see CodeLimits).
type Attempts interface {
	Attempt(ctx context.Context, account, ip string, check func() (bool, error)) (bool, error)
}

// Options set the policy.
type Options struct {
	Issuer   string // the name the authenticator app shows beside the account
	Required bool   // the secretariat must use a second step
	BaseURL  string // for the links in notices
}

// Tuning of the step.
const (
	// ChallengeLifetime leaves time to find the phone, or to set up the
	// app at enrolment; no more, since the password is already spent.
	ChallengeLifetime = 10 * time.Minute
	// MaxFailures wrong codes end a challenge: the password is asked
	// again, under its own limits.
	MaxFailures = 5
	// RecoveryCodes is how many are issued at a time.
	RecoveryCodes = 10
	// WrongCodesPerDay bounds the wrong codes of an account in 24 hours,
	// whatever the challenge: each proves that its password is known, and
	// a new challenge costs only that password. Ten a day leave about one
	// chance in 30,000 a year of guessing a code.
	WrongCodesPerDay = 10
	period           = 30 // seconds per code (RFC 6238's default, what apps expect)
)

// Service runs the second step.
type Service struct {
	store    Store
	attempts Attempts
	mail     mail.Sender // notices to the person whose account it is
	logger   *slog.Logger
	now      func() time.Time
	opt      Options
}

// NewService builds the service.
func NewService(store Store, attempts Attempts, sender mail.Sender, logger *slog.Logger, now func() time.Time, opt Options) *Service {
	if opt.Issuer == "" {
		opt.Issuer = "pctracker"
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Service{store: store, attempts: attempts, mail: sender, logger: logger, now: now, opt: opt}
}

// Needed reports whether u signs in in two steps: everyone who has an
// authenticator, and the secretariat when the policy requires it.
func (s *Service) Needed(ctx context.Context, u user.User) (bool, error) {
	if s.opt.Required && u.Role == user.Secretariat {
		return true, nil
	}
	_, err := s.store.SecondFactor(ctx, u.ID)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// Begin opens the second step for u, whose password was right, and
// returns the token for the browser. A person with no authenticator is
// offered a new secret.
func (s *Service) Begin(ctx context.Context, u user.User, next string) (string, Challenge, error) {
	token, err := session.NewToken()
	if err != nil {
		return "", Challenge{}, err
	}
	now := s.now().UTC()
	c := Challenge{ID: session.HashToken(token), UserID: u.ID, Next: next, CreatedAt: now, ExpiresAt: now.Add(ChallengeLifetime)}
	if _, err := s.store.SecondFactor(ctx, u.ID); errs.Is(err, errs.NotFound) {
		key, err := s.generate(u, nil) // a new random secret
		if err != nil {
			return "", Challenge{}, err
		}
		c.Secret = key.Secret()
	} else if err != nil {
		return "", Challenge{}, err
	}
	if err := s.store.CreateChallenge(ctx, c); err != nil {
		return "", Challenge{}, err
	}
	return token, c, nil
}

// errExpired sends the person back to the password.
func errExpired() error {
	return errs.E(errs.Unauthorized, "this sign-in has expired; please sign in again")
}

// Pending returns the live challenge of a token.
func (s *Service) Pending(ctx context.Context, token string) (Challenge, user.User, error) {
	if token == "" {
		return Challenge{}, user.User{}, errExpired()
	}
	c, err := s.store.Challenge(ctx, session.HashToken(token))
	if errs.Is(err, errs.NotFound) {
		return Challenge{}, user.User{}, errExpired()
	}
	if err != nil {
		return Challenge{}, user.User{}, err
	}
	if !s.now().Before(c.ExpiresAt) {
		if _, err := s.store.DeleteChallenge(ctx, c.ID); err != nil {
			return Challenge{}, user.User{}, err
		}
		return Challenge{}, user.User{}, errExpired()
	}
	u, err := s.store.User(ctx, c.UserID)
	if err != nil {
		return Challenge{}, user.User{}, err
	}
	if u.MaySignIn() != nil { // disabled, or their organisation deactivated, since the password
		return Challenge{}, user.User{}, errExpired()
	}
	return c, u, nil
}

// Enrolment is what a person needs to set up their app: the secret as a
// QR code (a PNG of its otpauth:// address) and as text to type.
type Enrolment struct {
	Secret string // in groups of four, as apps show it
	URL    string
	QR     []byte
}

// Enrolment returns the setup of the authenticator a challenge proposes.
func (s *Service) Enrolment(c Challenge, u user.User) (Enrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(c.Secret)
	if err != nil {
		return Enrolment{}, errs.Wrap(errs.Internal, err, "authenticator secret")
	}
	key, err := s.generate(u, raw)
	if err != nil {
		return Enrolment{}, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, errs.Wrap(errs.Internal, err, "QR code")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, errs.Wrap(errs.Internal, err, "QR code")
	}
	var groups []string
	for i := 0; i < len(c.Secret); i += 4 {
		groups = append(groups, c.Secret[i:min(i+4, len(c.Secret))])
	}
	return Enrolment{Secret: strings.Join(groups, " "), URL: key.URL(), QR: buf.Bytes()}, nil
}

func (s *Service) generate(u user.User, secret []byte) (*otp.Key, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.opt.Issuer, AccountName: u.Email, Period: period,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Secret: secret})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "authenticator key")
	}
	return key, nil
}

// Result is a completed second step.
type Result struct {
	User          user.User
	Next          string
	RecoveryCodes []string // new codes, shown once: at enrolment
	UsedRecovery  bool     // a recovery code was spent
	CodesLeft     int      // recovery codes left, after one was spent
}

// errNotSetUp answers a change to an authenticator the person does not have.
func errNotSetUp() error {
	return errs.E(errs.Conflict, "two-step sign-in is not set up for this account")
}

// errWrongCode is the answer to a code that is not right now.
func errWrongCode() error {
	return errs.Field(errs.Unauthorized, "code", "this code is not right; enter the code your app shows now")
}

// Complete checks the code of a challenge: a current TOTP code, or (once
// enrolled) a recovery code; at enrolment, the first code from the new
// secret, which is then kept with fresh recovery codes. Wrong codes count
// as failed sign-ins; after MaxFailures the challenge ends.
func (s *Service) Complete(ctx context.Context, token, code, ip string) (Result, error) {
	c, u, err := s.Pending(ctx, token)
	if err != nil {
		return Result{}, err
	}
	code = normalize(code)
	if code == "" {
		return Result{}, errs.Field(errs.Invalid, "code", "is required")
	}
	var res Result
	// Wrong codes are counted apart from wrong passwords ("code:" before
	// the account), under their own limit.
	ok, err := s.attempts.Attempt(ctx, "code:"+u.Email, ip, func() (bool, error) {
		var ok bool
		err := s.store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			if c.Enrolling() {
				ok, err = s.enrol(ctx, c, u, code, &res)
			} else {
				ok, err = s.verify(ctx, u, code, &res)
			}
			if err != nil || !ok {
				return err
			}
			// The challenge is spent with the code, once: of two tabs
			// sending a right code at the same moment, one signs in.
			gone, err := s.store.DeleteChallenge(ctx, c.ID)
			if err == nil && !gone {
				err = errExpired()
			}
			return err
		})
		return ok, err
	})
	if err != nil {
		return Result{}, err
	}
	if !ok {
		if err := s.auditWrongCode(ctx, u, ip); err != nil {
			return Result{}, err
		}
		n, err := s.store.FailChallenge(ctx, c.ID)
		if errs.Is(err, errs.NotFound) { // spent meanwhile, by another tab
			return Result{}, errExpired()
		}
		if err != nil {
			return Result{}, err
		}
		if n == 1 { // one mail per sign-in, however many codes it tries
			s.notify(ctx, u, s.noticeWrongCode(s.now(), ip))
		}
		if n >= MaxFailures {
			if _, err := s.store.DeleteChallenge(ctx, c.ID); err != nil {
				return Result{}, err
			}
			return Result{}, errExpired()
		}
		return Result{}, errWrongCode()
	}
	switch {
	case res.RecoveryCodes != nil:
		s.notify(ctx, u, s.noticeEnrolled(s.now(), ip))
	case res.UsedRecovery:
		s.notify(ctx, u, s.noticeRecoveryUsed(s.now(), ip, res.CodesLeft))
	}
	res.User, res.Next = u, c.Next
	return res, nil
}

// auditWrongCode keeps a wrong code in the audit log: it means someone
// holds the password (or the session), for the secretariat to see.
func (s *Service) auditWrongCode(ctx context.Context, u user.User, ip string) error {
	return s.store.AppendAudit(ctx, audit.New(u.ID, u.Email, "user.two_step.wrong_code", "user", u.ID,
		map[string]any{"ip": ip}, s.now()))
}

// enrol keeps the proposed secret once code proves the app has it.
func (s *Service) enrol(ctx context.Context, c Challenge, u user.User, code string, res *Result) (bool, error) {
	step, ok := match(c.Secret, code, s.now())
	if !ok {
		return false, nil
	}
	now := s.now().UTC()
	// Only the first enrolment counts: of two begun side by side (two
	// tabs, or someone else holding the password), a later one must not
	// replace the authenticator and void the recovery codes just shown.
	created, err := s.store.CreateSecondFactor(ctx, Factor{UserID: u.ID, Secret: c.Secret, LastStep: step, EnabledAt: now})
	if err != nil {
		return false, err
	}
	if !created {
		return false, errExpired()
	}
	codes, err := s.newRecoveryCodes(ctx, u.ID, now)
	if err != nil {
		return false, err
	}
	res.RecoveryCodes = codes
	return true, s.store.AppendAudit(ctx, audit.New(u.ID, u.Email, "user.two_step.enrol", "user", u.ID, nil, now))
}

// verify accepts a TOTP code once, or an unused recovery code.
func (s *Service) verify(ctx context.Context, u user.User, code string, res *Result) (bool, error) {
	f, err := s.store.SecondFactor(ctx, u.ID)
	if errs.Is(err, errs.NotFound) { // reset meanwhile
		return false, errExpired()
	}
	if err != nil {
		return false, err
	}
	if step, ok := match(f.Secret, code, s.now()); ok {
		return s.store.AdvanceSecondFactor(ctx, u.ID, step)
	}
	if len(code) != recoveryLength {
		return false, nil
	}
	now := s.now().UTC()
	used, err := s.store.UseRecoveryCode(ctx, u.ID, session.HashToken(code), now)
	if err != nil || !used {
		return false, err
	}
	left, err := s.store.RecoveryCodesLeft(ctx, u.ID)
	if err != nil {
		return false, err
	}
	res.UsedRecovery, res.CodesLeft = true, left
	return true, s.store.AppendAudit(ctx, audit.New(u.ID, u.Email, "user.two_step.recovery_code", "user", u.ID,
		map[string]any{"left": left}, now))
}

// match finds the step of a six-digit code from secret at now, allowing
// one step either side for a phone's clock that is a little off.
func match(secret, code string, now time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, skew := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(skew*period) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / period, true
		}
	}
	return 0, false
}

// Status is what a person's account page says of their second step.
type Status struct {
	Enabled   bool
	Required  bool
	EnabledAt time.Time
	CodesLeft int
}

// StatusOf returns u's second step.
func (s *Service) StatusOf(ctx context.Context, u user.User) (Status, error) {
	st := Status{Required: s.opt.Required && u.Role == user.Secretariat}
	f, err := s.store.SecondFactor(ctx, u.ID)
	if errs.Is(err, errs.NotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Enabled, st.EnabledAt = true, f.EnabledAt
	st.CodesLeft, err = s.store.RecoveryCodesLeft(ctx, u.ID)
	return st, err
}

// RenewRecoveryCodes replaces a signed-in person's recovery codes with new
// ones, shown once; the old ones stop working. It asks for a code (from
// the app, or a recovery code for a lost phone) as a sign-in does: a
// session left open on a shared computer must not be enough to take the
// codes that open the account. Wrong codes count and are audited as at
// sign-in, under the same limit.
func (s *Service) RenewRecoveryCodes(ctx context.Context, by user.Actor, code, ip string) ([]string, error) {
	u, err := s.store.User(ctx, by.UserID)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.SecondFactor(ctx, u.ID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errNotSetUp()
		}
		return nil, err
	}
	if code = normalize(code); code == "" {
		return nil, errs.Field(errs.Invalid, "code", "is required")
	}
	var codes []string
	ok, err := s.attempts.Attempt(ctx, "code:"+u.Email, ip, func() (bool, error) {
		var ok bool
		err := s.store.WithTx(ctx, func(ctx context.Context) error {
			var err error
			if ok, err = s.verify(ctx, u, code, &Result{}); err != nil || !ok {
				return err
			}
			now := s.now().UTC()
			if codes, err = s.newRecoveryCodes(ctx, u.ID, now); err != nil {
				return err
			}
			return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "user.two_step.recovery_codes", "user", by.UserID, nil, now))
		})
		return ok, err
	})
	if errs.Is(err, errs.Unauthorized) { // the authenticator was reset meanwhile
		return nil, errNotSetUp()
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := s.auditWrongCode(ctx, u, ip); err != nil {
			return nil, err
		}
		s.notify(ctx, u, s.noticeRenewRefused(s.now(), ip))
		return nil, errWrongCode()
	}
	s.notify(ctx, u, s.noticeRenewed(s.now(), ip))
	return codes, nil
}

// Reset removes a person's authenticator, for a lost phone with no
// recovery code left; their next sign-in sets up a new one. It also
// revokes their API tokens: whoever has the phone may have had the account
// open. It is done from the command line, by whoever runs the server.
func (s *Service) Reset(ctx context.Context, by user.Actor, email string) (user.User, error) {
	var u user.User
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email))); err != nil {
			return err
		}
		if _, err := s.store.SecondFactor(ctx, u.ID); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.E(errs.Conflict, "%s has no authenticator to reset: their next sign-in sets one up", u.Email)
			}
			return err
		}
		if err := s.store.DeleteSecondFactor(ctx, u.ID); err != nil {
			return err
		}
		// A sign-in waiting for a code of the old authenticator starts over.
		if err := s.store.DeleteUserChallenges(ctx, u.ID); err != nil {
			return err
		}
		revoked, err := s.store.RevokeUserTokens(ctx, u.ID, s.now())
		if err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "user.two_step.reset", "user", u.ID,
			map[string]any{"tokens_revoked": revoked}, s.now()))
	})
	if err != nil {
		return u, err
	}
	s.notify(ctx, u, s.noticeReset(s.now()))
	return u, nil
}

// Recovery codes: ten characters of base32 (50 bits), shown as two groups
// of five: beyond guessing under the sign-in limits, so a plain SHA-256
// suffices to store them.
const recoveryLength = 10

func (s *Service) newRecoveryCodes(ctx context.Context, userID int64, at time.Time) ([]string, error) {
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		code := strings.ToLower(rand.Text()[:recoveryLength])
		codes[i], hashes[i] = code[:5]+"-"+code[5:], session.HashToken(code)
	}
	return codes, s.store.ReplaceRecoveryCodes(ctx, userID, hashes, at)
}

// normalize reads a code as people type it: spaces and dashes dropped,
// letters in lower case.
func normalize(code string) string {
	code = strings.ToLower(code)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}

// Package session keeps signed-in sessions in the database, so every
// replica shares them. The browser holds a random token; the database keeps
// only its SHA-256, so a copy of the table signs nobody in.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

// Session is one sign-in of a user.
type Session struct {
	ID         string // SHA-256 of the token, hex
	UserID     int64
	CSRF       string // the token every form of this session must carry
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, whatever the use
}

// Store keeps sessions.
type Store interface {
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, id string) (Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
}

// Service starts, resumes and ends sessions.
type Service struct {
	store    Store
	now      func() time.Time
	idle     time.Duration
	absolute time.Duration
}

// NewService builds the service with its idle and absolute timeouts.
func NewService(store Store, now func() time.Time, idle, absolute time.Duration) *Service {
	return &Service{store: store, now: now, idle: idle, absolute: absolute}
}

// touchEvery spares a write per request: last use is recorded at most this
// often, which is precise enough for a 30-minute idle timeout.
const touchEvery = time.Minute

// Start opens a new session for a user who just signed in, and returns the
// token for the cookie. A fresh token at every sign-in defeats session
// fixation.
func (s *Service) Start(ctx context.Context, userID int64, ip, userAgent string) (string, Session, error) {
	token, err := NewToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := NewToken()
	if err != nil {
		return "", Session{}, err
	}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	now := s.now().UTC()
	sess := Session{ID: HashToken(token), UserID: userID, CSRF: csrf, IP: ip, UserAgent: userAgent,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.absolute)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// Resume returns the live session of a token. A session past its idle or
// absolute timeout is deleted and the answer is Unauthorized.
func (s *Service) Resume(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, errs.E(errs.Unauthorized, "not signed in")
	}
	sess, err := s.store.Session(ctx, HashToken(token))
	if errs.Is(err, errs.NotFound) {
		return Session{}, errs.E(errs.Unauthorized, "the session has ended; please sign in again")
	}
	if err != nil {
		return Session{}, err
	}
	now := s.now().UTC()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.idle {
		if err := s.store.DeleteSession(ctx, sess.ID); err != nil {
			return Session{}, err
		}
		return Session{}, errs.E(errs.Unauthorized, "the session has ended; please sign in again")
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return Session{}, err
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// End deletes the session of a token; ending an unknown session is not an
// error.
func (s *Service) End(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, HashToken(token))
}

// EndAll deletes every session of a user, as after a password change.
func (s *Service) EndAll(ctx context.Context, userID int64) error {
	return s.store.DeleteUserSessions(ctx, userID)
}

// NewToken returns 256 random bits for a cookie or a link, URL-safe.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", errs.Wrap(errs.Internal, err, "random token")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is what is stored of a token: its SHA-256, in hex.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

type ctxKey struct{}

// With returns ctx carrying the request's session.
func With(ctx context.Context, s Session) context.Context { return context.WithValue(ctx, ctxKey{}, s) }

// From returns the request's session, if it was made with one.
func From(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}

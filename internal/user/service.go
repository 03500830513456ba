package user

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	Users(ctx context.Context, f Filter) ([]User, int, error)
	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	RevokeToken(ctx context.Context, userID, id int64, at time.Time) error
	// SetUserPreferences keeps a chosen language and the notices turned off.
	SetUserPreferences(ctx context.Context, id int64, lang string, off []Notice, at time.Time) error
	// NoteUserLanguage keeps the language last used, unless one was chosen.
	NoteUserLanguage(ctx context.Context, id int64, lang string) error
}

// Service manages accounts and tokens.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Create validates and stores a new user. The password, when given, is
// hashed before anything is written; it is never stored or logged.
func (s *Service) Create(ctx context.Context, by Actor, in Input) (User, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	var hash string
	if in.Password != "" {
		var err error
		if hash, err = HashPassword(in.Password); err != nil {
			return User{}, err
		}
	}
	now := s.now().UTC()
	u := User{Email: in.Email, Name: in.Name, Role: in.Role, StakeholderID: in.StakeholderID,
		OrgRole: in.OrgRole, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateUser(ctx, &u); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "user.create", "user", u.ID,
			map[string]any{"email": u.Email, "role": u.Role, "stakeholder_id": u.StakeholderID, "org_role": u.OrgRole}, now))
	})
	return u, err
}

// Get returns one user.
func (s *Service) Get(ctx context.Context, id int64) (User, error) { return s.store.User(ctx, id) }

// GetByEmail finds a user by email address, whatever its case.
func (s *Service) GetByEmail(ctx context.Context, email string) (User, error) {
	return s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
}

// List returns a page of users and the total that match.
func (s *Service) List(ctx context.Context, f Filter) ([]User, int, error) {
	return s.store.Users(ctx, f)
}

// CreateToken issues an API token for the user with that email. The secret
// is returned once and only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, by Actor, email, name string) (Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	f := errs.FieldErrors{}
	if f.Text("name", name, false, 100); len(f) > 0 {
		return Token{}, "", f.Err()
	}
	secret, hash, err := NewTokenSecret()
	if err != nil {
		return Token{}, "", err
	}
	var t Token
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Field(errs.NotFound, "email", "no user with this email")
			}
			return err
		}
		if u.Disabled {
			return errs.Field(errs.Invalid, "email", "the user is disabled")
		}
		if u.OrgInactive {
			return errs.Field(errs.Invalid, "email", "the user's organisation is deactivated")
		}
		t = Token{UserID: u.ID, Name: name, Hash: hash, CreatedAt: s.now().UTC()}
		if err := s.store.CreateToken(ctx, &t); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "token.create", "user", u.ID,
			map[string]any{"token_id": t.ID, "name": t.Name}, t.CreatedAt))
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// ByToken returns the user an API token acts as. A revoked token, or one of
// a person who may not sign in (see MaySignIn), is no longer accepted.
func (s *Service) ByToken(ctx context.Context, secret string) (User, error) {
	unauthorized := errs.E(errs.Unauthorized, "the API token is not valid")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return User{}, unauthorized
	}
	t, err := s.store.TokenByHash(ctx, HashToken(secret))
	if errs.Is(err, errs.NotFound) {
		return User{}, unauthorized
	}
	if err != nil {
		return User{}, err
	}
	if t.RevokedAt != nil {
		return User{}, unauthorized
	}
	u, err := s.store.User(ctx, t.UserID)
	if err != nil {
		return User{}, err
	}
	if u.MaySignIn() != nil {
		return User{}, unauthorized
	}
	// Record use at most once a minute: enough to show "last used".
	if now := s.now().UTC(); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// Tokens lists a user's API tokens, newest first.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	return s.store.Tokens(ctx, userID)
}

// RevokeToken stops one of the caller's tokens from working.
func (s *Service) RevokeToken(ctx context.Context, by Actor, id int64) error {
	now := s.now().UTC()
	return s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.RevokeToken(ctx, by.UserID, id, now); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "token.revoke", "user", by.UserID,
			map[string]any{"token_id": id}, now))
	})
}

// Preferences is what a person sets about the mail pctracker sends them.
type Preferences struct {
	Lang       string   // "en" or "fr"
	NoticesOff []Notice // the kinds they do not want
}

// SetPreferences keeps the caller's language and the notices they turned
// off. Security notices cannot be turned off: they are not among the kinds.
func (s *Service) SetPreferences(ctx context.Context, by Actor, p Preferences) (User, error) {
	if by.UserID == 0 {
		return User{}, errs.E(errs.Unauthorized, "sign in to set your preferences")
	}
	f := errs.FieldErrors{}
	if locale.Supported(p.Lang) != p.Lang || p.Lang == "" {
		f.Addf("lang", "choose en or fr, not %q", p.Lang)
	}
	var off []Notice
	for _, n := range p.NoticesOff {
		if !n.Valid() {
			f.Addf("notices", "%q is not a kind of notice", n)
			continue
		}
		if !slices.Contains(off, n) {
			off = append(off, n)
		}
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	slices.Sort(off)
	now := s.now().UTC()
	var u User
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.SetUserPreferences(ctx, by.UserID, p.Lang, off, now); err != nil {
			return err
		}
		var err error
		if u, err = s.store.User(ctx, by.UserID); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "user.preferences", "user", by.UserID,
			map[string]any{"lang": p.Lang, "notices_off": off}, now))
	})
	return u, err
}

// NoteLanguage remembers the language a person last used, for the mail
// written to them, unless they chose one on their account page.
func (s *Service) NoteLanguage(ctx context.Context, userID int64, lang string) error {
	if userID == 0 || locale.Supported(lang) == "" {
		return nil
	}
	return s.store.NoteUserLanguage(ctx, userID, locale.Supported(lang))
}

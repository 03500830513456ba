package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

type userRow struct {
	ID            int64 `gorm:"primaryKey"`
	Email         string
	Name          string
	Role          string
	StakeholderID *int64
	OrgRole       string
	PasswordHash  string
	Disabled      bool
	OrgInactive   bool `gorm:"->"` // read by withOrg, never written
	Lang          string
	LangChosen    bool
	NoticesOff    string    // one kind per line
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"`
}

func (userRow) TableName() string { return "users" }

func noticesOf(s string) []user.Notice {
	var out []user.Notice
	for _, n := range strings.Split(s, "\n") {
		if n != "" {
			out = append(out, user.Notice(n))
		}
	}
	return out
}

func (r userRow) domain() user.User {
	return user.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: user.Role(r.Role), StakeholderID: idOf(r.StakeholderID),
		OrgRole: user.OrgRole(r.OrgRole), PasswordHash: r.PasswordHash, Disabled: r.Disabled, OrgInactive: r.OrgInactive,
		Lang: r.Lang, LangChosen: r.LangChosen, NoticesOff: noticesOf(r.NoticesOff),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type tokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

// CreateUser inserts u and sets its ID.
func (db *DB) CreateUser(ctx context.Context, u *user.User) error {
	r := userRow{Email: u.Email, Name: u.Name, Role: string(u.Role), StakeholderID: nullID(u.StakeholderID),
		OrgRole: string(u.OrgRole), PasswordHash: u.PasswordHash, Disabled: u.Disabled, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		switch {
		case isUnique(err):
			return errs.Field(errs.Conflict, "email", "a user with this email already exists")
		case isForeignKey(err):
			return errs.Field(errs.Invalid, "stakeholder", "no such organisation")
		}
		return translate(err)
	}
	u.ID = r.ID
	return nil
}

// withOrg reads users with whether their organisation is deactivated,
// which keeps them from signing in: one query, so that the check cannot
// miss a user read elsewhere. Conditions name users' columns in full.
func (db *DB) withOrg(ctx context.Context) *gorm.DB {
	return db.conn(ctx).Model(&userRow{}).
		Select("users.*, (stakeholders.id IS NOT NULL AND NOT stakeholders.active) AS org_inactive").
		Joins("LEFT JOIN stakeholders ON stakeholders.id = users.stakeholder_id")
}

// User returns one user.
func (db *DB) User(ctx context.Context, id int64) (user.User, error) {
	var r userRow
	if err := db.withOrg(ctx).Where("users.id = ?", id).Take(&r).Error; err != nil {
		return user.User{}, notFound(err, "no user %d", id)
	}
	return r.domain(), nil
}

// UserByEmail finds a user by email, whatever its case.
func (db *DB) UserByEmail(ctx context.Context, email string) (user.User, error) {
	var r userRow
	if err := db.withOrg(ctx).Where("users.email = ?", strings.ToLower(email)).Take(&r).Error; err != nil {
		return user.User{}, notFound(err, "no user with this email")
	}
	return r.domain(), nil
}

// Users lists users by email.
func (db *DB) Users(ctx context.Context, f user.Filter) ([]user.User, int, error) {
	q := db.conn(ctx).Model(&userRow{})
	if f.StakeholderID != 0 {
		q = q.Where("stakeholder_id = ?", f.StakeholderID)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	var rows []userRow
	if err := q.Order("email").Limit(limit(f.Limit)).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	out := make([]user.User, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, int(total), nil
}

// CreateToken inserts t and sets its ID.
func (db *DB) CreateToken(ctx context.Context, t *user.Token) error {
	r := tokenRow{UserID: t.UserID, Name: t.Name, TokenHash: t.Hash, CreatedAt: t.CreatedAt}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	t.ID = r.ID
	return nil
}

// notFound turns a missing row into a NotFound with a message for people.
func notFound(err error, format string, args ...any) error {
	if errs.Is(translate(err), errs.NotFound) {
		return errs.E(errs.NotFound, format, args...)
	}
	return translate(err)
}

func (r tokenRow) domain() user.Token {
	return user.Token{ID: r.ID, UserID: r.UserID, Name: r.Name, Hash: r.TokenHash, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: utc(r.LastUsedAt), RevokedAt: utc(r.RevokedAt)}
}

// TokenByHash finds a token by the hash of its secret.
func (db *DB) TokenByHash(ctx context.Context, hash string) (user.Token, error) {
	var r tokenRow
	if err := db.conn(ctx).Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return user.Token{}, notFound(err, "no such token")
	}
	return r.domain(), nil
}

// Tokens lists a user's tokens, newest first.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]user.Token, error) {
	var rows []tokenRow
	if err := db.conn(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]user.Token, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// TouchToken records the last use of a token.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return translate(db.conn(ctx).Model(&tokenRow{}).Where("id = ?", id).Update("last_used_at", at.UTC()).Error)
}

// RevokeToken revokes a token of userID; another user's token is not found.
func (db *DB) RevokeToken(ctx context.Context, userID, id int64, at time.Time) error {
	res := db.conn(ctx).Model(&tokenRow{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, userID).Update("revoked_at", at.UTC())
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "no such token")
	}
	return nil
}

// RevokeUserTokens revokes every API token of a user still in force and
// says how many.
func (db *DB) RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int, error) {
	res := db.conn(ctx).Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", at.UTC())
	return int(res.RowsAffected), translate(res.Error)
}

// SetUserPreferences keeps a person's chosen language and the notices they
// turned off.
func (db *DB) SetUserPreferences(ctx context.Context, id int64, lang string, off []user.Notice, at time.Time) error {
	lines := make([]string, len(off))
	for i, n := range off {
		lines[i] = string(n)
	}
	res := db.conn(ctx).Model(&userRow{}).Where("id = ?", id).Updates(map[string]any{
		"lang": lang, "lang_chosen": true, "notices_off": strings.Join(lines, "\n"), "updated_at": at})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "no user %d", id)
	}
	return nil
}

// NoteUserLanguage keeps the language a person last used, unless they
// chose one; it writes only when the language changes.
func (db *DB) NoteUserLanguage(ctx context.Context, id int64, lang string) error {
	return translate(db.conn(ctx).Model(&userRow{}).Where("id = ? AND lang_chosen = ? AND lang <> ?", id, false, lang).
		Update("lang", lang).Error)
}

// Supporters returns the people of an organisation, or of every
// organisation when stakeholderID is 0, by email, unpaged.
func (db *DB) Supporters(ctx context.Context, stakeholderID int64) ([]user.User, error) {
	q := db.conn(ctx).Where("role = ?", string(user.Supporter))
	if stakeholderID != 0 {
		q = q.Where("stakeholder_id = ?", stakeholderID)
	}
	var rows []userRow
	if err := q.Order("email").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]user.User, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

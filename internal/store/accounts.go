package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/user"
)

type accountTokenRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	Purpose   string
	TokenHash string
	CreatedBy *int64
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (accountTokenRow) TableName() string { return "account_tokens" }

// CreateAccountToken stores a link's record and sets its ID.
func (db *DB) CreateAccountToken(ctx context.Context, t *account.Token) error {
	r := accountTokenRow{UserID: t.UserID, Purpose: string(t.Purpose), TokenHash: t.Hash, CreatedBy: nullID(t.CreatedBy),
		CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt.UTC()}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	t.ID = r.ID
	return nil
}

// AccountToken finds a link by the hash of its secret.
func (db *DB) AccountToken(ctx context.Context, hash string) (account.Token, error) {
	var r accountTokenRow
	if err := db.conn(ctx).Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return account.Token{}, notFound(err, "no such link")
	}
	return account.Token{ID: r.ID, UserID: r.UserID, Purpose: account.Purpose(r.Purpose), Hash: r.TokenHash,
		CreatedBy: idOf(r.CreatedBy), CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utc(r.UsedAt)}, nil
}

// UseAccountToken marks a link used, unless it already was.
func (db *DB) UseAccountToken(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := db.conn(ctx).Model(&accountTokenRow{}).Where("id = ? AND used_at IS NULL", id).Update("used_at", at.UTC())
	return res.RowsAffected == 1, translate(res.Error)
}

// SetPassword stores a new password hash.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, at time.Time) error {
	return translate(db.conn(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"password_hash": hash, "updated_at": at.UTC()}).Error)
}

// RetireAccountTokens marks every unused token of a user used.
func (db *DB) RetireAccountTokens(ctx context.Context, userID int64, at time.Time) error {
	return translate(db.conn(ctx).Model(&accountTokenRow{}).Where("user_id = ? AND used_at IS NULL", userID).
		Update("used_at", at.UTC()).Error)
}

// AccountTokensSince counts a user's tokens of a purpose issued since.
func (db *DB) AccountTokensSince(ctx context.Context, userID int64, p account.Purpose, since time.Time) (int, error) {
	var n int64
	err := db.conn(ctx).Model(&accountTokenRow{}).Where("user_id = ? AND purpose = ? AND created_at > ?", userID, string(p), since.UTC()).Count(&n).Error
	return int(n), translate(err)
}

type invitationToAccountRow struct {
	ID            int64 `gorm:"primaryKey"`
	StakeholderID int64
	Email         string
	Name          string
	OrgRole       string
	InvitedBy     *int64
	InvitedAt     time.Time
}

func (invitationToAccountRow) TableName() string { return "invitations_to_accounts" }

// SaveInvitationToAccount records an invitation into an organisation sent to
// an address that has an account; inviting it again updates the record.
func (db *DB) SaveInvitationToAccount(ctx context.Context, inv account.Standing) error {
	r := invitationToAccountRow{StakeholderID: inv.StakeholderID, Email: strings.ToLower(inv.Email), Name: inv.Name,
		OrgRole: string(inv.OrgRole), InvitedBy: nullID(inv.InvitedBy), InvitedAt: inv.InvitedAt.UTC()}
	return translate(db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "stakeholder_id"}, {Name: "email"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "org_role", "invited_by", "invited_at"}),
	}).Create(&r).Error)
}

// InvitationsToAccounts lists an organisation's invitations to addresses
// that have an account, by email.
func (db *DB) InvitationsToAccounts(ctx context.Context, stakeholderID int64) ([]account.Standing, error) {
	var rows []invitationToAccountRow
	if err := db.conn(ctx).Where("stakeholder_id = ?", stakeholderID).Order("email").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]account.Standing, len(rows))
	for i, r := range rows {
		out[i] = account.Standing{StakeholderID: r.StakeholderID, Email: r.Email, Name: r.Name, OrgRole: user.OrgRole(r.OrgRole),
			InvitedBy: idOf(r.InvitedBy), InvitedAt: r.InvitedAt.UTC()}
	}
	return out, nil
}

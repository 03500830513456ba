package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/twostep"
)

type secondFactorRow struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Secret    string
	LastStep  int64
	EnabledAt time.Time
}

func (secondFactorRow) TableName() string { return "second_factors" }

type recoveryCodeRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	CodeHash  string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UsedAt    *time.Time
}

func (recoveryCodeRow) TableName() string { return "recovery_codes" }

type challengeRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    int64
	Secret    string
	Next      string
	Failures  int
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt time.Time
}

func (challengeRow) TableName() string { return "signin_challenges" }

// SecondFactor returns a person's authenticator.
func (db *DB) SecondFactor(ctx context.Context, userID int64) (twostep.Factor, error) {
	var r secondFactorRow
	if err := db.conn(ctx).Where("user_id = ?", userID).Take(&r).Error; err != nil {
		return twostep.Factor{}, notFound(err, "no authenticator for user %d", userID)
	}
	return twostep.Factor{UserID: r.UserID, Secret: r.Secret, LastStep: r.LastStep, EnabledAt: r.EnabledAt.UTC()}, nil
}

// CreateSecondFactor keeps a new authenticator, unless the person has one:
// it never replaces one (a reset deletes it first).
func (db *DB) CreateSecondFactor(ctx context.Context, f twostep.Factor) (bool, error) {
	r := secondFactorRow{UserID: f.UserID, Secret: f.Secret, LastStep: f.LastStep, EnabledAt: f.EnabledAt.UTC()}
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	return res.RowsAffected == 1, translate(res.Error)
}

// DeleteSecondFactor removes a person's authenticator and recovery codes.
func (db *DB) DeleteSecondFactor(ctx context.Context, userID int64) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Where("user_id = ?", userID).Delete(&recoveryCodeRow{}).Error; err != nil {
			return translate(err)
		}
		return translate(db.conn(ctx).Where("user_id = ?", userID).Delete(&secondFactorRow{}).Error)
	})
}

// AdvanceSecondFactor records step as the last used, if it is later than
// the one recorded: the condition and the write are one statement, so two
// uses of a code cannot both pass.
func (db *DB) AdvanceSecondFactor(ctx context.Context, userID, step int64) (bool, error) {
	res := db.conn(ctx).Model(&secondFactorRow{}).Where("user_id = ? AND last_step < ?", userID, step).Update("last_step", step)
	return res.RowsAffected == 1, translate(res.Error)
}

// ReplaceRecoveryCodes puts new recovery codes in place of the old ones.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string, at time.Time) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Where("user_id = ?", userID).Delete(&recoveryCodeRow{}).Error; err != nil {
			return translate(err)
		}
		rows := make([]recoveryCodeRow, len(hashes))
		for i, h := range hashes {
			rows[i] = recoveryCodeRow{UserID: userID, CodeHash: h, CreatedAt: at.UTC()}
		}
		return translate(db.conn(ctx).Create(&rows).Error)
	})
}

// UseRecoveryCode marks an unused code used, in one statement.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error) {
	res := db.conn(ctx).Model(&recoveryCodeRow{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, hash).
		Update("used_at", at.UTC())
	return res.RowsAffected == 1, translate(res.Error)
}

// RecoveryCodesLeft counts a person's unused recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := db.conn(ctx).Model(&recoveryCodeRow{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error
	return int(n), translate(err)
}

// CreateChallenge stores a sign-in waiting for its code.
func (db *DB) CreateChallenge(ctx context.Context, c twostep.Challenge) error {
	r := challengeRow{ID: c.ID, UserID: c.UserID, Secret: c.Secret, Next: c.Next, Failures: c.Failures,
		CreatedAt: c.CreatedAt.UTC(), ExpiresAt: c.ExpiresAt.UTC()}
	return translate(db.conn(ctx).Create(&r).Error)
}

// Challenge returns a sign-in waiting for its code.
func (db *DB) Challenge(ctx context.Context, id string) (twostep.Challenge, error) {
	var r challengeRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return twostep.Challenge{}, notFound(err, "no such sign-in")
	}
	return twostep.Challenge{ID: r.ID, UserID: r.UserID, Secret: r.Secret, Next: r.Next, Failures: r.Failures,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}

// FailChallenge counts a wrong code and returns the new count.
func (db *DB) FailChallenge(ctx context.Context, id string) (int, error) {
	var n int
	err := db.WithTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Model(&challengeRow{}).Where("id = ?", id).
			Update("failures", gorm.Expr("failures + 1")).Error; err != nil {
			return translate(err)
		}
		var r challengeRow
		if err := db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
			return notFound(err, "no such sign-in")
		}
		n = r.Failures
		return nil
	})
	return n, err
}

// DeleteChallenge removes a challenge and reports whether it was there.
func (db *DB) DeleteChallenge(ctx context.Context, id string) (bool, error) {
	res := db.conn(ctx).Where("id = ?", id).Delete(&challengeRow{})
	return res.RowsAffected == 1, translate(res.Error)
}

// DeleteUserChallenges removes every sign-in of a person waiting for a code.
func (db *DB) DeleteUserChallenges(ctx context.Context, userID int64) error {
	return translate(db.conn(ctx).Where("user_id = ?", userID).Delete(&challengeRow{}).Error)
}

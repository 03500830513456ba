package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/signin"
)

type signInFailureRow struct {
	ID      int64 `gorm:"primaryKey"`
	Account string
	IP      string `gorm:"column:ip"`
	At      time.Time
}

func (signInFailureRow) TableName() string { return "signin_failures" }

// RecordSignInFailure counts one failed sign-in and returns its id.
func (db *DB) RecordSignInFailure(ctx context.Context, account, ip string, at time.Time) (int64, error) {
	r := signInFailureRow{Account: account, IP: ip, At: at.UTC()}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return 0, translate(err)
	}
	return r.ID, nil
}

// DeleteSignInFailure takes back an attempt that succeeded.
func (db *DB) DeleteSignInFailure(ctx context.Context, id int64) error {
	return translate(db.conn(ctx).Where("id = ?", id).Delete(&signInFailureRow{}).Error)
}

// SignInFailures counts recent failures of an account and of an address,
// with the oldest of each. The oldest is read as a row, not as min(at): an
// aggregate has no declared type on SQLite and would come back as text.
func (db *DB) SignInFailures(ctx context.Context, account, ip string, accountSince, ipSince time.Time) (signin.Failures, error) {
	var f signin.Failures
	var err error
	if f.Account, f.OldestAccount, err = db.failures(ctx, "account", account, accountSince); err != nil {
		return f, err
	}
	f.IP, f.OldestIP, err = db.failures(ctx, "ip", ip, ipSince)
	return f, err
}

func (db *DB) failures(ctx context.Context, column, value string, since time.Time) (int, time.Time, error) {
	q := db.conn(ctx).Model(&signInFailureRow{}).Where(column+" = ? AND at > ?", value, since.UTC())
	var n int64
	if err := q.Count(&n).Error; err != nil || n == 0 {
		return 0, time.Time{}, translate(err)
	}
	var oldest signInFailureRow
	if err := q.Order("at").Limit(1).Take(&oldest).Error; err != nil {
		return 0, time.Time{}, translate(err)
	}
	return int(n), oldest.At.UTC(), nil
}

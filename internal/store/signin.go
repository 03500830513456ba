package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/signin"
)

type signInFailureRow struct {
	ID       int64 `gorm:"primaryKey"`
	Account  string
	IP       string `gorm:"column:ip"`
	DeviceID *int64
	At       time.Time
}

func (signInFailureRow) TableName() string { return "signin_failures" }

type signInDeviceRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	TokenHash  string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastUsedAt time.Time
	Account    string `gorm:"->"` // the user's email, read with the device
}

func (signInDeviceRow) TableName() string { return "signin_devices" }

// RecordSignInFailure counts one failed sign-in and returns its id.
func (db *DB) RecordSignInFailure(ctx context.Context, account, ip string, device int64, at time.Time) (int64, error) {
	r := signInFailureRow{Account: account, IP: ip, DeviceID: nullID(device), At: at.UTC()}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return 0, translate(err)
	}
	return r.ID, nil
}

// DeleteSignInFailure takes back an attempt that succeeded, or that was
// refused before it was judged.
func (db *DB) DeleteSignInFailure(ctx context.Context, id int64) error {
	return translate(db.conn(ctx).Where("id = ?", id).Delete(&signInFailureRow{}).Error)
}

// ClearSignInFailures forgets the failed sign-ins of an account, as when
// its owner has just proved who they are by a link sent to their mailbox.
func (db *DB) ClearSignInFailures(ctx context.Context, account string) error {
	return translate(db.conn(ctx).Where("account = ?", account).Delete(&signInFailureRow{}).Error)
}

// SignInFailures counts recent failures of an account, of an address and
// of a device, with the oldest of each. The oldest is read as a row, not as
// min(at): an aggregate has no declared type on SQLite and would come back
// as text.
func (db *DB) SignInFailures(ctx context.Context, account, ip string, device int64, accountSince, ipSince time.Time) (signin.Failures, error) {
	var f signin.Failures
	var err error
	if f.Account, f.OldestAccount, err = db.failures(ctx, "account", account, accountSince); err != nil {
		return f, err
	}
	if device != 0 {
		if f.Device, f.OldestDevice, err = db.failures(ctx, "device_id", device, accountSince); err != nil {
			return f, err
		}
	}
	f.IP, f.OldestIP, err = db.failures(ctx, "ip", ip, ipSince)
	return f, err
}

func (db *DB) failures(ctx context.Context, column string, value any, since time.Time) (int, time.Time, error) {
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

// CreateSignInDevice keeps a browser that has just signed in, and sets its ID.
func (db *DB) CreateSignInDevice(ctx context.Context, d *signin.Device) error {
	r := signInDeviceRow{UserID: d.UserID, TokenHash: d.Hash, CreatedAt: d.CreatedAt.UTC(), LastUsedAt: d.LastUsedAt.UTC()}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	d.ID = r.ID
	return nil
}

// SignInDevice finds a device by the hash of its token, with the email of
// the account it belongs to.
func (db *DB) SignInDevice(ctx context.Context, hash string) (signin.Device, error) {
	var r signInDeviceRow
	err := db.conn(ctx).Model(&signInDeviceRow{}).Select("signin_devices.*, users.email AS account").
		Joins("JOIN users ON users.id = signin_devices.user_id").Where("signin_devices.token_hash = ?", hash).Take(&r).Error
	if err != nil {
		return signin.Device{}, notFound(err, "no such device")
	}
	return signin.Device{ID: r.ID, UserID: r.UserID, Account: r.Account, Hash: r.TokenHash,
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: r.LastUsedAt.UTC()}, nil
}

// TouchSignInDevice records a sign-in from a device.
func (db *DB) TouchSignInDevice(ctx context.Context, id int64, at time.Time) error {
	return translate(db.conn(ctx).Model(&signInDeviceRow{}).Where("id = ?", id).Update("last_used_at", at.UTC()).Error)
}

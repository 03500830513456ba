package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/idempotency"
)

type idempotencyRow struct {
	UserID      int64  `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	RequestHash string
	Status      int
	Body        string
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// ClaimIdempotencyKey reserves a key, or returns who has it.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, r idempotency.Record, staleBefore time.Time) (idempotency.Record, bool, error) {
	row := idempotencyRow{UserID: r.UserID, Key: r.Key, RequestHash: r.RequestHash, CreatedAt: r.CreatedAt.UTC()}
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return idempotency.Record{}, false, translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return r, true, nil
	}
	// A first request that never finished: take its key over.
	res = db.conn(ctx).Model(&idempotencyRow{}).
		Where("user_id = ? AND key = ? AND status = 0 AND created_at < ?", r.UserID, r.Key, staleBefore.UTC()).
		Updates(map[string]any{"request_hash": r.RequestHash, "created_at": r.CreatedAt.UTC()})
	if res.Error != nil {
		return idempotency.Record{}, false, translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return r, true, nil
	}
	var cur idempotencyRow
	if err := db.conn(ctx).Where("user_id = ? AND key = ?", r.UserID, r.Key).Take(&cur).Error; err != nil {
		return idempotency.Record{}, false, translate(err)
	}
	return idempotency.Record{UserID: cur.UserID, Key: cur.Key, RequestHash: cur.RequestHash, Status: cur.Status,
		Body: []byte(cur.Body), CreatedAt: cur.CreatedAt.UTC()}, false, nil
}

// CompleteIdempotencyKey keeps the answer given for a key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, userID int64, key string, status int, body []byte) error {
	return translate(db.conn(ctx).Model(&idempotencyRow{}).Where("user_id = ? AND key = ?", userID, key).
		Updates(map[string]any{"status": status, "body": string(body)}).Error)
}

// ReleaseIdempotencyKey frees a key whose request failed, so that a retry
// runs again.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	return translate(db.conn(ctx).Where("user_id = ? AND key = ? AND status = 0", userID, key).Delete(&idempotencyRow{}).Error)
}

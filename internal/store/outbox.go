package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// The outboxes (deadline reminders, subscribers' mails, CDN purges) are
// drained alike: a sender claims a due row by a conditional update that
// commits at once, on the database itself rather than in a transaction of
// ctx, so that what goes out goes after its claim is durable and two
// senders never claim one row; the claim is a lease, and the row is marked
// sent or put back only while that claim holds.

// outboxRow is a row of an outbox: it gives the fields a claim reads and
// moves.
type outboxRow[R any] interface {
	*R
	claimFields() (id int64, status *string, attempts *int, next *time.Time)
}

// claimDue claims up to limit rows of R's outbox that are due at now,
// leased until lease, and returns them as claimed (status sending).
func claimDue[R any, P outboxRow[R]](ctx context.Context, db *DB, now, lease time.Time, limit int, sending string) ([]R, error) {
	conn := db.gorm.WithContext(ctx)
	var due []R
	if err := conn.Where("status IN ('pending', 'sending') AND next_attempt_at <= ?", now.UTC()).
		Order("next_attempt_at, id").Limit(limit).Find(&due).Error; err != nil {
		return nil, translate(err)
	}
	var out []R
	for i := range due {
		id, status, attempts, next := P(&due[i]).claimFields()
		res := conn.Model(P(new(R))).Where("id = ? AND status = ? AND attempts = ?", id, *status, *attempts).
			Updates(map[string]any{"status": sending, "attempts": *attempts + 1, "next_attempt_at": lease.UTC()})
		if res.Error != nil {
			return out, translate(res.Error)
		}
		if res.RowsAffected == 1 {
			*status, *attempts, *next = sending, *attempts+1, lease.UTC()
			out = append(out, due[i])
		}
	}
	return out, nil
}

// heldClaim matches a row of R's outbox only while the claim it was read
// with holds it: a sender whose lease ran out, and whose row another
// sender took, changes nothing.
func heldClaim[R any](ctx context.Context, db *DB, id int64, sending string, attempts int) *gorm.DB {
	return db.gorm.WithContext(ctx).Model(new(R)).Where("id = ? AND status = ? AND attempts = ?", id, sending, attempts)
}

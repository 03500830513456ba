package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/pctracker/pctracker/internal/purge"
)

type purgeRow struct {
	ID            int64 `gorm:"primaryKey"`
	Keys          string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	SentAt        *time.Time
}

func (purgeRow) TableName() string { return "purges" }

func (r purgeRow) domain() purge.Purge {
	return purge.Purge{ID: r.ID, Keys: strings.Fields(r.Keys), Status: purge.Status(r.Status), Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), SentAt: utc(r.SentAt)}
}

// EnqueuePurge writes p to the outbox, in the transaction of ctx: the
// decision's.
func (db *DB) EnqueuePurge(ctx context.Context, p *purge.Purge) error {
	row := purgeRow{Keys: strings.Join(p.Keys, " "), Status: string(purge.Pending), NextAttemptAt: p.NextAttemptAt.UTC(),
		CreatedAt: p.CreatedAt.UTC()}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err)
	}
	p.ID, p.Status = row.ID, purge.Pending
	return nil
}

// ClaimDuePurges marks up to limit due purges as being sent, leased until
// lease. Each claim is a conditional update that commits at once, on the
// database itself rather than in a transaction of ctx: the request goes
// out after the claim is durable, and two senders never claim one row.
func (db *DB) ClaimDuePurges(ctx context.Context, now, lease time.Time, limit int) ([]purge.Purge, error) {
	rows, err := claimDue[purgeRow](ctx, db, now, lease, limit, string(purge.Sending))
	out := make([]purge.Purge, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, err
}

func (r *purgeRow) claimFields() (int64, *string, *int, *time.Time) {
	return r.ID, &r.Status, &r.Attempts, &r.NextAttemptAt
}

// purgeHeldBy matches a purge only while the claim p was read with holds
// it: a sender whose lease ran out, and whose purge another sender took,
// changes nothing.
func (db *DB) purgeHeldBy(ctx context.Context, p purge.Purge) *gorm.DB {
	return heldClaim[purgeRow](ctx, db, p.ID, string(purge.Sending), p.Attempts)
}

// MarkPurgeSent records that a claimed purge was taken.
func (db *DB) MarkPurgeSent(ctx context.Context, p purge.Purge, at time.Time) error {
	return translate(db.purgeHeldBy(ctx, p).Updates(map[string]any{"status": string(purge.Sent), "sent_at": at.UTC(), "last_error": ""}).Error)
}

// MarkPurgeRetry puts a claimed purge back, to be tried again at next.
func (db *DB) MarkPurgeRetry(ctx context.Context, p purge.Purge, msg string, next time.Time) error {
	return translate(db.purgeHeldBy(ctx, p).Updates(map[string]any{"status": string(purge.Pending), "last_error": msg,
		"next_attempt_at": next.UTC()}).Error)
}

// Purges lists the outbox of purges, oldest first, for tests and the
// operators' checks.
func (db *DB) Purges(ctx context.Context) ([]purge.Purge, error) {
	var rows []purgeRow
	if err := db.conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]purge.Purge, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

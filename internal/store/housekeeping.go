package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/signin"
	"github.com/pctracker/pctracker/internal/subscription"
)

// Housekeep deletes what has outlived its use, in one transaction, and
// says how much of each. Kept: a day of sign-in failures (the longest
// limit is a day), no expired sign-in challenge nor device, a month of
// spent links (for questions about them), a day of idempotency answers
// (clients retry within minutes).
func (db *DB) Housekeep(ctx context.Context, now time.Time) (map[string]int64, error) {
	now = now.UTC()
	out := map[string]int64{}
	err := db.WithTx(ctx, func(ctx context.Context) error {
		for _, d := range []struct {
			name  string
			query string
			args  []any
		}{
			{"sessions", "expires_at < ? OR last_seen_at < ?", []any{now, now.Add(-24 * time.Hour)}},
			{"signin_failures", "at < ?", []any{now.Add(-24 * time.Hour)}},
			{"signin_challenges", "expires_at < ?", []any{now}},
			{"signin_devices", "last_used_at < ?", []any{now.Add(-signin.DeviceLifetime)}},
			{"account_tokens", "(used_at IS NOT NULL AND used_at < ?) OR expires_at < ?", []any{now.Add(-30 * 24 * time.Hour), now.Add(-30 * 24 * time.Hour)}},
			{"idempotency_keys", "created_at < ?", []any{now.Add(-24 * time.Hour)}},
			// Subscriptions never confirmed go with their address (their
			// tokens and mails cascade); sign-ups are counted for a day at
			// most; sent digests are kept a month.
			{"subscriptions", "confirmed_at IS NULL AND created_at <= ?", []any{now.Add(-subscription.ConfirmFor)}},
			{"subscription_signups", "created_at < ?", []any{now.Add(-24 * time.Hour)}},
			{"subscription_mails", "status = 'sent' AND sent_at < ?", []any{now.Add(-30 * 24 * time.Hour)}},
		} {
			res := db.conn(ctx).Exec("DELETE FROM "+d.name+" WHERE "+d.query, d.args...)
			if res.Error != nil {
				return translate(res.Error)
			}
			out[d.name] = res.RowsAffected
		}
		return nil
	})
	return out, err
}

package store

import (
	"context"
	"net/url"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/subscription"
)

type subscriptionRow struct {
	ID           int64 `gorm:"primaryKey"`
	Email        string
	Filters      string
	Frequency    string
	Lang         string
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	ConfirmedAt  *time.Time
	LastDigestAt *time.Time
}

func (subscriptionRow) TableName() string { return "subscriptions" }

func (r subscriptionRow) domain() subscription.Subscription {
	q, _ := url.ParseQuery(r.Filters)
	f, _ := subscription.ParseFilters(q) // written from parsed filters: they read back whole
	return subscription.Subscription{ID: r.ID, Email: r.Email, Filters: f, Frequency: subscription.Frequency(r.Frequency),
		Lang: r.Lang, CreatedAt: r.CreatedAt.UTC(), ConfirmedAt: utc(r.ConfirmedAt), LastDigestAt: utc(r.LastDigestAt)}
}

type subscriptionTokenRow struct {
	Hash           string `gorm:"primaryKey"`
	SubscriptionID int64
	Purpose        string
	ExpiresAt      *time.Time
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
}

func (subscriptionTokenRow) TableName() string { return "subscription_tokens" }

type subscriptionMailRow struct {
	ID             int64 `gorm:"primaryKey"`
	SubscriptionID int64
	Slot           string
	Recipient      string
	Subject        string
	Body           string
	Unsubscribe    string
	Status         string
	Attempts       int
	NextAttemptAt  time.Time
	LastError      string
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	SentAt         *time.Time
}

func (subscriptionMailRow) TableName() string { return "subscription_mails" }

func (r subscriptionMailRow) domain() subscription.Mail {
	return subscription.Mail{ID: r.ID, SubscriptionID: r.SubscriptionID, Slot: r.Slot, To: r.Recipient, Subject: r.Subject,
		Body: r.Body, Unsubscribe: r.Unsubscribe, Status: subscription.Status(r.Status), Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), SentAt: utc(r.SentAt)}
}

type subscriptionSignupRow struct {
	ID         int64 `gorm:"primaryKey"`
	EmailHash  string
	ClientHash string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (subscriptionSignupRow) TableName() string { return "subscription_signups" }

// CountSignups counts the sign-ups since a time by an address's hash and
// by a client's.
func (db *DB) CountSignups(ctx context.Context, emailHash, clientHash string, since time.Time) (byEmail, byClient int, err error) {
	var e, c int64
	q := db.conn(ctx).Model(&subscriptionSignupRow{})
	if err := q.Where("email_hash = ? AND created_at > ?", emailHash, since.UTC()).Count(&e).Error; err != nil {
		return 0, 0, translate(err)
	}
	q = db.conn(ctx).Model(&subscriptionSignupRow{})
	if err := q.Where("client_hash = ? AND created_at > ?", clientHash, since.UTC()).Count(&c).Error; err != nil {
		return 0, 0, translate(err)
	}
	return int(e), int(c), nil
}

// AddSignup records a sign-up.
func (db *DB) AddSignup(ctx context.Context, emailHash, clientHash string, at time.Time) error {
	return translate(db.conn(ctx).Create(&subscriptionSignupRow{EmailHash: emailHash, ClientHash: clientHash, CreatedAt: at.UTC()}).Error)
}

// AddSubscription writes a new, unconfirmed subscription.
func (db *DB) AddSubscription(ctx context.Context, s *subscription.Subscription) error {
	row := subscriptionRow{Email: s.Email, Filters: s.Filters.Query(), Frequency: string(s.Frequency), Lang: s.Lang, CreatedAt: s.CreatedAt.UTC()}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err)
	}
	s.ID = row.ID
	return nil
}

// AddSubscriptionToken stores a token's hash for a subscription.
func (db *DB) AddSubscriptionToken(ctx context.Context, subscriptionID int64, hash, purpose string, expires *time.Time, at time.Time) error {
	var exp *time.Time
	if expires != nil {
		e := expires.UTC()
		exp = &e
	}
	return translate(db.conn(ctx).Create(&subscriptionTokenRow{Hash: hash, SubscriptionID: subscriptionID, Purpose: purpose,
		ExpiresAt: exp, CreatedAt: at.UTC()}).Error)
}

// SubscriptionByToken finds the subscription of a live token of a purpose.
func (db *DB) SubscriptionByToken(ctx context.Context, hash, purpose string, now time.Time) (subscription.Subscription, error) {
	var r subscriptionRow
	err := db.conn(ctx).Where("id = (SELECT subscription_id FROM subscription_tokens WHERE hash = ? AND purpose = ? AND (expires_at IS NULL OR expires_at > ?))",
		hash, purpose, now.UTC()).Take(&r).Error
	if err != nil {
		return subscription.Subscription{}, notFound(err, "no such link: it has been used, has expired or was never valid")
	}
	return r.domain(), nil
}

// ConfirmSubscription confirms a subscription from at, spends its
// confirmation tokens, and deletes the confirmed subscriptions of the
// same address and filters, which it replaces.
func (db *DB) ConfirmSubscription(ctx context.Context, id int64, at time.Time) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		conn := db.conn(ctx)
		var r subscriptionRow
		if err := conn.Where("id = ?", id).Take(&r).Error; err != nil {
			return notFound(err, "no subscription %d", id)
		}
		if err := conn.Where("email = ? AND filters = ? AND id <> ? AND confirmed_at IS NOT NULL", r.Email, r.Filters, id).
			Delete(&subscriptionRow{}).Error; err != nil {
			return translate(err)
		}
		if err := conn.Where("subscription_id = ? AND purpose = ?", id, subscription.PurposeConfirm).Delete(&subscriptionTokenRow{}).Error; err != nil {
			return translate(err)
		}
		return translate(conn.Model(&subscriptionRow{}).Where("id = ?", id).
			Updates(map[string]any{"confirmed_at": at.UTC(), "last_digest_at": at.UTC()}).Error)
	})
}

// UpdateSubscription sets a subscription's frequency and language.
func (db *DB) UpdateSubscription(ctx context.Context, id int64, f subscription.Frequency, lang string) error {
	res := db.conn(ctx).Model(&subscriptionRow{}).Where("id = ?", id).Updates(map[string]any{"frequency": string(f), "lang": lang})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "no subscription %d", id)
	}
	return nil
}

// DeleteSubscription deletes a subscription, its tokens and its mails
// (the foreign keys cascade; they are deleted here too, so that no engine
// setting can keep them).
func (db *DB) DeleteSubscription(ctx context.Context, id int64) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		conn := db.conn(ctx)
		for _, row := range []any{&subscriptionTokenRow{}, &subscriptionMailRow{}} {
			if err := conn.Where("subscription_id = ?", id).Delete(row).Error; err != nil {
				return translate(err)
			}
		}
		return translate(conn.Where("id = ?", id).Delete(&subscriptionRow{}).Error)
	})
}

// ConfirmedSubscriptions returns every confirmed subscription, by id.
func (db *DB) ConfirmedSubscriptions(ctx context.Context) ([]subscription.Subscription, error) {
	var rows []subscriptionRow
	if err := db.conn(ctx).Where("confirmed_at IS NOT NULL").Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]subscription.Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// MarkDigested records that a subscription was told what was public at.
func (db *DB) MarkDigested(ctx context.Context, id int64, at time.Time) error {
	return translate(db.conn(ctx).Model(&subscriptionRow{}).Where("id = ?", id).Update("last_digest_at", at.UTC()).Error)
}

// EnqueueSubscriptionMail writes m unless its subscription has a mail of
// its slot; it reports whether it wrote.
func (db *DB) EnqueueSubscriptionMail(ctx context.Context, m *subscription.Mail) (bool, error) {
	row := subscriptionMailRow{SubscriptionID: m.SubscriptionID, Slot: m.Slot, Recipient: m.To, Subject: m.Subject, Body: m.Body,
		Unsubscribe: m.Unsubscribe, Status: string(m.Status), NextAttemptAt: m.NextAttemptAt.UTC(), CreatedAt: m.CreatedAt.UTC()}
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, translate(res.Error)
	}
	m.ID = row.ID
	return res.RowsAffected == 1, nil
}

// ClaimDueSubscriptionMails marks up to limit due mails as being sent,
// leased until lease, each by a conditional update that commits at once
// (as ClaimDueReminders does): the mail goes out after its claim is
// durable, and two senders never claim one.
func (db *DB) ClaimDueSubscriptionMails(ctx context.Context, now, lease time.Time, limit int) ([]subscription.Mail, error) {
	rows, err := claimDue[subscriptionMailRow](ctx, db, now, lease, limit, string(subscription.Sending))
	out := make([]subscription.Mail, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, err
}

func (r *subscriptionMailRow) claimFields() (int64, *string, *int, *time.Time) {
	return r.ID, &r.Status, &r.Attempts, &r.NextAttemptAt
}

// heldMail matches a mail only while the claim m was read with holds it.
func (db *DB) heldMail(ctx context.Context, m subscription.Mail) *gorm.DB {
	return heldClaim[subscriptionMailRow](ctx, db, m.ID, string(subscription.Sending), m.Attempts)
}

// MarkSubscriptionMailSent records that a claimed mail went out.
func (db *DB) MarkSubscriptionMailSent(ctx context.Context, m subscription.Mail, at time.Time) error {
	return translate(db.heldMail(ctx, m).Updates(map[string]any{"status": string(subscription.Sent), "sent_at": at.UTC(), "last_error": ""}).Error)
}

// MarkSubscriptionMailRetry puts a claimed mail back to be tried at next,
// or gives up on it when final.
func (db *DB) MarkSubscriptionMailRetry(ctx context.Context, m subscription.Mail, msg string, next time.Time, final bool) error {
	status := subscription.Pending
	if final {
		status = subscription.Failed
	}
	return translate(db.heldMail(ctx, m).Updates(map[string]any{"status": string(status), "last_error": msg, "next_attempt_at": next.UTC()}).Error)
}

// SubscriptionMails lists a subscription's mails, oldest first (for tests
// and the jobs' checks).
func (db *DB) SubscriptionMails(ctx context.Context, subscriptionID int64) ([]subscription.Mail, error) {
	var rows []subscriptionMailRow
	if err := db.conn(ctx).Where("subscription_id = ?", subscriptionID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]subscription.Mail, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

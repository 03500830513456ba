package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/notice"
	"github.com/pctracker/pctracker/internal/reminder"
)

type reminderRow struct {
	ID            int64 `gorm:"primaryKey"`
	StakeholderID int64
	CycleID       int64
	Kind          string
	Recipients    string
	Subject       string
	Body          string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	SentAt        *time.Time
}

func (reminderRow) TableName() string { return "reminders" }

func (r reminderRow) domain() reminder.Reminder {
	return reminder.Reminder{ID: r.ID, StakeholderID: r.StakeholderID, CycleID: r.CycleID, Kind: r.Kind,
		Recipients: strings.Split(r.Recipients, "\n"), Subject: r.Subject, Body: r.Body, Status: reminder.Status(r.Status),
		Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(),
		SentAt: utc(r.SentAt)}
}

// ReminderRecipients returns, per organisation, the addresses of its focal
// points, or of all its people when it has no focal point; disabled
// accounts are left out.
func (db *DB) ReminderRecipients(ctx context.Context) (map[int64][]string, error) {
	var rows []userRow
	if err := db.conn(ctx).Where("role = 'supporter' AND disabled = ?", false).
		Order("email").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	focal, all := map[int64][]string{}, map[int64][]string{}
	for _, r := range rows {
		id := idOf(r.StakeholderID)
		all[id] = append(all[id], r.Email)
		if r.OrgRole == "focal_point" {
			focal[id] = append(focal[id], r.Email)
		}
	}
	for id, emails := range all {
		if len(focal[id]) == 0 {
			focal[id] = emails
		}
	}
	return focal, nil
}

// EnqueueReminder writes r to the outbox unless its organisation, cycle and
// kind already have a reminder; it reports whether it wrote.
func (db *DB) EnqueueReminder(ctx context.Context, r *reminder.Reminder) (bool, error) {
	row := reminderRow{StakeholderID: r.StakeholderID, CycleID: r.CycleID, Kind: r.Kind,
		Recipients: strings.Join(r.Recipients, "\n"), Subject: r.Subject, Body: r.Body, Status: string(r.Status),
		NextAttemptAt: r.NextAttemptAt, CreatedAt: r.CreatedAt}
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, translate(res.Error)
	}
	r.ID = row.ID
	return res.RowsAffected == 1, nil
}

// ReminderKinds returns, per organisation, the kinds of a cycle's
// reminders in the outbox, whatever their status; notices, which share
// the outbox, are left out.
func (db *DB) ReminderKinds(ctx context.Context, cycleID int64) (map[int64][]string, error) {
	var rows []reminderRow
	if err := db.conn(ctx).Select("stakeholder_id", "kind").Where("cycle_id = ? AND kind NOT LIKE ?", cycleID, notice.KindPrefix+"%").
		Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.StakeholderID] = append(out[r.StakeholderID], r.Kind)
	}
	return out, nil
}

// ClaimDueReminders marks up to limit due reminders as being sent, leased
// until lease. Each claim is a conditional update that commits at once, on
// the database itself rather than in a transaction of ctx: the mail goes
// out after the claim is durable, and two senders never claim one row.
func (db *DB) ClaimDueReminders(ctx context.Context, now, lease time.Time, limit int) ([]reminder.Reminder, error) {
	rows, err := claimDue[reminderRow](ctx, db, now, lease, limit, string(reminder.Sending))
	out := make([]reminder.Reminder, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, err
}

func (r *reminderRow) claimFields() (int64, *string, *int, *time.Time) {
	return r.ID, &r.Status, &r.Attempts, &r.NextAttemptAt
}

// heldBy matches a reminder only while the claim r was read with holds it:
// a sender whose lease ran out, and whose reminder another sender took,
// changes nothing.
func (db *DB) heldBy(ctx context.Context, r reminder.Reminder) *gorm.DB {
	return heldClaim[reminderRow](ctx, db, r.ID, string(reminder.Sending), r.Attempts)
}

// MarkReminderSent records that a claimed reminder went out.
func (db *DB) MarkReminderSent(ctx context.Context, r reminder.Reminder, at time.Time) error {
	return translate(db.heldBy(ctx, r).Updates(map[string]any{"status": string(reminder.Sent), "sent_at": at.UTC(), "last_error": ""}).Error)
}

// MarkReminderRetry puts a claimed reminder back to be tried at next, or
// gives up on it when final.
func (db *DB) MarkReminderRetry(ctx context.Context, r reminder.Reminder, msg string, next time.Time, final bool) error {
	status := reminder.Pending
	if final {
		status = reminder.Failed
	}
	return translate(db.heldBy(ctx, r).Updates(map[string]any{"status": string(status), "last_error": msg,
		"next_attempt_at": next.UTC()}).Error)
}

// RemindersSent counts the reminders sent to each organisation in a cycle;
// the notices that share the outbox are not reminders.
func (db *DB) RemindersSent(ctx context.Context, cycleID int64) (map[int64]int, error) {
	var rows []reminderRow
	if err := db.conn(ctx).Select("stakeholder_id").Where("cycle_id = ? AND status = ? AND kind NOT LIKE ?", cycleID, string(reminder.Sent), notice.KindPrefix+"%").
		Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[int64]int{}
	for _, r := range rows {
		out[r.StakeholderID]++
	}
	return out, nil
}

// Reminders lists a cycle's reminders, newest first, for tests and pages.
func (db *DB) Reminders(ctx context.Context, cycleID int64) ([]reminder.Reminder, error) {
	var rows []reminderRow
	if err := db.conn(ctx).Where("cycle_id = ?", cycleID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]reminder.Reminder, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

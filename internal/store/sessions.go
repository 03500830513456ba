package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/session"
)

type sessionRow struct {
	ID         string `gorm:"primaryKey"`
	UserID     int64
	CsrfToken  string
	IP         string `gorm:"column:ip"`
	UserAgent  string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s session.Session) error {
	r := sessionRow{ID: s.ID, UserID: s.UserID, CsrfToken: s.CSRF, IP: s.IP, UserAgent: s.UserAgent,
		CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt}
	return translate(db.conn(ctx).Create(&r).Error)
}

// Session returns a session by its id (the token's hash).
func (db *DB) Session(ctx context.Context, id string) (session.Session, error) {
	var r sessionRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return session.Session{}, notFound(err, "no such session")
	}
	return session.Session{ID: r.ID, UserID: r.UserID, CSRF: r.CsrfToken, IP: r.IP, UserAgent: r.UserAgent,
		CreatedAt: r.CreatedAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}

// TouchSession records the last use of a session.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	return translate(db.conn(ctx).Model(&sessionRow{}).Where("id = ?", id).Update("last_seen_at", at.UTC()).Error)
}

// DeleteSession removes a session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return translate(db.conn(ctx).Where("id = ?", id).Delete(&sessionRow{}).Error)
}

// DeleteUserSessions removes every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return translate(db.conn(ctx).Where("user_id = ?", userID).Delete(&sessionRow{}).Error)
}

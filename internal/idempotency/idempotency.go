// Package idempotency lets a client retry a POST safely: the first answer
// to a request with an Idempotency-Key is kept and returned again for the
// same key, so a retry after a lost response creates nothing twice.
package idempotency

import (
	"context"
	"time"
)

// StaleAfter is how long a first request may run before its key is
// thought abandoned (a crash between claim and answer).
const StaleAfter = 5 * time.Minute

// Record is the first answer given for a key; Status 0 means the first
// request is still running.
type Record struct {
	UserID      int64
	Key         string
	RequestHash string
	Status      int
	Body        []byte
	CreatedAt   time.Time
}

// Store keeps records, one per user and key.
type Store interface {
	// ClaimIdempotencyKey reserves a key for a request; when the key is
	// taken it returns the existing record and false. A first request still
	// "running" since before staleBefore is taken to have died, and its key
	// is claimed again.
	ClaimIdempotencyKey(ctx context.Context, r Record, staleBefore time.Time) (Record, bool, error)
	CompleteIdempotencyKey(ctx context.Context, userID int64, key string, status int, body []byte) error
	ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error
}

package app

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestIdempotencyKey(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		count := func() int {
			var n int
			db.SQL().QueryRow("SELECT count(*) FROM actions WHERE stakeholder_id = $1 AND cycle_id IN (SELECT id FROM cycles WHERE year = 2026)", sc.org.ID).Scan(&n)
			return n
		}
		first := sc.member.do("POST", "/api/v1/actions", newActionBody, "Idempotency-Key", "k-1")
		retry := sc.member.do("POST", "/api/v1/actions", newActionBody, "Idempotency-Key", "k-1")
		if first.status != 201 || retry.status != 201 || first.body != retry.body || retry.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %d replayed=%q", first.status, retry.status, retry.header.Get("Idempotent-Replayed"))
		}
		if n := count(); n != 1 {
			t.Errorf("a retried POST created %d actions", n)
		}
		other := sc.member.do("POST", "/api/v1/actions", `{"cycle": 2026, "title": "Another"}`, "Idempotency-Key", "k-1")
		if other.status != 422 || !strings.Contains(other.body, "Idempotency-Key") {
			t.Errorf("same key, other body: %d %s", other.status, other.body)
		}
		// Keys belong to their user: another user's identical key is theirs.
		if r := sc.focal.do("POST", "/api/v1/actions", newActionBody, "Idempotency-Key", "k-1"); r.status != 201 || r.body == first.body {
			t.Errorf("another user's key: %d", r.status)
		}
		// A refused request frees its key for a corrected retry.
		if r := sc.member.do("POST", "/api/v1/actions", `{"cycle": 2026, "title": ""}`, "Idempotency-Key", "k-2"); r.status != 422 {
			t.Fatalf("invalid: %d", r.status)
		}
		if r := sc.member.do("POST", "/api/v1/actions", newActionBody, "Idempotency-Key", "k-2"); r.status != 201 {
			t.Errorf("corrected retry: %d %s", r.status, r.body)
		}
		// Ten retries at once create one action.
		before := count()
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc.member.do("POST", "/api/v1/actions", newActionBody, "Idempotency-Key", "k-3")
			}()
		}
		wg.Wait()
		if n := count(); n != before+1 {
			t.Errorf("ten concurrent retries created %d actions", n-before)
		}
	})
}

// A key whose first request died between claim and answer is refused
// while it may still be running, and taken over after five minutes.
func TestIdempotencyKeyLeftByACrash(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	var userID int64
	db.SQL().QueryRow("SELECT id FROM users WHERE email = 'member@own.example'").Scan(&userID)
	sum := sha256.Sum256([]byte("POST /api/v1/actions\n" + newActionBody)) // as the API hashes a request
	if _, err := db.SQL().Exec("INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at) VALUES ($1, 'k-crash', $2, 0, '', $3)",
		userID, hex.EncodeToString(sum[:]), sc.s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := sc.member.do("POST", "/api/v1/actions", newActionBody, "Idempotency-Key", "k-crash"); r.status != 409 {
		t.Errorf("while the first may still run: %d %s", r.status, r.body)
	}
	sc.s.Clock.Add(6 * time.Minute)
	if r := sc.member.do("POST", "/api/v1/actions", newActionBody, "Idempotency-Key", "k-crash"); r.status != 201 {
		t.Errorf("after five minutes: %d %s", r.status, r.body)
	}
}

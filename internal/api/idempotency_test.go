package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestIdempotencyKey(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		count := func() int {
			var n int
			db.SQL().QueryRow("SELECT count(*) FROM actions WHERE stakeholder_id = $1 AND cycle_id IN (SELECT id FROM cycles WHERE year = 2026)", sc.Org.ID).Scan(&n)
			return n
		}
		first := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "k-1")
		retry := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "k-1")
		if first.Status != 201 || retry.Status != 201 || first.Body != retry.Body || retry.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %d replayed=%q", first.Status, retry.Status, retry.Header.Get("Idempotent-Replayed"))
		}
		if n := count(); n != 1 {
			t.Errorf("a retried POST created %d actions", n)
		}
		other := sc.Member.Do("POST", "/api/v1/actions", `{"cycle": 2026, "title": "Another"}`, "Idempotency-Key", "k-1")
		if other.Status != 422 || !strings.Contains(other.Body, "Idempotency-Key") {
			t.Errorf("same key, other body: %d %s", other.Status, other.Body)
		}
		// Keys belong to their user: another user's identical key is theirs.
		if r := sc.Focal.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "k-1"); r.Status != 201 || r.Body == first.Body {
			t.Errorf("another user's key: %d", r.Status)
		}
		// A refused request frees its key for a corrected retry.
		if r := sc.Member.Do("POST", "/api/v1/actions", `{"cycle": 2026, "title": ""}`, "Idempotency-Key", "k-2"); r.Status != 422 {
			t.Fatalf("invalid: %d", r.Status)
		}
		if r := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "k-2"); r.Status != 201 {
			t.Errorf("corrected retry: %d %s", r.Status, r.Body)
		}
		// Ten retries at once create one action.
		before := count()
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "k-3")
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
	sc := apptest.NewScenario(t, db)
	var userID int64
	db.SQL().QueryRow("SELECT id FROM users WHERE email = 'member@own.example'").Scan(&userID)
	sum := sha256.Sum256([]byte("POST /api/v1/actions\n" + apptest.NewActionBody)) // as the API hashes a request
	if _, err := db.SQL().Exec("INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at) VALUES ($1, 'k-crash', $2, 0, '', $3)",
		userID, hex.EncodeToString(sum[:]), sc.S.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "k-crash"); r.Status != 409 {
		t.Errorf("while the first may still run: %d %s", r.Status, r.Body)
	}
	sc.S.Clock.Add(6 * time.Minute)
	if r := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "k-crash"); r.Status != 201 {
		t.Errorf("after five minutes: %d %s", r.Status, r.Body)
	}
}

package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/signin"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

func slotRow(t *testing.T, db *store.DB, slot string) (status, msg string) {
	t.Helper()
	if err := db.SQL().QueryRow("SELECT status, error FROM job_runs WHERE job = 'test-job' AND slot = $1", slot).Scan(&status, &msg); err != nil {
		t.Fatalf("slot %s: %v", slot, err)
	}
	return status, msg
}

func effects(t *testing.T, db *store.DB) int {
	t.Helper()
	_, n, err := db.AuditEntries(context.Background(), audit.Filter{Verb: "test.effect"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Several schedulers (as on several replicas) race for the same slot:
// exactly one runs it. A failed run leaves no effect, records its error,
// and the slot can be run again; a succeeded slot never runs twice.
func TestRunOncePerSlot(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		now := time.Date(2026, 10, 21, 3, 0, 0, 0, time.UTC)
		var runs atomic.Int32
		var fail atomic.Bool
		job := jobs.Job{Name: "test-job", Every: jobs.Every{Period: 24 * time.Hour, Offset: 3 * time.Hour}, Once: true,
			Run: func(ctx context.Context, slot time.Time) error {
				runs.Add(1)
				if err := db.AppendAudit(ctx, audit.New(0, "scheduler", "test.effect", "slot", slot.Format(time.RFC3339), nil, now)); err != nil {
					return err
				}
				time.Sleep(20 * time.Millisecond)
				if fail.Load() {
					return errors.New("boom")
				}
				return nil
			}}
		newScheduler := func() *jobs.Scheduler {
			s, err := jobs.NewWith(jobs.Deps{Logger: logger, Ledger: db, Now: func() time.Time { return now }}, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Stop() })
			return s
		}

		fail.Store(true)
		if ran, err := newScheduler().RunOnce(ctx, job, now); !ran || err == nil {
			t.Fatalf("failing run: ran=%v err=%v", ran, err)
		}
		if st, msg := slotRow(t, db, "2026-10-21"); st != "failed" || msg != "boom" || effects(t, db) != 0 {
			t.Fatalf("after a failure: %s %q, %d effects", st, msg, effects(t, db))
		}

		fail.Store(false)
		runs.Store(0)
		var wg sync.WaitGroup
		var ran atomic.Int32
		for i := 0; i < 5; i++ {
			s := newScheduler()
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.RunOnce(ctx, job, now)
				if err != nil {
					t.Error(err)
				}
				if ok {
					ran.Add(1)
				}
			}()
		}
		wg.Wait()
		if runs.Load() != 1 || ran.Load() != 1 || effects(t, db) != 1 {
			t.Fatalf("five racing retries: %d runs, %d claimed, %d effects", runs.Load(), ran.Load(), effects(t, db))
		}
		if st, msg := slotRow(t, db, "2026-10-21"); st != "succeeded" || msg != "" {
			t.Errorf("after the retry: %s %q", st, msg)
		}
		if ok, _ := newScheduler().RunOnce(ctx, job, now.Add(time.Hour)); ok {
			t.Error("a succeeded slot ran again")
		}
		if ok, err := newScheduler().RunOnce(ctx, job, now.AddDate(0, 0, 1)); !ok || err != nil {
			t.Errorf("the next slot: %v %v", ok, err)
		}
	})
}

// The housekeeping job deletes what has expired and keeps what has not,
// once a day.
func TestHousekeeping(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		now := s.Clock.Now()
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "a@pc.example", Name: "A", Role: user.Secretariat})
		if err != nil {
			t.Fatal(err)
		}
		old, fresh := now.Add(-48*time.Hour), now.Add(-time.Minute)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('old', $1, 'c', $2, $2, $3)", []any{u.ID, old, old}},
			{"INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('live', $1, 'c', $2, $2, $3)", []any{u.ID, fresh, now.Add(time.Hour)}},
			{"INSERT INTO signin_failures (account, ip, at) VALUES ('a', 'i', $1), ('a', 'i', $2)", []any{old, fresh}},
			// A browser unused for longer than a device is known is forgotten.
			{"INSERT INTO signin_devices (user_id, token_hash, created_at, last_used_at) VALUES ($1, 'old', $2, $2), ($1, 'new', $2, $3)",
				[]any{u.ID, now.Add(-signin.DeviceLifetime - time.Hour), fresh}},
			{"INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at) VALUES ($1, 'old', 'h', 201, '{}', $2), ($1, 'new', 'h', 201, '{}', $3)", []any{u.ID, old, fresh}},
		} {
			if _, err := db.SQL().Exec(q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		d := jobs.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ledger: db, Now: s.Clock.Now,
			Schedule: jobs.Schedule{Housekeeping: jobs.Every{Period: 24 * time.Hour}}, Work: jobs.Work{Housekeeper: db}}
		var job jobs.Job
		for _, j := range jobs.Register(d) {
			if j.Name == "housekeeping" {
				job = j
			}
		}
		sched, err := jobs.NewWith(d, []jobs.Job{job})
		if err != nil {
			t.Fatal(err)
		}
		defer sched.Stop()
		if ran, err := sched.RunOnce(ctx, job, now); !ran || err != nil {
			t.Fatalf("housekeeping: %v %v", ran, err)
		}
		for table, want := range map[string]int{"sessions": 1, "signin_failures": 1, "signin_devices": 1, "idempotency_keys": 1} {
			var n int
			db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n)
			if n != want {
				t.Errorf("%s: %d rows left, want %d", table, n, want)
			}
		}
		if ran, _ := sched.RunOnce(ctx, job, now.Add(time.Hour)); ran {
			t.Error("housekeeping ran twice in a day")
		}
	})
}

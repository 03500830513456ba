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

	"github.com/go-co-op/gocron/v2"

	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Several schedulers (as on several replicas) race for the same slot: the
// ledger lets exactly one run it, and records how it ended.
func TestRunOncePerSlot(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var runs atomic.Int32
		job := jobs.Job{Name: "test-job", Definition: gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(3, 0, 0))),
			Slot: func(now time.Time) string { return now.Format(time.DateOnly) },
			Run: func(ctx context.Context, slot string) error {
				runs.Add(1)
				time.Sleep(20 * time.Millisecond)
				return nil
			}}
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		now := time.Date(2026, 10, 21, 3, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		var ran atomic.Int32
		for i := 0; i < 5; i++ {
			s, err := jobs.New(jobs.Deps{Logger: logger, Ledger: db, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
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
		if runs.Load() != 1 || ran.Load() != 1 {
			t.Fatalf("ran %d times (%d claimed)", runs.Load(), ran.Load())
		}
		var status string
		db.SQL().QueryRow("SELECT status FROM job_runs WHERE job = 'test-job'").Scan(&status)
		if status != "succeeded" {
			t.Errorf("status %q", status)
		}
		// The next slot runs; a failure is recorded with its message.
		s, _ := jobs.New(jobs.Deps{Logger: logger, Ledger: db, Now: func() time.Time { return now }})
		job.Run = func(context.Context, string) error { return errors.New("boom") }
		if ok, err := s.RunOnce(ctx, job, now.AddDate(0, 0, 1)); !ok || err == nil {
			t.Errorf("next slot: %v %v", ok, err)
		}
		var msg string
		db.SQL().QueryRow("SELECT error FROM job_runs WHERE job = 'test-job' AND status = 'failed'").Scan(&msg)
		if msg != "boom" {
			t.Errorf("failure not recorded: %q", msg)
		}
	})
}

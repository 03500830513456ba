package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Preview names the slot a run now would take, from the same clock as
// RunNow, and asks the job what it would do while that slot is open: not
// once it succeeded, again once it failed. It runs nothing.
func TestPreview(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 9, 1, 7, 0, 0, 0, time.UTC) // before 08:00: the slot is the day before's
		var runs, previews atomic.Int32
		var fail atomic.Bool
		job := jobs.Job{Name: "test-job", Every: jobs.Every{Period: 24 * time.Hour, Offset: 8 * time.Hour}, Once: true,
			Run: func(context.Context, time.Time) error {
				runs.Add(1)
				if fail.Load() {
					return errors.New("boom")
				}
				return nil
			},
			Preview: func(_ context.Context, slot time.Time, p *jobs.Preview) error {
				previews.Add(1)
				p.Reminders = []reminder.Planned{{Year: slot.Year(), Kind: reminder.Opens, Recipients: 1}}
				return nil
			}}
		s, err := jobs.NewWith(jobs.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ledger: db,
			Now: func() time.Time { return now }}, []jobs.Job{job})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		p, err := s.Preview(ctx, "test-job")
		if err != nil || p.Slot != "2026-08-31" || p.Done || !p.Previewed || len(p.Reminders) != 1 || runs.Load() != 0 {
			t.Fatalf("before any run: %+v, %v; %d runs", p, err, runs.Load())
		}
		fail.Store(true)
		if _, err := s.RunNow(ctx, "test-job"); err == nil {
			t.Fatal("the failing run did not fail")
		}
		if p, _ := s.Preview(ctx, "test-job"); p.Done || len(p.Reminders) != 1 {
			t.Errorf("after a failed run, the slot may run again: %+v", p)
		}
		fail.Store(false)
		if ran, err := s.RunNow(ctx, "test-job"); !ran || err != nil {
			t.Fatalf("run: %v %v", ran, err)
		}
		previews.Store(0)
		if p, _ := s.Preview(ctx, "test-job"); !p.Done || !p.Previewed || p.Reminders != nil || previews.Load() != 0 {
			t.Errorf("after the run, the slot is done and nothing is told: %+v", p)
		}
		if _, err := s.Preview(ctx, "nope"); !errs.Is(err, errs.NotFound) {
			t.Errorf("an unknown job: %v", err)
		}
		if statuses, _ := s.Statuses(ctx); len(statuses) != 1 || !statuses[0].Previewed {
			t.Errorf("statuses: %+v", statuses)
		}
	})
}

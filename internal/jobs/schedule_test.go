package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// recorder is a daily job that notes each slot it runs.
type recorder struct {
	mu    sync.Mutex
	slots []time.Time
}

func (r *recorder) job(every jobs.Every) jobs.Job {
	return jobs.Job{Name: "test-daily", Every: every, Once: true, Run: func(_ context.Context, slot time.Time) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.slots = append(r.slots, slot)
		return nil
	}}
}

func (r *recorder) got() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.slots...)
}

// advance moves the fake clock an hour at a time and gives gocron's
// executor the time to run what fell due.
func advance(clock *clockwork.FakeClock, d time.Duration) {
	for end := clock.Now().Add(d); clock.Now().Before(end); {
		clock.Advance(time.Hour)
		time.Sleep(15 * time.Millisecond)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// A daily job at 02:00 UTC, driven by a fake clock across the night when
// Paris leaves summer time (25 October 2026): it runs once a day, 24 hours
// apart, at 02:00 UTC; the local hour moves, the schedule does not.
func TestScheduleAcrossDaylightSaving(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		clock := clockwork.NewFakeClockAt(time.Date(2026, 10, 23, 12, 0, 0, 0, time.UTC))
		rec := &recorder{}
		s, err := jobs.NewWith(jobs.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ledger: db,
			Now: clock.Now, Clock: clock}, []jobs.Job{rec.job(jobs.Every{Period: 24 * time.Hour, Offset: 2 * time.Hour})})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		defer s.Stop()
		// The start catches up the day's slot (02:00 on the 23rd), once.
		waitFor(t, "the catch-up", func() bool { return len(rec.got()) == 1 })
		advance(clock, 4*24*time.Hour)
		waitFor(t, "four more days", func() bool { return len(rec.got()) == 5 })
		time.Sleep(50 * time.Millisecond)
		got := rec.got()
		if len(got) != 5 {
			t.Fatalf("runs: %v", got)
		}
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Skip("no time zone database")
		}
		for i, slot := range got {
			want := time.Date(2026, 10, 23+i, 2, 0, 0, 0, time.UTC)
			if !slot.Equal(want) {
				t.Errorf("run %d: slot %s, want %s", i, slot, want)
			}
		}
		before, after := got[1].In(paris).Hour(), got[3].In(paris).Hour()
		if before != 4 || after != 3 {
			t.Errorf("Paris hours of the runs: %d before the change, %d after; want 4 and 3", before, after)
		}
	})
}

// Every replica down for three days: at the next start the current slot
// runs, once; the days missed in between are not replayed one by one, and
// a second start the same day runs nothing.
func TestCatchUpAfterDowntime(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC))
		rec := &recorder{}
		every := jobs.Every{Period: 24 * time.Hour, Offset: 2 * time.Hour}
		start := func() *jobs.Scheduler {
			s, err := jobs.NewWith(jobs.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ledger: db,
				Now: clock.Now, Clock: clock}, []jobs.Job{rec.job(every)})
			if err != nil {
				t.Fatal(err)
			}
			s.Start()
			return s
		}
		s := start()
		waitFor(t, "the first catch-up", func() bool { return len(rec.got()) == 1 }) // the slot of the 1st, 02:00
		advance(clock, 2*time.Hour)                                                  // 03:00 on the 2nd: the 02:00 run
		waitFor(t, "the 02:00 run", func() bool { return len(rec.got()) == 2 })
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}

		clock.Advance(3*24*time.Hour + 4*time.Hour) // down until the 5th, 07:00
		s = start()
		waitFor(t, "the catch-up after downtime", func() bool { return len(rec.got()) == 3 })
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		s = start() // a restart the same day
		time.Sleep(100 * time.Millisecond)
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		got := rec.got()
		want := []time.Time{time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 5, 2, 0, 0, 0, time.UTC)}
		if len(got) != len(want) {
			t.Fatalf("runs: %v, want %v", got, want)
		}
		for i := range want {
			if !got[i].Equal(want[i]) {
				t.Errorf("run %d: %s, want %s", i, got[i], want[i])
			}
		}
	})
}

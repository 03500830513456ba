package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/reminder"
)

// work records what each job asked of it, and answers with one piece of
// work done, so that each job logs what it did.
type work struct{ calls []string }

func (w *work) CompileDue(_ context.Context, _ time.Time, slot string) ([]int, error) {
	w.calls = append(w.calls, "compile "+slot)
	return []int{2026}, nil
}
func (w *work) Plan(context.Context, time.Time) (int, error) {
	w.calls = append(w.calls, "plan")
	return 1, nil
}
func (w *work) Preview(context.Context, time.Time) ([]reminder.Planned, error) {
	w.calls = append(w.calls, "preview")
	return []reminder.Planned{{}}, nil
}
func (w *work) Send(context.Context) (int, int, error) {
	w.calls = append(w.calls, "send")
	return 1, 0, nil
}
func (w *work) Digest(context.Context) (int, error) {
	w.calls = append(w.calls, "digest")
	return 1, nil
}
func (w *work) Run(context.Context) (int, error) {
	w.calls = append(w.calls, "evidence")
	return 1, nil
}
func (w *work) Housekeep(context.Context, time.Time) (map[string]int64, error) {
	w.calls = append(w.calls, "housekeep")
	return map[string]int64{"sessions": 1}, nil
}

// Every job of the schedule asks its own work, with its slot's key where
// the work takes one, and says in the log what was done.
func TestRegisteredJobs(t *testing.T) {
	day := 24 * time.Hour
	var logs bytes.Buffer
	w := &work{}
	d := jobs.Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: time.Now,
		Schedule: jobs.Schedule{Report: jobs.Every{Period: day, Offset: 2 * time.Hour}, Reminders: jobs.Every{Period: day},
			Housekeeping: jobs.Every{Period: day}, Digests: jobs.Every{Period: day}, Evidence: jobs.Every{Period: time.Hour},
			Mail: jobs.Every{Period: time.Minute}},
		Work: jobs.Work{Housekeeper: w, Reports: w, Reminders: w, Notices: w, Evidence: w, Purges: w}}
	slot := time.Date(2026, 10, 22, 2, 0, 0, 0, time.UTC)
	byName := map[string]jobs.Job{}
	for _, j := range jobs.Register(d) {
		byName[j.Name] = j
	}
	for _, c := range []struct {
		job, call, log string
	}{
		{"report-compile", "compile " + d.Schedule.Report.Key(slot), "draft reports compiled"},
		{"reminders", "plan", "reminders queued"},
		{"digests", "digest", "digests of accepted actions queued"},
		{"evidence", "evidence", "evidence links checked"},
		{"mail", "send", "outbox drained"},
		{"purges", "send", "purges sent"},
		{"housekeeping", "housekeep", "housekeeping"},
	} {
		t.Run(c.job, func(t *testing.T) {
			j, ok := byName[c.job]
			if !ok {
				t.Fatalf("no job %q in the schedule", c.job)
			}
			w.calls, logs = nil, bytes.Buffer{}
			if err := j.Run(context.Background(), slot); err != nil {
				t.Fatal(err)
			}
			if len(w.calls) != 1 || w.calls[0] != c.call {
				t.Errorf("asked %v, want [%s]", w.calls, c.call)
			}
			if !strings.Contains(logs.String(), c.log) {
				t.Errorf("log %q, want %q", logs.String(), c.log)
			}
		})
	}
	if len(byName) != 7 {
		t.Errorf("%d jobs, want 7", len(byName))
	}
	// The reminders tell beforehand what a run would queue.
	var p jobs.Preview
	if err := byName["reminders"].Preview(context.Background(), slot, &p); err != nil || len(p.Reminders) != 1 {
		t.Errorf("preview: %+v, %v", p, err)
	}
	// Without an evidence checker (turned off), its job does nothing.
	d.Work.Evidence = nil
	for _, j := range jobs.Register(d) {
		if j.Name == "evidence" {
			if err := j.Run(context.Background(), slot); err != nil {
				t.Errorf("evidence off: %v", err)
			}
		}
	}
}

// Package jobs runs pctracker's scheduled work with gocron. Register lists
// the whole schedule. Every run claims its slot in the job ledger (job_runs,
// unique on job and slot) in the same transaction as its effect, so a slot
// takes effect once even when several replicas, a restart or "run now" race
// for it, and a run that fails leaves nothing but its error and may be
// retried.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/pctracker/pctracker/internal/errs"
)

// Run is the latest recorded run of a job.
type Run struct {
	Slot       string
	Status     string // running, succeeded or failed
	Error      string
	StartedAt  time.Time
	FinishedAt *time.Time
}

// Status is a job as the jobs page shows it.
type Status struct {
	Name    string
	Last    *Run
	NextRun time.Time
}

// Ledger records job runs; ClaimJobRun returns false when the slot was
// taken.
type Ledger interface {
	LastJobRuns(ctx context.Context) (map[string]Run, error)
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	ClaimJobRun(ctx context.Context, job, slot, node string, at time.Time) (bool, error)
	FinishJobRun(ctx context.Context, job, slot string, at time.Time) error
	FailJobRun(ctx context.Context, job, slot, node, msg string, at time.Time) error
}

// Job is one kind of scheduled work.
type Job struct {
	Name       string
	Definition gocron.JobDefinition
	// Slot names the period a run covers (a day, a cycle): one run per slot.
	Slot func(now time.Time) string
	// Run does the work inside the ledger's transaction: every write made
	// with ctx commits together with the claim of the slot.
	Run func(ctx context.Context, slot string) error
}

// Deps are what the scheduler needs.
type Deps struct {
	Logger      *slog.Logger
	Ledger      Ledger
	Now         func() time.Time
	Housekeeper Housekeeper
}

// Housekeeper deletes what has outlived its use: expired sessions, old
// sign-in failures, spent links, old idempotency answers.
type Housekeeper interface {
	Housekeep(ctx context.Context, now time.Time) (map[string]int64, error)
}

// Scheduler wraps gocron with the ledger.
type Scheduler struct {
	cron   gocron.Scheduler
	deps   Deps
	node   string
	ctx    context.Context
	cancel context.CancelFunc
	jobs   []Job
}

// Register lists the whole schedule. The reporting cycle's jobs (reminders
// before the deadline, the report compiled ahead of the Forum) join this
// list with those features.
func Register(d Deps) []Job {
	daily := func(now time.Time) string { return now.UTC().Format(time.DateOnly) }
	return []Job{
		{
			Name:       "housekeeping",
			Definition: gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(3, 17, 0))),
			Slot:       daily,
			Run: func(ctx context.Context, slot string) error {
				counts, err := d.Housekeeper.Housekeep(ctx, d.Now())
				if err == nil {
					d.Logger.Info("housekeeping", "slot", slot, "deleted", counts)
				}
				return err
			},
		},
	}
}

// New builds the scheduler with every registered job.
func New(d Deps) (*Scheduler, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	cron, err := gocron.NewScheduler(gocron.WithLocation(time.UTC))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "scheduler")
	}
	host, _ := os.Hostname()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{cron: cron, deps: d, node: fmt.Sprintf("%s:%d", host, os.Getpid()), ctx: ctx, cancel: cancel}
	for _, j := range Register(d) {
		if err := s.add(j); err != nil {
			cancel()
			return nil, err
		}
	}
	return s, nil
}

func (s *Scheduler) add(j Job) error {
	_, err := s.cron.NewJob(j.Definition, gocron.NewTask(func() {
		if _, err := s.RunOnce(s.ctx, j, s.deps.Now()); err != nil {
			s.deps.Logger.Error("job failed", "job", j.Name, "error", err)
		}
	}), gocron.WithName(j.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return errs.Wrap(errs.Internal, err, "schedule job %s", j.Name)
	}
	s.jobs = append(s.jobs, j)
	return nil
}

// Statuses lists every job with its latest run and its next one.
func (s *Scheduler) Statuses(ctx context.Context) ([]Status, error) {
	last, err := s.deps.Ledger.LastJobRuns(ctx)
	if err != nil {
		return nil, err
	}
	next := map[string]time.Time{}
	for _, j := range s.cron.Jobs() {
		if t, err := j.NextRun(); err == nil {
			next[j.Name()] = t
		}
	}
	out := make([]Status, 0, len(s.jobs))
	for _, j := range s.jobs {
		st := Status{Name: j.Name, NextRun: next[j.Name]}
		if r, ok := last[j.Name]; ok {
			st.Last = &r
		}
		out = append(out, st)
	}
	return out, nil
}

// RunNow runs a job for the current slot, through the same once-per-slot
// ledger as the schedule: it reports false when the slot is already done.
func (s *Scheduler) RunNow(ctx context.Context, name string) (bool, error) {
	for _, j := range s.jobs {
		if j.Name == name {
			return s.RunOnce(ctx, j, s.deps.Now())
		}
	}
	return false, errs.E(errs.NotFound, "no job named %q", name)
}

// errTaken ends the transaction of a run whose slot another run holds.
var errTaken = errors.New("slot taken")

// RunOnce runs j for the slot of now unless that slot already succeeded or
// is being run. It reports whether it ran. On failure the run's writes are
// rolled back and the error is recorded on the slot.
func (s *Scheduler) RunOnce(ctx context.Context, j Job, now time.Time) (bool, error) {
	slot := j.Slot(now)
	err := s.deps.Ledger.WithTx(ctx, func(ctx context.Context) error {
		claimed, err := s.deps.Ledger.ClaimJobRun(ctx, j.Name, slot, s.node, now)
		if err != nil {
			return err
		}
		if !claimed {
			return errTaken
		}
		if err := j.Run(ctx, slot); err != nil {
			return err
		}
		return s.deps.Ledger.FinishJobRun(ctx, j.Name, slot, s.deps.Now())
	})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, errTaken):
		return false, nil
	}
	if ferr := s.deps.Ledger.FailJobRun(context.WithoutCancel(ctx), j.Name, slot, s.node, err.Error(), s.deps.Now()); ferr != nil {
		s.deps.Logger.Error("recording a failed job run", "job", j.Name, "slot", slot, "error", ferr)
	}
	return true, err
}

// Start starts the schedule.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop waits for running jobs to finish, then stops.
func (s *Scheduler) Stop() error {
	err := s.cron.Shutdown()
	s.cancel()
	return err
}

// Package jobs runs pctracker's scheduled work with gocron. Register lists
// the whole schedule. Every run first claims its slot in the job ledger
// (job_runs, unique on job and slot), so a slot runs once even when several
// replicas, a restart or "run now" race for it.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/pctracker/pctracker/internal/errs"
)

// Ledger records job runs; Claim returns false when the slot was taken.
type Ledger interface {
	ClaimJobRun(ctx context.Context, job, slot, node string, at time.Time) (bool, error)
	FinishJobRun(ctx context.Context, job, slot string, runErr error, at time.Time) error
}

// Job is one kind of scheduled work.
type Job struct {
	Name       string
	Definition gocron.JobDefinition
	// Slot names the period a run covers (a day, a cycle): one run per slot.
	Slot func(now time.Time) string
	Run  func(ctx context.Context, slot string) error
}

// Deps are what the scheduler needs.
type Deps struct {
	Logger *slog.Logger
	Ledger Ledger
	Now    func() time.Time
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

// Register lists the whole schedule. The reporting cycle's jobs (reminders,
// report compilation) join this list as those features land.
func Register(d Deps) []Job {
	return nil
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

// RunOnce runs j for the slot of now unless that slot was already claimed.
// It reports whether it ran.
func (s *Scheduler) RunOnce(ctx context.Context, j Job, now time.Time) (bool, error) {
	slot := j.Slot(now)
	claimed, err := s.deps.Ledger.ClaimJobRun(ctx, j.Name, slot, s.node, now)
	if err != nil || !claimed {
		return false, err
	}
	runErr := j.Run(ctx, slot)
	if err := s.deps.Ledger.FinishJobRun(context.WithoutCancel(ctx), j.Name, slot, runErr, s.deps.Now()); err != nil {
		return true, err
	}
	return true, runErr
}

// Start starts the schedule.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop waits for running jobs to finish, then stops.
func (s *Scheduler) Stop() error {
	err := s.cron.Shutdown()
	s.cancel()
	return err
}

// Package jobs runs pctracker's scheduled work with gocron, in UTC. Register
// lists the whole schedule. A job that must happen once per period claims
// its slot in the job ledger (job_runs, unique on job and slot) in the same
// transaction as its effect, so a slot takes effect once even when several
// replicas, a restart or "run now" race for it; a run that fails leaves
// nothing but its error and may be retried.
//
// With several replicas on PostgreSQL, one leader, elected with an advisory
// lock, runs the schedule; the others stand by. Whoever becomes leader (or
// starts alone) first catches up: each job's current slot, if it has not
// succeeded, runs at once, so a run missed while every replica was down
// happens at the next start, once.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/reminder"
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
	// Previewed: the job can tell what a run now would do, which the page
	// shows before running it.
	Previewed bool
}

// Preview is what running a job now would do, told without doing it.
type Preview struct {
	Job  string
	Slot string // the slot a run now would take, as the ledger names it
	// Previewed: the job tells what it would do (below, unless Done).
	Previewed bool
	// Done: that slot has run, or is running: a run now does nothing.
	Done bool
	// Reminders are, for the reminders job, the reminders it would queue.
	Reminders []reminder.Planned
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

// Every says when a job runs: once per Period, at Offset past the start of
// each period on the UTC clock. A daily job at 02:00 is {24h, 2h}; a
// schedule compressed for a test may be {5s, 0}.
type Every struct {
	Period time.Duration
	Offset time.Duration
}

// Slot returns the start of the period that holds t: the slot a run at t
// belongs to.
func (e Every) Slot(t time.Time) time.Time {
	return t.UTC().Add(-e.Offset).Truncate(e.Period).Add(e.Offset)
}

// Next returns the first run after t.
func (e Every) Next(t time.Time) time.Time { return e.Slot(t).Add(e.Period) }

// tolerance is how early a tick may fire and still belong to the slot it
// was set for: a tenth of the period, at most a minute.
func (e Every) tolerance() time.Duration { return min(e.Period/10, time.Minute) }

// Key names a slot in the ledger: its day for a daily job, else its start.
func (e Every) Key(slot time.Time) string {
	if e.Period%(24*time.Hour) == 0 {
		return slot.UTC().Format(time.DateOnly)
	}
	return slot.UTC().Format(time.RFC3339)
}

// Job is one kind of scheduled work.
type Job struct {
	Name  string
	Every Every
	// Once makes the job claim its slot in the ledger, in the transaction
	// of its effect. A job without it (the mail sender) runs on the leader
	// without a ledger row: its work is claimed row by row.
	Once bool
	// Run does the work of the slot that starts at slot. With Once, every
	// write made with ctx commits together with the claim of the slot.
	Run func(ctx context.Context, slot time.Time) error
	// Preview, when set, fills in what Run would do for slot, writing
	// nothing.
	Preview func(ctx context.Context, slot time.Time, p *Preview) error
}

// Elector tells whether this process leads; gocron asks it before each run.
type Elector interface {
	IsLeader(ctx context.Context) error
	// Start campaigns until ctx ends, calling elected each time this
	// process becomes the leader.
	Start(ctx context.Context, elected func())
}

// Observer is told of every run, for metrics.
type Observer interface {
	JobRun(job, result string, took time.Duration)
}

// Work is what the scheduled jobs call.
type Work struct {
	Housekeeper Housekeeper
	Reports     Reports
	Reminders   Reminders
	Notices     Notices
	Evidence    Evidence
	Purges      Purges // nil: no cache in front to purge
	// Subscriptions are the mail digests people follow without an
	// account; nil: none.
	Subscriptions Subscriptions
}

// Purges sends the outbox of CDN purges.
type Purges interface {
	Send(ctx context.Context) (sent, failed int, err error)
}

// Subscriptions writes the subscribers' digests of a slot to their outbox
// and sends what is in it.
type Subscriptions interface {
	Digest(ctx context.Context, slot time.Time) (int, error)
	Send(ctx context.Context) (sent, failed int, err error)
}

// Evidence checks the evidence links that are due.
type Evidence interface {
	Run(ctx context.Context) (int, error)
}

// Notices writes the day's digest of accepted actions to the outbox.
type Notices interface {
	Digest(ctx context.Context) (int, error)
}

// Housekeeper deletes what has outlived its use: expired sessions, old
// sign-in failures, spent links, old idempotency answers.
type Housekeeper interface {
	Housekeep(ctx context.Context, now time.Time) (map[string]int64, error)
}

// Reports compiles the draft report of every cycle between its report date
// and its Forum.
type Reports interface {
	CompileDue(ctx context.Context, day time.Time, slot string) ([]int, error)
}

// Reminders decides reminders into the outbox and sends what is in it.
type Reminders interface {
	Plan(ctx context.Context, day time.Time) (int, error)
	Preview(ctx context.Context, day time.Time) ([]reminder.Planned, error)
	Send(ctx context.Context) (sent, failed int, err error)
}

// Schedule says when each job runs.
type Schedule struct {
	Report       Every
	Reminders    Every
	Housekeeping Every
	Mail         Every
	Digests      Every
	Evidence     Every
}

// Deps are what the scheduler needs.
type Deps struct {
	Logger   *slog.Logger
	Ledger   Ledger
	Now      func() time.Time
	Clock    clockwork.Clock // gocron's clock; nil for the real one (tests pass a fake)
	Elector  Elector         // nil: this process is the only one (SQLite)
	Observer Observer        // nil: no metrics
	Schedule Schedule
	Work     Work
}

// Register lists the whole schedule.
func Register(d Deps) []Job {
	sch := d.Schedule
	return []Job{
		{
			Name: "report-compile", Every: sch.Report, Once: true,
			Run: func(ctx context.Context, slot time.Time) error {
				years, err := d.Work.Reports.CompileDue(ctx, slot, sch.Report.Key(slot))
				if err == nil && len(years) > 0 {
					d.Logger.Info("draft reports compiled", "slot", sch.Report.Key(slot), "cycles", years)
				}
				return err
			},
		},
		{
			Name: "reminders", Every: sch.Reminders, Once: true,
			Run: func(ctx context.Context, slot time.Time) error {
				n, err := d.Work.Reminders.Plan(ctx, slot)
				if err == nil && n > 0 {
					d.Logger.Info("reminders queued", "slot", sch.Reminders.Key(slot), "count", n)
				}
				return err
			},
			Preview: func(ctx context.Context, slot time.Time, p *Preview) (err error) {
				p.Reminders, err = d.Work.Reminders.Preview(ctx, slot)
				return err
			},
		},
		{
			// One digest per organisation per day: the acceptances since
			// the last one, told once (each is marked in the same
			// transaction as the digest is written and the slot claimed).
			Name: "digests", Every: sch.Digests, Once: true,
			Run: func(ctx context.Context, slot time.Time) error {
				n, err := d.Work.Notices.Digest(ctx)
				if err == nil && n > 0 {
					d.Logger.Info("digests of accepted actions queued", "slot", sch.Digests.Key(slot), "organisations", n)
				}
				if err != nil || d.Work.Subscriptions == nil {
					return err
				}
				// The subscribers' digests, in the same transaction.
				n, err = d.Work.Subscriptions.Digest(ctx, slot)
				if err == nil && n > 0 {
					d.Logger.Info("subscribers' digests queued", "slot", sch.Digests.Key(slot), "subscriptions", n)
				}
				return err
			},
		},
		{
			// Like the mail, its work is claimed link by link (a check is a
			// network fetch, held in no transaction), so that a link is
			// checked once when it is due, whoever runs the job.
			Name: "evidence", Every: sch.Evidence,
			Run: func(ctx context.Context, _ time.Time) error {
				if d.Work.Evidence == nil {
					return nil
				}
				n, err := d.Work.Evidence.Run(ctx)
				if n > 0 {
					d.Logger.Info("evidence links checked", "count", n)
				}
				return err
			},
		},
		{
			Name: "mail", Every: sch.Mail,
			Run: func(ctx context.Context, _ time.Time) error {
				sent, failed, err := d.Work.Reminders.Send(ctx)
				if sent+failed > 0 {
					d.Logger.Info("outbox drained", "sent", sent, "failed", failed)
				}
				if err != nil || d.Work.Subscriptions == nil {
					return err
				}
				// The subscriptions keep their own outbox: an
				// unsubscription deletes its mails not yet sent, with the
				// address, which the reminders' table, tied to
				// organisations and cycles, could not do.
				sent, failed, err = d.Work.Subscriptions.Send(ctx)
				if sent+failed > 0 {
					d.Logger.Info("subscriptions' outbox drained", "sent", sent, "failed", failed)
				}
				return err
			},
		},
		{
			// Like the mail: on the leader, claimed purge by purge, as
			// often as the mail goes out.
			Name: "purges", Every: sch.Mail,
			Run: func(ctx context.Context, _ time.Time) error {
				if d.Work.Purges == nil {
					return nil
				}
				sent, failed, err := d.Work.Purges.Send(ctx)
				if sent+failed > 0 {
					d.Logger.Info("purges sent", "sent", sent, "failed", failed)
				}
				return err
			},
		},
		{
			Name: "housekeeping", Every: sch.Housekeeping, Once: true,
			Run: func(ctx context.Context, slot time.Time) error {
				counts, err := d.Work.Housekeeper.Housekeep(ctx, d.Now())
				if err == nil {
					d.Logger.Info("housekeeping", "slot", sch.Housekeeping.Key(slot), "deleted", counts)
				}
				return err
			},
		},
	}
}

// Scheduler wraps gocron with the ledger and the elector.
type Scheduler struct {
	cron   gocron.Scheduler
	deps   Deps
	node   string
	ctx    context.Context
	cancel context.CancelFunc
	jobs   []Job
	wg     sync.WaitGroup // catch-up runs, which Stop waits for
	mu     sync.Mutex
	last   map[string]Run // runs of jobs without a ledger, on this node
	// stopping refuses new catch-ups once Stop has begun.
	stopping bool
	campaign chan struct{} // closed when the elector has stopped
}

// New builds the scheduler with the registered jobs.
func New(d Deps) (*Scheduler, error) {
	return NewWith(d, Register(d))
}

// NewWith builds a scheduler with the given jobs (tests give their own).
func NewWith(d Deps, list []Job) (*Scheduler, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	// Stop lets a running job finish within this time: a report compiled or
	// an outbox drained is worth waiting for before the database closes.
	opts := []gocron.SchedulerOption{gocron.WithLocation(time.UTC), gocron.WithStopTimeout(time.Minute)}
	if d.Clock != nil {
		opts = append(opts, gocron.WithClock(d.Clock))
	}
	if d.Elector != nil {
		opts = append(opts, gocron.WithDistributedElector(d.Elector))
	}
	cron, err := gocron.NewScheduler(opts...)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "scheduler")
	}
	host, _ := os.Hostname()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{cron: cron, deps: d, node: fmt.Sprintf("%s:%d", host, os.Getpid()), ctx: ctx, cancel: cancel,
		last: map[string]Run{}}
	for _, j := range list {
		if err := s.add(j); err != nil {
			cancel()
			return nil, err
		}
	}
	return s, nil
}

func (s *Scheduler) add(j Job) error {
	if j.Every.Period <= 0 {
		return errs.E(errs.Invalid, "job %s: the period must be positive", j.Name)
	}
	// A duration job started on the next boundary runs on every boundary
	// after it: the same instants on every replica, whatever its start.
	// The boundary is read on gocron's own clock, which must not put it in
	// the past.
	clockNow := time.Now()
	if s.deps.Clock != nil {
		clockNow = s.deps.Clock.Now()
	}
	first := j.Every.Next(clockNow)
	_, err := s.cron.NewJob(gocron.DurationJob(j.Every.Period), gocron.NewTask(func() {
		// The slot is the period that has just begun, read from the clock.
		// The timer may fire a hair before the boundary (it waits on the
		// monotonic clock while the boundary is on the wall clock), so the
		// clock is read a little ahead: an early tick still names the new
		// slot, a late one still names its own.
		if _, err := s.RunOnce(s.ctx, j, s.deps.Now().Add(j.Every.tolerance())); err != nil {
			s.deps.Logger.Error("job failed", "job", j.Name, "error", err)
		}
	}), gocron.WithName(j.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithStartAt(gocron.WithStartDateTime(first)))
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
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.jobs))
	for _, j := range s.jobs {
		st := Status{Name: j.Name, NextRun: next[j.Name], Previewed: j.Preview != nil}
		if r, ok := last[j.Name]; ok && j.Once {
			st.Last = &r
		} else if r, ok := s.last[j.Name]; ok {
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

// Preview tells what running a job now would do: the slot it would take,
// whether that slot is done already, and what the job says it would do.
// The slot is read from the same clock as RunNow's.
func (s *Scheduler) Preview(ctx context.Context, name string) (Preview, error) {
	i := slices.IndexFunc(s.jobs, func(j Job) bool { return j.Name == name })
	if i < 0 {
		return Preview{}, errs.E(errs.NotFound, "no job named %q", name)
	}
	j := s.jobs[i]
	slot := j.Every.Slot(s.deps.Now())
	p := Preview{Job: name, Slot: j.Every.Key(slot), Previewed: j.Preview != nil}
	if j.Once {
		last, err := s.deps.Ledger.LastJobRuns(ctx)
		if err != nil {
			return p, err
		}
		if r, ok := last[name]; ok && r.Slot == p.Slot && r.Status != "failed" {
			p.Done = true // a failed slot may run again; a succeeded or running one may not
			return p, nil
		}
	}
	if j.Preview != nil {
		if err := j.Preview(ctx, slot, &p); err != nil {
			return p, err
		}
	}
	return p, nil
}

// errTaken ends the transaction of a run whose slot another run holds.
var errTaken = errors.New("slot taken")

// RunOnce runs j for the slot of now. A job with Once runs unless that
// slot already succeeded or is being run, and reports whether it ran; on
// failure its writes are rolled back and the error is recorded on the
// slot.
func (s *Scheduler) RunOnce(ctx context.Context, j Job, now time.Time) (bool, error) {
	start := s.deps.Now()
	slot := j.Every.Slot(now)
	key := j.Every.Key(slot)
	if !j.Once {
		err := j.Run(ctx, slot)
		s.record(j.Name, key, start, err)
		return true, err
	}
	err := s.deps.Ledger.WithTx(ctx, func(ctx context.Context) error {
		claimed, err := s.deps.Ledger.ClaimJobRun(ctx, j.Name, key, s.node, start)
		if err != nil {
			return err
		}
		if !claimed {
			return errTaken
		}
		if err := j.Run(ctx, slot); err != nil {
			return err
		}
		return s.deps.Ledger.FinishJobRun(ctx, j.Name, key, s.deps.Now())
	})
	switch {
	case err == nil:
		s.observe(j.Name, "succeeded", start)
		return true, nil
	case errors.Is(err, errTaken):
		s.observe(j.Name, "skipped", start)
		return false, nil
	}
	s.observe(j.Name, "failed", start)
	if ferr := s.deps.Ledger.FailJobRun(context.WithoutCancel(ctx), j.Name, key, s.node, err.Error(), s.deps.Now()); ferr != nil {
		s.deps.Logger.Error("recording a failed job run", "job", j.Name, "slot", key, "error", ferr)
	}
	return true, err
}

// record keeps the last run of a job without a ledger, for the jobs page.
func (s *Scheduler) record(job, key string, start time.Time, err error) {
	end := s.deps.Now().UTC()
	r := Run{Slot: key, Status: "succeeded", StartedAt: start.UTC(), FinishedAt: &end}
	result := "succeeded"
	if err != nil {
		r.Status, r.Error, result = "failed", err.Error(), "failed"
	}
	s.mu.Lock()
	s.last[job] = r
	s.mu.Unlock()
	s.observe(job, result, start)
}

func (s *Scheduler) observe(job, result string, start time.Time) {
	if s.deps.Observer != nil {
		s.deps.Observer.JobRun(job, result, s.deps.Now().Sub(start))
	}
}

// CatchUp runs, on the leader, every once-per-slot job whose current slot
// has not succeeded: the runs missed while no replica was up.
func (s *Scheduler) CatchUp(ctx context.Context) {
	if s.deps.Elector != nil && s.deps.Elector.IsLeader(ctx) != nil {
		return
	}
	for _, j := range s.jobs {
		if !j.Once {
			continue
		}
		ran, err := s.RunOnce(ctx, j, s.deps.Now())
		switch {
		case err != nil:
			s.deps.Logger.Error("catch-up run failed", "job", j.Name, "error", err)
		case ran:
			s.deps.Logger.Info("caught up a missed run", "job", j.Name, "slot", j.Every.Key(j.Every.Slot(s.deps.Now())))
		}
	}
}

// Start starts the schedule: with an elector, the campaign (the leader
// catches up when elected); alone, the catch-up at once.
func (s *Scheduler) Start() {
	s.cron.Start()
	if s.deps.Elector != nil {
		s.campaign = make(chan struct{})
		go func() {
			defer close(s.campaign)
			s.deps.Elector.Start(s.ctx, s.catchUpUnlessStopping)
		}()
		return
	}
	go s.catchUpUnlessStopping()
}

func (s *Scheduler) catchUpUnlessStopping() {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	s.CatchUp(s.ctx)
}

// Stop lets running jobs finish, then stops: the schedule, the campaign
// (which gives up the leadership) and any catch-up.
func (s *Scheduler) Stop() error {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	err := s.cron.Shutdown()
	s.wg.Wait()
	s.cancel()
	if s.campaign != nil {
		<-s.campaign // the leadership is given up before the database closes
	}
	return err
}

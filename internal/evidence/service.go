package evidence

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	Action(ctx context.Context, id int64) (action.Action, error)
	CycleByID(ctx context.Context, id int64) (cycle.Cycle, error)
	TrackEvidence(ctx context.Context, links []Link) error
	SyncEvidence(ctx context.Context, actionID int64, urls []string, due time.Time) error
	ClaimDueLinks(ctx context.Context, actionID int64, now, lease time.Time, limit int) ([]Link, error)
	SaveCheck(ctx context.Context, claimed, now Link, c Check) (bool, error)
	PublicCapture(ctx context.Context, sha string, day time.Time) (Link, error)
	EvidenceLinks(ctx context.Context, actionIDs []int64) (map[int64][]Link, error)
	DueNow(ctx context.Context, actionID int64, at, notBefore time.Time) (int, error)
	CountDueLinks(ctx context.Context, actionID int64, now time.Time) (int, error)
	TrackPublicEvidence(ctx context.Context, at time.Time) (int, error)
	// AddPublicChange records that the public sees an action differently,
	// so that public answers are built again.
	AddPublicChange(ctx context.Context, actionID int64, at time.Time) error
	ArchiveSize(ctx context.Context) (Size, error)
	EvidenceFlags(ctx context.Context, cycleID int64) (map[int64]Flags, error)
}

// Blobs keeps the archived copies, by SHA-256: the database holds them
// (so every replica serves them and backups include them), and an object
// store would be another implementation of these two calls. Put is made
// in the transaction that records the capture.
type Blobs interface {
	PutBlob(ctx context.Context, b Blob, at time.Time) error
	Blob(ctx context.Context, sha string) (Blob, error)
}

// Getter fetches a link; the Fetcher is one.
type Getter interface {
	Get(ctx context.Context, link string) Fetch
}

// Notifier is told, in the transaction that records it, that a link of an
// organisation broke, once per break.
type Notifier interface {
	LinkBroken(ctx context.Context, a action.Action, link string) error
}

// Observer counts checks by the state they found, for metrics.
type Observer interface {
	EvidenceChecked(state string)
}

// Options tune the checks.
type Options struct {
	Enabled bool
	Period  time.Duration // between two checks of a link that answers; default a week
	PerRun  int           // checks one run makes at most; default 50
	Workers int           // checks under way at once; default 8 (the fetcher bounds each host)
	Lease   time.Duration // how long a claimed check may take before another checker may take it; default 5 min
}

// Service follows the evidence links of accepted public actions.
type Service struct {
	store    Store
	blobs    Blobs
	fetch    Getter
	notify   Notifier
	observer Observer
	now      func() time.Time
	opt      Options
	logger   *slog.Logger
	followed atomic.Bool // the public evidence accepted before this process was followed once
}

// NewService builds the service; notify and observer may be nil.
func NewService(store Store, blobs Blobs, fetch Getter, notify Notifier, observer Observer, now func() time.Time, opt Options, logger *slog.Logger) *Service {
	if opt.Period <= 0 {
		opt.Period = 7 * 24 * time.Hour
	}
	if opt.PerRun <= 0 {
		opt.PerRun = 50
	}
	if opt.Lease <= 0 {
		opt.Lease = 5 * time.Minute
	}
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	return &Service{store: store, blobs: blobs, fetch: fetch, notify: notify, observer: observer, now: now, opt: opt, logger: logger}
}

// Decided follows the evidence of every public action accepted, as it now
// stands, in the acceptance's transaction: its links are due for a check
// at once (which captures the copy of a new one), and the links a new
// version dropped are no longer followed, nor their copy served. An action
// under embargo is followed from the day the public sees it.
func (s *Service) Decided(ctx context.Context, _ user.Actor, steps []action.Step) error {
	if !s.opt.Enabled {
		return nil
	}
	now := s.now().UTC()
	for _, st := range steps {
		a := st.Action
		if st.Event.Decision != action.DecisionAccepted {
			continue
		}
		var urls []string
		if a.Visibility == action.Public {
			for _, e := range a.Evidence {
				urls = append(urls, e.URL)
			}
		}
		if err := s.store.SyncEvidence(ctx, a.ID, urls, now); err != nil {
			return err
		}
	}
	return nil
}

// FollowPublic starts following the evidence of every action the public
// may see that is not followed yet, due now: actions accepted before this
// version, or while checks were off, and data written as history (the
// demo), whose acceptances were not followed as they happened.
func (s *Service) FollowPublic(ctx context.Context) (int, error) {
	return s.store.TrackPublicEvidence(ctx, s.now().UTC())
}

// Run checks the links that are due, up to PerRun, one at a time: each is
// claimed first (committed at once, so that no other checker takes it),
// fetched outside any transaction, and its result recorded in one
// transaction with its copy and, when it broke, the organisation's notice.
// It returns how many it checked.
func (s *Service) Run(ctx context.Context) (int, error) {
	if !s.opt.Enabled {
		return 0, nil
	}
	// The first run of a process follows what was accepted before it (or
	// while checks were off): a start catches up what was missed.
	if !s.followed.Load() {
		if _, err := s.FollowPublic(ctx); err != nil {
			return 0, err
		}
		s.followed.Store(true)
	}
	return s.checkDue(ctx, 0, s.opt.PerRun, nil)
}

// checkDue checks up to limit due links (of one action, unless actionID
// is 0), Workers at a time, telling each (when each is set) as it is
// checked. A worker stops when nothing due is left to claim; a link
// another checker claimed first is simply not this one's.
func (s *Service) checkDue(ctx context.Context, actionID int64, limit int, each func(Link)) (int, error) {
	var (
		mu    sync.Mutex
		done  int
		first error
		wg    sync.WaitGroup
	)
	take := func() bool { // a place among the limit
		mu.Lock()
		defer mu.Unlock()
		if done >= limit || first != nil {
			return false
		}
		done++
		return true
	}
	giveBack := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		done--
		if err != nil && first == nil {
			first = err
		}
	}
	for w := 0; w < min(s.opt.Workers, limit); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && take() {
				now := s.now().UTC()
				claimed, err := s.store.ClaimDueLinks(ctx, actionID, now, now.Add(s.opt.Lease), 1)
				if err != nil || len(claimed) == 0 {
					giveBack(err)
					return
				}
				l, err := s.check(ctx, claimed[0])
				if err != nil {
					giveBack(err)
					return
				}
				if each != nil {
					mu.Lock()
					each(l)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return done, first
}

// CheckAll checks now the links of one action, or of every public action
// (actionID 0), whatever their schedule, for the command line; each
// reports every link as it is checked, with how many there are in all. A
// link checked within the last minute is not checked again.
func (s *Service) CheckAll(ctx context.Context, actionID int64, each func(l Link, done, total int)) (int, error) {
	now := s.now().UTC()
	if actionID == 0 {
		if _, err := s.FollowPublic(ctx); err != nil {
			return 0, err
		}
	}
	if _, err := s.store.DueNow(ctx, actionID, now, now.Add(s.opt.Lease)); err != nil {
		return 0, err
	}
	total, err := s.store.CountDueLinks(ctx, actionID, now)
	if err != nil {
		return 0, err
	}
	done := 0
	_, err = s.checkDue(ctx, actionID, total, func(l Link) {
		done++
		if each != nil {
			each(l, done, total)
		}
	})
	return done, err
}

// errClaimLost undoes the record of a check whose claim another checker
// took meanwhile.
var errClaimLost = errors.New("the claim of the check ran out")

// check fetches one claimed link and records what it found; it returns
// the link as it now stands.
func (s *Service) check(ctx context.Context, l Link) (Link, error) {
	f := s.fetch.Get(ctx, l.URL)
	at := s.now().UTC()
	next, c := Next(l, f, at, s.opt.Period)
	var body *Blob
	if l.CapturedSHA256 == "" && next.CapturedSHA256 != "" {
		body = &Blob{SHA256: f.SHA256, ContentType: f.ContentType, Data: f.Body} // the copy captured
	}
	broke := next.State == Broken && !l.BrokenNoticed
	if broke {
		next.BrokenNoticed = true
	}
	saved := false
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		// The copy first: the link names it.
		if body != nil {
			if err := s.blobs.PutBlob(ctx, *body, at); err != nil {
				return err
			}
		}
		if saved, err = s.store.SaveCheck(ctx, l, next, c); err != nil {
			return err
		}
		if !saved {
			return errClaimLost // nothing of this check stays, the copy included
		}
		// The public action page shows each link's state and copy: a change
		// of either is a change the public sees.
		if next.State != l.State || next.CapturedSHA256 != l.CapturedSHA256 {
			if err := s.store.AddPublicChange(ctx, l.ActionID, at); err != nil {
				return err
			}
		}
		if !broke || s.notify == nil {
			return nil
		}
		a, err := s.store.Action(ctx, l.ActionID)
		if err != nil {
			return err
		}
		return s.notify.LinkBroken(ctx, a, l.URL)
	})
	if errors.Is(err, errClaimLost) {
		s.logger.Warn("evidence check not recorded: its claim ran out", "action", l.ActionID)
		return l, nil
	}
	if err != nil {
		return l, err
	}
	if s.observer != nil {
		s.observer.EvidenceChecked(string(next.State))
	}
	return next, nil
}

// CheckNow makes an action's links due now, for the secretariat: the next
// run checks them. Asked twice within a minute, it is one check. It
// returns how many links were made due.
func (s *Service) CheckNow(ctx context.Context, by user.Actor, actionID int64) (int, error) {
	if err := by.RequireSecretariat("evidence is checked on the secretariat's request"); err != nil {
		return 0, err
	}
	a, err := s.store.Action(ctx, actionID)
	if err != nil {
		return 0, err
	}
	c, err := s.store.CycleByID(ctx, a.CycleID)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	if !a.ShownOn(c, now) {
		return 0, errs.Field(errs.Conflict, "state", "only the evidence of actions the public sees is checked")
	}
	return s.store.DueNow(ctx, actionID, now, now.Add(s.opt.Lease))
}

// Links returns what is known of the evidence links of actions.
func (s *Service) Links(ctx context.Context, actionIDs []int64) (map[int64][]Link, error) {
	return s.store.EvidenceLinks(ctx, actionIDs)
}

// Archived returns a copy captured at acceptance, with the link it was
// captured from, if that link is of an action the public may see now;
// anything else is not found.
func (s *Service) Archived(ctx context.Context, sha string) (Blob, Link, error) {
	if !validSHA256(sha) {
		return Blob{}, Link{}, errs.E(errs.NotFound, "no archived copy %q", sha)
	}
	l, err := s.store.PublicCapture(ctx, sha, s.now())
	if err != nil {
		return Blob{}, Link{}, err
	}
	b, err := s.blobs.Blob(ctx, sha)
	return b, l, err
}

// FlagsByOrganisation counts, per organisation, its links of a cycle that
// are broken or changed, for the secretariat's status board.
func (s *Service) FlagsByOrganisation(ctx context.Context, by user.Actor, cycleID int64) (map[int64]Flags, error) {
	if err := by.RequireSecretariat("the status board is the secretariat's"); err != nil {
		return nil, err
	}
	return s.store.EvidenceFlags(ctx, cycleID)
}

// Size tells what the archive holds.
func (s *Service) Size(ctx context.Context) (Size, error) { return s.store.ArchiveSize(ctx) }

func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

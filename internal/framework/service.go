package framework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	Recommendations(ctx context.Context) ([]recommendation.Recommendation, error)
	// Frameworks returns every framework with its provisions, in order.
	Frameworks(ctx context.Context) ([]Framework, error)
	CreateFramework(ctx context.Context, f *Framework, position int) error
	// UpdateFramework and UpdateProvision write if the stored version is
	// still expected; otherwise they return a Conflict.
	UpdateFramework(ctx context.Context, f *Framework, expected, position int) error
	DeleteFramework(ctx context.Context, id int64) error
	CreateProvision(ctx context.Context, p *Provision, position int) error
	UpdateProvision(ctx context.Context, p *Provision, expected, position int) error
	DeleteProvision(ctx context.Context, id int64) error
	// DeclaredCounts says, of these provisions, how many actions declare
	// each (provisions none declares are absent).
	DeclaredCounts(ctx context.Context, provisionIDs []int64) (map[int64]int, error)
	AddCrosswalkImport(ctx context.Context, sum string, frameworks, provisions int, userID int64, at time.Time) error
	CrosswalkImported(ctx context.Context) (bool, error)
	// ActionLinks returns the links of each action, by framework and
	// provision order.
	ActionLinks(ctx context.Context, actionIDs []int64) (map[int64][]Link, error)
	// ActionStatements returns what was said of an action's provisions:
	// Declared, or Removed for a derived one taken away, by provision.
	ActionStatements(ctx context.Context, actionID int64) (map[int64]string, error)
	SetActionStatement(ctx context.Context, actionID, provisionID int64, kind string) error
	DeleteActionStatement(ctx context.Context, actionID, provisionID int64) error
	AddLinkEvent(ctx context.Context, e *LinkEvent) error
	LinkEvents(ctx context.Context, actionID int64) ([]LinkEvent, error)
	// ProvisionFigures counts, per provision and per framework, the public
	// actions of a cycle on the day of on that count for them and their
	// organisations.
	ProvisionFigures(ctx context.Context, year int, on time.Time) (provisions, frameworks map[int64]Count, err error)
	// LinkedYears returns the years whose public actions count for a
	// provision, newest first.
	LinkedYears(ctx context.Context, on time.Time) ([]int, error)
	ShownAmong(ctx context.Context, ids []int64, on time.Time) (map[int64]bool, error)
	AddPublicChange(ctx context.Context, actionID int64, at time.Time) error
	OpenDataStore
	OwnStore
}

// Count is a number of actions and of their organisations.
type Count struct{ Actions, Organisations int }

// Actions reads an action as a caller may see it.
type Actions interface {
	Get(ctx context.Context, by user.Actor, id int64) (action.Action, error)
}

// Service manages the crosswalk and the links of actions to it.
type Service struct {
	store   Store
	actions Actions
	now     func() time.Time
}

// NewService builds the service.
func NewService(store Store, actions Actions, now func() time.Time) *Service {
	return &Service{store: store, actions: actions, now: now}
}

func secretariatOnly(by user.Actor) error {
	return by.RequireSecretariat("the crosswalk is kept by the secretariat")
}

func (s *Service) known(ctx context.Context) ([]int, error) {
	recs, err := s.store.Recommendations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(recs))
	for i, r := range recs {
		out[i] = r.Number
	}
	return out, nil
}

// List returns every framework with its provisions, in order.
func (s *Service) List(ctx context.Context) ([]Framework, error) {
	return s.store.Frameworks(ctx)
}

// Get returns one framework by its key.
func (s *Service) Get(ctx context.Context, key string) (Framework, error) {
	all, err := s.store.Frameworks(ctx)
	if err != nil {
		return Framework{}, err
	}
	return find(all, key)
}

func find(all []Framework, key string) (Framework, error) {
	for _, f := range all {
		if f.Key == key {
			return f, nil
		}
	}
	return Framework{}, errs.E(errs.NotFound, "there is no framework %q", key)
}

// Provision returns one provision of a framework.
func (f Framework) Provision(key string) (Provision, error) {
	for _, p := range f.Provisions {
		if p.Key == key {
			return p, nil
		}
	}
	return Provision{}, errs.E(errs.NotFound, "framework %q has no provision %q", f.Key, key)
}

// ImportResult says what an import changed.
type ImportResult struct {
	Frameworks, Provisions int // in the file
	FrameworksAdded        int
	FrameworksChanged      int
	FrameworksRemoved      int
	ProvisionsAdded        int
	ProvisionsChanged      int
	ProvisionsRemoved      int
	SHA256                 string
}

// Unchanged reports whether the file held what pctracker held already.
func (r ImportResult) Unchanged() bool {
	return r.FrameworksAdded+r.FrameworksChanged+r.FrameworksRemoved+r.ProvisionsAdded+r.ProvisionsChanged+r.ProvisionsRemoved == 0
}

// Check reads a crosswalk file as Import would, and writes nothing.
func (s *Service) Check(ctx context.Context, data []byte) (Crosswalk, error) {
	known, err := s.known(ctx)
	if err != nil {
		return Crosswalk{}, err
	}
	return Parse(data, known)
}

// Seed loads the initial crosswalk into a database that never imported
// one: after that the crosswalk is the secretariat's, even emptied.
func (s *Service) Seed(ctx context.Context, data []byte) (bool, error) {
	done, err := s.store.CrosswalkImported(ctx)
	if err != nil || done {
		return false, err
	}
	if _, err = s.Import(ctx, user.System("crosswalk seed"), data); err != nil {
		// Another replica, starting at the same moment, seeded it first.
		if done, again := s.store.CrosswalkImported(ctx); again == nil && done {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// Import makes the crosswalk what the file says, all or nothing:
// frameworks and provisions are matched by key, changed ones get a new
// version, those the file no longer holds are removed. A provision that
// actions declare is not removed silently: the file is refused, naming
// it, and nothing is written.
func (s *Service) Import(ctx context.Context, by user.Actor, data []byte) (ImportResult, error) {
	if err := secretariatOnly(by); err != nil {
		return ImportResult{}, err
	}
	known, err := s.known(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	cw, err := Parse(data, known)
	if err != nil {
		return ImportResult{}, err
	}
	sum := sha256.Sum256(data)
	res := ImportResult{Frameworks: len(cw.Frameworks), Provisions: cw.Provisions(), SHA256: hex.EncodeToString(sum[:])}
	now := s.now().UTC()
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		current, err := s.store.Frameworks(ctx)
		if err != nil {
			return err
		}
		if err := s.refuseDroppingDeclared(ctx, current, cw); err != nil {
			return err
		}
		for i, f := range cw.Frameworks {
			if err := s.importFramework(ctx, current, f, i, now, &res); err != nil {
				return err
			}
		}
		for _, f := range current {
			if _, err := find(cw.Frameworks, f.Key); err != nil {
				if err := s.store.DeleteFramework(ctx, f.ID); err != nil {
					return err
				}
				res.FrameworksRemoved++
				res.ProvisionsRemoved += len(f.Provisions)
			}
		}
		if err := s.store.AddCrosswalkImport(ctx, res.SHA256, res.Frameworks, res.Provisions, by.UserID, now); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "crosswalk.import", "crosswalk", res.SHA256[:12],
			map[string]any{"sha256": res.SHA256, "frameworks": res.Frameworks, "provisions": res.Provisions,
				"frameworks_added": res.FrameworksAdded, "frameworks_changed": res.FrameworksChanged, "frameworks_removed": res.FrameworksRemoved,
				"provisions_added": res.ProvisionsAdded, "provisions_changed": res.ProvisionsChanged, "provisions_removed": res.ProvisionsRemoved}, now))
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// refuseDroppingDeclared names the provisions the file would remove
// although actions declare them.
func (s *Service) refuseDroppingDeclared(ctx context.Context, current []Framework, cw Crosswalk) error {
	var dropped []Provision
	for _, f := range current {
		next, err := find(cw.Frameworks, f.Key)
		for _, p := range f.Provisions {
			if _, gone := next.Provision(p.Key); err != nil || gone != nil {
				dropped = append(dropped, p)
			}
		}
	}
	if len(dropped) == 0 {
		return nil
	}
	ids := make([]int64, len(dropped))
	for i, p := range dropped {
		ids[i] = p.ID
	}
	counts, err := s.store.DeclaredCounts(ctx, ids)
	if err != nil {
		return err
	}
	var fe fileErrors
	for _, p := range dropped {
		if n := counts[p.ID]; n > 0 {
			fe.add(0, "framework %q, provision %q is missing from the file, but %d action(s) declare it: keep it in the file, or remove it from those actions first",
				p.FrameworkKey, p.Key, n)
		}
	}
	return fe.err()
}

func (s *Service) importFramework(ctx context.Context, current []Framework, f Framework, position int, now time.Time, res *ImportResult) error {
	was, err := find(current, f.Key)
	f.UpdatedAt = now
	switch {
	case err != nil:
		f.Version = 1
		if err := s.store.CreateFramework(ctx, &f, position); err != nil {
			return err
		}
		res.FrameworksAdded++
	case !was.Input().same(f.Input()) || was.Position != position:
		f.ID, f.Version = was.ID, was.Version+1
		if err := s.store.UpdateFramework(ctx, &f, was.Version, position); err != nil {
			return err
		}
		res.FrameworksChanged++
	default:
		f.ID, f.Version = was.ID, was.Version
	}
	for i, p := range f.Provisions {
		p.FrameworkID, p.UpdatedAt = f.ID, now
		old, err := was.Provision(p.Key)
		switch {
		case was.ID == 0 || err != nil:
			p.Version = 1
			if err := s.store.CreateProvision(ctx, &p, i); err != nil {
				return err
			}
			res.ProvisionsAdded++
		case !sameProvision(old, p) || old.Position != i:
			p.ID, p.Version = old.ID, old.Version+1
			if err := s.store.UpdateProvision(ctx, &p, old.Version, i); err != nil {
				return err
			}
			res.ProvisionsChanged++
		}
	}
	for _, p := range was.Provisions {
		if _, err := f.Provision(p.Key); err != nil {
			if err := s.store.DeleteProvision(ctx, p.ID); err != nil {
				return err
			}
			res.ProvisionsRemoved++
		}
	}
	return nil
}

func sameProvision(a, b Provision) bool {
	return a.Title == b.Title && slices.Equal(a.Recommendations, b.Recommendations) && a.Confidence == b.Confidence && a.Note == b.Note
}

// Export writes the crosswalk as a file Import reads back to the same data.
func (s *Service) Export(ctx context.Context) ([]byte, error) {
	all, err := s.store.Frameworks(ctx)
	if err != nil {
		return nil, err
	}
	return Encode(Crosswalk{Frameworks: all})
}

// UpdateFramework saves the secretariat's edit of a framework it read at
// version (0 from the program itself: whatever is current). A stale
// version is a Conflict and nothing is written.
func (s *Service) UpdateFramework(ctx context.Context, by user.Actor, key string, version int, change func(*FrameworkInput)) (Framework, error) {
	if err := secretariatOnly(by); err != nil {
		return Framework{}, err
	}
	var f Framework
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if f, err = s.Get(ctx, key); err != nil {
			return err
		}
		if version = by.ReadVersion(version, f.Version); f.Version != version {
			return errs.Stale("this framework", f.Version)
		}
		in := f.Input()
		change(&in)
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		if in.same(f.Input()) {
			return nil // nothing changed: no new version
		}
		f.Title.EN, f.Title.FR, f.FRUnofficial, f.Issued, f.Source, f.Note = in.TitleEN, in.TitleFR, in.FRUnofficial, in.Issued, in.Source, in.Note
		f.Version, f.UpdatedAt = version+1, s.now().UTC()
		if err := s.store.UpdateFramework(ctx, &f, version, f.Position); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "framework.update", "framework", f.Key,
			map[string]any{"title": f.Title.EN, "version": f.Version}, f.UpdatedAt))
	})
	return f, err
}

// UpdateProvision saves the secretariat's edit of a provision, as
// UpdateFramework does.
func (s *Service) UpdateProvision(ctx context.Context, by user.Actor, framework, key string, version int, change func(*ProvisionInput)) (Provision, error) {
	if err := secretariatOnly(by); err != nil {
		return Provision{}, err
	}
	known, err := s.known(ctx)
	if err != nil {
		return Provision{}, err
	}
	var p Provision
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.Get(ctx, framework)
		if err != nil {
			return err
		}
		if p, err = f.Provision(key); err != nil {
			return err
		}
		if version = by.ReadVersion(version, p.Version); p.Version != version {
			return errs.Stale("this provision", p.Version)
		}
		before := p.Input()
		in := p.Input()
		change(&in)
		in.Normalize()
		if err := in.Validate(known); err != nil {
			return err
		}
		if sameProvision(p, Provision{Title: recommendation.Text{EN: in.TitleEN, FR: in.TitleFR}, Recommendations: in.Recommendations,
			Confidence: in.Confidence, Note: in.Note}) {
			return nil
		}
		p.Title = recommendation.Text{EN: in.TitleEN, FR: in.TitleFR}
		p.Recommendations, p.Confidence, p.Note = in.Recommendations, in.Confidence, in.Note
		p.Version, p.UpdatedAt = version+1, s.now().UTC()
		if err := s.store.UpdateProvision(ctx, &p, version, p.Position); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "provision.update", "provision", f.Key+" "+p.Key,
			map[string]any{"framework": f.Key, "provision": p.Key, "version": p.Version,
				"recommendations_before": before.Recommendations, "recommendations": p.Recommendations,
				"confidence_before": before.Confidence, "confidence": p.Confidence}, p.UpdatedAt))
	})
	return p, err
}

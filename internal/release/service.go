package release

import (
	"context"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	Report(ctx context.Context, id int64) (report.Report, error)
	ReportArtifact(ctx context.Context, id int64, f report.Format, lang string) (report.Artifact, error)
	// Actions and ShownAmong read the public actions (see package action);
	// EvidenceLinks what their links' checks found.
	Actions(ctx context.Context, f action.Filter) ([]action.Action, int, error)
	ShownAmong(ctx context.Context, ids []int64, on time.Time) (map[int64]bool, error)
	EvidenceLinks(ctx context.Context, actionIDs []int64) (map[int64][]evidence.Link, error)
	PutBlob(ctx context.Context, b evidence.Blob, at time.Time) error
	Blob(ctx context.Context, sha string) (evidence.Blob, error)
	// CreateRelease stores r with the next number of its year (set on r);
	// Releases lists them all, newest first.
	CreateRelease(ctx context.Context, r *Release) error
	Releases(ctx context.Context) ([]Release, error)
	SetReleaseDOI(ctx context.Context, id int64, doi string) error
}

// Options configure the releases.
type Options struct {
	BaseURL   string
	Publisher string // "" is DefaultPublisher
	DOIPrefix string
}

// Service makes, lists and serves the data releases.
type Service struct {
	store Store
	now   func() time.Time
	opt   Options
}

// NewService builds the service.
func NewService(store Store, now func() time.Time, opt Options) *Service {
	if opt.Publisher == "" {
		opt.Publisher = DefaultPublisher
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return &Service{store: store, now: now, opt: opt}
}

// Publisher names who publishes the releases.
func (s *Service) Publisher() string { return s.opt.Publisher }

// DOIPrefix is the configured DOI prefix, "" when none.
func (s *Service) DOIPrefix() string { return s.opt.DOIPrefix }

// ReportPublished makes a published report's first release, in the
// transaction that publishes it: the release exists if and only if the
// publication does.
func (s *Service) ReportPublished(ctx context.Context, r report.Report, cycleID int64) error {
	_, err := s.create(ctx, user.System("publication"), r.ID, FirstChangelog(r.CycleYear))
	return err
}

// Correct publishes the next release of a published report, with the
// changelog the secretariat gives: its public actions are read again as
// they stand now, still as accepted by the report's cut-off.
func (s *Service) Correct(ctx context.Context, by user.Actor, reportID int64, in CorrectionInput) (Release, error) {
	if err := by.RequireSecretariat("corrections are published by the secretariat"); err != nil {
		return Release{}, err
	}
	if err := in.Validate(); err != nil {
		return Release{}, err
	}
	var out Release
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.store.Report(ctx, reportID)
		if err != nil {
			return err
		}
		if r.Status != report.Published {
			return errs.E(errs.Conflict, "report %d is a draft: only a published report's release can be corrected", reportID)
		}
		out, err = s.create(ctx, by, reportID, in.Changelog)
		return err
	})
	return out, err
}

// create builds and stores the next release of a published report.
func (s *Service) create(ctx context.Context, by user.Actor, reportID int64, changelog string) (Release, error) {
	rep, err := s.store.Report(ctx, reportID)
	if err != nil {
		return Release{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	rel := Release{ReportID: reportID, Year: rep.CycleYear, Changelog: changelog, CreatedAt: now, CreatedBy: by.UserID,
		CutoffAt: rep.CutoffAt, PublicFrom: rep.PublicFrom}
	all, err := s.all(ctx)
	if err != nil {
		return Release{}, err
	}
	var earlier []Release
	for i := len(all) - 1; i >= 0; i-- { // oldest first
		if all[i].Year == rel.Year {
			earlier = append(earlier, all[i])
		}
	}
	rel.N = len(earlier) + 1
	c := Contents{Release: rel, Earlier: earlier, Publisher: s.opt.Publisher, BaseURL: s.opt.BaseURL, DOIPrefix: s.opt.DOIPrefix}
	if c.Rows, err = s.rows(ctx, rep); err != nil {
		return Release{}, err
	}
	if c.Documents, err = s.documents(ctx, rep); err != nil {
		return Release{}, err
	}
	body, err := Build(c)
	if err != nil {
		return Release{}, err
	}
	rel.SHA256, rel.Size = Checksum(body), int64(len(body))
	rel.Actions, rel.Organisations = len(c.Rows), len(c.Organisations())
	if err := s.store.PutBlob(ctx, evidence.Blob{SHA256: rel.SHA256, ContentType: "application/zip", Data: body}, now); err != nil {
		return Release{}, err
	}
	if err := s.store.CreateRelease(ctx, &rel); err != nil {
		return Release{}, err
	}
	return rel, s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "release.publish", "release", rel.ID,
		map[string]any{"version": rel.Version(), "report": reportID, "sha256": rel.SHA256, "actions": rel.Actions}, now))
}

// releaseBatch is how many actions a release reads at a time.
const releaseBatch = 500

// rows reads the report's cycle's public actions accepted by its cut-off,
// by id, with their links' checks as they stand.
func (s *Service) rows(ctx context.Context, rep report.Report) ([]Row, error) {
	// The release is public when its report is: the embargo is read as
	// over, and each action kept by its acceptance.
	visible := rep.CutoffAt.AddDate(2, 0, 0)
	through := rep.CutoffAt.UTC().Truncate(time.Second).Add(time.Second)
	f := action.Filter{CycleYear: rep.CycleYear, PublicOn: visible, ByID: true, Limit: releaseBatch, SkipTotal: true}
	var out []Row
	for {
		page, _, err := s.store.Actions(ctx, f)
		if err != nil {
			return nil, err
		}
		var kept []action.Action
		var ids, carried []int64
		for _, a := range page {
			if a.AcceptedAt != nil && a.AcceptedAt.Before(through) {
				kept, ids = append(kept, a), append(ids, a.ID)
				if a.CarriedFrom != nil {
					carried = append(carried, *a.CarriedFrom)
				}
			}
		}
		links, err := s.store.EvidenceLinks(ctx, ids)
		if err != nil {
			return nil, err
		}
		shown := map[int64]bool{}
		if len(carried) > 0 {
			if shown, err = s.store.ShownAmong(ctx, carried, visible); err != nil {
				return nil, err
			}
		}
		for _, a := range kept {
			if a.CarriedFrom != nil && !shown[*a.CarriedFrom] {
				a.CarriedFrom = nil // an earlier action the public does not see is not named
			}
			out = append(out, RowOf(a, links[a.ID]))
		}
		if len(page) < releaseBatch {
			return out, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// documents reads the report's stored documents, every format in every
// language it was published with.
func (s *Service) documents(ctx context.Context, rep report.Report) ([]Document, error) {
	var out []Document
	for _, tag := range locale.Languages() {
		for _, f := range report.Formats {
			a, err := s.store.ReportArtifact(ctx, rep.ID, f, tag.String())
			if errs.Is(err, errs.NotFound) {
				continue // a PDF this server could not print
			}
			if err != nil {
				return nil, err
			}
			out = append(out, DocumentOf(rep.CycleYear, a))
		}
	}
	return out, nil
}

// List returns the releases anyone may see (the secretariat, all of
// them), newest first, each knowing what supersedes it.
func (s *Service) List(ctx context.Context, by user.Actor) ([]Release, error) {
	all, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := all[:0]
	for _, r := range all {
		if by.IsSecretariat() || r.PublicOn(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// all reads every release, newest first, with what its report says of it
// and what supersedes it.
func (s *Service) all(ctx context.Context) ([]Release, error) {
	all, err := s.store.Releases(ctx)
	if err != nil {
		return nil, err
	}
	reports := map[int64]report.Report{}
	for i, r := range all {
		rep, ok := reports[r.ReportID]
		if !ok {
			if rep, err = s.store.Report(ctx, r.ReportID); err != nil {
				return nil, err
			}
			reports[r.ReportID] = rep
		}
		all[i].CutoffAt, all[i].PublicFrom = rep.CutoffAt, rep.PublicFrom
	}
	supersede(all)
	return all, nil
}

// supersede marks each release with the next of its year.
func supersede(newestFirst []Release) {
	next := map[int]string{}
	for i, r := range newestFirst {
		newestFirst[i].SupersededBy = next[r.Year]
		next[r.Year] = r.Version()
	}
}

// Get returns one release by its version; one whose report is not public
// yet is not found but by the secretariat.
func (s *Service) Get(ctx context.Context, by user.Actor, version string) (Release, error) {
	year, n, err := ParseVersion(version)
	if err != nil {
		return Release{}, err
	}
	all, err := s.List(ctx, by)
	if err != nil {
		return Release{}, err
	}
	for _, r := range all {
		if r.Year == year && r.N == n {
			return r, nil
		}
	}
	return Release{}, errs.E(errs.NotFound, "no release %s", version)
}

// Zip returns a release with its zip, checked against its SHA-256.
func (s *Service) Zip(ctx context.Context, by user.Actor, version string) (Release, []byte, error) {
	r, err := s.Get(ctx, by, version)
	if err != nil {
		return Release{}, nil, err
	}
	b, err := s.store.Blob(ctx, r.SHA256)
	if err != nil {
		return Release{}, nil, err
	}
	if Checksum(b.Data) != r.SHA256 {
		return Release{}, nil, errs.E(errs.Internal, "release %s does not match its SHA-256", version)
	}
	return r, b.Data, nil
}

// SetDOI records the DOI the secretariat minted for a release.
func (s *Service) SetDOI(ctx context.Context, by user.Actor, version, doi string) (Release, error) {
	if err := by.RequireSecretariat("DOIs are recorded by the secretariat"); err != nil {
		return Release{}, err
	}
	doi, err := CheckDOI(doi, s.opt.DOIPrefix)
	if err != nil {
		return Release{}, err
	}
	var out Release
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.Get(ctx, by, version)
		if err != nil {
			return err
		}
		if err := s.store.SetReleaseDOI(ctx, r.ID, doi); err != nil {
			return err
		}
		was := r.DOI
		r.DOI = doi
		out = r
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "release.doi", "release", r.ID,
			map[string]any{"version": r.Version(), "doi": doi, "was": was}, s.now().UTC()))
	})
	return out, err
}

// Cite is what r's citations are written from (its page's cite box, the
// API's): the DOI recorded, if any, is the one named.
func (s *Service) Cite(r Release) Contents {
	return Contents{Release: r, Publisher: s.opt.Publisher, BaseURL: s.opt.BaseURL, DOIPrefix: s.opt.DOIPrefix}
}

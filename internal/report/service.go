package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/user"
)

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	Cycle(ctx context.Context, year int) (cycle.Cycle, error)
	Cycles(ctx context.Context) ([]cycle.Cycle, error)
	// ReportRecommendations, ReportOrganisations and EachReportAction read
	// the inputs. EachReportAction calls fn with each action of a cycle
	// accepted strictly before before, a batch at a time: with listing, in
	// the order the report lists them (organisation name, title, id) and
	// with titles and evidence; without, in any order and without them.
	ReportRecommendations(ctx context.Context) ([]Recommendation, error)
	ReportOrganisations(ctx context.Context) ([]Organisation, error)
	EachReportAction(ctx context.Context, cycleID int64, before time.Time, listing bool, fn func(Action) error) error
	// ReportChallenges returns the challenges of the public actions a
	// report of the cycle counts (accepted strictly before before)
	// published strictly before before, by id.
	ReportChallenges(ctx context.Context, cycleID int64, before time.Time) ([]challenge.Challenge, error)
	// Frameworks and ActionLinks read the crosswalk, and the provisions
	// each action counts for, for the annex per framework.
	Frameworks(ctx context.Context) ([]framework.Framework, error)
	ActionLinks(ctx context.Context, actionIDs []int64) (map[int64][]framework.Link, error)
	// CreateReport stores a new draft; its inputs follow a chunk at a time
	// (AddReportInput, 0 the header), then their checksum.
	CreateReport(ctx context.Context, r *Report, cycleID int64, slot string) error
	AddReportInput(ctx context.Context, id int64, seq int, chunk []byte) error
	SetReportInputsSHA(ctx context.Context, id int64, sha string) error
	Report(ctx context.Context, id int64) (Report, error)
	Reports(ctx context.Context, year int, publishedOnly bool) ([]Report, error)
	ReportInput(ctx context.Context, id int64, seq int) ([]byte, error)
	ReportInputChunks(ctx context.Context, id int64) (int, error)
	// Publishing, in one transaction: LockReportDraft fails with Conflict
	// when the report is no longer a draft or its cycle already has a
	// published report; AddReportArtifact stores each document;
	// PublishReport marks the report published.
	LockReportDraft(ctx context.Context, id int64) error
	AddReportArtifact(ctx context.Context, id int64, a Artifact, at time.Time) error
	PublishReport(ctx context.Context, id, by int64, at time.Time, renderer string) error
	ReportArtifact(ctx context.Context, id int64, f Format, lang string) (Artifact, error)
}

// Renderer writes compiled figures as documents. Writing is kept apart from
// compiling: the figures depend on the inputs alone, the documents also on
// a template and catalogues (see Version).
type Renderer interface {
	// Render returns one document of c.
	Render(ctx context.Context, c Compiled, f Format, lang string) ([]byte, error)
	// WriteAll writes several documents of c, reading its actions once.
	WriteAll(ctx context.Context, c Compiled, outs []Output) error
	// CanPrint reports whether PDFs can be made.
	CanPrint() bool
	// Version names what the documents' bytes depend on besides the
	// figures: a published report records it, to be verified by the same.
	Version() string
}

// Output is one document to write: its format, its language and where.
type Output struct {
	Format Format
	Lang   string
	W      io.Writer
}

// Service compiles, lists, renders and publishes reports.
type Service struct {
	store    Store
	renderer Renderer
	now      func() time.Time
	notify   Notifier
}

// Notifier is told of a published report inside the transaction that
// publishes it, so that the notices it writes commit with it or not at
// all.
type Notifier interface {
	ReportPublished(ctx context.Context, r Report, cycleID int64) error
}

// Notifiers tells several notifiers of a publication, in turn, in its
// transaction: the first error undoes the publication.
type Notifiers []Notifier

// ReportPublished tells each notifier.
func (ns Notifiers) ReportPublished(ctx context.Context, r Report, cycleID int64) error {
	for _, n := range ns {
		if err := n.ReportPublished(ctx, r, cycleID); err != nil {
			return err
		}
	}
	return nil
}

// NewService builds the service; notify may be nil (nobody is told).
func NewService(store Store, renderer Renderer, now func() time.Time, notify Notifier) *Service {
	return &Service{store: store, renderer: renderer, now: now, notify: notify}
}

func secretariatOnly(by user.Actor) error {
	return by.RequireSecretariat("reports are compiled and published by the secretariat")
}

// CompileOptions tune a compilation.
type CompileOptions struct {
	// Cutoff is the second up to which acceptances count; zero: the
	// DefaultCutoff of the cycle. It may not be in the future.
	Cutoff time.Time
	// CutoffDay says that Cutoff names a calendar day: acceptances count
	// up to the end of it (of today, up to now).
	CutoffDay bool
	Source    Source // zero: Manual
	Slot      string // the scheduler's slot, if any
}

// SetCutoff reads a cut-off as the secretariat gives it: an RFC 3339 time,
// or a YYYY-MM-DD day, which stands for the end of that day (UTC). Empty
// keeps the default.
func (o *CompileOptions) SetCutoff(s string) error {
	o.Cutoff, o.CutoffDay = time.Time{}, false
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	day := false
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
		day = true
	}
	if err != nil {
		return errs.Field(errs.Invalid, "cutoff_at", fmt.Sprintf("%q is neither a time as 2027-10-22T00:00:00Z nor a date as 2027-10-22", s))
	}
	if msg := date.Check(t); msg != "" {
		return errs.Field(errs.Invalid, "cutoff_at", msg)
	}
	o.Cutoff, o.CutoffDay = t, day
	return nil
}

// DefaultCutoff is the cut-off of a report of c compiled at now when none
// is chosen: now while the cycle runs, and the end of its Forum day once
// that is over, since what the report tells the Forum is what had been
// accepted by then (a draft of a past cycle compiled weeks later must not
// count what came after).
func DefaultCutoff(c cycle.Cycle, now time.Time) time.Time {
	now = now.UTC().Truncate(time.Second)
	if c.ForumOver(now) {
		return forumEnd(c)
	}
	return now
}

// cutoff resolves the cut-off of a compilation of c at now, to the second.
func (o CompileOptions) cutoff(c cycle.Cycle, now time.Time) (time.Time, error) {
	future := func() error {
		return errs.Field(errs.Invalid, "cutoff_at", fmt.Sprintf("must not be in the future: it is now %s", now.Format(time.RFC3339)))
	}
	switch {
	case o.Cutoff.IsZero():
		return DefaultCutoff(c, now), nil
	case o.CutoffDay:
		day := date.Day(o.Cutoff)
		if day.After(now) {
			return time.Time{}, future()
		}
		if end := dayEnd(day); end.Before(now) {
			return end, nil
		}
		return now, nil // today: as far as it has gone
	}
	t := o.Cutoff.UTC().Truncate(time.Second)
	if t.After(now) {
		return time.Time{}, future()
	}
	return t, nil
}

// Compile reads the inputs of a cycle's report as of the cut-off and stores
// them as a new draft.
func (s *Service) Compile(ctx context.Context, by user.Actor, year int, opt CompileOptions) (Report, error) {
	if err := secretariatOnly(by); err != nil {
		return Report{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	if opt.Source == "" {
		opt.Source = Manual
	}
	var r Report
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Cycle(ctx, year)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.E(errs.NotFound, "there is no cycle for %d", year)
			}
			return err
		}
		if opt.Cutoff, err = opt.cutoff(c, now); err != nil {
			return err
		}
		opt.CutoffDay = false
		in, err := s.inputs(ctx, c, opt.Cutoff, now)
		if err != nil {
			return err
		}
		r = Report{CycleYear: year, Status: Draft, Source: opt.Source, CutoffAt: opt.Cutoff, CompiledAt: now,
			CompiledBy: by.UserID}
		if err := s.store.CreateReport(ctx, &r, c.ID, opt.Slot); err != nil {
			return err
		}
		// The inputs go in a chunk at a time as the actions are read; their
		// checksum is known at the end.
		sha, n, err := Pack(in, s.withLinks(ctx, s.source(ctx, c.ID, opt.Cutoff, true)), func(seq int, chunk []byte) error {
			return s.store.AddReportInput(ctx, r.ID, seq, chunk)
		})
		if err != nil {
			return err
		}
		r.InputsSHA256 = sha
		if err := s.store.SetReportInputsSHA(ctx, r.ID, sha); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "report.compile", "report", r.ID,
			map[string]any{"cycle": year, "cutoff_at": opt.Cutoff, "source": opt.Source, "actions": n,
				"inputs_sha256": r.InputsSHA256}, now))
	})
	return r, err
}

// CompileDue compiles, for the scheduler, a draft of every cycle whose
// report date has come and whose Forum has not passed on day (and that
// has no published report), in the transaction of ctx. It returns the
// years compiled.
func (s *Service) CompileDue(ctx context.Context, day time.Time, slot string) ([]int, error) {
	cycles, err := s.store.Cycles(ctx)
	if err != nil {
		return nil, err
	}
	var years []int
	for _, c := range cycles {
		d := day.UTC().Truncate(24 * time.Hour)
		if c.Reported || d.Before(c.ReportAt) || d.After(c.ForumDate) {
			continue
		}
		if _, err := s.Compile(ctx, user.System("scheduler"), c.Year, CompileOptions{Source: Scheduled, Slot: slot}); err != nil {
			return years, err
		}
		years = append(years, c.Year)
	}
	return years, nil
}

// source reads the actions of a cycle accepted by cutoff from storage.
func (s *Service) source(ctx context.Context, cycleID int64, cutoff time.Time, listing bool) ActionSource {
	return func(fn func(Action) error) error {
		return s.store.EachReportAction(ctx, cycleID, through(cutoff), listing, fn)
	}
}

// through is the first instant after the second a cut-off names. A cut-off
// is kept, shown and compared to the second, but acceptances are stamped to
// the nanosecond (the microsecond on PostgreSQL): an action accepted at
// 12:00:00.4 must count in a report cut off at 12:00:00, which a compile
// requested at 12:00:00.7 is, or in one cut off at the last second of the
// Forum day.
func through(cutoff time.Time) time.Time { return cutoff.UTC().Truncate(time.Second).Add(time.Second) }

// inputs reads everything a report of c is compiled from but its actions.
func (s *Service) inputs(ctx context.Context, c cycle.Cycle, cutoff, now time.Time) (Inputs, error) {
	in := Inputs{Cycle: period(c), CutoffAt: cutoff, CompiledAt: now}
	var err error
	if in.Recommendations, err = s.store.ReportRecommendations(ctx); err != nil {
		return in, err
	}
	if in.Organisations, err = s.store.ReportOrganisations(ctx); err != nil {
		return in, err
	}
	if in.Previous, err = s.previousOf(ctx, c, cutoff); err != nil {
		return in, err
	}
	challenges, err := s.store.ReportChallenges(ctx, c.ID, through(cutoff))
	if err != nil {
		return in, err
	}
	for _, ch := range challenges {
		in.Challenges = append(in.Challenges, ChallengeOf(ch))
	}
	frameworks, err := s.store.Frameworks(ctx)
	if err != nil {
		return in, err
	}
	in.Crosswalk = CrosswalkOf(frameworks)
	return in, nil
}

// previousOf reads the cycle before c (nil when there is none).
func (s *Service) previousOf(ctx context.Context, c cycle.Cycle, cutoff time.Time) (*Previous, error) {
	cycles, err := s.store.Cycles(ctx)
	if err != nil {
		return nil, err
	}
	var prev *cycle.Cycle
	for i := range cycles {
		if cycles[i].Year < c.Year && (prev == nil || cycles[i].Year > prev.Year) {
			prev = &cycles[i]
		}
	}
	if prev == nil {
		return nil, nil
	}
	return s.previous(ctx, *prev, cutoff)
}

// previous reads the cycle before, for the change since then: from its
// published report's frozen inputs when it has one, else from its actions
// accepted by the end of its Forum day (or the cut-off, if earlier).
func (s *Service) previous(ctx context.Context, c cycle.Cycle, cutoff time.Time) (*Previous, error) {
	published, err := s.store.Reports(ctx, c.Year, true)
	if err != nil {
		return nil, err
	}
	if len(published) > 0 {
		frozen, err := s.stored(ctx, published[0].ID)
		if err != nil {
			return nil, err
		}
		p, err := Summarise(period(c), frozen.Actions)
		if err != nil {
			return nil, err
		}
		p.Organisations, p.ReportID = frozen.Organisations, published[0].ID
		return p, nil
	}
	until := forumEnd(c)
	if cutoff.Before(until) {
		until = cutoff
	}
	return Summarise(period(c), s.source(ctx, c.ID, until, false))
}

// forumEnd is the last second of a cycle's Forum day.
func forumEnd(c cycle.Cycle) time.Time { return dayEnd(c.ForumDate) }

// dayEnd is the last second of a day (UTC): a cut-off includes all of it.
func dayEnd(day time.Time) time.Time { return date.Day(day).Add(24*time.Hour - time.Second) }

func period(c cycle.Cycle) Period {
	return Period{Year: c.Year, OpensAt: c.OpensAt, Deadline: c.Deadline, ReportAt: c.ReportAt, ForumDate: c.ForumDate}
}

// List returns a cycle's reports (every cycle's when year is 0), newest
// first: drafts, and reports still under the Forum embargo, only for the
// secretariat.
func (s *Service) List(ctx context.Context, by user.Actor, year int) ([]Report, error) {
	list, err := s.store.Reports(ctx, year, !by.IsSecretariat())
	if err != nil || by.IsSecretariat() {
		return list, err
	}
	now := s.now()
	public := list[:0]
	for _, r := range list {
		if r.PublicOn(now) {
			public = append(public, r)
		}
	}
	return public, nil
}

// Get returns one report. A draft, or a report published before the Forum
// of a cycle whose actions are embargoed until then, is not found but by
// the secretariat.
func (s *Service) Get(ctx context.Context, by user.Actor, id int64) (Report, error) {
	r, err := s.store.Report(ctx, id)
	if err != nil {
		return Report{}, err
	}
	if !by.IsSecretariat() && !r.PublicOn(s.now()) {
		return Report{}, errs.E(errs.NotFound, "no report %d", id)
	}
	return r, nil
}

// Document returns one document of a report, with the report. A published report answers
// with the document it was published with; a draft is compiled again from
// its stored inputs.
func (s *Service) Document(ctx context.Context, by user.Actor, id int64, f Format, lang string) (Report, Artifact, error) {
	if !f.Valid() {
		return Report{}, Artifact{}, errs.Field(errs.Invalid, "format", "must be one of html, pdf, md, csv, json, xlsx")
	}
	if lang = locale.Supported(lang); lang == "" {
		return Report{}, Artifact{}, errs.Field(errs.Invalid, "lang", "must be en or fr")
	}
	r, err := s.Get(ctx, by, id)
	if err != nil {
		return Report{}, Artifact{}, err
	}
	if r.Status == Published {
		a, err := s.store.ReportArtifact(ctx, id, f, lang)
		if err == nil || !errs.Is(err, errs.NotFound) {
			return r, a, err
		}
	}
	a, err := s.Recompile(ctx, id, f, lang)
	return r, a, err
}

// Live compiles the figures of a cycle from the actions accepted so far (at
// most until the end of its Forum day, as the change since a previous
// cycle counts them), without storing anything: what the public dashboard
// shows of a cycle that has no published report.
//
// prev is what the cycle is compared with, as Previous gives it; nil reads
// it. A caller that keeps it saves reading a second cycle.
func (s *Service) Live(ctx context.Context, year int, prev *Previous) (Figures, error) {
	c, err := s.store.Cycle(ctx, year)
	if err != nil {
		return Figures{}, err
	}
	now, cutoff := s.liveCutoff(c)
	in := Inputs{Cycle: period(c), CutoffAt: cutoff, CompiledAt: now, Previous: prev}
	if in.Recommendations, err = s.store.ReportRecommendations(ctx); err != nil {
		return Figures{}, err
	}
	if in.Organisations, err = s.store.ReportOrganisations(ctx); err != nil {
		return Figures{}, err
	}
	if prev == nil {
		if in.Previous, err = s.previousOf(ctx, c, cutoff); err != nil {
			return Figures{}, err
		}
	}
	return compile(in, s.source(ctx, c.ID, cutoff, false), false)
}

// Previous returns what Live compares the cycle of year with: the cycle
// before it, reduced to what the figures need (nil when there is none). It
// changes only when that cycle's actions are reviewed or its report is
// published.
func (s *Service) Previous(ctx context.Context, year int) (*Previous, error) {
	c, err := s.store.Cycle(ctx, year)
	if err != nil {
		return nil, err
	}
	_, cutoff := s.liveCutoff(c)
	return s.previousOf(ctx, c, cutoff)
}

// liveCutoff is now, and the cut-off of live figures: that of a report
// compiled now without one chosen.
func (s *Service) liveCutoff(c cycle.Cycle) (now, cutoff time.Time) {
	now = s.now().UTC().Truncate(time.Second)
	return now, DefaultCutoff(c, now)
}

// Figures compiles a stored report's figures again from its inputs.
func (s *Service) Figures(ctx context.Context, by user.Actor, id int64) (Figures, error) {
	if _, err := s.Get(ctx, by, id); err != nil {
		return Figures{}, err
	}
	c, err := s.compiled(ctx, id)
	return c.Figures, err
}

// Recompile compiles a report again from its stored inputs and renders one
// document. For a published report the CSV, JSON and Markdown come out
// byte for byte as published.
func (s *Service) Recompile(ctx context.Context, id int64, f Format, lang string) (Artifact, error) {
	c, err := s.compiled(ctx, id)
	if err != nil {
		return Artifact{}, err
	}
	body, err := s.renderer.Render(ctx, c, f, lang)
	if err != nil {
		return Artifact{}, err
	}
	return artifact(f, lang, body), nil
}

// stored reads a report's stored inputs.
func (s *Service) stored(ctx context.Context, id int64) (Stored, error) {
	head, err := s.store.ReportInput(ctx, id, 0)
	if err != nil {
		return Stored{}, err
	}
	n, err := s.store.ReportInputChunks(ctx, id)
	if err != nil {
		return Stored{}, err
	}
	st, err := Unpack(head, func(fn func(chunk []byte) error) error {
		for seq := 1; seq < n; seq++ {
			chunk, err := s.store.ReportInput(ctx, id, seq)
			if err != nil {
				return err
			}
			if err := fn(chunk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Stored{}, errs.Wrap(errs.Internal, err, "read the inputs of report %d", id)
	}
	return st, nil
}

// compiled compiles a stored report again from its inputs.
func (s *Service) compiled(ctx context.Context, id int64) (Compiled, error) {
	st, err := s.stored(ctx, id)
	if err != nil {
		return Compiled{}, err
	}
	return Compile(st.Inputs, st.Actions)
}

// CanPrint reports whether PDFs can be made here.
func (s *Service) CanPrint() bool { return s.renderer.CanPrint() }

// Export compiles a report again and writes each of its documents in
// formats, in English and French, to the writer open gives for it, one
// document at a time; it returns them with their sizes and checksums (and
// no bodies). Whoever may read the report may export it.
func (s *Service) Export(ctx context.Context, by user.Actor, id int64, formats []Format,
	open func(f Format, lang string) (io.WriteCloser, error)) ([]Artifact, error) {
	if _, err := s.Get(ctx, by, id); err != nil {
		return nil, err
	}
	return s.export(ctx, id, formats, open)
}

func (s *Service) export(ctx context.Context, id int64, formats []Format,
	open func(f Format, lang string) (io.WriteCloser, error)) (_ []Artifact, err error) {
	c, err := s.compiled(ctx, id)
	if err != nil {
		return nil, err
	}
	var outs []Output
	var files []io.WriteCloser
	var sums []*summer
	defer func() {
		for _, f := range files {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
		}
	}()
	for _, f := range formats {
		for _, tag := range locale.Languages() {
			w, err := open(f, tag.String())
			if err != nil {
				return nil, err
			}
			sum := newSummer(w)
			files, sums = append(files, w), append(sums, sum)
			outs = append(outs, Output{Format: f, Lang: tag.String(), W: sum})
		}
	}
	if err := s.renderer.WriteAll(ctx, c, outs); err != nil {
		return nil, err
	}
	out := make([]Artifact, len(outs))
	for i, o := range outs {
		out[i] = Artifact{Format: o.Format, Lang: o.Lang, SHA256: sums[i].digest(), Size: sums[i].n}
	}
	return out, nil
}

// Publish freezes a draft as the final report of its cycle: every document
// in both languages is rendered and stored with its SHA-256, and the
// report can no longer change. Without Chromium the PDF is left out and
// the rest is published. The documents are rendered to temporary files
// first, so that a large cycle's are never all in memory at once and the
// transaction that stores them is short.
func (s *Service) Publish(ctx context.Context, by user.Actor, id int64) (Report, error) {
	if err := secretariatOnly(by); err != nil {
		return Report{}, err
	}
	r, err := s.store.Report(ctx, id)
	if err != nil {
		return Report{}, err
	}
	if r.Status == Published {
		return Report{}, errs.E(errs.Conflict, "report %d is already published", id)
	}
	dir, err := os.MkdirTemp("", "pctracker-report-")
	if err != nil {
		return Report{}, errs.Wrap(errs.Internal, err, "publish report %d", id)
	}
	defer os.RemoveAll(dir)
	var formats []Format
	for _, f := range Formats {
		if f != PDF || s.renderer.CanPrint() {
			formats = append(formats, f)
		}
	}
	path := func(f Format, lang string) string { return filepath.Join(dir, string(f)+"."+lang) }
	docs, err := s.export(ctx, id, formats, func(f Format, lang string) (io.WriteCloser, error) {
		w, err := os.Create(path(f, lang))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "publish report %d", id)
		}
		return w, nil
	})
	if err != nil {
		return Report{}, err
	}
	now := s.now().UTC()
	err = s.store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockReportDraft(ctx, id); err != nil {
			return err
		}
		sums := map[string]string{}
		for _, d := range docs {
			body, err := os.ReadFile(path(d.Format, d.Lang))
			if err != nil {
				return errs.Wrap(errs.Internal, err, "publish report %d", id)
			}
			d.Body = body
			if err := s.store.AddReportArtifact(ctx, id, d, now); err != nil {
				return err
			}
			sums[string(d.Format)+"_"+d.Lang] = d.SHA256
		}
		if err := s.store.PublishReport(ctx, id, by.UserID, now, s.renderer.Version()); err != nil {
			return err
		}
		if s.notify != nil {
			c, err := s.store.Cycle(ctx, r.CycleYear)
			if err != nil {
				return err
			}
			if err := s.notify.ReportPublished(ctx, r, c.ID); err != nil {
				return err
			}
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "report.publish", "report", id,
			map[string]any{"cycle": r.CycleYear, "sha256": sums, "renderer": s.renderer.Version()}, now))
	})
	if err != nil {
		return Report{}, err
	}
	return s.store.Report(ctx, id)
}

// Verify compiles a published report again from its frozen inputs and
// compares the reproducible documents with those published; it returns
// the ones that differ.
func (s *Service) Verify(ctx context.Context, id int64) ([]string, error) {
	r, err := s.store.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != Published {
		return nil, errs.E(errs.Conflict, "report %d is a draft: only a published report has documents to compare", id)
	}
	if r.Renderer != s.renderer.Version() {
		return nil, errs.E(errs.Conflict, "report %d was published by another version of the report template or wording "+
			"(%s; this build has %s): compile it with that version to compare", id, r.Renderer, s.renderer.Version())
	}
	again, err := s.export(ctx, id, Reproducible, func(Format, string) (io.WriteCloser, error) { return discard{}, nil })
	if err != nil {
		return nil, err
	}
	var differ []string
	for _, a := range again {
		stored, err := s.store.ReportArtifact(ctx, id, a.Format, a.Lang)
		if err != nil {
			return nil, err
		}
		if digest(stored.Body) != a.SHA256 {
			differ = append(differ, fmt.Sprintf("%s (%s)", a.Format, a.Lang))
		}
	}
	return differ, nil
}

// summer counts and hashes what goes through it.
type summer struct {
	w io.Writer
	h hash.Hash
	n int
}

func newSummer(w io.Writer) *summer { return &summer{w: w, h: sha256.New()} }

func (s *summer) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.h.Write(p[:n])
	s.n += n
	return n, err
}

func (s *summer) digest() string { return hex.EncodeToString(s.h.Sum(nil)) }

// discard is a writer that keeps nothing, for documents only checksummed.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Close() error                { return nil }

func artifact(f Format, lang string, body []byte) Artifact {
	return Artifact{Format: f, Lang: lang, SHA256: digest(body), Size: len(body), Body: body}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

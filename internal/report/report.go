// Package report is about the Forum progress report of a cycle: the inputs
// read from the accepted actions at a cut-off time, the figures compiled from
// them, the drafts and the one published, frozen report of each cycle with
// its documents in every format and language, and how the status board's
// counts differ from a report's. The documents are written by a Renderer
// (package document), which only puts figures into words.
//
// Compilation is a pure function of the inputs, and the inputs are stored
// with every compilation: so a published report can always be compiled again
// from its frozen snapshot, to the same bytes.
package report

import (
	"fmt"
	"slices"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// The licence of everything pctracker publishes: the reports, the open
// data and the feed.
const (
	LicenceName = "CC BY 4.0"
	LicenceURL  = "https://creativecommons.org/licenses/by/4.0/"
)

// Status of a compilation.
type Status string

const (
	Draft     Status = "draft"
	Published Status = "published"
)

// Source says what compiled a report.
type Source string

const (
	Manual    Source = "manual"    // the secretariat, on a page or the API
	Scheduled Source = "scheduled" // the scheduler
	CLI       Source = "cli"       // pctracker report compile
)

// Report is one compilation of a cycle's report.
type Report struct {
	ID           int64
	CycleYear    int
	Status       Status
	Source       Source
	CutoffAt     time.Time
	CompiledAt   time.Time
	CompiledBy   int64 // 0 for the scheduler and the command line
	InputsSHA256 string
	PublishedAt  *time.Time
	PublishedBy  int64
	Renderer     string // Renderer.Version of the published documents
	// PublicFrom is when a published report becomes public: the Forum date
	// when the cycle's actions are embargoed until then, else zero (at once).
	PublicFrom time.Time
	Artifacts  []Artifact // stored documents; a published report has them all
}

// PublicOn reports whether anyone may read r at now.
func (r Report) PublicOn(now time.Time) bool {
	return r.Status == Published && !now.Before(r.PublicFrom)
}

// Document is one document of a report as pages and API list it: a format
// in a language, the address that serves it, and, once stored with the
// published report, its SHA-256 and size.
type Document struct {
	Format Format
	Lang   string
	URL    string
	SHA256 string // "" until stored
	Size   int
}

// Documents lists every document of r, each format in each language, in
// that order, with the address that serves it. The address is the API's,
// which pages link to as well: it is written here once for both.
func (r Report) Documents() []Document {
	stored := map[string]Artifact{}
	for _, a := range r.Artifacts {
		stored[string(a.Format)+"/"+a.Lang] = a
	}
	var out []Document
	for _, tag := range locale.Languages() {
		for _, f := range Formats {
			lang := tag.String()
			d := Document{Format: f, Lang: lang, URL: fmt.Sprintf("/api/v1/reports/%d/%s?lang=%s", r.ID, f, lang)}
			if a, ok := stored[string(f)+"/"+lang]; ok {
				d.SHA256, d.Size = a.SHA256, a.Size
			}
			out = append(out, d)
		}
	}
	return out
}

// Artifact is one stored document of a report.
type Artifact struct {
	Format Format
	Lang   string
	SHA256 string
	Size   int
	Body   []byte // filled only when the document itself is asked for
	Stored bool   // read from storage, not rendered for this request
}

// Format is a document format of the report.
type Format string

const (
	HTML     Format = "html"
	PDF      Format = "pdf"
	Markdown Format = "md"
	CSV      Format = "csv"
	JSON     Format = "json"
	XLSX     Format = "xlsx"
)

// Formats lists every format, in the order pages show them.
var Formats = []Format{HTML, PDF, Markdown, CSV, JSON, XLSX}

// Reproducible lists the formats whose bytes depend on the inputs alone;
// PDF and XLSX carry their own creation times.
var Reproducible = []Format{Markdown, CSV, JSON}

// Valid reports whether f is known.
func (f Format) Valid() bool { return slices.Contains(Formats, f) }

// ContentType is the media type of a format.
func (f Format) ContentType() string {
	switch f {
	case HTML:
		return "text/html; charset=utf-8"
	case PDF:
		return "application/pdf"
	case Markdown:
		return "text/markdown; charset=utf-8"
	case CSV:
		return "text/csv; charset=utf-8"
	case JSON:
		return "application/json"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Filename names a document of the report for download.
func Filename(year int, lang string, f Format) string {
	return fmt.Sprintf("paris-call-progress-report-%d-%s.%s", year, lang, f)
}

// Inputs are everything a report is compiled from but its actions, which
// are read and written one at a time (an ActionSource): a cycle can hold a
// hundred thousand of them. They are stored with every compilation as JSON
// Lines (see Pack); secretariat-only actions are kept as counts only
// (no title, no evidence), since they never appear in a report.
type Inputs struct {
	Cycle           Period           `json:"cycle"`
	CutoffAt        time.Time        `json:"cutoff_at"`
	CompiledAt      time.Time        `json:"compiled_at"`
	Recommendations []Recommendation `json:"recommendations"`
	Organisations   []Organisation   `json:"organisations"`
	Previous        *Previous        `json:"previous,omitempty"`
	// Challenges are those of the report's public actions published by
	// the cut-off, by id. Inputs stored before there were challenges have
	// no such field: it means none. (Empty, it is left out, so that the
	// inputs of a report without challenges are written as before.)
	Challenges []Challenge `json:"challenges,omitempty"`
	// Crosswalk is the crosswalk as read at compilation, for the annex
	// per framework; each public action carries the provisions it counts
	// for. Inputs stored before the crosswalk have none: no annex.
	Crosswalk *Crosswalk `json:"crosswalk,omitempty"`
}

// Challenge is a published challenge of a public action of the report, as
// the public reads it: a reviewer that chose not to be named has no name
// here, so that no stored input ever holds it.
type Challenge struct {
	ID           int64             `json:"id"`
	ActionID     int64             `json:"action_id"`
	Reviewer     string            `json:"reviewer,omitempty"` // "" when it chose not to be named
	ReviewerKind stakeholder.Kind  `json:"reviewer_kind"`
	Grounds      challenge.Grounds `json:"grounds"`
	Outcome      challenge.Outcome `json:"outcome"`
	Reasons      string            `json:"reasons"`
	StageSet     action.Stage      `json:"stage_set,omitempty"`
	AssuranceSet action.Assurance  `json:"assurance_set,omitempty"`
	PublishedAt  time.Time         `json:"published_at"`
}

// ChallengeOf is c, a published challenge, as a report's input: as the
// public reads it (challenge.AsSeenBy decides what that is).
func ChallengeOf(c challenge.Challenge) Challenge {
	c = c.AsSeenBy(user.Actor{})
	out := Challenge{ID: c.ID, ActionID: c.ActionID, Reviewer: c.Reviewer, ReviewerKind: c.ReviewerKind, Grounds: c.Grounds,
		Outcome: c.Outcome, Reasons: c.Reasons, StageSet: c.StageSet, AssuranceSet: c.AssuranceSet}
	if c.PublishedAt != nil {
		out.PublishedAt = c.PublishedAt.UTC()
	}
	return out
}

// Period is a cycle's year and dates.
type Period struct {
	Year      int       `json:"year"`
	OpensAt   time.Time `json:"opens_at"`
	Deadline  time.Time `json:"deadline"`
	ReportAt  time.Time `json:"report_at"`
	ForumDate time.Time `json:"forum_date"`
}

// Recommendation is a recommendation as the report needs it.
type Recommendation struct {
	Number     int                 `json:"number"`
	Slug       string              `json:"slug"`
	Title      recommendation.Text `json:"title"`
	Addressees []stakeholder.Kind  `json:"addressees"`
}

// Organisation is a supporting organisation as the report needs it.
type Organisation struct {
	ID             int64            `json:"id"`
	Name           string           `json:"name"`
	Kind           stakeholder.Kind `json:"kind"`
	Country        string           `json:"country"`
	Active         bool             `json:"active"`
	SupporterSince *time.Time       `json:"supporter_since,omitempty"`
}

// Action is an accepted action as the report needs it.
type Action struct {
	ID              int64              `json:"id"`
	OrganisationID  int64              `json:"organisation_id"`
	Public          bool               `json:"public"`
	Title           string             `json:"title,omitempty"`
	Stage           action.Stage       `json:"stage"`
	Assurance       action.Assurance   `json:"assurance,omitempty"` // as at the cut-off; "" in inputs stored before levels: self-declared
	MeasureType     action.MeasureType `json:"measure_type"`
	Scope           action.Scope       `json:"scope"`
	CarriedForward  bool               `json:"carried_forward"`
	Recommendations []int              `json:"recommendations"`
	AcceptedAt      time.Time          `json:"accepted_at"`
	Evidence        []Evidence         `json:"evidence,omitempty"`
	// Cited tells, where the evidence is not read (the live figures),
	// whether the action cites any; it is not part of the inputs.
	Cited bool `json:"-"`
	// Provisions are those a public action counts for, as read at
	// compilation (see Crosswalk).
	Provisions []ProvisionLink `json:"provisions,omitempty"`
}

// Evidence is a link of a public action, with what the report relied on:
// the SHA-256 of the copy archived by the cut-off, and the state the last
// check before the cut-off found ("" when none had).
type Evidence struct {
	Kind   action.EvidenceKind `json:"kind"`
	URL    string              `json:"url"`
	Title  string              `json:"title"`
	SHA256 string              `json:"sha256,omitempty"`
	State  string              `json:"state,omitempty"`
}

// Previous is the cycle before, for the change since then, reduced to what
// the figures need: its public accepted actions counted, the organisations
// that reported, and per recommendation each organisation acting at its
// furthest stage. They come from its published report when it has one (so
// the change is measured against the figures people saw), else from its
// actions accepted by its Forum, with today's organisations.
type Previous struct {
	Period        Period         `json:"period"`
	Actions       int            `json:"actions"`
	Reporting     []int64        `json:"reporting"`
	Acting        []Acting       `json:"acting"`
	Organisations []Organisation `json:"organisations,omitempty"` // as its report saw them; empty: the current ones
	ReportID      int64          `json:"report_id,omitempty"`     // the published report they come from
}

// Acting is an organisation acting on a recommendation, at the furthest
// stage of its actions on it.
type Acting struct {
	Recommendation int          `json:"recommendation"`
	OrganisationID int64        `json:"organisation_id"`
	Stage          action.Stage `json:"stage"`
}

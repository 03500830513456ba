package release

import (
	"strconv"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// Row is one public action as a release holds it: the columns of the open
// data's CSV, in its order.
type Row struct {
	ID               int64      `json:"id"`
	Cycle            int        `json:"cycle"`
	OrganisationID   int64      `json:"organisation_id"`
	Organisation     string     `json:"organisation"`
	OrganisationKind string     `json:"organisation_kind"`
	Title            string     `json:"title"`
	Description      string     `json:"description"`
	Recommendations  []int      `json:"recommendations"`
	Stage            string     `json:"stage"`
	Measure          string     `json:"measure"`
	Scope            string     `json:"scope"`
	StartsOn         string     `json:"starts_on"` // YYYY-MM-DD or ""
	EndsOn           string     `json:"ends_on"`
	CarriedFrom      *int64     `json:"carried_from"`
	AcceptedAt       string     `json:"accepted_at"`
	Evidence         []Evidence `json:"evidence"`
	Assurance        string     `json:"assurance"`
}

// Evidence is a link of an action with what its checks found by the
// release: its state and the SHA-256 and time of the copy archived.
type Evidence struct {
	Kind       string `json:"kind"`
	URL        string `json:"url"`
	Title      string `json:"title"`
	State      string `json:"state"`       // "" when never checked
	SHA256     string `json:"sha256"`      // "" when no copy is archived
	ArchivedAt string `json:"archived_at"` // RFC 3339, "" when none
}

// RowOf is a public action as a release holds it, with its links' checks.
func RowOf(a action.Action, links []evidence.Link) Row {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	r := Row{ID: a.ID, Cycle: a.CycleYear, OrganisationID: a.StakeholderID, Organisation: a.Organisation,
		OrganisationKind: a.OrganisationKind, Title: a.Title, Description: a.Description, Recommendations: a.Recommendations,
		Stage: string(a.Stage), Measure: string(a.MeasureType), Scope: string(a.Scope), StartsOn: day(a.StartDate),
		EndsOn: day(a.EndDate), CarriedFrom: a.CarriedFrom, Assurance: string(a.Assurance), Evidence: []Evidence{}}
	if r.Recommendations == nil {
		r.Recommendations = []int{}
	}
	if a.AcceptedAt != nil {
		r.AcceptedAt = a.AcceptedAt.UTC().Format(time.RFC3339)
	}
	for _, e := range a.Evidence {
		ev := Evidence{Kind: string(e.Kind), URL: e.URL, Title: e.Title}
		for _, l := range links {
			if l.URL != e.URL {
				continue
			}
			ev.State = string(l.State)
			if l.CapturedSHA256 != "" && l.CapturedAt != nil {
				ev.SHA256, ev.ArchivedAt = l.CapturedSHA256, l.CapturedAt.UTC().Format(time.RFC3339)
			}
		}
		r.Evidence = append(r.Evidence, ev)
	}
	return r
}

// Header is the CSV's header: the open data's columns. The evidence_*
// columns hold one value per link, in the order of evidence_urls,
// separated by spaces; "-" where a link has none.
var Header = []string{"id", "cycle", "organisation_id", "organisation", "organisation_kind", "title", "description",
	"recommendations", "stage", "measure", "scope", "starts_on", "ends_on", "carried_from", "accepted_at", "evidence_urls",
	"evidence_state", "evidence_sha256", "archived_at", "assurance"}

// Cells is the CSV row of r, in the order of Header.
func (r Row) Cells() []string {
	recs := make([]string, len(r.Recommendations))
	for i, n := range r.Recommendations {
		recs[i] = strconv.Itoa(n)
	}
	n := len(r.Evidence)
	urls, states, shas, archived := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for i, e := range r.Evidence {
		urls[i], states[i], shas[i], archived[i] = e.URL, dash(e.State), dash(e.SHA256), dash(e.ArchivedAt)
	}
	carried := ""
	if r.CarriedFrom != nil {
		carried = strconv.FormatInt(*r.CarriedFrom, 10)
	}
	return []string{strconv.FormatInt(r.ID, 10), strconv.Itoa(r.Cycle), strconv.FormatInt(r.OrganisationID, 10), r.Organisation,
		r.OrganisationKind, r.Title, r.Description, strings.Join(recs, ";"), r.Stage, r.Measure, r.Scope, r.StartsOn, r.EndsOn,
		carried, r.AcceptedAt, strings.Join(urls, " "), strings.Join(states, " "), strings.Join(shas, " "),
		strings.Join(archived, " "), r.Assurance}
}

// Field is a column of a Frictionless Table Schema.
type Field struct {
	Name        string       `json:"name"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Type        string       `json:"type"`
	Format      string       `json:"format,omitempty"`
	Constraints *Constraints `json:"constraints,omitempty"`
}

// Constraints of a Table Schema field.
type Constraints struct {
	Required bool     `json:"required,omitempty"`
	Unique   bool     `json:"unique,omitempty"`
	Minimum  *int     `json:"minimum,omitempty"`
	Maximum  *int     `json:"maximum,omitempty"`
	Pattern  string   `json:"pattern,omitempty"`
	Enum     []string `json:"enum,omitempty"`
}

// TableSchema is a Frictionless Table Schema.
type TableSchema struct {
	Fields        []Field  `json:"fields"`
	PrimaryKey    []string `json:"primaryKey,omitempty"`
	MissingValues []string `json:"missingValues"`
}

// perLink is the pattern of a list of per-link values (a pattern of a
// Table Schema matches the whole cell): a cell the spreadsheet-safe writer prefixes
// with an apostrophe when it starts with "-" (see package export).
func perLink(value string) string {
	return `'?(` + value + `)( (` + value + `))*`
}

// Schema is the Table Schema of the actions' CSV: every column with its
// type, constraints and the values its vocabulary allows.
func Schema() TableSchema {
	one := 1
	required := &Constraints{Required: true}
	states := []string{"-"}
	for _, s := range evidence.States {
		states = append(states, string(s))
	}
	return TableSchema{PrimaryKey: []string{"id"}, MissingValues: []string{""}, Fields: []Field{
		{Name: "id", Type: "integer", Description: "The action's id, as in the open data and at /actions/{id}.",
			Constraints: &Constraints{Required: true, Unique: true, Minimum: &one}},
		{Name: "cycle", Type: "integer", Description: "The year of the reporting cycle.", Constraints: &Constraints{Required: true, Minimum: &one}},
		{Name: "organisation_id", Type: "integer", Constraints: &Constraints{Required: true, Minimum: &one}},
		{Name: "organisation", Type: "string", Description: "The supporting organisation that reported the action.", Constraints: required},
		{Name: "organisation_kind", Type: "string", Constraints: &Constraints{Required: true, Enum: codes(stakeholder.Kinds)}},
		{Name: "title", Type: "string", Constraints: required},
		{Name: "description", Type: "string", Description: "Markdown."},
		{Name: "recommendations", Type: "string", Description: "The numbers (1 to 12) of the Paris Call recommendations the action answers, separated by semicolons.",
			Constraints: &Constraints{Required: true, Pattern: `(1[0-2]|[1-9])(;(1[0-2]|[1-9]))*`}},
		{Name: "stage", Type: "string", Constraints: &Constraints{Required: true, Enum: codes(action.Stages)}},
		{Name: "measure", Type: "string", Constraints: &Constraints{Required: true, Enum: measures()}},
		{Name: "scope", Type: "string", Constraints: &Constraints{Required: true, Enum: codes(action.Scopes)}},
		{Name: "starts_on", Type: "date"},
		{Name: "ends_on", Type: "date"},
		{Name: "carried_from", Type: "integer", Description: "The action of an earlier cycle this one continues, when that one is public.",
			Constraints: &Constraints{Minimum: &one}},
		{Name: "accepted_at", Type: "datetime", Constraints: required},
		{Name: "evidence_urls", Type: "string", Description: "The evidence links, separated by spaces."},
		{Name: "evidence_state", Type: "string", Description: "Per link, what its last check found; - when none.",
			Constraints: &Constraints{Pattern: perLink(strings.Join(states, "|"))}},
		{Name: "evidence_sha256", Type: "string", Description: "Per link, the SHA-256 of the copy archived at acceptance; - when none.",
			Constraints: &Constraints{Pattern: perLink(`-|[0-9a-f]{64}`)}},
		{Name: "archived_at", Type: "string", Description: "Per link, when that copy was archived (RFC 3339); - when none.",
			Constraints: &Constraints{Pattern: perLink(`-|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z`)}},
		{Name: "assurance", Type: "string", Constraints: &Constraints{Required: true, Enum: codes(action.Assurances)}},
	}}
}

func codes[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

func measures() []string {
	out := make([]string, len(action.MeasureTypes))
	for i, m := range action.MeasureTypes {
		out[i] = string(m.Type)
	}
	return out
}

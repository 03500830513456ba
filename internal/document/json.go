package document

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"io"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
)

// Schema is the JSON Schema of the JSON document; a test validates every
// JSON report against it.
//
//go:embed report.schema.json
var Schema []byte

// SchemaURL names the schema inside each document.
const SchemaURL = "https://pctracker.org/schemas/report/v1.json"

type jsonDoc struct {
	Schema          string        `json:"$schema"`
	Cycle           int           `json:"cycle"`
	Lang            string        `json:"lang"`
	Title           string        `json:"title"`
	CutoffAt        time.Time     `json:"cutoff_at"`
	CompiledAt      time.Time     `json:"compiled_at"`
	Dates           jsonDates     `json:"dates"`
	Headline        jsonHeadline  `json:"headline"`
	Recommendations []jsonRec     `json:"recommendations"`
	HeatMap         []jsonHeatRow `json:"heat_map"`
	Gaps            []jsonGap     `json:"gaps"`
	// Challenges are the report's, left out of the dashboard's live
	// figures, which count none.
	Challenges *jsonChallenges `json:"challenges,omitempty"`
	// Crosswalk is the annex per framework, left out when the report's
	// inputs hold no crosswalk.
	Crosswalk   *jsonCrosswalk `json:"crosswalk,omitempty"`
	Methodology string         `json:"methodology"`
	// Actions come last, so that they can be written one at a time
	// after the rest (see jsonReport).
	Actions []jsonAction `json:"actions"`
}

type jsonDates struct {
	OpensAt   string `json:"opens_at"`
	Deadline  string `json:"deadline"`
	ReportAt  string `json:"report_at"`
	ForumDate string `json:"forum_date"`
}

type jsonCount struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

type jsonHeadline struct {
	Supporters     int           `json:"supporters"`
	Reporting      int           `json:"organisations_reporting"`
	SupportersBy   []jsonCount   `json:"supporters_by_kind"`
	ReportingBy    []jsonCount   `json:"reporting_by_kind"`
	Actions        int           `json:"actions"`
	Withheld       int           `json:"withheld_actions"`
	ByStage        []jsonCount   `json:"actions_by_stage"`
	ByAssurance    []jsonCount   `json:"actions_by_assurance"`
	New            int           `json:"new"`
	CarriedForward int           `json:"carried_forward"`
	Links          jsonLinks     `json:"evidence_links"`
	Previous       *jsonPrevious `json:"previous"`
}

type jsonPrevious struct {
	Cycle           int `json:"cycle"`
	Reporting       int `json:"organisations_reporting"`
	Actions         int `json:"actions"`
	ReportingChange int `json:"organisations_reporting_change"`
	ActionsChange   int `json:"actions_change"`
}

type jsonCoverage struct {
	Addressees int     `json:"addressees"`
	Reporting  int     `json:"reporting"`
	Percent    float64 `json:"percent"`
}

type jsonRec struct {
	Number        int          `json:"number"`
	Slug          string       `json:"slug"`
	Title         string       `json:"title"`
	Addressees    []string     `json:"addressees"`
	Organisations int          `json:"organisations_acting"`
	ByKind        []jsonCount  `json:"organisations_by_kind"`
	ByStage       []jsonCount  `json:"organisations_by_stage"`
	ByAssurance   []jsonCount  `json:"organisations_by_assurance"`
	Actions       int          `json:"actions"`
	Coverage      jsonCoverage `json:"coverage"`
	Previous      *jsonRecPrev `json:"previous"`
}

type jsonRecPrev struct {
	Organisations       int     `json:"organisations_acting"`
	CoveragePercent     float64 `json:"coverage_percent"`
	OrganisationsChange int     `json:"organisations_change"`
	CoverageChange      float64 `json:"coverage_change_points"`
}

type jsonHeatRow struct {
	Recommendation int        `json:"recommendation"`
	Cells          []jsonCell `json:"cells"`
}

type jsonCell struct {
	Kind          string  `json:"kind"`
	Addressed     bool    `json:"addressed"`
	Organisations int     `json:"organisations_acting"`
	Supporters    int     `json:"supporters"`
	Percent       float64 `json:"percent"`
}

type jsonGap struct {
	Recommendation int          `json:"recommendation"`
	Title          string       `json:"title"`
	Coverage       jsonCoverage `json:"coverage"`
}

type jsonAction struct {
	ID              int64          `json:"id"`
	Organisation    string         `json:"organisation"`
	Kind            string         `json:"kind"`
	Country         string         `json:"country"`
	Title           string         `json:"title"`
	Stage           string         `json:"stage"`
	Assurance       string         `json:"assurance"`
	MeasureType     string         `json:"measure_type"`
	Scope           string         `json:"scope"`
	CarriedForward  bool           `json:"carried_forward"`
	Recommendations []int          `json:"recommendations"`
	AcceptedAt      time.Time      `json:"accepted_at"`
	Evidence        []jsonEvidence `json:"evidence"`
	// Provisions are those the action counts for, in a report with a
	// crosswalk (an empty list: none).
	Provisions *[]jsonLink `json:"provisions,omitempty"`
}

type jsonEvidence struct {
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	Title  string `json:"title"`
	SHA256 string `json:"sha256,omitempty"`
	State  string `json:"state,omitempty"`
}

type jsonChallenges struct {
	Published        int                 `json:"published"`
	ByOutcome        []jsonCount         `json:"by_outcome"`
	ByRecommendation []jsonRecChallenges `json:"by_recommendation"`
	Upheld           []jsonChallenge     `json:"upheld"`
}

type jsonRecChallenges struct {
	Recommendation int         `json:"recommendation"`
	Title          string      `json:"title"`
	Total          int         `json:"total"`
	ByOutcome      []jsonCount `json:"by_outcome"`
}

type jsonChallenge struct {
	ID            int64     `json:"id"`
	ActionID      int64     `json:"action_id"`
	Organisation  string    `json:"organisation"`
	Action        string    `json:"action"`
	Reviewer      *string   `json:"reviewer"` // null when it chose not to be named
	ReviewerKind  string    `json:"reviewer_kind"`
	ReviewerLabel string    `json:"reviewer_label"`
	Outcome       string    `json:"outcome"`
	OutcomeLabel  string    `json:"outcome_label"`
	Reason        string    `json:"reason"`
	StageSet      *string   `json:"stage_set"`
	AssuranceSet  *string   `json:"assurance_set"`
	PublishedAt   time.Time `json:"published_at"`
}

// challengesJSON writes the report's challenges (nil: none read).
func challengesJSON(cf *report.ChallengeFigures, w words) *jsonChallenges {
	if cf == nil {
		return nil
	}
	orNull := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	out := &jsonChallenges{Published: cf.Published, ByOutcome: outcomesJSON(cf.ByOutcome, w), ByRecommendation: []jsonRecChallenges{},
		Upheld: []jsonChallenge{}}
	for _, r := range cf.ByRecommendation {
		out.ByRecommendation = append(out.ByRecommendation, jsonRecChallenges{Recommendation: r.Number, Title: r.Title.In(w.Lang),
			Total: r.Total, ByOutcome: outcomesJSON(r.ByOutcome, w)})
	}
	for _, c := range cf.Upheld {
		out.Upheld = append(out.Upheld, jsonChallenge{ID: c.ID, ActionID: c.ActionID, Organisation: c.Organisation, Action: c.ActionTitle,
			Reviewer: orNull(c.Reviewer), ReviewerKind: string(c.ReviewerKind), ReviewerLabel: w.Reviewer(c.Reviewer, c.ReviewerKind),
			Outcome: string(c.Outcome), OutcomeLabel: w.Outcome(c.Outcome), Reason: c.Reason, StageSet: orNull(string(c.StageSet)),
			AssuranceSet: orNull(string(c.AssuranceSet)), PublishedAt: c.PublishedAt})
	}
	return out
}

func outcomesJSON(os []report.OutcomeCount, w words) []jsonCount {
	out := make([]jsonCount, len(os))
	for i, o := range os {
		out[i] = jsonCount{Code: string(o.Outcome), Label: w.Outcome(o.Outcome), Count: o.N}
	}
	return out
}

type jsonLinks struct {
	Links   int `json:"links"`
	Checked int `json:"checked"`
	Broken  int `json:"broken"`
	Changed int `json:"changed"`
}

// jsonReport writes every figure of the report as JSON. Codes stay codes;
// labels and titles are in the document's language.
// jsonSink writes the JSON document: the figures, then every public
// action as it comes, in the same layout as json.MarshalIndent.
type jsonSink struct {
	bw        *bufio.Writer
	n         int
	crosswalk bool // the actions carry their provisions
}

// jsonEmpty is how json.MarshalIndent ends a document whose last field,
// the actions, is empty.
const jsonEmpty = "[]\n}\n"

func newJSONSink(out io.Writer, f report.Figures, w words) (*jsonSink, error) {
	head, err := jsonDocument(f, w)
	if err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(head, []byte(jsonEmpty)) {
		return nil, errs.E(errs.Internal, "the JSON report does not end with its actions")
	}
	s := &jsonSink{bw: bufio.NewWriter(out), crosswalk: f.Crosswalk != nil}
	s.bw.Write(head[:len(head)-len(jsonEmpty)]) // bufio keeps the first write error for Flush
	return s, nil
}

func (s *jsonSink) row(l report.Listed) error {
	a := jsonActionOf(l)
	if s.crosswalk {
		links := linksJSON(l.Provisions)
		a.Provisions = &links
	}
	b, err := json.MarshalIndent(a, "    ", "  ")
	if err != nil {
		return err
	}
	if s.n == 0 {
		s.bw.WriteString("[\n    ")
	} else {
		s.bw.WriteString(",\n    ")
	}
	s.n++
	_, err = s.bw.Write(b)
	return err
}

func (s *jsonSink) finish() error {
	if s.n == 0 {
		s.bw.WriteString(jsonEmpty)
	} else {
		s.bw.WriteString("\n  ]\n}\n")
	}
	return s.bw.Flush()
}

// jsonDocument writes the JSON document without its actions (the
// dashboard's figures leave them out: its own lists page them).
func jsonDocument(f report.Figures, w words) ([]byte, error) {
	d := jsonDoc{Schema: SchemaURL, Cycle: f.Year, Lang: w.Lang, Title: w.Title(f.Year), CutoffAt: f.CutoffAt,
		CompiledAt: f.CompiledAt, Methodology: w.T("report_methodology_text"),
		Dates: jsonDates{OpensAt: w.ISO(f.Period.OpensAt), Deadline: w.ISO(f.Period.Deadline),
			ReportAt: w.ISO(f.Period.ReportAt), ForumDate: w.ISO(f.Period.ForumDate)},
		Headline: jsonHeadline{Supporters: f.SupporterTotal, Reporting: f.ReportingTotal,
			SupportersBy: kindsJSON(f.Supporters, w), ReportingBy: kindsJSON(f.Reporting, w),
			Actions: f.Actions, Withheld: f.Withheld, ByStage: stagesJSON(f.ByStage, w), ByAssurance: assurancesJSON(f.ByAssurance, w),
			New: f.New, CarriedForward: f.CarriedForward,
			Links: jsonLinks{Links: f.Links.Links, Checked: f.Links.Checked, Broken: f.Links.Broken, Changed: f.Links.Changed}},
		Recommendations: []jsonRec{}, HeatMap: []jsonHeatRow{}, Gaps: []jsonGap{}, Actions: []jsonAction{},
		Challenges: challengesJSON(f.Challenges, w), Crosswalk: crosswalkJSON(f.Crosswalk, w)}
	if f.Prev != nil {
		d.Headline.Previous = &jsonPrevious{Cycle: f.PreviousYear, Reporting: f.Prev.Reporting, Actions: f.Prev.Actions,
			ReportingChange: f.ReportingTotal - f.Prev.Reporting, ActionsChange: f.Actions - f.Prev.Actions}
	}
	for _, r := range f.Recommendations {
		jr := jsonRec{Number: r.Number, Slug: r.Slug, Title: r.Title.In(w.Lang), Addressees: []string{},
			Organisations: r.Organisations, ByKind: kindsJSON(r.ByKind, w), ByStage: stagesJSON(r.ByStage, w),
			ByAssurance: assurancesJSON(r.ByAssurance, w), Actions: r.Actions, Coverage: coverageJSON(r.Coverage)}
		for _, k := range r.Addressees {
			jr.Addressees = append(jr.Addressees, string(k))
		}
		if r.Prev != nil {
			jr.Previous = &jsonRecPrev{Organisations: r.Prev.Organisations, CoveragePercent: r.Prev.Coverage,
				OrganisationsChange: r.Organisations - r.Prev.Organisations,
				CoverageChange:      percentPoints(r.Coverage.Percent - r.Prev.Coverage)}
		}
		d.Recommendations = append(d.Recommendations, jr)
		row := jsonHeatRow{Recommendation: r.Number}
		for _, c := range r.HeatMap {
			row.Cells = append(row.Cells, jsonCell{Kind: string(c.Kind), Addressed: c.Addressed,
				Organisations: c.Organisations, Supporters: c.Supporters, Percent: c.Percent})
		}
		d.HeatMap = append(d.HeatMap, row)
	}
	for _, g := range f.Gaps {
		d.Gaps = append(d.Gaps, jsonGap{Recommendation: g.Number, Title: g.Title.In(w.Lang), Coverage: coverageJSON(g.Coverage)})
	}
	b, err := json.MarshalIndent(d, "", "  ")
	return append(b, '\n'), err
}

func jsonActionOf(l report.Listed) jsonAction {
	a := jsonAction{ID: l.ID, Organisation: l.Organisation, Kind: string(l.Kind), Country: l.Country, Title: l.Title,
		Stage: string(l.Stage), Assurance: string(l.Assurance.OrDefault()), MeasureType: string(l.MeasureType), Scope: string(l.Scope),
		CarriedForward: l.CarriedForward, Recommendations: l.Recommendations, AcceptedAt: l.AcceptedAt,
		Evidence: []jsonEvidence{}}
	for _, e := range l.Evidence {
		a.Evidence = append(a.Evidence, jsonEvidence{Kind: string(e.Kind), URL: e.URL, Title: e.Title, SHA256: e.SHA256, State: e.State})
	}
	return a
}

func kindsJSON(ks []report.KindCount, w words) []jsonCount {
	out := make([]jsonCount, len(ks))
	for i, k := range ks {
		out[i] = jsonCount{Code: string(k.Kind), Label: w.Kind(k.Kind), Count: k.N}
	}
	return out
}

func stagesJSON(ss []report.StageCount, w words) []jsonCount {
	out := make([]jsonCount, len(ss))
	for i, s := range ss {
		out[i] = jsonCount{Code: string(s.Stage), Label: w.Stage(s.Stage), Count: s.N}
	}
	return out
}

func assurancesJSON(ls []report.AssuranceCount, w words) []jsonCount {
	out := make([]jsonCount, len(ls))
	for i, l := range ls {
		out[i] = jsonCount{Code: string(l.Level), Label: w.Assurance(l.Level), Count: l.N}
	}
	return out
}

func coverageJSON(c report.Coverage) jsonCoverage {
	return jsonCoverage{Addressees: c.Addressees, Reporting: c.Reporting, Percent: c.Percent}
}

// percentPoints rounds a difference of percentages to one decimal.
func percentPoints(v float64) float64 { return float64(int64(v*10+sign(v)*0.5)) / 10 }

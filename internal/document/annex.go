package document

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/report"
)

// The annex per framework, in every format: for each framework, the
// public actions of the report and their organisations per provision,
// its gaps, and once the recommendations with no counterpart anywhere.
// The CSV, JSON and XLSX also carry each action's links themselves.

func (w words) Confidence(c framework.Confidence) string {
	return w.T("report_confidence_" + string(c))
}
func (w words) LinkKind(k framework.LinkKind) string { return w.T("report_link_" + string(k)) }

// FrameworkTitle is a framework's title in the document's language, with
// "unofficial translation" after a French title pctracker translated.
func (w words) FrameworkTitle(f report.FrameworkFigures) string {
	title := f.Title.In(w.Lang)
	if w.Lang == "fr" && f.FRUnofficial {
		title += " (" + w.T("report_annex_unofficial") + ")"
	}
	return title
}

// AnnexTotals says how many actions and organisations count for a
// framework.
func (w words) AnnexTotals(f report.FrameworkFigures) string {
	return w.T("report_annex_totals", map[string]any{"Actions": w.Number(f.Actions), "Organisations": w.Number(f.Organisations)})
}

// AnnexCaption is the caption of a framework's table.
func (w words) AnnexCaption(f report.FrameworkFigures) string {
	return w.T("report_annex_caption", map[string]any{"Framework": w.FrameworkTitle(f)})
}

// GapsNote names the provisions of a framework no action counts for.
func (w words) GapsNote(f report.FrameworkFigures) string {
	gaps := f.Gaps()
	if len(gaps) == 0 {
		return w.T("report_annex_no_gaps")
	}
	keys := make([]string, len(gaps))
	for i, p := range gaps {
		keys[i] = p.Key
	}
	return w.T("report_annex_gaps", map[string]any{"Keys": strings.Join(keys, ", ")})
}

// UnmatchedNote names the recommendations no provision of any framework
// corresponds to ("" when there are none).
func (w words) UnmatchedNote(cw *report.CrosswalkFigures) string {
	if cw == nil || len(cw.Unmatched) == 0 {
		return ""
	}
	list := make([]string, len(cw.Unmatched))
	for i, u := range cw.Unmatched {
		list[i] = fmt.Sprintf("%d. %s", u.Number, u.Title.In(w.Lang))
	}
	sep := "; "
	if w.Lang == "fr" {
		sep = "\u00a0; "
	}
	return w.T("report_annex_unmatched", map[string]any{"List": strings.Join(list, sep)})
}

// provisionsCell writes an action's links in one cell of the CSV and the
// XLSX: "framework/provision (kind)", separated by "; ". Keys never hold
// a slash.
func provisionsCell(links []report.ProvisionLink, w words) string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = l.Framework + "/" + l.Provision + " (" + w.LinkKind(l.Kind) + ")"
	}
	return strings.Join(out, "; ")
}

// annex writes the annex in Markdown (nothing without a crosswalk).
func (d *mdDoc) annex(cw *report.CrosswalkFigures) {
	if cw == nil {
		return
	}
	w := d.w
	d.p("\n## %s\n\n%s\n\n", mdText(w.T("report_annex")), mdText(w.T("report_annex_intro")))
	if note := w.UnmatchedNote(cw); note != "" {
		d.p("%s\n\n", mdText(note))
	}
	if len(cw.Frameworks) == 0 {
		d.p("%s\n", w.T("report_annex_none"))
		return
	}
	for _, f := range cw.Frameworks {
		d.p("\n### %s\n\n", mdText(w.FrameworkTitle(f)))
		var facts []string
		if f.Issued != nil {
			facts = append(facts, w.Label("report_annex_issued")+" "+w.Date(*f.Issued))
		}
		if f.Source != "" {
			facts = append(facts, w.Label("report_annex_source")+" <"+mdURL(f.Source)+">")
		}
		if len(facts) > 0 {
			d.p("%s\n\n", strings.Join(facts, " · "))
		}
		d.p("%s\n\n", mdText(w.AnnexTotals(f)))
		d.row(w.T("report_col_provision"), w.T("report_title_col"), w.T("report_col_recommendations"), w.T("report_col_confidence"),
			w.T("report_actions"), w.T("report_col_organisations"))
		d.rule(6)
		for _, p := range f.Provisions {
			actions := w.Number(p.Actions)
			if p.Actions == 0 {
				actions += " (**" + w.T("report_annex_gap") + "**)"
			}
			d.row(mdText(p.Key), mdText(p.Title.In(w.Lang)), w.Recs(p.Recommendations), w.Confidence(p.Confidence), actions,
				w.Number(p.Organisations))
		}
		d.p("\n%s\n", mdText(w.GapsNote(f)))
	}
}

// annexRows add the annex's figures to the figures sheet of the XLSX.
func annexRows(sheet *sheetWriter, cw *report.CrosswalkFigures, w words) {
	if cw == nil {
		return
	}
	sheet.row(false)
	sheet.row(true, w.T("report_annex"))
	if note := w.UnmatchedNote(cw); note != "" {
		sheet.row(false, note)
	}
	if len(cw.Frameworks) == 0 {
		sheet.row(false, w.T("report_annex_none"))
		return
	}
	for _, f := range cw.Frameworks {
		sheet.row(false)
		sheet.row(true, w.FrameworkTitle(f), f.Key)
		if f.Issued != nil {
			sheet.row(false, w.T("report_annex_issued"), w.Date(*f.Issued))
		}
		if f.Source != "" {
			sheet.row(false, w.T("report_annex_source"), f.Source)
		}
		sheet.row(false, w.AnnexTotals(f))
		sheet.row(true, w.T("report_col_provision"), w.T("report_title_col"), w.T("report_col_recommendations"),
			w.T("report_col_confidence"), w.T("report_actions"), w.T("report_col_organisations"), w.T("report_annex_gap"))
		for _, p := range f.Provisions {
			gap := ""
			if p.Actions == 0 {
				gap = w.T("report_yes")
			}
			sheet.row(false, p.Key, p.Title.In(w.Lang), w.Recs(p.Recommendations), w.Confidence(p.Confidence), p.Actions,
				p.Organisations, gap)
		}
	}
}

// linksSheet streams the links of the XLSX's actions, one row per action
// and provision, beside the actions sheet.
type linksSheet struct {
	sw     *excelize.StreamWriter
	titles map[[2]string][2]string // framework and provision keys -> their titles
	n      int
}

func newLinksSheet(x *excelize.File, cw *report.CrosswalkFigures, bold int, w words) (*linksSheet, error) {
	name := w.T("report_sheet_links")
	if _, err := x.NewSheet(name); err != nil {
		return nil, err
	}
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	s := &linksSheet{sw: sw, titles: map[[2]string][2]string{}, n: 1}
	for _, f := range cw.Frameworks {
		for _, p := range f.Provisions {
			s.titles[[2]string{f.Key, p.Key}] = [2]string{w.FrameworkTitle(f), p.Title.In(w.Lang)}
		}
	}
	return s, s.cells(bold, []string{w.T("report_col_id"), w.T("report_col_framework"), w.T("report_col_framework_title"),
		w.T("report_col_provision"), w.T("report_col_provision_title"), w.T("report_col_link")})
}

func (s *linksSheet) cells(style int, cells []string) error {
	vals := make([]any, len(cells))
	for i, v := range cells {
		vals[i] = excelize.Cell{StyleID: style, Value: export.Cell(v)}
	}
	cell, _ := excelize.CoordinatesToCellName(1, s.n)
	s.n++
	return s.sw.SetRow(cell, vals)
}

func (s *linksSheet) row(l report.Listed, w words) error {
	for _, p := range l.Provisions {
		t := s.titles[[2]string{p.Framework, p.Provision}]
		if err := s.cells(0, []string{strconv.FormatInt(l.ID, 10), p.Framework, t[0], p.Provision, t[1], w.LinkKind(p.Kind)}); err != nil {
			return err
		}
	}
	return nil
}

// jsonCrosswalk is the annex in the JSON document.
type jsonCrosswalk struct {
	Frameworks []jsonFramework `json:"frameworks"`
	Unmatched  []jsonUnmatched `json:"unmatched_recommendations"`
	Links      int             `json:"links"`
}

type jsonFramework struct {
	Key           string          `json:"key"`
	Title         string          `json:"title"`
	FRUnofficial  bool            `json:"fr_unofficial"`
	Issued        *string         `json:"issued"`
	Source        string          `json:"source"`
	Actions       int             `json:"actions"`
	Organisations int             `json:"organisations"`
	Provisions    []jsonProvision `json:"provisions"`
	Gaps          []string        `json:"gaps"`
}

type jsonProvision struct {
	Key             string `json:"key"`
	Title           string `json:"title"`
	Recommendations []int  `json:"recommendations"`
	Confidence      string `json:"confidence"`
	Actions         int    `json:"actions"`
	Organisations   int    `json:"organisations"`
}

type jsonUnmatched struct {
	Recommendation int    `json:"recommendation"`
	Title          string `json:"title"`
}

type jsonLink struct {
	Framework string `json:"framework"`
	Provision string `json:"provision"`
	Kind      string `json:"kind"`
}

func crosswalkJSON(cw *report.CrosswalkFigures, w words) *jsonCrosswalk {
	if cw == nil {
		return nil
	}
	out := &jsonCrosswalk{Frameworks: []jsonFramework{}, Unmatched: []jsonUnmatched{}, Links: cw.Links}
	for _, f := range cw.Frameworks {
		jf := jsonFramework{Key: f.Key, Title: f.Title.In(w.Lang), FRUnofficial: f.FRUnofficial, Source: f.Source,
			Actions: f.Actions, Organisations: f.Organisations, Provisions: []jsonProvision{}, Gaps: []string{}}
		if f.Issued != nil {
			day := w.ISO(*f.Issued)
			jf.Issued = &day
		}
		for _, p := range f.Provisions {
			recs := append([]int{}, p.Recommendations...)
			jf.Provisions = append(jf.Provisions, jsonProvision{Key: p.Key, Title: p.Title.In(w.Lang), Recommendations: recs,
				Confidence: string(p.Confidence), Actions: p.Actions, Organisations: p.Organisations})
			if p.Actions == 0 {
				jf.Gaps = append(jf.Gaps, p.Key)
			}
		}
		out.Frameworks = append(out.Frameworks, jf)
	}
	for _, u := range cw.Unmatched {
		out.Unmatched = append(out.Unmatched, jsonUnmatched{Recommendation: u.Number, Title: u.Title.In(w.Lang)})
	}
	return out
}

func linksJSON(links []report.ProvisionLink) []jsonLink {
	out := make([]jsonLink, len(links))
	for i, l := range links {
		out[i] = jsonLink{Framework: l.Framework, Provision: l.Provision, Kind: string(l.Kind)}
	}
	return out
}

// Package document writes a progress report's figures as documents, in
// every format (HTML, PDF printed from the HTML, Markdown, CSV, JSON, XLSX)
// and language, and draws the charts the report and the dashboard share.
//
// It only puts figures into words: package report compiles them, freezes
// their inputs and publishes them. The same figures always give the same
// bytes (but for the PDF and the XLSX, which carry their creation times),
// so that a published report's Markdown, CSV and JSON can be written again
// from its frozen inputs and compared.
package document

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strconv"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/chart"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/pdf"
	"github.com/pctracker/pctracker/internal/report"
)

// Printer turns an HTML document into a PDF (headless Chromium).
type Printer interface {
	PDF(ctx context.Context, html []byte) ([]byte, error)
}

// Renderer writes figures as documents.
type Renderer struct {
	words   map[string]words
	html    map[string]*template.Template
	printer Printer // nil when no Chromium is configured
	// pdfSetting names the setting that configures the printer, for the
	// message when it is missing.
	pdfSetting string
	version    string
	// zipping lets one workbook at a time be zipped: excelize builds the
	// whole file in memory, which for a large cycle is tens of megabytes.
	zipping sync.Mutex
}

// Version names what the documents' bytes depend on besides the figures:
// the report template, the catalogues and the writers' revision.
func (r *Renderer) Version() string { return r.version }

// writers counts the changes to the bytes the Go code writes (the
// Markdown's escapes, the tables), which the template and catalogues do
// not show: a published report says which writers it needs to be
// verified. 2: every pipe in a Markdown table cell is escaped.
// 3: the PDF carries XMP metadata (title, language, licence) and a RoleMap.
const writers = "3"

// NewRenderer parses the report template once per language. printer may be
// nil: every format but PDF works without it.
func NewRenderer(templates fs.FS, cat *locale.Catalogue, printer Printer, pdfSetting string) (*Renderer, error) {
	tmpl, err := fs.ReadFile(templates, "report/report.html")
	if err != nil {
		return nil, fmt.Errorf("read report template: %w", err)
	}
	sum := sha256.Sum256(append(append(tmpl, cat.Digest()...), writers...))
	r := &Renderer{words: map[string]words{}, html: map[string]*template.Template{}, printer: printer, pdfSetting: pdfSetting,
		version: hex.EncodeToString(sum[:6])}
	for _, tag := range locale.Languages() {
		lang := tag.String()
		w := words{Lang: lang, T: remember(cat.Translator(lang))}
		t, err := template.New("report.html").Funcs(template.FuncMap{
			"t":     w.T,
			"lbl":   w.Label,
			"yoy":   func(rf report.RecFigures) string { return yoy(rf, w) },
			"more":  func(rf report.RecFigures) string { return more(rf, w) },
			"links": func(f report.Figures) string { return linksNote(f, w) },
			"sub":   func(a, b int) int { return a - b },
			"inc":   func(i int) int { return i + 1 },
			"dict": func(kv ...any) map[string]any {
				m := map[string]any{}
				for i := 0; i+1 < len(kv); i += 2 {
					m[fmt.Sprint(kv[i])] = kv[i+1]
				}
				return m
			},
		}).ParseFS(templates, "report/report.html")
		if err != nil {
			return nil, fmt.Errorf("parse report template: %w", err)
		}
		r.words[lang], r.html[lang] = w, t
	}
	return r, nil
}

// Render returns c in one format and language.
func (r *Renderer) Render(ctx context.Context, c report.Compiled, format report.Format, lang string) ([]byte, error) {
	var b bytes.Buffer
	if err := r.Write(ctx, &b, c, format, lang); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes c in one format and language to out. The documents that
// list every action (CSV, JSON, XLSX) read them from c's source a row at a
// time, so the memory they take does not grow with the cycle.
func (r *Renderer) Write(ctx context.Context, out io.Writer, c report.Compiled, format report.Format, lang string) error {
	w, ok := r.words[lang]
	if !ok {
		return errInvalidLang()
	}
	switch format {
	case report.Markdown:
		_, err := out.Write(markdown(c.Figures, w))
		return err
	case report.CSV, report.JSON, report.XLSX:
		sink, err := r.newSink(out, c.Figures, format, w)
		if err != nil {
			return err
		}
		if err := c.EachListed(sink.row); err != nil {
			sink.finish()
			return err
		}
		return sink.finish()
	case report.HTML:
		return r.htmlDoc(out, c.Figures, w)
	case report.PDF:
		if r.printer == nil {
			return errs.E(errs.Unavailable, "the PDF needs Chromium, which is not configured: set %s to the path of chromium (the other formats work without it)", r.pdfSetting)
		}
		var page bytes.Buffer
		if err := r.htmlDoc(&page, c.Figures, w); err != nil {
			return err
		}
		doc, err := r.printer.PDF(ctx, page.Bytes())
		if err != nil {
			return err
		}
		doc, err = pdf.Describe(doc, pdf.Description{Title: w.Title(c.Figures.Year), Lang: w.Lang,
			Licence: report.LicenceName, LicenceURL: report.LicenceURL})
		if err != nil {
			return err
		}
		_, err = out.Write(doc)
		return err
	}
	return errs.Field(errs.Invalid, "format", "must be one of html, pdf, md, csv, json, xlsx")
}

// FiguresJSON writes every figure as the JSON document does, without the
// list of actions, for the dashboard's API.
func (r *Renderer) FiguresJSON(f report.Figures, lang string) ([]byte, error) {
	w, ok := r.words[lang]
	if !ok {
		return nil, errInvalidLang()
	}
	return jsonDocument(f, w)
}

func errInvalidLang() error { return errs.Field(errs.Invalid, "lang", "must be en or fr") }

// CanPrint reports whether PDFs can be made.
func (r *Renderer) CanPrint() bool { return r.printer != nil }

type htmlView struct {
	F          report.Figures
	W          words
	Stages     []action.Stage
	StageChart template.HTML
	HeatChart  template.HTML
}

func (r *Renderer) htmlDoc(out io.Writer, f report.Figures, w words) error {
	v := htmlView{F: f, W: w, Stages: action.Stages}
	v.StageChart, v.HeatChart = Charts(f, w.Lang, w.T)
	if err := r.html[w.Lang].Execute(out, v); err != nil {
		return errs.Wrap(errs.Internal, err, "render the report")
	}
	return nil
}

// StageSeries are the five stages as the series of a stacked bar chart.
func StageSeries(t locale.Translate) []chart.Series {
	series := make([]chart.Series, len(action.Stages))
	for i, s := range action.Stages {
		series[i] = chart.Series{Label: t("stage_" + string(s)), Color: chart.StageColors[i]}
	}
	return series
}

// Charts draws the two charts of the figures, for the report and the
// dashboard alike: organisations acting on each recommendation by stage,
// and the recommendation x kind heat map.
func Charts(f report.Figures, lang string, t locale.Translate) (stages, heat template.HTML) {
	w := words{Lang: lang, T: t}
	series := StageSeries(t)
	bars := make([]chart.Bar, len(f.Recommendations))
	rows := make([]string, len(f.Recommendations))
	cells := make([][]chart.HeatCell, len(f.Recommendations))
	for i, rec := range f.Recommendations {
		label := w.T("report_rec_short", map[string]any{"Number": rec.Number})
		vals := make([]int, len(rec.ByStage))
		for j, s := range rec.ByStage {
			vals[j] = s.N
		}
		bars[i], rows[i] = chart.Bar{Label: label, Values: vals}, label
		for _, c := range rec.HeatMap {
			cells[i] = append(cells[i], chart.HeatCell{Text: strconv.Itoa(c.Organisations), Percent: c.Percent, Marked: c.Addressed,
				Tip: fmt.Sprintf("%s · %s: %d/%d (%s)", label, w.Kind(c.Kind), c.Organisations, c.Supporters, w.Percent(c.Percent))})
		}
	}
	columns := make([]string, len(f.Supporters))
	for i, k := range f.Supporters {
		columns[i] = w.Kind(k.Kind)
	}
	stages = chart.Stacked("chart-stages", w.T("report_stage_chart"), w.T("report_stage_chart_desc"), series, bars)
	heat = chart.Heat("chart-heat", w.T("report_heatmap"), w.T("report_heatmap_desc"), columns, rows, cells)
	return stages, heat
}

// xlsxSink writes a workbook with a sheet of figures and a sheet of
// actions. Cells are written as strings or numbers, never as formulas, and
// text cells pass through the same escape as the CSV.
type xlsxSink struct {
	out     io.Writer
	x       *excelize.File
	sw      *excelize.StreamWriter
	links   *linksSheet // nil without a crosswalk
	year    int
	w       words
	n       int
	zipping *sync.Mutex
}

func newXLSXSink(out io.Writer, f report.Figures, w words, zipping *sync.Mutex) (_ *xlsxSink, err error) {
	x := excelize.NewFile()
	defer func() {
		if err != nil {
			x.Close()
		}
	}()
	figures, actions := w.T("report_sheet_figures"), w.T("report_sheet_actions")
	if err := x.SetSheetName("Sheet1", figures); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	if _, err := x.NewSheet(actions); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	sheet := &sheetWriter{x: x, name: figures, bold: bold}
	sheet.row(true, w.Title(f.Year))
	sheet.row(false, w.T("report_cutoff"), w.Time(f.CutoffAt))
	sheet.row(false)
	sheet.row(true, w.T("report_kind"), w.T("report_supporters"), w.T("report_reporting"))
	for i, k := range f.Supporters {
		sheet.row(false, w.Kind(k.Kind), k.N, f.Reporting[i].N)
	}
	sheet.row(true, w.T("report_total"), f.SupporterTotal, f.ReportingTotal)
	sheet.row(false)
	sheet.row(true, w.T("report_stage"), w.T("report_actions"))
	for _, s := range f.ByStage {
		sheet.row(false, w.Stage(s.Stage), s.N)
	}
	sheet.row(true, w.T("report_total"), f.Actions)
	sheet.row(true, w.T("report_assurance"), w.T("report_actions"))
	for _, l := range f.ByAssurance {
		sheet.row(false, w.Assurance(l.Level), l.N)
	}
	sheet.row(false, w.T("report_new"), f.New)
	sheet.row(false, w.T("report_carried"), f.CarriedForward)
	sheet.row(false, w.T("report_withheld"), f.Withheld)
	if f.Links.Links > 0 {
		sheet.row(false, linksNote(f, w))
	}
	sheet.row(false)
	head := []any{w.T("report_recommendation"), w.T("report_title_col"), w.T("report_addressed_to"), w.T("report_orgs_acting"), w.T("report_actions")}
	for _, s := range action.Stages {
		head = append(head, w.Stage(s))
	}
	for _, l := range action.Assurances {
		head = append(head, w.Assurance(l))
	}
	head = append(head, w.T("report_col_addressees"), w.T("report_col_addressees_reporting"), w.T("report_coverage_pct"), w.T("report_col_prev_orgs"), w.T("report_col_prev_coverage"))
	for _, k := range f.Supporters {
		head = append(head, w.T("report_heat_col", map[string]any{"Kind": w.Kind(k.Kind)}))
	}
	sheet.row(true, head...)
	for _, r := range f.Recommendations {
		cells := []any{r.Number, r.Title.In(w.Lang), w.Kinds(r.Addressees), r.Organisations, r.Actions}
		for _, s := range r.ByStage {
			cells = append(cells, s.N)
		}
		for _, l := range r.ByAssurance {
			cells = append(cells, l.N)
		}
		cells = append(cells, r.Coverage.Addressees, r.Coverage.Reporting, r.Coverage.Percent)
		if r.Prev != nil {
			cells = append(cells, r.Prev.Organisations, r.Prev.Coverage)
		} else {
			cells = append(cells, "", "")
		}
		for _, c := range r.HeatMap {
			cells = append(cells, c.Organisations)
		}
		sheet.row(false, cells...)
	}
	challengeRows(sheet, f.Challenges, w)
	annexRows(sheet, f.Crosswalk, w)
	if sheet.err != nil {
		return nil, errs.Wrap(errs.Internal, sheet.err, "xlsx")
	}
	// The actions sheet is streamed: excelize keeps its rows on disk past
	// a few megabytes, rather than a cell object per value in memory.
	sw, err := x.NewStreamWriter(actions)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	s := &xlsxSink{out: out, x: x, sw: sw, year: f.Year, w: w, n: 1, zipping: zipping}
	if err := s.cells(bold, actionHeader(w, f.Crosswalk != nil)); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	// The links, one row per action and provision, stream into a sheet
	// of their own as the actions come.
	if f.Crosswalk != nil {
		if s.links, err = newLinksSheet(x, f.Crosswalk, bold, w); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "xlsx")
		}
	}
	return s, nil
}

func (s *xlsxSink) cells(style int, cells []string) error {
	vals := make([]any, len(cells))
	for i, v := range cells {
		vals[i] = excelize.Cell{StyleID: style, Value: export.Cell(v)}
	}
	cell, _ := excelize.CoordinatesToCellName(1, s.n)
	s.n++
	return s.sw.SetRow(cell, vals)
}

func (s *xlsxSink) row(l report.Listed) error {
	if err := s.cells(0, actionRow(s.year, l, s.w, s.links != nil)); err != nil {
		return err
	}
	if s.links != nil {
		return s.links.row(l, s.w)
	}
	return nil
}

func (s *xlsxSink) finish() error {
	defer s.x.Close()
	if err := s.sw.Flush(); err != nil {
		return errs.Wrap(errs.Internal, err, "xlsx")
	}
	if s.links != nil {
		if err := s.links.sw.Flush(); err != nil {
			return errs.Wrap(errs.Internal, err, "xlsx")
		}
	}
	s.zipping.Lock()
	defer s.zipping.Unlock()
	if _, err := s.x.WriteTo(s.out); err != nil {
		return errs.Wrap(errs.Internal, err, "xlsx")
	}
	return nil
}

// challengeRows add the claims and challenges to the figures sheet: the
// published challenges by outcome and by recommendation, and those upheld
// (nil: none read). They are few, and figures: the actions sheet stays
// one row per action.
func challengeRows(sheet *sheetWriter, cf *report.ChallengeFigures, w words) {
	if cf == nil {
		return
	}
	sheet.row(false)
	sheet.row(true, w.T("report_challenges"))
	if cf.Published == 0 {
		sheet.row(false, w.T("report_challenges_none"))
		return
	}
	sheet.row(true, w.T("report_col_outcome"), w.T("report_col_challenges"))
	for _, o := range cf.ByOutcome {
		sheet.row(false, w.Outcome(o.Outcome), o.N)
	}
	sheet.row(true, w.T("report_total"), cf.Published)
	sheet.row(false)
	head := []any{w.T("report_recommendation"), w.T("report_title_col")}
	for _, o := range cf.ByOutcome {
		head = append(head, w.Outcome(o.Outcome))
	}
	sheet.row(true, append(head, w.T("report_total"))...)
	for _, r := range cf.ByRecommendation {
		cells := []any{r.Number, r.Title.In(w.Lang)}
		for _, o := range r.ByOutcome {
			cells = append(cells, o.N)
		}
		sheet.row(false, append(cells, r.Total)...)
	}
	sheet.row(false)
	sheet.row(true, w.T("report_challenges_upheld"))
	if len(cf.Upheld) == 0 {
		sheet.row(false, w.T("report_challenges_none_upheld"))
		return
	}
	sheet.row(true, w.T("report_organisation"), w.T("report_action"), w.T("report_col_reviewer"), w.T("report_col_outcome"),
		w.T("report_col_changed"), w.T("report_col_reason"))
	for _, c := range cf.Upheld {
		sheet.row(false, c.Organisation, c.ActionTitle, w.Reviewer(c.Reviewer, c.ReviewerKind), w.Outcome(c.Outcome),
			w.Changed(c.StageSet, c.AssuranceSet), c.Reason)
	}
}

// sheetWriter appends rows to a sheet and keeps the first error.
type sheetWriter struct {
	x    *excelize.File
	name string
	bold int
	n    int
	err  error
}

func (s *sheetWriter) row(bold bool, cells ...any) {
	s.n++
	if s.err != nil || len(cells) == 0 {
		return
	}
	for i, c := range cells {
		if str, ok := c.(string); ok {
			cells[i] = export.Cell(str)
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, s.n)
	if err := s.x.SetSheetRow(s.name, cell, &cells); err != nil {
		s.err = err
		return
	}
	if bold {
		end, _ := excelize.CoordinatesToCellName(len(cells), s.n)
		s.err = s.x.SetCellStyle(s.name, cell, end, s.bold)
	}
}

// HTMLPolicy is the Content-Security-Policy under which an HTML report is
// served: it allows the document's own stylesheet (by its hash, so a
// published document keeps working whatever later templates hold) and
// nothing else: no script, no outside resource.
func HTMLPolicy(doc []byte) string {
	policy := "default-src 'none'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	start := bytes.Index(doc, []byte("<style>"))
	end := bytes.Index(doc, []byte("</style>"))
	if start < 0 || end < start {
		return policy
	}
	sum := sha256.Sum256(doc[start+len("<style>") : end])
	return policy + "; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

package ui

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

type importView struct {
	Page
	Year     int
	Columns  []string
	Problems []importProblem
	Read     action.Reading // how a refused file was read
	Message  string
}

// importProblem is a problem of a refused file, said in the page's
// language: the service's own words are English, for the API.
type importProblem struct {
	Line   int
	Column string
	Text   string
}

// problemsIn says each problem in lang, by its code; a problem without a
// message of its own in the catalogue keeps the service's words.
func problemsIn(tr locale.Translate, ps []action.Problem) []importProblem {
	out := make([]importProblem, len(ps))
	for i, p := range ps {
		key := "import_err_" + p.Code
		text := tr(key, map[string]any{"Value": p.Value, "Limit": p.Limit})
		if p.Code == "" || text == key {
			text = p.Message
		}
		out[i] = importProblem{Line: p.Line, Column: p.Column, Text: text}
	}
	return out
}

func (h *Handler) importForm(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "actions are imported by their organisation")
	}
	cy, err := h.cycleOf(c)
	if err != nil {
		return err
	}
	v := importView{Page: newPage(c, "workspace"), Year: cy.Year, Columns: action.CSVHeader}
	return h.renderer.render(c, http.StatusOK, "import", v.Lang, v)
}

// templateComma is what separates the cells of the CSV template in lang:
// spreadsheets where ',' is the decimal mark, as in French, open and save
// CSV files with ';' between cells.
func templateComma(lang string) rune {
	if lang == "fr" {
		return ';'
	}
	return ','
}

// importExample is the template's example row, in lang: an action that
// imports as it stands, as a draft to change or delete.
func importExample(tr locale.Translate) []string {
	return []string{tr("import_example_title"), tr("import_example_description"), "2;4", string(action.Adopted),
		"export_controls", "national", string(action.Public), "2026-01-15", "", "law",
		"https://example.org/export-controls-decree", tr("import_example_evidence_title")}
}

// writeCSV writes a table as CSV with cells separated by comma, UTF-8 with
// a byte-order mark so that spreadsheets read the accents right, each cell
// made safe by export.Cell.
func writeCSV(comma rune, rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = comma, true
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, cell := range r {
			safe[i] = export.Cell(cell)
		}
		if err := w.Write(safe); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "csv")
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// importTemplate is the header row to fill in and an example row, with
// the cells separated as spreadsheets in the person's language expect.
func (h *Handler) importTemplate(c echo.Context) error {
	lang := langOf(c)
	body, err := writeCSV(templateComma(lang), [][]string{action.CSVHeader, importExample(h.renderer.tr[lang])})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="pctracker-actions-template.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
}

// importCodes lists every code a cell takes, with its meaning in lang: the
// recommendations, stages, measures, scopes, visibilities and evidence
// kinds, as rows of column, code and label.
func (h *Handler) importCodes(c echo.Context, lang string) ([][]string, error) {
	tr := h.renderer.tr[lang]
	recs, err := h.Recommendations.List(c.Request().Context())
	if err != nil {
		return nil, err
	}
	rows := [][]string{{tr("import_codes_column"), tr("import_codes_code"), tr("import_codes_label")}}
	for _, r := range recs {
		rows = append(rows, []string{"recommendations", fmt.Sprint(r.Number), r.Title.In(lang)})
	}
	for _, s := range action.Stages {
		rows = append(rows, []string{"stage", string(s), tr("stage_" + string(s))})
	}
	for _, m := range action.MeasureTypes {
		rows = append(rows, []string{"measure", string(m.Type), tr("measure_group_"+string(m.Group)) + " · " + tr("measure_"+string(m.Type))})
	}
	for _, s := range action.Scopes {
		rows = append(rows, []string{"scope", string(s), tr("scope_" + string(s))})
	}
	for _, v := range []action.Visibility{action.Public, action.SecretariatOnly} {
		rows = append(rows, []string{"visibility", string(v), tr("visibility_" + string(v))})
	}
	for _, k := range action.EvidenceKinds {
		rows = append(rows, []string{"evidence_kind", string(k), tr("evidence_" + string(k))})
	}
	return rows, nil
}

// importCodesCSV is the list of codes as a table of its own: a CSV file
// holds one table, and lines of notes in the template would be read as
// actions.
func (h *Handler) importCodesCSV(c echo.Context) error {
	lang := langOf(c)
	rows, err := h.importCodes(c, lang)
	if err != nil {
		return err
	}
	body, err := writeCSV(templateComma(lang), rows)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="pctracker-actions-codes.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
}

// importTemplateXLSX is the template as a workbook: the columns and the
// example row on the first sheet, the one an import reads, and the codes
// with their meaning in the person's language on a second.
func (h *Handler) importTemplateXLSX(c echo.Context) error {
	lang := langOf(c)
	tr := h.renderer.tr[lang]
	codes, err := h.importCodes(c, lang)
	if err != nil {
		return err
	}
	body, err := templateWorkbook(tr("import_sheet_actions"), tr("import_sheet_codes"), importExample(tr), codes)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "import template")
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="pctracker-actions-template.xlsx"`)
	return c.Blob(http.StatusOK, action.XLSXType, body)
}

func templateWorkbook(actionsSheet, codesSheet string, example []string, codes [][]string) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", actionsSheet); err != nil {
		return nil, err
	}
	if _, err := x.NewSheet(codesSheet); err != nil {
		return nil, err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	// Dates show as the import's YYYY-MM-DD, whatever the computer's
	// own date format.
	isoDate := "yyyy-mm-dd"
	day, err := x.NewStyle(&excelize.Style{CustomNumFmt: &isoDate})
	if err != nil {
		return nil, err
	}
	text, err := x.NewStyle(&excelize.Style{NumFmt: 49}) // "@": "2;4" stays text
	if err != nil {
		return nil, err
	}
	row := func(sheet string, n int, cells []string) error {
		vals := make([]any, len(cells))
		for i, v := range cells {
			vals[i] = export.Cell(v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return x.SetSheetRow(sheet, cell, &vals)
	}
	header := action.CSVHeader
	if err := row(actionsSheet, 1, header); err != nil {
		return nil, err
	}
	if err := row(actionsSheet, 2, example); err != nil {
		return nil, err
	}
	if err := styleColumns(x, actionsSheet, header, example, text, day); err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if err := x.SetCellStyle(actionsSheet, "A1", last+"1", bold); err != nil {
		return nil, err
	}
	for i, r := range codes {
		if err := row(codesSheet, i+1, r); err != nil {
			return nil, err
		}
	}
	if err := x.SetCellStyle(codesSheet, "A1", "C1", bold); err != nil {
		return nil, err
	}
	if err := x.SetColWidth(codesSheet, "A", "B", 24); err != nil {
		return nil, err
	}
	if err := x.SetColWidth(codesSheet, "C", "C", 80); err != nil {
		return nil, err
	}
	for _, s := range []string{actionsSheet, codesSheet} {
		if err := x.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
	}
	x.SetActiveSheet(0)
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// styleColumns gives each column of the actions sheet its cell style (text,
// or an ISO day for dates) and width, and writes the example's dates as
// dates: the rows a person adds then read as the example does.
func styleColumns(x *excelize.File, sheet string, header, example []string, text, day int) error {
	for i, name := range header {
		col, _ := excelize.ColumnNumberToName(i + 1)
		style := text
		if name == "starts_on" || name == "ends_on" {
			style = day
			if t, err := time.Parse(time.DateOnly, example[i]); err == nil {
				if err := x.SetCellValue(sheet, col+"2", t); err != nil {
					return err
				}
			}
		}
		// The whole column takes the style, so that the rows a person adds
		// read as the example does.
		if err := x.SetColStyle(sheet, col, style); err != nil {
			return err
		}
		if err := x.SetColWidth(sheet, col, col, 18); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) importActions(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "actions are imported by their organisation")
	}
	year, err := formCycle(c)
	if err != nil {
		return err
	}
	v := importView{Page: newPage(c, "workspace"), Year: year, Columns: action.CSVHeader}
	fh, err := c.FormFile("file")
	if err != nil {
		v.Message = "import_no_file"
		return h.renderer.render(c, http.StatusUnprocessableEntity, "import", v.Lang, v)
	}
	f, err := fh.Open()
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "the file could not be read")
	}
	defer f.Close()
	// The content tells a workbook from a CSV file, whatever its name.
	res, err := h.Actions.ImportFile(c.Request().Context(), by, year, action.AnyFormat, f)
	var ie *action.ImportError
	if errors.As(err, &ie) {
		v.Problems, v.Read = problemsIn(h.renderer.tr[v.Lang], ie.Problems), ie.Read
		return h.renderer.render(c, http.StatusUnprocessableEntity, "import", v.Lang, v)
	}
	if err != nil {
		return err
	}
	flash := "flash_imported"
	switch {
	case res.Read.Semicolon():
		flash = "flash_imported_semicolon"
	case res.Read.Format == action.XLSX:
		flash = "flash_imported_xlsx"
	}
	h.setFlash(c, flash, len(res.Actions))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workspace?cycle=%d", year))
}

package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/request"
)

// "Our actions by framework": the focal point of an organisation downloads
// its actions of a cycle (?cycle=YEAR, else the current one), one row per
// action and provision it counts for, as CSV or XLSX. Codes stay codes, as
// in the open data; titles are in the page's language.

// ownHeader names the columns of the download.
var ownHeader = []string{"cycle", "action_id", "title", "state", "stage", "framework", "framework_title", "provision",
	"provision_title", "kind", "confidence"}

// ownRows are the download's rows: an action with no provision has one
// row, its framework columns empty. A French framework title pctracker
// translated says so, after it (unofficial).
func ownRows(year int, list []framework.Own, lang, unofficial string) [][]string {
	var out [][]string
	for _, a := range list {
		head := []string{strconv.Itoa(year), strconv.FormatInt(a.ID, 10), a.Title, string(a.State), string(a.Stage)}
		if len(a.Links) == 0 {
			out = append(out, append(head, "", "", "", "", "", ""))
			continue
		}
		for _, l := range a.Links {
			title := l.Framework.Title.In(lang)
			if lang == "fr" && l.Framework.FRUnofficial {
				title += " (" + unofficial + ")"
			}
			out = append(out, append(append([]string{}, head...), l.Framework.Key, title, l.Provision.Key,
				l.Provision.Title.In(lang), string(l.Kind), string(l.Provision.Confidence)))
		}
	}
	return out
}

// ours reads the download's rows for the caller: refused before anything
// is read to whoever is not a focal point.
func (h *Handler) ours(c echo.Context) (int, [][]string, error) {
	by, err := request.Caller(c)
	if err != nil {
		return 0, nil, err
	}
	if err := framework.MayDownload(by); err != nil {
		return 0, nil, err
	}
	cy, err := h.cycleOf(c)
	if err != nil {
		return 0, nil, err
	}
	list, err := h.Frameworks.Ours(c.Request().Context(), by, cy.Year)
	if err != nil {
		return 0, nil, err
	}
	lang := langOf(c)
	return cy.Year, ownRows(cy.Year, list, lang, h.renderer.tr[lang]("report_annex_unofficial")), nil
}

func ownFilename(year int, ext string) string {
	return fmt.Sprintf(`attachment; filename="pctracker-actions-by-framework-%d.%s"`, year, ext)
}

// ownCSV serves the download as CSV; export.CSV escapes what a
// spreadsheet would run as a formula.
func (h *Handler) ownCSV(c echo.Context) error {
	year, rows, err := h.ours(c)
	if err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set("Content-Disposition", ownFilename(year, "csv"))
	res.WriteHeader(http.StatusOK)
	return export.CSV(res, ownHeader, rows)
}

// ownXLSX serves the download as a workbook of one sheet, every cell a
// string or a number, never a formula, text escaped as in the CSV.
func (h *Handler) ownXLSX(c echo.Context) error {
	year, rows, err := h.ours(c)
	if err != nil {
		return err
	}
	body, err := ownWorkbook(h.renderer.tr[langOf(c)]("workspace_frameworks_sheet"), rows)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", ownFilename(year, "xlsx"))
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}

func ownWorkbook(sheet string, rows [][]string) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	put := func(n int, cells []string, style int) error {
		vals := make([]any, len(cells))
		for i, v := range cells {
			vals[i] = export.Cell(v)
			if i == 0 || i == 1 { // the cycle and the action's id are numbers
				if k, err := strconv.ParseInt(v, 10, 64); err == nil {
					vals[i] = k
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := x.SetSheetRow(sheet, cell, &vals); err != nil {
			return err
		}
		if style != 0 {
			end, _ := excelize.CoordinatesToCellName(len(cells), n)
			return x.SetCellStyle(sheet, cell, end, style)
		}
		return nil
	}
	if err := put(1, ownHeader, bold); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	for i, r := range rows {
		if err := put(i+2, r, 0); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "xlsx")
		}
	}
	b, err := x.WriteToBuffer()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "xlsx")
	}
	return b.Bytes(), nil
}

package ui

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

type reportsView struct {
	Page
	Flash     *Flash
	Reports   []reportLine
	Published []publishedReport // the archive: every published report's files
}

// publishedReport is a published report in the archive, with its files.
type publishedReport struct {
	reportLine
	Documents []reportDoc
}

type reportLine struct {
	ID                          int64
	Year                        int
	Status, Source              string
	Cutoff, Compiled, Published string
	Embargoed                   string // the day it becomes public, while that is ahead
}

func (h *Handler) reportLines(lang string, list []report.Report) []reportLine {
	out := make([]reportLine, len(list))
	for i, r := range list {
		out[i] = reportLine{ID: r.ID, Year: r.CycleYear, Status: string(r.Status), Source: string(r.Source),
			Cutoff: formatDateTime(lang, r.CutoffAt), Compiled: formatDateTime(lang, r.CompiledAt)}
		if r.PublishedAt != nil {
			out[i].Published = formatDateTime(lang, *r.PublishedAt)
		}
		if r.Status == report.Published && !r.PublicOn(h.now()) {
			out[i].Embargoed = formatDate(lang, r.PublicFrom)
		}
	}
	return out
}

// reports lists the published reports, and for the secretariat the drafts.
func (h *Handler) reports(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	list, err := h.Reports.List(c.Request().Context(), by, 0)
	if err != nil {
		return err
	}
	v := reportsView{Page: newPage(c, "reports"), Flash: h.takeFlash(c)}
	v.Reports = h.reportLines(v.Lang, list)
	for i, r := range list {
		if r.Status != report.Published {
			continue
		}
		full, err := h.Reports.Get(c.Request().Context(), by, r.ID) // with its files
		if err != nil {
			return err
		}
		v.Published = append(v.Published, publishedReport{reportLine: v.Reports[i], Documents: reportDocs(v.Lang, full)})
	}
	return h.renderer.render(c, http.StatusOK, "reports", v.Lang, v)
}

type reportView struct {
	Page
	Flash     *Flash
	Report    reportLine
	InputsSHA string
	Renderer  string // the template and wording version of the published files
	Permanent string // the page's own address, to cite
	Documents []reportDoc
	// Difference says, for the secretariat, why the status board counts
	// more (or fewer) accepted actions than the report; nil when they agree.
	Difference *differenceView
}

type reportDoc struct {
	Format, Lang, URL, SHA256, Size string
}

// showReport is a report's permanent page: its documents in both languages
// with their SHA-256 once published, and for a draft the publish button.
func (h *Handler) showReport(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	id, err := request.ID(c, "id", "report")
	if err != nil {
		return err
	}
	r, err := h.Reports.Get(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	v := reportView{Page: newPage(c, "reports"), Flash: h.takeFlash(c), Report: h.reportLines(langOf(c), []report.Report{r})[0],
		InputsSHA: r.InputsSHA256, Renderer: r.Renderer, Permanent: strings.TrimRight(h.BaseURL, "/") + fmt.Sprintf("/reports/%d", r.ID)}
	v.Documents = reportDocs(v.Lang, r)
	if by.IsSecretariat() {
		d, err := h.Differences.DifferenceOf(c.Request().Context(), by, r.ID)
		if err != nil {
			return err
		}
		if n := d.Total(); n.Differs() {
			v.Difference = &differenceView{Intro: "report_diff", Board: n.Board, Counted: n.Counted, Lines: differenceLines(d, n)}
		}
	}
	if r.Status != report.Published {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	}
	return h.renderer.render(c, http.StatusOK, "report", v.Lang, v)
}

// reportDocs lists a report's files in every format and language, with the
// SHA-256 of those stored.
func reportDocs(lang string, r report.Report) []reportDoc {
	var out []reportDoc
	for _, d := range r.Documents() {
		doc := reportDoc{Format: string(d.Format), Lang: d.Lang, URL: d.URL}
		if d.SHA256 != "" {
			doc.SHA256, doc.Size = d.SHA256, locale.Bytes(lang, int64(d.Size))
		}
		out = append(out, doc)
	}
	return out
}

// compileReport compiles a draft of a cycle's report now, up to the
// cut-off chosen (a day), or the cycle's default.
func (h *Handler) compileReport(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	typed := c.FormValue("cutoff_at")
	opt := report.CompileOptions{Source: report.Manual}
	errKey := "err_report_cutoff_format"
	var r report.Report
	if err = opt.SetCutoff(typed); err == nil {
		errKey = "err_report_cutoff_future"
		r, err = h.Reports.Compile(c.Request().Context(), by, year, opt)
	}
	if errs.Is(err, errs.Invalid) {
		return h.renderCycleAgain(c, year, func(v *cycleView) { v.CutoffValue, v.CutoffError = typed, errKey })
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_report_compiled", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reports/%d", r.ID))
}

// publishReport freezes a draft as the final report of its cycle.
func (h *Handler) publishReport(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "report")
	if err != nil {
		return err
	}
	if !confirmed(c) {
		r, err := h.Reports.Get(c.Request().Context(), by, id)
		if err != nil {
			return err
		}
		if r.Status == report.Published {
			h.setFlash(c, "flash_err_report_published_already", 0)
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reports/%d", id))
		}
		lang := langOf(c)
		v := confirmView{Page: newPage(c, "reports"), TitleKey: "confirm_publish_title", ButtonKey: "report_publish",
			Items: []confirmItem{{Label: h.renderer.tr[lang]("report_page_title", map[string]any{"Year": r.CycleYear}),
				Meta: h.renderer.tr[lang]("report_number", map[string]any{"ID": r.ID}) + " · " +
					h.renderer.tr[lang]("report_cutoff") + " " + formatDateTime(lang, r.CutoffAt),
				URL: fmt.Sprintf("/reports/%d", r.ID)}},
			Effects: []string{"confirm_publish_effect_final", "confirm_publish_effect_public", "confirm_publish_effect_mail",
				"confirm_cannot_undo"},
			Action: fmt.Sprintf("/reports/%d/publish", r.ID), Cancel: fmt.Sprintf("/reports/%d", r.ID)}
		return h.renderer.render(c, http.StatusOK, "confirm", v.Lang, v)
	}
	switch _, err := h.Reports.Publish(c.Request().Context(), by, id); {
	case errs.Is(err, errs.Conflict):
		h.setFlash(c, "flash_err_report_published_already", 0)
	case err != nil:
		return err
	default:
		h.setFlash(c, "flash_report_published", 0)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/reports/%d", id))
}

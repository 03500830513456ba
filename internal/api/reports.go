package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

type reportDocDTO struct {
	Format string `json:"format"`
	Lang   string `json:"lang"`
	URL    string `json:"url"`
	SHA256 string `json:"sha256,omitempty"` // stored documents only: those of a published report
	Size   int    `json:"size,omitempty"`
}

type reportDTO struct {
	ID           int64          `json:"id"`
	Cycle        int            `json:"cycle"`
	Status       string         `json:"status"`
	Source       string         `json:"source"`
	CutoffAt     time.Time      `json:"cutoff_at"`
	CompiledAt   time.Time      `json:"compiled_at"`
	InputsSHA256 string         `json:"inputs_sha256"`
	PublishedAt  *time.Time     `json:"published_at"`
	Page         string         `json:"page"` // the report's permanent page
	Documents    []reportDocDTO `json:"documents,omitempty"`
}

// ReportDTO is the JSON form of a report; with documents, it lists every
// format and language with its address (and, once published, its SHA-256).
func ReportDTO(r report.Report, documents bool) reportDTO {
	d := reportDTO{ID: r.ID, Cycle: r.CycleYear, Status: string(r.Status), Source: string(r.Source), CutoffAt: r.CutoffAt,
		CompiledAt: r.CompiledAt, InputsSHA256: r.InputsSHA256, PublishedAt: r.PublishedAt, Page: fmt.Sprintf("/reports/%d", r.ID)}
	if !documents {
		return d
	}
	for _, doc := range r.Documents() {
		d.Documents = append(d.Documents, reportDocDTO{Format: string(doc.Format), Lang: doc.Lang, URL: doc.URL, SHA256: doc.SHA256, Size: doc.Size})
	}
	return d
}

// compileReport compiles a draft of a cycle's report.
func (h *Handler) compileReport(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	var in struct {
		CutoffAt string `json:"cutoff_at"` // RFC 3339 or a date; empty: the cycle's default
	}
	if c.Request().ContentLength != 0 { // the body is optional
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	opt := report.CompileOptions{Source: report.Manual}
	if err := opt.SetCutoff(in.CutoffAt); err != nil {
		return err
	}
	r, err := h.Reports.Compile(c.Request().Context(), by, year, opt)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/reports/%d", r.ID))
	return c.JSON(http.StatusCreated, ReportDTO(r, true))
}

// listReports lists reports: published ones for everyone, drafts too for
// the secretariat.
func (h *Handler) listReports(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	year, err := request.QueryYear(c, "cycle")
	if err != nil {
		return err
	}
	list, err := h.Reports.List(c.Request().Context(), by, year)
	if err != nil {
		return err
	}
	out := struct {
		Items []reportDTO `json:"items"`
		Total int         `json:"total"`
	}{Items: make([]reportDTO, len(list)), Total: len(list)}
	for i, r := range list {
		out.Items[i] = ReportDTO(r, false)
	}
	return c.JSON(http.StatusOK, out)
}

// getReport answers one report with its documents.
func (h *Handler) getReport(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	id, err := request.ID(c, "id", "report")
	if err != nil {
		return err
	}
	r, err := h.Reports.Get(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ReportDTO(r, true))
}

// reportDocument answers one document of a report, for download.
func (h *Handler) reportDocument(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	id, err := request.ID(c, "id", "report")
	if err != nil {
		return err
	}
	lang := c.QueryParam("lang")
	if lang == "" {
		lang = "en"
	}
	return ServeReportDocument(c, h.Reports, by, id, report.Format(c.Param("format")), lang)
}

// ReportDocuments is what serving a report document needs.
type ReportDocuments interface {
	Document(ctx context.Context, by user.Actor, id int64, f report.Format, lang string) (report.Report, report.Artifact, error)
}

// ServeReportDocument writes a report's document as a download. A document
// stored with a published report never changes: it is cached for good, and
// its SHA-256 is its ETag. Anything rendered for the request (a draft, or a
// PDF a report was published without) is not cached.
func ServeReportDocument(c echo.Context, reports ReportDocuments, by user.Actor, id int64, f report.Format, lang string) error {
	ctx := c.Request().Context()
	if l := locale.Supported(lang); l != "" {
		lang = l // "EN" is English, and named so in the file name
	}
	r, doc, err := reports.Document(ctx, by, id, f, lang)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, report.Filename(r.CycleYear, lang, f)))
	if f == report.HTML {
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s"`, report.Filename(r.CycleYear, lang, f)))
		h.Set("Content-Security-Policy", document.HTMLPolicy(doc.Body)) // its own stylesheet, nothing else
	}
	h.Set("X-Content-SHA256", doc.SHA256)
	if r.Status == report.Published && doc.Stored {
		h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+doc.SHA256+`"`)
		if c.Request().Header.Get("If-None-Match") == `"`+doc.SHA256+`"` {
			return c.NoContent(http.StatusNotModified)
		}
	} else {
		h.Set(echo.HeaderCacheControl, "no-store")
	}
	return c.Blob(http.StatusOK, f.ContentType(), doc.Body)
}

// publishReport freezes a draft as the cycle's final report.
func (h *Handler) publishReport(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "report")
	if err != nil {
		return err
	}
	r, err := h.Reports.Publish(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ReportDTO(r, true))
}

// reportSchema is the JSON Schema of the JSON report.
func (h *Handler) reportSchema(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/schema+json", document.Schema)
}

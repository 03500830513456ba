package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

// Releases are the citable data releases.
type Releases interface {
	List(ctx context.Context, by user.Actor) ([]release.Release, error)
	Get(ctx context.Context, by user.Actor, version string) (release.Release, error)
	Correct(ctx context.Context, by user.Actor, reportID int64, in release.CorrectionInput) (release.Release, error)
	SetDOI(ctx context.Context, by user.Actor, version, doi string) (release.Release, error)
	Cite(r release.Release) release.Contents
	Catalog(ctx context.Context) ([]byte, error)
}

// releaseRoutes are the citable data releases and their corrections.
func (h *Handler) releaseRoutes(e *echo.Echo, g *echo.Group) {
	g.GET("/releases", h.listReleases)
	g.GET("/releases/:id", h.getRelease)
	g.PATCH("/releases/:id", h.setReleaseDOI)
	g.POST("/reports/:id/corrections", h.correctReport)
	e.GET("/catalog.jsonld", h.catalog)
}

// catalog is the DCAT catalogue of every public release, as JSON-LD.
func (h *Handler) catalog(c echo.Context) error {
	b, err := h.Releases.Catalog(c.Request().Context())
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b) // from the public bytes alone
	if etag.NotModified(c.Response(), c.Request(), "catalog", hex.EncodeToString(sum[:])) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "application/ld+json", b)
}

// ReleaseDTO is a release as the API writes it.
type ReleaseDTO struct {
	ID            string    `json:"id"` // the version, 2026.1
	Year          int       `json:"year"`
	N             int       `json:"n"`
	ReportID      int64     `json:"report_id"`
	CreatedAt     time.Time `json:"created_at"`
	CutoffAt      time.Time `json:"cutoff_at"`
	Changelog     string    `json:"changelog"`
	SHA256        string    `json:"sha256"`
	Size          int64     `json:"size"`
	DOI           *string   `json:"doi"`
	SupersededBy  *string   `json:"superseded_by"`
	Actions       int       `json:"actions"`
	Organisations int       `json:"organisations"`
	ZipURL        string    `json:"zip_url"`
	PageURL       string    `json:"page_url"`
	Licence       string    `json:"licence"`
	Citation      struct {
		APA    string `json:"apa"`
		BibTeX string `json:"bibtex"`
	} `json:"citation"`
}

func (h *Handler) releaseDTO(r release.Release) ReleaseDTO {
	c := h.Releases.Cite(r)
	d := ReleaseDTO{ID: r.Version(), Year: r.Year, N: r.N, ReportID: r.ReportID, CreatedAt: r.CreatedAt, CutoffAt: r.CutoffAt.UTC(),
		Changelog: r.Changelog, SHA256: r.SHA256, Size: r.Size, Actions: r.Actions, Organisations: r.Organisations,
		ZipURL: c.URL() + ".zip", PageURL: c.URL(), Licence: Licence}
	if r.DOI != "" {
		d.DOI = &r.DOI
	}
	if r.SupersededBy != "" {
		d.SupersededBy = &r.SupersededBy
	}
	d.Citation.APA, d.Citation.BibTeX = c.APA(), c.BibTeX()
	return d
}

func (h *Handler) listReleases(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	list, err := h.Releases.List(c.Request().Context(), by)
	if err != nil {
		return err
	}
	out := make([]ReleaseDTO, len(list))
	for i, r := range list {
		out[i] = h.releaseDTO(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"releases": out})
}

func (h *Handler) getRelease(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	r, err := h.Releases.Get(c.Request().Context(), by, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.releaseDTO(r))
}

// setReleaseDOI records the DOI the secretariat minted for a release.
func (h *Handler) setReleaseDOI(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	var body struct {
		DOI string `json:"doi"`
	}
	if err := bind(c, &body); err != nil {
		return err
	}
	r, err := h.Releases.SetDOI(c.Request().Context(), by, c.Param("id"), body.DOI)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.releaseDTO(r))
}

// correctReport publishes the next release of a published report.
func (h *Handler) correctReport(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "report")
	if err != nil {
		return err
	}
	var body struct {
		Changelog string `json:"changelog"`
	}
	if err := bind(c, &body); err != nil {
		return err
	}
	r, err := h.Releases.Correct(c.Request().Context(), by, id, release.CorrectionInput{Changelog: body.Changelog})
	if err != nil {
		return err
	}
	d := h.releaseDTO(r)
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/releases/"+d.ID)
	return c.JSON(http.StatusCreated, d)
}

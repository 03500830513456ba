package ui

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

// Releases are the citable data releases.
type Releases interface {
	List(ctx context.Context, by user.Actor) ([]release.Release, error)
	Get(ctx context.Context, by user.Actor, version string) (release.Release, error)
	Zip(ctx context.Context, by user.Actor, version string) (release.Release, []byte, error)
	Correct(ctx context.Context, by user.Actor, reportID int64, in release.CorrectionInput) (release.Release, error)
	SetDOI(ctx context.Context, by user.Actor, version, doi string) (release.Release, error)
	Cite(r release.Release) release.Contents
	DOIPrefix() string
}

// releaseRoutes are the pages of the citable data releases.
func (h *Handler) releaseRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {
	e.GET("/releases", h.releases, lang)
	e.GET("/releases/:id", h.showRelease, lang) // and /releases/{id}.zip, the release itself
	e.POST("/releases/:id/doi", h.setReleaseDOI, lang)
	e.POST("/releases/:id/correction", h.correctRelease, lang)
}

// releaseLine is a release as the pages show it.
type releaseLine struct {
	Version, Created, Cutoff, Changelog, SHA256, Size, DOI, SupersededBy string
	Actions, Organisations                                               int
	URL, ZipURL, ReportURL                                               string
	Public                                                               bool
}

func (h *Handler) releaseLine(lang string, r release.Release) releaseLine {
	changelog := r.Changelog
	if r.N == 1 && changelog == release.FirstChangelog(r.Year) {
		// The first release's changelog is written by pctracker: it is
		// shown in the page's language (corrections are the
		// secretariat's words, shown as written).
		changelog = h.renderer.tr[lang]("release_first_changelog", map[string]any{"Year": r.Year})
	}
	return releaseLine{Version: r.Version(), Created: formatDate(lang, r.CreatedAt), Cutoff: formatDateTime(lang, r.CutoffAt),
		Changelog: changelog, SHA256: r.SHA256, Size: locale.Bytes(lang, r.Size), DOI: r.DOI, SupersededBy: r.SupersededBy,
		Actions: r.Actions, Organisations: r.Organisations, URL: "/releases/" + r.Version(), ZipURL: "/releases/" + r.Version() + ".zip",
		ReportURL: fmt.Sprintf("/reports/%d", r.ReportID), Public: r.PublicOn(h.now())}
}

type releasesView struct {
	Page
	Releases []releaseLine
}

func (h *Handler) releases(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	list, err := h.Releases.List(c.Request().Context(), by)
	if err != nil {
		return err
	}
	v := releasesView{Page: newPage(c, "opendata")}
	for _, r := range list {
		v.Releases = append(v.Releases, h.releaseLine(v.Lang, r))
	}
	return h.renderer.render(c, http.StatusOK, "releases", v.Lang, v)
}

// releaseView is a release's page: what it holds, how to cite it, and
// for the secretariat the DOI and correction forms.
type releaseView struct {
	Page
	Flash          *Flash
	R              releaseLine
	APA, BibTeX    string
	Dataset        map[string]any // schema.org JSON-LD
	DOIPrefix      string
	DOI, Changelog string // what the secretariat typed
	Errors         map[string]string
}

func (h *Handler) showRelease(c echo.Context) error {
	by, _ := user.ActorFrom(c.Request().Context())
	if version, ok := strings.CutSuffix(c.Param("id"), ".zip"); ok {
		r, err := h.Releases.Get(c.Request().Context(), by, version)
		if err != nil {
			return err
		}
		// A release never changes: its SHA-256 names its bytes, and a
		// public one is revalidated without reading them.
		if r.PublicOn(h.now()) && etag.NotModified(c.Response(), c.Request(), "release", r.SHA256) {
			return c.NoContent(http.StatusNotModified)
		}
		r, body, err := h.Releases.Zip(c.Request().Context(), by, version)
		if err != nil {
			return err
		}
		hd := c.Response().Header()
		hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, r.Filename()))
		hd.Set("Digest", "sha-256="+r.SHA256) // hex, as the page shows it
		hd.Set("Link", "<"+report.LicenceURL+">; rel=\"license\"")
		return c.Blob(http.StatusOK, "application/zip", body)
	}
	r, err := h.Releases.Get(c.Request().Context(), by, c.Param("id"))
	if err != nil {
		return err
	}
	return h.renderRelease(c, http.StatusOK, r, releaseView{Flash: h.takeFlash(c), DOI: r.DOI})
}

func (h *Handler) renderRelease(c echo.Context, status int, r release.Release, v releaseView) error {
	v.Page = newPage(c, "opendata")
	v.R, v.DOIPrefix = h.releaseLine(v.Lang, r), h.Releases.DOIPrefix()
	cite := h.Releases.Cite(r)
	v.APA, v.BibTeX, v.Dataset = cite.APA(), cite.BibTeX(), dataset(cite)
	return h.renderer.render(c, status, "release", v.Lang, v)
}

// dataset describes a release for search engines (schema.org Dataset).
func dataset(c release.Contents) map[string]any {
	org := map[string]any{"@type": "Organization", "name": c.Publisher}
	d := map[string]any{"@context": "https://schema.org", "@type": "Dataset", "name": c.Title(), "description": c.Description(),
		"url": c.URL(), "version": c.Release.Version(), "datePublished": c.Release.CreatedAt.UTC().Format("2006-01-02"),
		"license": report.LicenceURL, "isAccessibleForFree": true, "creator": org, "publisher": org, "keywords": release.Keywords,
		"temporalCoverage": fmt.Sprint(c.Release.Year), "inLanguage": []string{"en", "fr"},
		"distribution": []map[string]any{{"@type": "DataDownload", "encodingFormat": "application/zip", "contentUrl": c.URL() + ".zip",
			"contentSize": fmt.Sprint(c.Release.Size), "sha256": c.Release.SHA256}}}
	if c.Release.DOI != "" {
		d["identifier"] = "https://doi.org/" + c.Release.DOI
	}
	return d
}

// setReleaseDOI records the DOI the secretariat minted; a wrong one
// comes back in the form, with what is wrong.
func (h *Handler) setReleaseDOI(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	doi := c.FormValue("doi")
	r, err := h.Releases.SetDOI(c.Request().Context(), by, c.Param("id"), doi)
	if errs.Is(err, errs.Invalid) {
		if r, gerr := h.Releases.Get(c.Request().Context(), by, c.Param("id")); gerr == nil {
			return h.renderRelease(c, http.StatusUnprocessableEntity, r, releaseView{DOI: doi, Errors: errs.FieldsOf(err)})
		}
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "release_flash_doi", 0)
	return c.Redirect(http.StatusSeeOther, "/releases/"+r.Version())
}

// correctRelease publishes the next release of this one's report, with
// the changelog the secretariat wrote.
func (h *Handler) correctRelease(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	r, err := h.Releases.Get(c.Request().Context(), by, c.Param("id"))
	if err != nil {
		return err
	}
	changelog := c.FormValue("changelog")
	next, err := h.Releases.Correct(c.Request().Context(), by, r.ReportID, release.CorrectionInput{Changelog: changelog})
	if errs.Is(err, errs.Invalid) {
		return h.renderRelease(c, http.StatusUnprocessableEntity, r, releaseView{DOI: r.DOI, Changelog: changelog, Errors: errs.FieldsOf(err)})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "release_flash_corrected", 0)
	return c.Redirect(http.StatusSeeOther, "/releases/"+next.Version())
}

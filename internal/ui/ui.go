// Package ui serves pctracker's HTML pages. Pages work without JavaScript,
// in English and French; handlers are thin: read the request, make one
// service call, render a typed view model.
package ui

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/recommendation"
)

// Recommendations is what the pages need of the recommendations.
type Recommendations interface {
	List(ctx context.Context) ([]recommendation.Recommendation, error)
}

// Handler serves the pages.
type Handler struct {
	recs     Recommendations
	renderer *renderer
}

// New parses the templates and catalogues; it fails at start, never at
// request time, when one is broken.
func New(recs Recommendations, templates, catalogues fs.FS, assetHashes map[string]string) (*Handler, error) {
	r, err := newRenderer(templates, catalogues, assetHashes)
	if err != nil {
		return nil, err
	}
	return &Handler{recs: recs, renderer: r}, nil
}

// Routes lists every page.
func (h *Handler) Routes(e *echo.Echo) {
	g := e.Group("", languageMiddleware)
	g.GET("/", h.home)
}

// RenderError renders the error page for err. Internal details are never
// shown; the request id lets the secretariat find the log line.
func (h *Handler) RenderError(c echo.Context, status int, err error) error {
	lang, _ := pickLanguage(c.Request())
	c.Set(langKey, lang)
	v := errorView{Page: newPage(c, ""), Status: status}
	switch errs.KindOf(err) {
	case errs.NotFound:
		v.HeadingKey, v.TextKey = "error_not_found_title", "error_not_found_text"
	case errs.Forbidden:
		v.HeadingKey, v.TextKey = "error_forbidden_title", "error_forbidden_text"
	case errs.Unauthorized:
		v.HeadingKey, v.TextKey = "error_unauthorized_title", "error_unauthorized_text"
	case errs.Internal, errs.Unavailable:
		v.HeadingKey, v.TextKey = "error_title", "error_internal_text"
	default:
		v.HeadingKey, v.TextKey = "error_title", "error_generic_text"
		v.Detail = errs.MessageOf(err)
	}
	if rerr := h.renderer.render(c, status, "error", lang, v); rerr != nil {
		// The error page itself failed: fall back to plain text.
		return c.String(status, fmt.Sprintf("%d %s", status, http.StatusText(status)))
	}
	return nil
}

type errorView struct {
	Page
	Status     int
	HeadingKey string
	TextKey    string
	Detail     string
}

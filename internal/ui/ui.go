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
	"golang.org/x/text/language"

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
	matcher  language.Matcher
	secure   bool // served over TLS: cookies are Secure
}

// Options configure the pages.
type Options struct {
	Templates   fs.FS
	Catalogues  fs.FS
	AssetHashes map[string]string
	Secure      bool // served over TLS (directly or behind a proxy)
}

// New parses the templates and catalogues; it fails at start, never at
// request time, when one is broken.
func New(recs Recommendations, o Options) (*Handler, error) {
	r, err := newRenderer(o.Templates, o.Catalogues, o.AssetHashes)
	if err != nil {
		return nil, err
	}
	return &Handler{recs: recs, renderer: r, matcher: language.NewMatcher(languages()), secure: o.Secure}, nil
}

// Routes lists every page. The language middleware is attached per route:
// a group would add a catch-all route that turns every 405 into a 404.
func (h *Handler) Routes(e *echo.Echo) {
	e.GET("/", h.home, h.languageMiddleware)
}

// RenderError renders the error page for err. Internal details are never
// shown; the request id lets the secretariat find the log line.
func (h *Handler) RenderError(c echo.Context, status int, err error) error {
	lang, _ := pickLanguage(h.matcher, c.Request())
	c.Set(langKey, lang)
	v := errorView{Page: newPage(c, ""), Status: status}
	v.HeadingKey, v.TextKey = errorKeys(errs.KindOf(err))
	if v.TextKey == "error_generic_text" {
		v.Detail = errs.MessageOf(err) // input problems say what was wrong
	}
	if rerr := h.renderer.render(c, status, "error", lang, v); rerr != nil {
		// The error page itself failed: fall back to plain text.
		return c.String(status, fmt.Sprintf("%d %s", status, http.StatusText(status)))
	}
	return nil
}

// errorKeys names the heading and text of the error page for a kind.
func errorKeys(k errs.Kind) (heading, text string) {
	switch k {
	case errs.NotFound:
		return "error_not_found_title", "error_not_found_text"
	case errs.Forbidden:
		return "error_forbidden_title", "error_forbidden_text"
	case errs.Unauthorized:
		return "error_unauthorized_title", "error_unauthorized_text"
	case errs.Internal, errs.Unavailable:
		return "error_title", "error_internal_text"
	}
	return "error_title", "error_generic_text"
}

type errorView struct {
	Page
	Status     int
	HeadingKey string
	TextKey    string
	Detail     string
}

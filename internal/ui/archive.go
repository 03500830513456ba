package ui

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/evidence"
)

// archived serves a copy of public evidence as it was read at acceptance.
// The copy is someone else's page: it runs nothing on pctracker's origin
// (a sandbox with no source allowed), is never sniffed into HTML, and keeps
// its own type only for PDF, plain text and images; all else is text.
func (h *Handler) archived(c echo.Context) error {
	b, l, err := h.Evidence.Archived(c.Request().Context(), c.Param("sha256"))
	if err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cross-Origin-Resource-Policy", "same-origin")
	// Public while its action is: a shared cache asks again within five
	// minutes, so a withdrawal is not outlived for long.
	hdr.Set("Cache-Control", "public, max-age=300")
	if u, err := url.Parse(l.URL); err == nil {
		hdr.Set("X-Archived-From", u.String()) // escaped: a header holds ASCII only
	}
	if l.CapturedAt != nil {
		hdr.Set("X-Archived-At", l.CapturedAt.UTC().Format(time.RFC3339))
	}
	ct := evidence.Servable(b.ContentType)
	if ct != b.ContentType && b.ContentType != "" {
		hdr.Set("X-Archived-Content-Type", b.ContentType)
	}
	return c.Blob(http.StatusOK, ct, b.Data)
}

// evidenceLine is an evidence link on a page, with what its checks found.
type evidenceLine struct {
	action.Evidence
	Check *evidence.Link // nil until its first check
}

// evidenceLines pairs an action's evidence with what is known of each link.
func (h *Handler) evidenceLines(c echo.Context, a action.Action) ([]evidenceLine, error) {
	links, err := h.Evidence.Links(c.Request().Context(), []int64{a.ID})
	if err != nil {
		return nil, err
	}
	byURL := map[string]*evidence.Link{}
	for i, l := range links[a.ID] {
		byURL[l.URL] = &links[a.ID][i]
	}
	out := make([]evidenceLine, len(a.Evidence))
	for i, e := range a.Evidence {
		out[i] = evidenceLine{Evidence: e, Check: byURL[e.URL]}
	}
	return out, nil
}

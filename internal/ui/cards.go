package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"github.com/pctracker/pctracker/internal/cache"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	sharecard "github.com/pctracker/pctracker/internal/card"
	"github.com/pctracker/pctracker/internal/chart"
	"github.com/pctracker/pctracker/internal/errs"
)

// The share cards: a page's figure as a PNG image for social sites and
// chat applications (og:image), drawn from the figure its embed frames.

func (h *Handler) dashboardCard(c echo.Context) error {
	return h.card(c, h.dashboardFigure)
}

func (h *Handler) recommendationCard(c echo.Context) error {
	return h.card(c, func(c echo.Context, p Page) (sharedFigure, error) {
		n, err := pngNumber(c, "recommendation")
		if err != nil {
			return sharedFigure{}, err
		}
		return h.recommendationFigure(c.Request().Context(), p, int(n))
	})
}

func (h *Handler) organisationCard(c echo.Context) error {
	return h.card(c, func(c echo.Context, p Page) (sharedFigure, error) {
		id, err := pngNumber(c, "organisation")
		if err != nil {
			return sharedFigure{}, err
		}
		return h.organisationFigure(c.Request().Context(), p, id)
	})
}

// pngNumber reads the number of a path's last part, written N.png.
func pngNumber(c echo.Context, noun string) (int64, error) {
	s, ok := strings.CutSuffix(c.Param("file"), ".png")
	n, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, errs.E(errs.NotFound, "no such %s", noun)
	}
	return n, nil
}

// card answers a share card. An image is drawn once per version of the
// public data, address and language, and kept; its ETag is made from its
// bytes, so a reader holding it is told nothing changed until it does.
func (h *Handler) card(c echo.Context, figure func(echo.Context, Page) (sharedFigure, error)) error {
	ctx := c.Request().Context()
	version, err := h.Versions.PublicVersion(ctx)
	if err != nil {
		return err
	}
	p := newPage(c, "card")
	key := "card|" + version + "|" + c.Request().URL.RequestURI() + "|" + p.Lang
	var img []byte
	if a, ok := h.shared.Get(key); ok {
		img = a.Identity
	} else {
		f, err := figure(c, p)
		if err != nil {
			return err
		}
		if img, err = h.drawCard(f, p.Lang); err != nil {
			return err
		}
		// A PNG is compressed already: it is kept as it is.
		h.shared.Put(key, &cache.Answer{Type: "image/png", Identity: img})
	}
	sum := sha256.Sum256(img)
	tag := `"` + hex.EncodeToString(sum[:16]) + `"`
	hd := c.Response().Header()
	hd.Set("ETag", tag)
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Content-Language", p.Lang)
	hd.Add("Vary", "Accept-Language")
	for _, t := range strings.Split(c.Request().Header.Get("If-None-Match"), ",") {
		if strings.TrimSpace(t) == tag {
			return c.NoContent(http.StatusNotModified)
		}
	}
	return c.Blob(http.StatusOK, "image/png", img)
}

// drawCard draws a figure's card: its heading, what it counts, its bars in
// the stages' colours, and the site's name. The fonts are parsed for each
// drawing: a card is drawn once per version of the data.
func (h *Handler) drawCard(f sharedFigure, lang string) ([]byte, error) {
	d, err := sharecard.New()
	if err != nil {
		return nil, err
	}
	t := h.renderer.tr[lang]
	cd := sharecard.Card{Title: f.Heading, Subtitle: f.Caption, Site: t("site_name"), Bars: make([]sharecard.Bar, len(f.Bars)), Empty: f.Note}
	for i, s := range action.Stages {
		cd.Series = append(cd.Series, sharecard.Series{Label: t("stage_" + string(s)), Color: sharecard.Hex(chart.StageColors[i])})
	}
	for i, b := range f.Bars {
		cd.Bars[i] = sharecard.Bar{Label: b.Label, Values: b.Values}
	}
	if f.Note != "" {
		cd.Subtitle, cd.Bars = "", nil
	}
	return d.PNG(cd)
}

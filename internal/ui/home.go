package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/stakeholder"
)

type recommendationsView struct {
	Page
	Recommendations []recommendationView
}

type recommendationView struct {
	Number      int
	Slug        string
	Title       string
	Description string
	Principles  []string
	Addressees  []stakeholder.Kind
}

// recommendations lists the twelve recommendations with their text.
func (h *Handler) recommendations(c echo.Context) error {
	recs, err := h.Recommendations.List(c.Request().Context())
	if err != nil {
		return err
	}
	v := recommendationsView{Page: newPage(c, "recommendations")}
	for _, r := range recs {
		rv := recommendationView{Number: r.Number, Slug: r.Slug, Title: r.Title.In(v.Lang),
			Description: r.Description.In(v.Lang), Addressees: r.Addressees}
		for _, p := range r.Principles {
			rv.Principles = append(rv.Principles, p.In(v.Lang))
		}
		v.Recommendations = append(v.Recommendations, rv)
	}
	return h.renderer.render(c, http.StatusOK, "recommendations", v.Lang, v)
}

package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/stakeholder"
)

type homeView struct {
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

func (h *Handler) home(c echo.Context) error {
	recs, err := h.Recommendations.List(c.Request().Context())
	if err != nil {
		return err
	}
	v := homeView{Page: newPage(c, "home")}
	for _, r := range recs {
		rv := recommendationView{Number: r.Number, Slug: r.Slug, Title: r.Title.In(v.Lang),
			Description: r.Description.In(v.Lang), Addressees: r.Addressees}
		for _, p := range r.Principles {
			rv.Principles = append(rv.Principles, p.In(v.Lang))
		}
		v.Recommendations = append(v.Recommendations, rv)
	}
	return h.renderer.render(c, http.StatusOK, "home", v.Lang, v)
}

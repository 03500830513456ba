package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

type recommendationsView struct {
	Page
	Recommendations []recommendationItem
}

// recommendationItem is a recommendation's text in the page's language.
type recommendationItem struct {
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
		v.Recommendations = append(v.Recommendations, recommendationItemOf(r, v.Lang))
	}
	return h.renderer.render(c, http.StatusOK, "recommendations", v.Lang, v)
}

func recommendationItemOf(r recommendation.Recommendation, lang string) recommendationItem {
	item := recommendationItem{Number: r.Number, Slug: r.Slug, Title: r.Title.In(lang),
		Description: r.Description.In(lang), Addressees: r.Addressees}
	for _, p := range r.Principles {
		item.Principles = append(item.Principles, p.In(lang))
	}
	return item
}

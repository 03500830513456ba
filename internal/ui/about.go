package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
)

// aboutView is the page on method, definitions, licence and accessibility.
type aboutView struct {
	Page
	Stages     []action.Stage
	Measures   []action.MeasureType
	Assurances []action.Assurance
}

func (h *Handler) about(c echo.Context) error {
	v := aboutView{Page: newPage(c, "about"), Stages: action.Stages, Assurances: action.Assurances}
	for _, m := range action.MeasureTypes {
		v.Measures = append(v.Measures, m.Type)
	}
	return h.renderer.render(c, http.StatusOK, "about", v.Lang, v)
}

package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/request"
)

type textDTO struct {
	EN string `json:"en"`
	FR string `json:"fr"`
}

type recommendationDTO struct {
	Number      int       `json:"number"`
	Slug        string    `json:"slug"`
	Title       textDTO   `json:"title"`
	Description textDTO   `json:"description"`
	Addressees  []string  `json:"addressees"`
	Principles  []textDTO `json:"principles"`
}

type listDTO[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func recommendationToDTO(r recommendation.Recommendation) recommendationDTO {
	d := recommendationDTO{Number: r.Number, Slug: r.Slug,
		Title:       textDTO{EN: r.Title.EN, FR: r.Title.FR},
		Description: textDTO{EN: r.Description.EN, FR: r.Description.FR},
		Addressees:  make([]string, len(r.Addressees)), Principles: make([]textDTO, len(r.Principles))}
	for i, k := range r.Addressees {
		d.Addressees[i] = string(k)
	}
	for i, p := range r.Principles {
		d.Principles[i] = textDTO{EN: p.EN, FR: p.FR}
	}
	return d
}

func (h *Handler) listRecommendations(c echo.Context) error {
	recs, err := h.Recommendations.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := listDTO[recommendationDTO]{Items: make([]recommendationDTO, len(recs)), Total: len(recs)}
	for i, r := range recs {
		out.Items[i] = recommendationToDTO(r)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) getRecommendation(c echo.Context) error {
	n, err := request.Number(c, "number", "recommendation")
	if err != nil {
		return err
	}
	r, err := h.Recommendations.Get(c.Request().Context(), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, recommendationToDTO(r))
}

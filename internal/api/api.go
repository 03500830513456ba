// Package api is pctracker's JSON surface under /api/v1. Handlers bind the
// request, make one service call and answer with a DTO; errors go to the one
// error handler of the server.
package api

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/recommendation"
)

// Recommendations is what the API needs of the recommendations.
type Recommendations interface {
	List(ctx context.Context) ([]recommendation.Recommendation, error)
	Get(ctx context.Context, number int) (recommendation.Recommendation, error)
}

// Handler serves the API.
type Handler struct {
	recs Recommendations
}

// New builds the API handler.
func New(recs Recommendations) *Handler { return &Handler{recs: recs} }

// Routes lists every API route.
func (h *Handler) Routes(e *echo.Echo) {
	g := e.Group("/api/v1")
	g.GET("/recommendations", h.listRecommendations)
	g.GET("/recommendations/:number", h.getRecommendation)
}

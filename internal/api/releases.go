package api

import "github.com/labstack/echo/v4"

// releaseRoutes are the citable data releases and their corrections.
func (h *Handler) releaseRoutes(e *echo.Echo, g *echo.Group) {}

package ui

import "github.com/labstack/echo/v4"

// releaseRoutes are the pages of the citable data releases.
func (h *Handler) releaseRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {}

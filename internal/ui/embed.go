package ui

import "github.com/labstack/echo/v4"

// embedRoutes are the small pages other sites may frame.
func (h *Handler) embedRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {}

package ui

import "github.com/labstack/echo/v4"

// followRoutes are the pages of the mail subscriptions people follow without an account.
func (h *Handler) followRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {}

package api

import "github.com/labstack/echo/v4"

// subscriptionRoutes are the mail subscriptions people follow without an account.
func (h *Handler) subscriptionRoutes(e *echo.Echo, g *echo.Group) {}

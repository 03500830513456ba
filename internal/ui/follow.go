package ui

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// followRoutes are the pages of the mail subscriptions people follow without an account.
func (h *Handler) followRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {}

// followedFilters are the filters of the actions list that a feed and a
// mail subscription follow; each may be given several times.
var followedFilters = []string{"recommendation", "country", "organisation", "kind"}

// feedOf is the address of the Atom feed that follows what a page shows:
// the actions list's followed filters, a recommendation's actions, an
// organisation's actions; "" for every other page, which advertises the
// whole feed. The values are passed on as given: the feed checks them.
func feedOf(c echo.Context, lang string) string {
	q := url.Values{}
	switch c.Path() {
	case "/actions":
		in := c.QueryParams()
		for _, name := range followedFilters {
			for _, v := range in[name] {
				if v = strings.TrimSpace(v); v != "" {
					q.Add(name, v)
				}
			}
		}
	case "/recommendations/:number":
		q.Set("recommendation", c.Param("number"))
	case "/organisations/:id":
		q.Set("organisation", c.Param("id"))
	}
	if len(q) == 0 {
		return ""
	}
	q.Set("lang", lang)
	return "/feed.atom?" + q.Encode()
}

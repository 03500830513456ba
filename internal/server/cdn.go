package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/user"
)

// cachePolicy gives the answers their Cache-Control for the caches in
// front, as each goes out. A public answer (one package etag marked)
// may be kept by a shared cache for the CDN configuration's s-maxage, and
// served stale while it is fetched again or while pctracker fails. An
// answer to someone signed in, or one that sets a cookie, is nobody
// else's: no-store (no cache, shared or private, keeps it) and no
// surrogate keys, whatever the handler said. Static assets keep their own
// rules: they are the same for all.
func cachePolicy(cdn config.CDN) echo.MiddlewareFunc {
	public := cdn.CacheControl(time.Minute)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if strings.HasPrefix(c.Request().URL.Path, "/static/") {
				return next(c)
			}
			res := c.Response()
			res.Before(func() {
				h := res.Header()
				_, signedIn := user.ActorFrom(c.Request().Context())
				switch {
				case signedIn || len(h.Values("Set-Cookie")) > 0:
					h.Set("Cache-Control", "no-store") // as signed-in pages always said
					h.Del("Surrogate-Key")
					h.Del("Cache-Tag")
				case h.Get("Cache-Control") == etag.Public && res.Status < http.StatusBadRequest:
					h.Set("Cache-Control", public)
				}
			})
			return next(c)
		}
	}
}

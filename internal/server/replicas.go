package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
)

// Replicas routes public reads to read replicas and says whether the
// primary, which takes every write, is up.
type Replicas interface {
	// PublicRead marks ctx: its reads may go to a replica until it writes.
	PublicRead(ctx context.Context) context.Context
	PrimaryUp() bool
	ReplicasServing() (serving, total int)
}

// readOnlyRetry is the Retry-After of a request refused while the primary
// is down: the replicas' watcher looks again every second.
const readOnlyRetry = 5 * time.Second

// readRouting sends public reads to the replicas: GET and HEAD requests of
// public routes without credentials (no session cookie, no API token),
// since anything signed in may read what the public cannot and expects to
// see its own writes at once. Sign-in and emailed-link pages stay on the
// primary: they read what was written a moment ago, as do the pages a
// subscription's mail links to (its confirmation follows the sign-up).
//
// While the primary is down, everything else (writes, signed-in pages,
// whose sessions are in the database) is answered 503 "temporarily
// read-only" with a Retry-After, before anything tries the primary.
func readRouting(r Replicas, cookie string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if publicRead(req, cookie) {
				c.SetRequest(req.WithContext(r.PublicRead(req.Context())))
				return next(c)
			}
			if !r.PrimaryUp() && !ownRoute(req.URL.Path) {
				return &errs.Error{Kind: errs.Unavailable, RetryAfter: readOnlyRetry,
					Message: "temporarily read-only: the database is being repaired; public pages are still served, please try again shortly",
					Details: map[string]any{"read_only": true}}
			}
			return next(c)
		}
	}
}

// publicRead reports a request whose reads may go to a replica.
func publicRead(req *http.Request, cookie string) bool {
	if req.Method != http.MethodGet { // HEAD is routed as GET
		return false
	}
	if req.Header.Get("Authorization") != "" {
		return false
	}
	if ck, err := req.Cookie(cookie); err == nil && ck.Value != "" {
		return false
	}
	p := req.URL.Path
	for _, prefix := range []string{"/signin", "/invite", "/reset", "/follow", "/unsubscribe"} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return false
		}
	}
	return true
}

// ownRoute reports the server's own routes, which answer whatever the
// database does.
func ownRoute(p string) bool {
	return p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/")
}

// replicaReadiness answers /readyz for a server with replicas: a load
// balancer keeps sending public traffic (200) while the primary is down as
// long as a replica serves; 503 only when nothing can answer. ready is the
// usual check of the primary (reachable, migrations current).
func replicaReadiness(c echo.Context, r Replicas, ready func(ctx context.Context) error) error {
	serving, total := r.ReplicasServing()
	body := map[string]string{"replicas": strconv.Itoa(serving) + " of " + strconv.Itoa(total) + " serving"}
	if !r.PrimaryUp() {
		body["primary"] = "down"
		if serving == 0 {
			body["status"] = "unavailable"
			return c.JSON(http.StatusServiceUnavailable, body)
		}
		body["status"] = "read-only"
		return c.JSON(http.StatusOK, body)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := ready(ctx); err != nil {
		body["primary"], body["status"], body["reason"] = "unready", "unavailable", errs.MessageOf(err)
		return c.JSON(http.StatusServiceUnavailable, body)
	}
	body["primary"], body["status"] = "up", "ready"
	return c.JSON(http.StatusOK, body)
}

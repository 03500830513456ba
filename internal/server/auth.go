package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/user"
)

// Sessions resumes browser sessions.
type Sessions interface {
	Resume(ctx context.Context, token string) (session.Session, error)
}

// Users finds the user behind a session or an API token.
type Users interface {
	Get(ctx context.Context, id int64) (user.User, error)
	ByToken(ctx context.Context, secret string) (user.User, error)
}

// CSRFField is the form field, and CSRFHeader the header, that carry a
// session's CSRF token.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// identify puts the caller in the request context: the user of a Bearer
// token, or of a live session cookie. Anyone else is anonymous; routes
// decide what anonymous callers may do.
func identify(sessions Sessions, users Users, cookie string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			ctx := r.Context()
			if anonymous(r.URL.Path) {
				return next(c)
			}
			if h := r.Header.Get("Authorization"); h != "" {
				secret, ok := strings.CutPrefix(h, "Bearer ")
				if !ok {
					return errs.E(errs.Unauthorized, "send the API token as: Authorization: Bearer <token>")
				}
				u, err := users.ByToken(ctx, strings.TrimSpace(secret))
				if err != nil {
					return err
				}
				c.SetRequest(r.WithContext(user.WithActor(ctx, u.Actor())))
				private(c)
				return next(c)
			}
			ck, err := r.Cookie(cookie)
			if err != nil || ck.Value == "" {
				return next(c)
			}
			sess, err := sessions.Resume(ctx, ck.Value)
			switch {
			case errs.Is(err, errs.Unauthorized):
				// An ended session: forget the cookie and go on anonymously.
				c.SetCookie(&http.Cookie{Name: cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
					Secure: strings.HasPrefix(cookie, "__Host-"), SameSite: http.SameSiteLaxMode})
				return next(c)
			case err != nil:
				return err
			}
			u, err := users.Get(ctx, sess.UserID)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			if err != nil || u.MaySignIn() != nil {
				// Disabled, or their organisation deactivated since.
				return next(c)
			}
			ctx = session.With(user.WithActor(ctx, u.Actor()), sess)
			c.SetRequest(r.WithContext(ctx))
			private(c)
			return next(c)
		}
	}
}

// private keeps an answer made for a signed-in caller (a draft, a status
// export, their account) out of every cache; a handler whose answer is the
// same for everyone (public data, assets, a published document) says so
// by setting its own Cache-Control.
func private(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}

// csrf refuses state-changing requests that a third-party site could have
// made: cross-origin browser requests (Sec-Fetch-Site and Origin, checked
// by net/http), and, for requests signed in by a session cookie, any
// without the session's CSRF token. API clients with a Bearer token send no
// cookie, so only the origin check applies to them.
func csrf() echo.MiddlewareFunc {
	origin := http.NewCrossOriginProtection()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			if err := origin.Check(r); err != nil {
				return errs.Wrap(errs.Forbidden, err, "cross-site request refused")
			}
			sess, ok := session.From(r.Context())
			if !ok {
				return next(c)
			}
			token := r.Header.Get(CSRFHeader)
			if token == "" {
				// The body only: a token in the query string would end up in
				// logs and Referer headers.
				token = r.PostFormValue(CSRFField)
			}
			if subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) != 1 {
				return errs.E(errs.Forbidden, "this form has expired or did not come from pctracker; reload the page and try again")
			}
			return next(c)
		}
	}
}

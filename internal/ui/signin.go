package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/signin"
	"github.com/pctracker/pctracker/internal/user"
)

type signInView struct {
	Page
	Flash  *Flash
	Email  string
	Next   string
	Error  string // a message for people, already translated or from errs
	ErrKey string // a catalogue key, when the message is one of ours
	Wait   string // how long to wait when throttled, in words: what Retry-After says
}

func (h *Handler) signInForm(c echo.Context) error {
	if _, ok := user.ActorFrom(c.Request().Context()); ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	v := signInView{Page: h.formPage(c, "signin"), Flash: h.takeFlash(c), Next: safeNext(c.QueryParam("next"))}
	return h.renderer.render(c, http.StatusOK, "signin", v.Lang, v)
}

func (h *Handler) signIn(c echo.Context) error {
	if err := h.checkForm(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	email, password := c.FormValue("email"), c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	u, err := h.SignIn.SignIn(ctx, email, password, c.RealIP(), h.deviceToken(c))
	if err != nil {
		v := signInView{Page: h.formPage(c, "signin"), Email: email, Next: next}
		status := http.StatusUnprocessableEntity
		switch errs.KindOf(err) {
		case errs.Unauthorized:
			v.ErrKey, status = "signin_wrong", http.StatusUnauthorized
		case errs.Forbidden:
			v.ErrKey, status = "signin_org_inactive", http.StatusForbidden
		case errs.TooMany:
			v.ErrKey, v.Wait, status = "signin_throttled", h.retryAfter(c, err), http.StatusTooManyRequests
		case errs.Invalid:
			v.ErrKey = "signin_missing"
		default:
			return err
		}
		return h.renderer.render(c, status, "signin", v.Lang, v)
	}
	return h.passwordChecked(c, u, next)
}

// passwordChecked goes on from a password just proved, at sign-in or just
// chosen from an invitation or reset link: to the second step where one
// is needed, else straight into a new session and on to next.
func (h *Handler) passwordChecked(c echo.Context, u user.User, next string) error {
	needed, err := h.TwoStep.Needed(c.Request().Context(), u)
	if err != nil {
		return err
	}
	if needed {
		return h.beginTwoStep(c, u, next)
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, landing(u, next))
}

// startSession signs u in: a new session, and so a new id, at every
// sign-in, which defeats session fixation. The rest of this request sees
// u signed in, so a page rendered on this very answer shows it so.
func (h *Handler) startSession(c echo.Context, u user.User) error {
	ctx := c.Request().Context()
	if old, err := c.Cookie(h.cookie); err == nil {
		_ = h.Sessions.End(ctx, old.Value)
	}
	token, sess, err := h.Sessions.Start(ctx, u.ID, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return err
	}
	// The language a person signs in with is the one their mail is
	// written in, unless they chose one on their account page: it is the
	// language they last used, recorded on a post that proved who they are
	// (a page read, or a link from elsewhere, never changes it).
	if err := h.Users.NoteLanguage(ctx, u.ID, langOf(c)); err != nil {
		return err
	}
	c.SetCookie(h.sessionCookie(token, int(h.timeout.Seconds())))
	// This browser has now signed in to u: should strangers push the
	// account over its limit of failed sign-ins, it is still let through.
	device, err := h.SignIn.Remember(ctx, u, h.deviceToken(c))
	if err != nil {
		return err
	}
	c.SetCookie(h.deviceCookie(device))
	c.SetRequest(c.Request().WithContext(session.With(user.WithActor(ctx, u.Actor()), sess)))
	return nil
}

// landing is where a sign-in goes: where it was asked for, or else where
// each one's work is.
func landing(u user.User, next string) string {
	if next != "/" {
		return next
	}
	switch u.Role {
	case user.Supporter:
		return "/workspace"
	case user.Secretariat:
		return "/admin/status"
	}
	return next
}

func (h *Handler) signOut(c echo.Context) error {
	if ck, err := c.Cookie(h.cookie); err == nil {
		if err := h.Sessions.End(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(h.sessionCookie("", -1))
	return c.Redirect(http.StatusSeeOther, "/?lang="+langOf(c))
}

// sessionCookie is HttpOnly and SameSite=Lax; over TLS it is Secure and,
// by its __Host- name, bound to this host and path.
func (h *Handler) sessionCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: h.cookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure}
}

// deviceCookieName names the cookie that marks a browser as one that has
// signed in before; over TLS the __Host- prefix binds it to this host.
func (h *Handler) deviceCookieName() string {
	if h.secure {
		return "__Host-pct_device"
	}
	return "pct_device"
}

// deviceCookie holds a device's random token (its SHA-256 is stored, bound
// to the account): HttpOnly, sent only with this site's own requests
// (SameSite=Strict: only the sign-in form reads it), Secure over TLS.
func (h *Handler) deviceCookie(token string) *http.Cookie {
	return &http.Cookie{Name: h.deviceCookieName(), Value: token, Path: "/", MaxAge: int(signin.DeviceLifetime.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure}
}

func (h *Handler) deviceToken(c echo.Context) string {
	if ck, err := c.Cookie(h.deviceCookieName()); err == nil {
		return ck.Value
	}
	return ""
}

// safeNext keeps a redirect after sign-in on this site. It is rebuilt from
// a parsed local path and query only: no scheme, no host, no // or \ that a
// browser would read as another site, and no control character, which
// browsers drop before parsing (so "/\t/evil" would become "//evil").
func safeNext(next string) string {
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := &url.URL{Path: u.Path, RawQuery: u.RawQuery}
	if s := out.String(); strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return s
	}
	return "/"
}

package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/session"
)

// The forms a visitor fills in before having a session (sign in, reset or
// set a password) carry a token too, as a cookie and as a form field that
// must match: another site can make a browser post a form, but can neither
// read nor set this cookie, so it cannot sign a victim in to the attacker's
// account (login CSRF). Signed-in forms use the session's token instead.

// formCookie names the cookie; over TLS the __Host- prefix keeps a sibling
// domain from planting one.
func (h *Handler) formCookie() string {
	if h.secure {
		return "__Host-pct_form"
	}
	return "pct_form"
}

// formPage is newPage for the forms before a session, with their token.
func (h *Handler) formPage(c echo.Context, section string) Page {
	p := newPage(c, section)
	if _, ok := session.From(c.Request().Context()); !ok {
		p.CSRF = h.formToken(c)
	}
	return p
}

// formToken returns the visitor's form token, set as a cookie if new.
func (h *Handler) formToken(c echo.Context) string {
	if ck, err := c.Cookie(h.formCookie()); err == nil && validFormToken(ck.Value) {
		return ck.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on the platforms Go supports
	token := hex.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: h.formCookie(), Value: token, Path: "/", MaxAge: 12 * 3600, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteStrictMode})
	return token
}

func validFormToken(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// checkForm refuses a form posted without a session unless it carries the
// token of its cookie. With a session, the CSRF middleware has checked the
// session's token already.
func (h *Handler) checkForm(c echo.Context) error {
	if _, ok := session.From(c.Request().Context()); ok {
		return nil
	}
	ck, err := c.Cookie(h.formCookie())
	sent := c.FormValue("csrf_token")
	if err != nil || !validFormToken(ck.Value) || subtle.ConstantTimeCompare([]byte(sent), []byte(ck.Value)) != 1 {
		return errs.E(errs.Forbidden, "this form has expired or did not come from pctracker; reload the page and try again")
	}
	return nil
}

package ui

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/user"
)

// The second step of signing in: after the password, POST /signin sends
// the secretariat (and anyone who set it up) to /signin/code with a
// challenge cookie; that page asks for the code, or, at the first sign-in,
// sets up the authenticator app first.

// challengeCookie names the cookie of a sign-in waiting for its code.
func (h *Handler) challengeCookie() string {
	if h.secure {
		return "__Host-pct_signin"
	}
	return "pct_signin"
}

func (h *Handler) setChallenge(c echo.Context, token string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: h.challengeCookie(), Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteStrictMode})
}

func (h *Handler) challengeToken(c echo.Context) string {
	if ck, err := c.Cookie(h.challengeCookie()); err == nil {
		return ck.Value
	}
	return ""
}

// beginTwoStep opens the second step for u, whose password was right.
func (h *Handler) beginTwoStep(c echo.Context, u user.User, next string) error {
	token, _, err := h.TwoStep.Begin(c.Request().Context(), u, next)
	if err != nil {
		return err
	}
	h.setChallenge(c, token, int(twostep.ChallengeLifetime.Seconds()))
	return c.Redirect(http.StatusSeeOther, "/signin/code")
}

type codeView struct {
	Page
	Enrolling bool
	Email     string
	Secret    string
	QR        template.URL // a data: URL of the PNG
	URL       template.URL // otpauth://, for an app on this very device
	ErrKey    string
	Wait      string // how long to wait when throttled, in words: what Retry-After says
}

func (h *Handler) codeForm(c echo.Context) error {
	return h.renderCode(c, http.StatusOK, "", "")
}

// renderCode shows the step the challenge is at, with the message of
// errKey (wait says how long a throttled person waits); an expired or
// unknown one goes back to the password.
func (h *Handler) renderCode(c echo.Context, status int, errKey, wait string) error {
	noStore(c) // the setup page shows the secret
	ch, u, err := h.TwoStep.Pending(c.Request().Context(), h.challengeToken(c))
	if errs.Is(err, errs.Unauthorized) {
		return h.restartSignIn(c)
	}
	if err != nil {
		return err
	}
	v := codeView{Page: h.formPage(c, "signin"), Enrolling: ch.Enrolling(), Email: u.Email, ErrKey: errKey, Wait: wait}
	if ch.Enrolling() {
		e, err := h.TwoStep.Enrolment(ch, u)
		if err != nil {
			return err
		}
		// otpauth: is not a scheme html/template trusts by itself; this
		// address is built by pctracker from the secret it made.
		v.Secret, v.URL = e.Secret, template.URL(e.URL)
		v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QR))
	}
	return h.renderer.render(c, status, "signin_code", v.Lang, v)
}

// restartSignIn sends the visitor back to the password with a word why.
func (h *Handler) restartSignIn(c echo.Context) error {
	h.setChallenge(c, "", -1)
	h.setFlash(c, "flash_signin_again", 0)
	return c.Redirect(http.StatusSeeOther, "/signin")
}

func (h *Handler) checkCode(c echo.Context) error {
	if err := h.checkForm(c); err != nil {
		return err
	}
	res, err := h.TwoStep.Complete(c.Request().Context(), h.challengeToken(c), c.FormValue("code"), c.RealIP())
	switch {
	case err == nil:
	case errs.Is(err, errs.Unauthorized) && errs.FieldsOf(err)["code"] != "":
		return h.renderCode(c, http.StatusUnauthorized, "code_wrong", "")
	case errs.Is(err, errs.Unauthorized):
		return h.restartSignIn(c)
	case errs.Is(err, errs.Invalid):
		return h.renderCode(c, http.StatusUnprocessableEntity, "code_missing", "")
	case errs.Is(err, errs.TooMany):
		return h.renderCode(c, http.StatusTooManyRequests, "code_throttled", h.retryAfter(c, err))
	default:
		return err
	}
	h.setChallenge(c, "", -1)
	if err := h.startSession(c, res.User); err != nil {
		return err
	}
	next := landing(res.User, res.Next)
	if res.RecoveryCodes != nil {
		// Shown on this answer only: they are never stored in clear.
		return h.renderRecoveryCodes(c, res.RecoveryCodes, next, true)
	}
	if res.UsedRecovery {
		// A recovery code means a lost phone: the account page, where new
		// codes are made, says how many are left.
		h.setFlash(c, "flash_recovery_used", res.CodesLeft)
		next = "/account#two-step"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

type recoveryView struct {
	Page
	Codes    []string
	Next     string
	Enrolled bool // just set up, rather than renewed
}

func (h *Handler) renderRecoveryCodes(c echo.Context, codes []string, next string, enrolled bool) error {
	noStore(c)
	v := recoveryView{Page: newPage(c, "account"), Codes: codes, Next: next, Enrolled: enrolled}
	return h.renderer.render(c, http.StatusOK, "recovery_codes", v.Lang, v)
}

// renewRecoveryCodes replaces the signed-in person's recovery codes, once
// they have confirmed it with a code.
func (h *Handler) renewRecoveryCodes(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	codes, err := h.TwoStep.RenewRecoveryCodes(c.Request().Context(), by, c.FormValue("code"), c.RealIP())
	switch {
	case err == nil:
		return h.renderRecoveryCodes(c, codes, "/account", false)
	case errs.Is(err, errs.Invalid):
		return h.renderAccount(c, by, http.StatusUnprocessableEntity, accountView{CodeError: "code_missing"})
	case errs.Is(err, errs.Unauthorized):
		return h.renderAccount(c, by, http.StatusUnprocessableEntity, accountView{CodeError: "code_wrong"})
	case errs.Is(err, errs.TooMany):
		return h.renderAccount(c, by, http.StatusTooManyRequests, accountView{CodeError: "code_throttled", Wait: h.retryAfter(c, err)})
	}
	return err
}

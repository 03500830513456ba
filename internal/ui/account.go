package ui

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/user"
)

type accountView struct {
	Page
	Flash     *Flash
	U         user.User
	TwoStep   twostep.Status
	EnabledOn string
	Tokens    []tokenItem
	NewSecret string // shown once, right after creation
	NewName   string
	Error     string
	CodeError string // the message key of a refused renewal of recovery codes
	Wait      string // how long to wait when throttled, in words: what Retry-After says
	Notices   []noticeChoice
	MailLang  string
}

// noticeChoice is one kind of notice on the account page, ticked when the
// person receives it.
type noticeChoice struct {
	Kind user.Notice
	On   bool
}

type tokenItem struct {
	ID       int64
	Name     string
	Created  string
	LastUsed string
	Revoked  bool
}

func (h *Handler) account(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	return h.renderAccount(c, by, http.StatusOK, accountView{Flash: h.takeFlash(c)})
}

func (h *Handler) renderAccount(c echo.Context, by user.Actor, status int, v accountView) error {
	ctx := c.Request().Context()
	u, err := h.Users.Get(ctx, by.UserID)
	if err != nil {
		return err
	}
	tokens, err := h.Users.Tokens(ctx, by.UserID)
	if err != nil {
		return err
	}
	if v.TwoStep, err = h.TwoStep.StatusOf(ctx, u); err != nil {
		return err
	}
	v.Page, v.U = newPage(c, "account"), u
	v.MailLang = u.Language()
	for _, n := range user.Notices {
		v.Notices = append(v.Notices, noticeChoice{Kind: n, On: !slices.Contains(u.NoticesOff, n)})
	}
	if v.TwoStep.Enabled {
		v.EnabledOn = formatDate(v.Lang, v.TwoStep.EnabledAt)
	}
	for _, t := range tokens {
		item := tokenItem{ID: t.ID, Name: t.Name, Created: formatDate(v.Lang, t.CreatedAt), Revoked: t.RevokedAt != nil}
		if t.LastUsedAt != nil {
			item.LastUsed = formatDateTime(v.Lang, *t.LastUsedAt)
		}
		v.Tokens = append(v.Tokens, item)
	}
	return h.renderer.render(c, status, "account", v.Lang, v)
}

// createToken shows the new token on the answer itself: it is never
// stored, so it cannot be shown again after a redirect.
func (h *Handler) createToken(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	t, secret, err := h.Users.CreateToken(c.Request().Context(), by, by.Name, name)
	if errs.Is(err, errs.Invalid) {
		return h.renderAccount(c, by, http.StatusUnprocessableEntity, accountView{Error: "err_token_name", NewName: name})
	}
	if err != nil {
		return err
	}
	return h.renderAccount(c, by, http.StatusCreated, accountView{NewSecret: secret, NewName: t.Name})
}

func (h *Handler) revokeToken(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "token")
	if err != nil {
		return err
	}
	if err := h.Users.RevokeToken(c.Request().Context(), by, id); err != nil {
		return err
	}
	h.setFlash(c, "flash_token_revoked", 0)
	return c.Redirect(http.StatusSeeOther, "/account")
}

// savePreferences keeps the language of the person's mail and the notices
// they want: every kind not ticked is turned off.
func (h *Handler) savePreferences(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	params, _ := c.FormParams()
	p := user.Preferences{Lang: c.FormValue("mail_lang")}
	for _, n := range user.Notices {
		if !slices.Contains(params["notices"], string(n)) {
			p.NoticesOff = append(p.NoticesOff, n)
		}
	}
	if _, err := h.Users.SetPreferences(c.Request().Context(), by, p); err != nil {
		return err
	}
	h.setFlash(c, "flash_preferences_saved", 0)
	return c.Redirect(http.StatusSeeOther, "/account#notices")
}

package ui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

type passwordView struct {
	Page
	Purpose account.Purpose
	Token   string
	Expired bool
	Error   string
}

// The link's token travels in the query string, which request logs leave
// out, and the Referrer-Policy keeps it from other sites.
func (h *Handler) passwordForm(p account.Purpose) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := passwordView{Page: h.formPage(c, "signin"), Purpose: p, Token: c.QueryParam("token")}
		status := http.StatusOK
		if err := h.Accounts.Check(c.Request().Context(), p, v.Token); err != nil {
			if !errs.Is(err, errs.Invalid) {
				return err
			}
			v.Expired, status = true, http.StatusGone
		}
		noStore(c) // the address holds the link's secret
		return h.renderer.render(c, status, "password", v.Lang, v)
	}
}

func (h *Handler) setPassword(p account.Purpose) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := h.checkForm(c); err != nil {
			return err
		}
		v := passwordView{Page: h.formPage(c, "signin"), Purpose: p, Token: c.FormValue("token")}
		password := c.FormValue("password")
		if password != c.FormValue("confirm") {
			v.Error = "password_mismatch"
			return h.renderer.render(c, http.StatusUnprocessableEntity, "password", v.Lang, v)
		}
		u, err := h.Accounts.SetPassword(c.Request().Context(), p, v.Token, password)
		switch {
		case errs.FieldsOf(err)["token"] != "":
			v.Expired = true
			return h.renderer.render(c, http.StatusGone, "password", v.Lang, v)
		case errs.Is(err, errs.Invalid):
			v.Error = "password_too_short"
			return h.renderer.render(c, http.StatusUnprocessableEntity, "password", v.Lang, v)
		case err != nil:
			return err
		}
		// The link proved who they are and they just chose the password:
		// signed in at once (through the second step where it is needed),
		// on to their workspace.
		h.setFlash(c, "flash_password_set", 0)
		return h.passwordChecked(c, u, "/")
	}
}

type resetView struct {
	Page
	Sent  bool
	Email string
}

func (h *Handler) resetForm(c echo.Context) error {
	v := resetView{Page: h.formPage(c, "signin")}
	return h.renderer.render(c, http.StatusOK, "reset", v.Lang, v)
}

func (h *Handler) requestReset(c echo.Context) error {
	if err := h.checkForm(c); err != nil {
		return err
	}
	v := resetView{Page: h.formPage(c, "signin"), Email: c.FormValue("email")}
	if strings.TrimSpace(v.Email) == "" || len(v.Email) > 254 {
		return h.renderer.render(c, http.StatusUnprocessableEntity, "reset", v.Lang, v)
	}
	// The answer must not depend on whether the account exists, in its
	// words or its timing: the work, and any mail, happen after it.
	// Everything the goroutine needs is taken now: echo reuses the request
	// context c for other requests once this handler returns.
	email, bg := v.Email, context.WithoutCancel(c.Request().Context())
	go func() {
		ctx, cancel := context.WithTimeout(bg, time.Minute)
		defer cancel()
		if err := h.Accounts.RequestReset(ctx, email); err != nil {
			h.logFailure(ctx, "password reset request", err)
		}
	}()
	v.Sent = true
	return h.renderer.render(c, http.StatusOK, "reset", v.Lang, v)
}

type peopleView struct {
	Page
	Flash        *Flash
	OrgName      string
	People       []account.Person
	IsFocalPoint bool
	Form         user.Input
	Errors       map[string]string
}

func (h *Handler) people(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	return h.renderPeople(c, by, http.StatusOK, peopleView{Flash: h.takeFlash(c), Form: user.Input{OrgRole: user.Member}})
}

func (h *Handler) renderPeople(c echo.Context, by user.Actor, status int, v peopleView) error {
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "this page lists the people of an organisation")
	}
	ctx := c.Request().Context()
	people, err := h.Accounts.People(ctx, by, by.StakeholderID)
	if err != nil {
		return err
	}
	org, err := h.Stakeholders.Get(ctx, by.StakeholderID)
	if err != nil {
		return err
	}
	v.Page, v.OrgName, v.IsFocalPoint, v.People = newPage(c, "people"), org.Name, by.IsFocalPoint(), people
	return h.renderer.render(c, status, "people", v.Lang, v)
}

func (h *Handler) invite(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	in := user.Input{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: user.Supporter,
		StakeholderID: by.StakeholderID, OrgRole: user.OrgRole(c.FormValue("org_role"))}
	// An address that has an account gets the same answer as any other:
	// the invite form does not tell who has one.
	_, err = h.Accounts.Invite(c.Request().Context(), by, in)
	switch {
	case errs.Is(err, errs.Invalid):
		return h.renderPeople(c, by, http.StatusUnprocessableEntity, peopleView{Form: in, Errors: errs.FieldsOf(err)})
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_invited", 0)
	return c.Redirect(http.StatusSeeOther, "/people")
}

func (h *Handler) resendInvite(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if err := h.Accounts.ResendInvite(c.Request().Context(), by, c.FormValue("email")); err != nil {
		return err
	}
	h.setFlash(c, "flash_invited", 0)
	return c.Redirect(http.StatusSeeOther, "/people")
}

package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// searchView is the search over public actions and organisations.
type searchView struct {
	Page
	Query        string
	Actions      []action.Action
	ActionsTotal string
	ActionsURL   string
	Orgs         []stakeholder.Stakeholder
	OrgsTotal    string
	OrgsURL      string
	Error        string
}

const searchShown = 20

func (h *Handler) search(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	ctx := c.Request().Context()
	v := searchView{Page: newPage(c, "search"), Query: strings.TrimSpace(c.QueryParam("q"))}
	if v.Query == "" {
		return h.renderer.render(c, http.StatusOK, "search", v.Lang, v)
	}
	list, total, err := h.Actions.Public(ctx, action.Filter{Query: v.Query, Limit: searchShown})
	if errs.Is(err, errs.Invalid) {
		v.Error = errs.FieldsOf(err)["q"]
		return h.renderer.render(c, http.StatusUnprocessableEntity, "search", v.Lang, v)
	}
	if err != nil {
		return err
	}
	active := true
	orgs, orgTotal, err := h.Stakeholders.List(ctx, stakeholder.Filter{Query: v.Query, Active: &active, Limit: searchShown})
	if err != nil {
		return err
	}
	v.Actions, v.ActionsTotal, v.ActionsURL = list, locale.Number(v.Lang, total), "/actions?q="+url.QueryEscape(v.Query)
	v.Orgs, v.OrgsTotal, v.OrgsURL = orgs, locale.Number(v.Lang, orgTotal), "/organisations?q="+url.QueryEscape(v.Query)
	return h.renderer.render(c, http.StatusOK, "search", v.Lang, v)
}

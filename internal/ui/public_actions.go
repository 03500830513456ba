package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// publicActionsView is the public list of actions, filtered.
type publicActionsView struct {
	Page
	Items      []action.Action
	Total      string
	Errors     map[string]string
	Query      url.Values // the filters as given, to fill the form back
	Years      []int
	Recs       []checkItem
	Kinds      []stakeholder.Kind
	Stages     []action.Stage
	Assurances []action.Assurance
	Measures   []action.MeasureType
	PageNo     int
	PrevURL    string
	NextURL    string
	crosswalkFilter
}

// publicActions lists accepted public actions with filters: the list every
// figure of the dashboard links to.
func (h *Handler) publicActions(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	ctx := c.Request().Context()
	v := publicActionsView{Page: newPage(c, "actions"), Query: c.QueryParams(), Kinds: stakeholder.Kinds, Stages: action.Stages,
		Assurances: action.Assurances}
	for _, m := range action.MeasureTypes {
		v.Measures = append(v.Measures, m.Type)
	}
	cycles, err := h.Cycles.List(ctx)
	if err != nil {
		return err
	}
	for _, cy := range cycles {
		v.Years = append(v.Years, cy.Year)
	}
	recs, err := h.Recommendations.List(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		v.Recs = append(v.Recs, checkItem{Number: r.Number, Title: r.Title.In(v.Lang)})
	}
	f, page, ferr := action.ParsePublicFilter(c.QueryParams())
	v.PageNo = page
	status := http.StatusOK
	total := 0
	if v.crosswalkFilter, err = h.crosswalkFilterOf(ctx, f, v.Lang); err != nil {
		return err
	}
	if ferr == nil {
		ferr = framework.CheckFilter(v.All, f.Framework, f.Provision)
	}
	if ferr == nil {
		v.Items, total, ferr = h.Actions.Public(ctx, f)
	}
	if ferr != nil {
		if !errs.Is(ferr, errs.Invalid) {
			return ferr
		}
		// A filter that is not one of the codes: the form says which, and
		// keeps what was typed.
		v.Errors, status, v.Items = errs.FieldsOf(ferr), http.StatusUnprocessableEntity, nil
	}
	v.Total = locale.Number(v.Lang, total)
	link := func(p int) string {
		q := url.Values{}
		for k, vals := range v.Query {
			if k != "page" && len(vals) > 0 && vals[0] != "" {
				q.Set(k, vals[0])
			}
		}
		q.Set("page", strconv.Itoa(p))
		return "/actions?" + q.Encode()
	}
	v.PrevURL, v.NextURL = pageLinks(page, action.PublicPageSize, total, link)
	return h.renderer.render(c, status, "actions", v.Lang, v)
}

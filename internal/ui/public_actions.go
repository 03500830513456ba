package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// publicActionsView is the public list of actions, filtered and sorted.
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
	Sorts      []action.Sort
	SortShown  action.Sort        // the order the list is in, which the form marks
	Orgs       []action.Publisher // the organisations with public actions
	Countries  []locale.Country   // their countries, named in the page's language
	Org        string             // the organisation filtered on, by name
	Embargoed  int                // the cycle chosen, while it is under embargo...
	Until      string             // ... which ends on this day
	listPage
	crosswalkFilter
}

// publicActions lists accepted public actions with filters: the list every
// figure of the dashboard links to.
func (h *Handler) publicActions(c echo.Context) error {
	etag.SurrogateKeys(c.Response().Header(), purge.Actions)
	if done, err := h.notModified(c); done {
		return err
	}
	ctx := c.Request().Context()
	v := publicActionsView{Page: newPage(c, "actions"), Query: c.QueryParams(), Kinds: stakeholder.Kinds, Stages: action.Stages,
		Assurances: action.Assurances, Sorts: action.Sorts}
	for _, m := range action.MeasureTypes {
		v.Measures = append(v.Measures, m.Type)
	}
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
	page, err := readPage(c, link)
	if err != nil {
		return err
	}
	cycles, err := h.filterChoices(ctx, &v)
	if err != nil {
		return err
	}
	f, ferr := action.ParsePublicFilter(c.QueryParams())
	v.SortShown = f.Sort.Shown(f.Query)
	f.Offset = (page - 1) * f.Limit
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
	for _, o := range v.Orgs {
		if o.ID == f.StakeholderID {
			v.Org = o.Name
		}
	}
	h.embargoNote(&v, cycles, f.CycleYear)
	v.Total = locale.Number(v.Lang, total)
	if ferr == nil {
		if v.listPage, err = paging(page, action.PublicPageSize, total, link); err != nil {
			return err
		}
	}
	return h.renderer.render(c, status, "actions", v.Lang, v)
}

// filterChoices fills the filter form's choices: the cycles, the
// recommendations, the organisations and their countries. It gives the
// cycles, which the embargo note reads too.
func (h *Handler) filterChoices(ctx context.Context, v *publicActionsView) ([]cycle.Cycle, error) {
	cycles, err := h.Cycles.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, cy := range cycles {
		v.Years = append(v.Years, cy.Year)
	}
	recs, err := h.Recommendations.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		v.Recs = append(v.Recs, checkItem{Number: r.Number, Title: r.Title.In(v.Lang)})
	}
	return cycles, h.publisherChoices(ctx, v)
}

// embargoNote says, when the cycle chosen is under embargo, why the list
// is empty and until when, as the dashboard does.
func (h *Handler) embargoNote(v *publicActionsView, cycles []cycle.Cycle, year int) {
	for _, cy := range cycles {
		if cy.Year == year && !cy.PublicOn(h.now()) {
			v.Embargoed, v.Until = cy.Year, formatDate(v.Lang, cy.PublicFrom())
		}
	}
}

// publisherChoices fills the organisation and country filters with the
// organisations that have public actions and their countries: a choice
// that would list nothing is not offered.
func (h *Handler) publisherChoices(ctx context.Context, v *publicActionsView) error {
	orgs, err := h.Actions.Publishers(ctx)
	if err != nil {
		return err
	}
	v.Orgs = orgs
	var codes []string
	for _, o := range orgs {
		if o.Country != "" && !slices.Contains(codes, o.Country) {
			codes = append(codes, o.Country)
		}
	}
	v.Countries = locale.Countries(v.Lang, codes)
	return nil
}

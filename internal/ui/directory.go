package ui

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// directoryView is the public directory of supporting organisations.
type directoryView struct {
	Page
	Orgs    []directoryOrg
	Total   int
	Kinds   []stakeholder.Kind
	Kind    string
	Country string
	Query   string
	Year    int // the cycle the badge speaks of
	listPage
}

type directoryOrg struct {
	stakeholder.Stakeholder
	Reported bool // has public actions in the dashboard's cycle
}

const directoryPageSize = 50

// directory lists the active supporting organisations, with a badge for
// those that reported in the dashboard's cycle.
func (h *Handler) directory(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	ctx := c.Request().Context()
	v := directoryView{Page: newPage(c, "supporters"), Kinds: stakeholder.Kinds}
	if k := stakeholder.Kind(c.QueryParam("kind")); k.Valid() {
		v.Kind = string(k)
	}
	v.Country = strings.ToUpper(strings.TrimSpace(c.QueryParam("country")))
	v.Query = strings.TrimSpace(c.QueryParam("q"))
	link := func(page int) string {
		q := url.Values{"page": {strconv.Itoa(page)}, "kind": {v.Kind}, "country": {v.Country}, "q": {v.Query}}
		return "/organisations?" + q.Encode()
	}
	page, err := readPage(c, link)
	if err != nil {
		return err
	}
	active := true
	orgs, total, err := h.Stakeholders.List(ctx, stakeholder.Filter{Kind: stakeholder.Kind(v.Kind), Country: v.Country,
		Query: v.Query, Active: &active, Limit: directoryPageSize, Offset: (page - 1) * directoryPageSize})
	if err != nil {
		return err
	}
	reported := map[int64]bool{}
	if d, err := h.Dashboard.View(ctx, 0); err == nil {
		v.Year = d.Cycle.Year
		for _, id := range d.Figures.Figures.Reported {
			reported[id] = true
		}
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	for _, o := range orgs {
		v.Orgs = append(v.Orgs, directoryOrg{Stakeholder: o, Reported: reported[o.ID]})
	}
	v.Total = total
	if v.listPage, err = paging(page, directoryPageSize, total, link); err != nil {
		return err
	}
	return h.renderer.render(c, http.StatusOK, "directory", v.Lang, v)
}

// profileView is an organisation's public profile: its public actions
// across the years, latest cycle first.
type profileView struct {
	Page
	Org    stakeholder.Stakeholder
	Cycles []profileCycle
	Total  int
}

type profileCycle struct {
	Year    int
	Actions []action.Action
}

func (h *Handler) profile(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	by, _ := user.ActorFrom(ctx)
	o, err := h.Stakeholders.Visible(ctx, by, id)
	if err != nil {
		return err
	}
	list, total, err := h.Actions.Public(ctx, action.Filter{StakeholderID: id, Limit: action.PublicPageSize})
	if err != nil {
		return err
	}
	v := profileView{Page: newPage(c, "supporters"), Org: o, Total: total}
	byYear := map[int]int{} // year -> index in v.Cycles
	for _, a := range list {
		i, ok := byYear[a.CycleYear]
		if !ok {
			i = len(v.Cycles)
			byYear[a.CycleYear] = i
			v.Cycles = append(v.Cycles, profileCycle{Year: a.CycleYear})
		}
		v.Cycles[i].Actions = append(v.Cycles[i].Actions, a)
	}
	sort.Slice(v.Cycles, func(i, j int) bool { return v.Cycles[i].Year > v.Cycles[j].Year })
	etag.SurrogateKeys(c.Response().Header(), purge.Org(id))
	return h.renderer.render(c, http.StatusOK, "profile", v.Lang, v)
}

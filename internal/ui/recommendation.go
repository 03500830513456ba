package ui

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// recommendationView is one recommendation's page: its text, whom it
// addresses, its figures cycle by cycle and its latest public actions.
type recommendationView struct {
	Page
	Rec      recommendationItem
	Years    []recYear
	Actions  []action.Action
	Total    string
	AllURL   string
	Kinds    []stakeholder.Kind
	Stages   []action.Stage
	Measures []action.MeasureType
	Cycles   []int
}

type recYear struct {
	Year     int
	Acting   figure
	Coverage string
	Ratio    string
	ByStage  []string
}

// recommendationPageSize is how many of its latest actions the page shows;
// the list of actions has them all.
const recommendationPageSize = 20

func (h *Handler) recommendation(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	n, err := request.Number(c, "number", "recommendation")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := h.Recommendations.Get(ctx, n)
	if err != nil {
		return err
	}
	v := recommendationView{Page: newPage(c, "recommendations"), Kinds: stakeholder.Kinds, Stages: action.Stages}
	v.Rec = recommendationItemOf(r, v.Lang)
	for _, m := range action.MeasureTypes {
		v.Measures = append(v.Measures, m.Type)
	}
	d, err := h.Dashboard.View(ctx, 0)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	for _, cy := range d.Cycles {
		v.Cycles = append(v.Cycles, cy.Year)
	}
	for i := len(d.Trend) - 1; i >= 0; i-- { // latest first
		p := d.Trend[i]
		listed, err := h.Dashboard.Listed(ctx, p.Cycle.Year)
		if err != nil {
			return err
		}
		for _, rf := range p.Figures.Recommendations {
			if rf.Number != n {
				continue
			}
			y := recYear{Year: p.Cycle.Year,
				Acting:   figureOf(locale.Number(v.Lang, rf.Organisations), listed.Rec(n), listURL(p.Cycle.Year, n), v.Lang),
				Coverage: locale.Percent(v.Lang, rf.Coverage.Percent),
				Ratio:    locale.Number(v.Lang, rf.Coverage.Reporting) + "/" + locale.Number(v.Lang, rf.Coverage.Addressees)}
			for _, s := range rf.ByStage {
				y.ByStage = append(y.ByStage, locale.Number(v.Lang, s.N))
			}
			v.Years = append(v.Years, y)
		}
	}
	list, total, err := h.Actions.Public(ctx, action.Filter{Recommendation: n, Limit: recommendationPageSize})
	if err != nil {
		return err
	}
	v.Actions, v.Total, v.AllURL = list, locale.Number(v.Lang, total), "/actions?recommendation="+strconv.Itoa(n)
	keys := purge.Shown(v.Cycles, []int{n}, nil, purge.Actions)
	for _, a := range list {
		keys = keys.Add(purge.Org(a.StakeholderID), purge.Action(a.ID))
	}
	etag.SurrogateKeys(c.Response().Header(), keys...)
	return h.renderer.render(c, http.StatusOK, "recommendation", v.Lang, v)
}

package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

type queueView struct {
	Page
	Flash *Flash
	Year  int
	Years []int
	Rec   int
	Kind  string
	Org   int64
	Orgs  []queueOrg // the organisations with something in the queue
	Recs  []checkItem
	Kinds []stakeholder.Kind
	Items []queueItem
	Total int
	listPage
	// NeedsEvidence: the cycle accepts only actions that cite evidence,
	// so the queue marks those that cite none.
	NeedsEvidence bool
}

// queueItem is a row of the queue.
type queueItem struct {
	action.Action
	// Since is the earlier action a carried one says the same as, when it
	// was resubmitted unchanged: the reviewer may compare.
	Since *action.Action
}

// queueOrg is an organisation in the queue's filter.
type queueOrg struct {
	ID   int64
	Name string
}

const queuePageSize = 50

func (h *Handler) reviewQueue(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := queueView{Page: newPage(c, "review"), Flash: h.takeFlash(c), Kinds: stakeholder.Kinds}
	cy, err := h.cycleOf(c)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	v.Year, v.NeedsEvidence = cy.Year, cy.Year != 0 && cy.RequiresEvidence()
	all, err := h.Cycles.List(ctx)
	if err != nil {
		return err
	}
	for _, x := range all {
		v.Years = append(v.Years, x.Year)
	}
	v.Rec, _ = strconv.Atoi(c.QueryParam("recommendation"))
	if k := stakeholder.Kind(c.QueryParam("kind")); k.Valid() {
		v.Kind = string(k)
	}
	v.Org, _ = strconv.ParseInt(c.QueryParam("organisation"), 10, 64)
	page, err := readPage(c, v.pageURL)
	if err != nil {
		return err
	}
	v.PageNo = page // the page fillQueue lists
	recs, err := h.Recommendations.List(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		v.Recs = append(v.Recs, checkItem{Number: r.Number, Title: r.Title.In(v.Lang)})
	}
	if v.Year != 0 {
		if err := h.fillQueue(ctx, &v, by); err != nil {
			return err
		}
	}
	if v.listPage, err = paging(page, queuePageSize, v.Total, v.pageURL); err != nil {
		return err
	}
	return h.renderer.render(c, http.StatusOK, "review", v.Lang, v)
}

// fillQueue lists the page of the actions waiting for review that the
// view's filters choose, oldest first, each beside what it says the same
// as; and the organisations with something waiting, for the filter.
func (h *Handler) fillQueue(ctx context.Context, v *queueView, by user.Actor) error {
	f := action.Filter{State: action.Submitted, CycleYear: v.Year, Recommendation: v.Rec, Kind: v.Kind,
		StakeholderID: v.Org, Oldest: true, Limit: queuePageSize, Offset: (v.PageNo - 1) * queuePageSize}
	items, total, err := h.Actions.List(ctx, by, f)
	if err != nil {
		return err
	}
	v.Total = total
	for _, a := range items {
		it := queueItem{Action: a}
		if a.CarriedFrom != nil {
			origin, err := h.Actions.Get(ctx, by, *a.CarriedFrom)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			if err == nil && a.Unchanged(origin) {
				it.Since = &origin
			}
		}
		v.Items = append(v.Items, it)
	}
	// The organisation filter offers those with something waiting: the
	// queue is short beside the directory.
	waiting, _, err := h.Actions.List(ctx, by, action.Filter{State: action.Submitted, CycleYear: v.Year, Limit: 5000})
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, a := range waiting {
		if !seen[a.StakeholderID] {
			seen[a.StakeholderID] = true
			v.Orgs = append(v.Orgs, queueOrg{ID: a.StakeholderID, Name: a.Organisation})
		}
	}
	sort.Slice(v.Orgs, func(i, j int) bool { return v.Orgs[i].Name < v.Orgs[j].Name })
	return nil
}

// pageURL is the address of a page of the queue with the view's filters.
func (v queueView) pageURL(page int) string {
	q := url.Values{"cycle": {strconv.Itoa(v.Year)}, "page": {strconv.Itoa(page)}}
	if v.Rec != 0 {
		q.Set("recommendation", strconv.Itoa(v.Rec))
	}
	if v.Kind != "" {
		q.Set("kind", v.Kind)
	}
	if v.Org != 0 {
		q.Set("organisation", strconv.FormatInt(v.Org, 10))
	}
	return "/review?" + q.Encode()
}

// acceptAll accepts the actions ticked in the queue (or all those it
// listed, with the select-all box), after a confirmation that lists them.
func (h *Handler) acceptAll(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	params, _ := c.FormParams()
	chosen := params["ids"]
	if c.FormValue("all") == "1" {
		chosen = params["listed"]
	}
	var picks []action.Pick
	var hidden []hiddenField
	for _, s := range chosen { // "id:version", as the queue showed it
		id, version, _ := strings.Cut(s, ":")
		p := action.Pick{}
		p.ID, _ = strconv.ParseInt(id, 10, 64)
		p.Version, _ = strconv.Atoi(version)
		picks = append(picks, p)
		hidden = append(hidden, hiddenField{"ids", s})
	}
	back := "/review?" + c.Request().URL.RawQuery
	if len(picks) == 0 {
		h.setFlash(c, "flash_err_choose_actions", 0)
		return c.Redirect(http.StatusSeeOther, back)
	}
	ctx := c.Request().Context()
	if !confirmed(c) {
		v := confirmView{Page: newPage(c, "review"), TitleKey: "confirm_accept_title", ButtonKey: "review_accept_selected",
			Effects: []string{"confirm_accept_effect_versions", "confirm_accept_effect_public", "confirm_accept_effect_digest"},
			Action:  "/review/accept?" + c.Request().URL.RawQuery, Hidden: hidden, Cancel: back}
		for _, p := range picks {
			a, err := h.Actions.Get(ctx, by, p.ID)
			if errs.Is(err, errs.NotFound) {
				continue // gone meanwhile: the acceptance will say so
			}
			if err != nil {
				return err
			}
			v.Items = append(v.Items, actionItemOf(a))
		}
		return h.renderer.render(c, http.StatusOK, "confirm", v.Lang, v)
	}
	done, err := h.Actions.AcceptAll(ctx, by, picks)
	switch {
	case errs.FieldsOf(err)["evidence"] != "":
		h.setFlash(c, "flash_err_bulk_evidence", 0)
		return c.Redirect(http.StatusSeeOther, back)
	case errs.Is(err, errs.Conflict), errs.Is(err, errs.Invalid), errs.Is(err, errs.NotFound):
		h.setFlash(c, "flash_err_bulk_changed", 0)
		return c.Redirect(http.StatusSeeOther, back)
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_accepted_all", len(done))
	return c.Redirect(http.StatusSeeOther, back)
}

// reviewAction records a decision taken on the action page.
func (h *Handler) reviewAction(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	_, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	r := action.Review{Accept: c.FormValue("decision") == "accept", Comment: c.FormValue("comment"),
		Stage: action.Stage(c.FormValue("stage"))}
	if params, _ := c.FormParams(); len(params["recommendations"]) > 0 {
		r.Recommendations = []int{}
		for _, s := range params["recommendations"] {
			if n, err := strconv.Atoi(s); err == nil {
				r.Recommendations = append(r.Recommendations, n)
			}
		}
	}
	if _, err := h.Actions.Review(c.Request().Context(), by, id, version, r); err != nil {
		if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
			return err
		}
		// The page again, as it now stands, with the reviewer's comment
		// and corrections kept and each problem named.
		v, verr := h.actionPage(c, by, id)
		if verr != nil {
			return verr
		}
		v.ReviewErrors, v.ReviewDraft = errs.FieldsOf(err), r.Comment
		if r.Stage.Valid() {
			v.ReviewStage = r.Stage
		}
		v.ReviewOpen = v.ReviewStage != v.A.Stage || r.Recommendations != nil && !slices.Equal(r.Recommendations, v.A.Recommendations) ||
			v.ReviewErrors["stage"] != "" || v.ReviewErrors["recommendations"] != ""
		if r.Recommendations != nil {
			for i := range v.AllRecs {
				v.AllRecs[i].Has = slices.Contains(r.Recommendations, v.AllRecs[i].Number)
			}
		}
		return h.renderer.render(c, http.StatusUnprocessableEntity, "action", v.Lang, v)
	}
	flash := "flash_returned"
	if r.Accept {
		flash = "flash_accepted"
	}
	h.setFlash(c, flash, 0)
	return c.Redirect(http.StatusSeeOther, "/review")
}

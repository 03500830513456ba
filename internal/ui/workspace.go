package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

type workspaceView struct {
	Page
	Flash        *Flash
	OrgName      string
	Year         int
	Years        []int
	Deadline     deadlineView
	Checklist    []checkItem
	Groups       []actionGroup
	Total        int
	CanDraft     bool // the cycle is not closed
	IsFocalPoint bool
	Drafts       int  // the drafts submit-all would submit now
	SentBack     int  // actions sent back that can be resubmitted now, each on its own
	MemberSees   bool // a member with drafts the focal point may submit now
	HasPrevious  bool
	FocalPoints  string // who submits, for a member
}

type deadlineView struct {
	Key  string
	Days int
	Date string
}

type checkItem struct {
	Number    int
	Title     string
	Addressed bool
	Has       bool
}

type actionGroup struct {
	State   action.State
	Actions []actionItem
}

type actionItem struct {
	ID              int64
	Title           string
	Stage           action.Stage
	Recommendations []int
	Carried         bool
	UpdatedAt       string
	Version         int
	// Reconfirm offers "Unchanged: reconfirm and submit" on the row: a
	// carried draft nobody changed, which the person may submit now.
	Reconfirm bool
	Links     evidence.Flags // its evidence links broken or changed, once accepted
}

// cycleOf returns the cycle named by ?cycle=, or the current one.
func (h *Handler) cycleOf(c echo.Context) (cycle.Cycle, error) {
	ctx := c.Request().Context()
	if y := c.QueryParam("cycle"); y != "" {
		year, err := strconv.Atoi(y)
		if err != nil {
			return cycle.Cycle{}, errs.E(errs.NotFound, "no such cycle")
		}
		return h.Cycles.Get(ctx, year)
	}
	return h.Cycles.Current(ctx)
}

// workspace is the page of an organisation's report for a cycle. It reads
// from several services: it is the one page that brings the cycle, the
// recommendations and the organisation's actions together.
func (h *Handler) workspace(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	v := workspaceView{Page: newPage(c, "workspace"), Flash: h.takeFlash(c), IsFocalPoint: by.IsFocalPoint()}
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "this page is for the people of a supporting organisation")
	}
	ctx := c.Request().Context()
	org, err := h.Stakeholders.Get(ctx, by.StakeholderID)
	if err != nil {
		return err
	}
	v.OrgName = org.Name
	cy, err := h.cycleOf(c)
	if errs.Is(err, errs.NotFound) {
		return h.renderer.render(c, http.StatusOK, "workspace", v.Lang, v)
	}
	if err != nil {
		return err
	}
	if err := h.fillWorkspaceCycle(ctx, &v, by, cy); err != nil {
		return err
	}
	has, err := h.fillWorkspaceActions(c, &v, by, cy)
	if err != nil {
		return err
	}
	recs, err := h.Recommendations.List(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		v.Checklist = append(v.Checklist, checkItem{Number: r.Number, Title: r.Title.In(v.Lang),
			Addressed: r.AddressedTo(org.Kind), Has: has[r.Number]})
	}
	return h.renderer.render(c, http.StatusOK, "workspace", v.Lang, v)
}

// fillWorkspaceCycle sets the cycles to choose from and, for cy, the
// organisation's deadline (its own, if extended) and whether it may still
// draft.
func (h *Handler) fillWorkspaceCycle(ctx context.Context, v *workspaceView, by user.Actor, cy cycle.Cycle) error {
	all, err := h.Cycles.List(ctx)
	if err != nil {
		return err
	}
	for _, x := range all {
		v.Years = append(v.Years, x.Year)
		if x.Year < cy.Year {
			v.HasPrevious = true
		}
	}
	v.Year = cy.Year
	deadline, err := h.Actions.DeadlineFor(ctx, cy, by.StakeholderID)
	if err != nil {
		return err
	}
	v.Deadline = deadlineOf(cy, deadline, h.now(), v.Lang)
	v.CanDraft = !cycle.PastDeadline(deadline, h.now())
	return nil
}

// fillWorkspaceActions lists the organisation's actions of cy by state,
// with what the person may do with each now and the state of their
// evidence links. It returns the recommendations the actions address,
// withdrawn ones aside.
func (h *Handler) fillWorkspaceActions(c echo.Context, v *workspaceView, by user.Actor, cy cycle.Cycle) (map[int]bool, error) {
	ctx := c.Request().Context()
	list, total, err := h.Actions.List(ctx, by, action.Filter{CycleID: cy.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	v.Total = total
	perms, err := h.Actions.PermissionsAll(ctx, by, list)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	links, err := h.Evidence.Links(ctx, ids)
	if err != nil {
		return nil, err
	}
	if !by.IsFocalPoint() {
		if v.FocalPoints, err = h.focalPointNames(c, by.StakeholderID); err != nil {
			return nil, err
		}
	}
	has := map[int]bool{}
	byState := map[action.State][]actionItem{}
	for i, a := range list {
		for _, n := range a.Recommendations {
			if a.State != action.Withdrawn {
				has[n] = true
			}
		}
		// Counted only where they can be sent now: a closed cycle offers no
		// button and no advice to submit.
		switch {
		case a.State == action.Draft && perms[i].Submit:
			v.Drafts++
		case a.State == action.ChangesRequested && (perms[i].Submit || perms[i].FocalPointSubmits):
			v.SentBack++
		}
		v.MemberSees = v.MemberSees || perms[i].FocalPointSubmits
		byState[a.State] = append(byState[a.State], actionItem{ID: a.ID, Title: a.Title, Stage: a.Stage,
			Recommendations: a.Recommendations, Carried: a.CarriedFrom != nil, UpdatedAt: formatDate(v.Lang, a.UpdatedAt),
			Version: a.Version, Reconfirm: perms[i].Reconfirm, Links: evidence.FlagsOf(links[a.ID])})
	}
	for _, st := range []action.State{action.ChangesRequested, action.Draft, action.Submitted, action.Accepted, action.Withdrawn} {
		if len(byState[st]) > 0 {
			v.Groups = append(v.Groups, actionGroup{State: st, Actions: byState[st]})
		}
	}
	return has, nil
}

func deadlineOf(c cycle.Cycle, deadline, now time.Time, lang string) deadlineView {
	today := date.Day(now)
	switch {
	case today.Before(c.OpensAt):
		return deadlineView{Key: "deadline_upcoming", Date: formatDate(lang, c.OpensAt)}
	case today.Equal(deadline):
		return deadlineView{Key: "deadline_today"}
	case today.After(deadline):
		return deadlineView{Key: "deadline_passed", Date: formatDate(lang, deadline)}
	}
	return deadlineView{Key: "deadline_days", Days: int(deadline.Sub(today).Hours() / 24), Date: formatDate(lang, deadline)}
}

func (h *Handler) carryForward(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	year, err := formCycle(c)
	if err != nil {
		return err
	}
	created, err := h.Actions.CarryForward(c.Request().Context(), by, year)
	if err != nil {
		return err
	}
	if len(created) == 0 {
		h.setFlash(c, "flash_carried_none", 0)
	} else {
		h.setFlash(c, "flash_carried", len(created))
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workspace?cycle=%d", year))
}

func (h *Handler) submitAll(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	year, err := formCycle(c)
	if err != nil {
		return err
	}
	done, err := h.Actions.SubmitAll(c.Request().Context(), by, year)
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_submitted_all", len(done))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workspace?cycle=%d", year))
}

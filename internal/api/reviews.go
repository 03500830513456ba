package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
)

type reviewDTO struct {
	Decision        string `json:"decision"`
	Comment         string `json:"comment"`
	Stage           string `json:"stage"`
	Recommendations []int  `json:"recommendations"`
	Version         int    `json:"version"`
}

// review records the secretariat's decision on a submitted action.
func (h *Handler) review(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	var body reviewDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	r := action.Review{Comment: body.Comment, Stage: action.Stage(body.Stage), Recommendations: body.Recommendations}
	switch body.Decision {
	case "accept":
		r.Accept = true
	case "request_changes":
	default:
		return errs.Field(errs.Invalid, "decision", fmt.Sprintf("%q is not accept or request_changes", body.Decision))
	}
	a, err := h.Actions.Review(c.Request().Context(), by, id, body.Version, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, actionToDTO(a))
}

// acceptAll accepts several submitted actions as they stand: all or none.
func (h *Handler) acceptAll(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	var body struct {
		Actions []action.Pick `json:"actions"`
	}
	if err := bind(c, &body); err != nil {
		return err
	}
	done, err := h.Actions.AcceptAll(c.Request().Context(), by, body.Actions)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, actionList(done))
}

// queue lists actions for the secretariat: by default the submitted ones
// waiting for review, oldest submission first.
func (h *Handler) queue(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	f := action.Filter{State: action.Submitted, Kind: c.QueryParam("kind"), Oldest: true}
	if st := c.QueryParam("state"); st != "" {
		f.State = action.State(st)
		if !f.State.Valid() {
			return errs.Field(errs.Invalid, "state", fmt.Sprintf("%q is not a workflow state", st))
		}
	}
	if v := c.QueryParam("recommendation"); v != "" {
		if f.Recommendation, err = strconv.Atoi(v); err != nil {
			return errs.Field(errs.Invalid, "recommendation", "must be a number from 1 to 12")
		}
	}
	if v := c.QueryParam("organisation"); v != "" {
		if f.StakeholderID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return errs.Field(errs.Invalid, "organisation", "must be an organisation id")
		}
	}
	if f.CycleYear, err = request.QueryYear(c, "cycle"); err != nil {
		return err
	}
	return h.actionPage(c, by, f)
}

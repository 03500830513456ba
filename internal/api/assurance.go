package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
)

type assuranceDTO struct {
	Level   string `json:"level"`
	Note    string `json:"note"`
	Version *int   `json:"version"`
}

// setAssurance answers PATCH /actions/{id}/assurance: the secretariat's
// level of an accepted action, with its note.
func (h *Handler) setAssurance(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	var body assuranceDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return errs.Field(errs.Invalid, "version", "is required: the version you read, so that no one's step is lost")
	}
	a, err := h.Actions.SetAssurance(c.Request().Context(), by, id, *body.Version, action.Assurance(body.Level), body.Note)
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			return h.conflict(c, by, id, err)
		}
		return err
	}
	return c.JSON(http.StatusOK, actionToDTO(a))
}

type verificationInputDTO struct {
	Note     string             `json:"note"`
	Evidence []evidenceInputDTO `json:"evidence"`
	Version  *int               `json:"version"`
}

type verificationDTO struct {
	ID            int64           `json:"id"`
	ActionID      int64           `json:"action_id"`
	ActionVersion int             `json:"action_version"`
	Reviewer      reviewerDTO     `json:"reviewer"`
	Note          string          `json:"note"`
	Evidence      []evidenceDTO   `json:"evidence"`
	At            time.Time       `json:"at"`
	Action        publicActionDTO `json:"action"`
}

// verify answers POST /actions/{id}/verifications: a reviewer
// organisation confirms a public action, which becomes independently
// verified.
func (h *Handler) verify(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	reviewer, err := h.Challenges.MayFile(c.Request().Context(), by) // a designated reviewer's person, as for a challenge
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "action")
	if err != nil {
		return err
	}
	var body verificationInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	version := 0
	if body.Version != nil {
		version = *body.Version
	}
	a, v, err := h.Actions.Verify(c.Request().Context(), by, reviewer.ID, id, version, body.Note, evidenceOf(body.Evidence))
	if err != nil {
		return err
	}
	public, err := h.publicDTOs(c, []action.Action{a}) // with the provisions it counts for
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/actions/%d", a.ID))
	return c.JSON(http.StatusCreated, verificationDTO{ID: v.ID, ActionID: a.ID, ActionVersion: v.Version,
		Reviewer: reviewerDTO{ID: reviewer.ID, Name: reviewer.Name}, Note: v.Note, Evidence: evidenceDTOs(v.Evidence), At: v.At,
		Action: public[0]})
}

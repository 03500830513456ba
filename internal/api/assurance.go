package api

import (
	"net/http"

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

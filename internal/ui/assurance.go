package ui

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
)

// setAssurance records the secretariat's level of an accepted action from
// its page; a refusal shows the page again with the note kept and each
// problem named.
func (h *Handler) setAssurance(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	_, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	level, note := action.Assurance(c.FormValue("level")), c.FormValue("note")
	if _, err := h.Actions.SetAssurance(c.Request().Context(), by, id, version, level, note); err != nil {
		if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
			return err
		}
		v, verr := h.actionPage(c, by, id)
		if verr != nil {
			return verr
		}
		v.AssuranceErrors, v.AssuranceNote = errs.FieldsOf(err), note
		if level.Valid() {
			v.AssuranceDraft = level
		}
		return h.renderer.render(c, http.StatusUnprocessableEntity, "action", v.Lang, v)
	}
	h.setFlash(c, "flash_assurance_set", 0)
	return c.Redirect(http.StatusSeeOther, "/actions/"+strconv.FormatInt(id, 10))
}

package ui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
)

// confirmActionView is the form a reviewer organisation's person confirms a
// public action with: a note and evidence of its own.
type confirmActionView struct {
	Page
	A             action.Action
	Note          string
	Evidence      []evidenceRow
	Errors        map[string]string
	LinkErrors    map[string]string // the errors of each link, for the rows (the form says what the whole list lacks)
	EvidenceKinds []action.EvidenceKind
}

func (h *Handler) renderConfirmAction(c echo.Context, status int, v confirmActionView) error {
	v.EvidenceKinds = action.EvidenceKinds
	v.Evidence = withEmptyRows(v.Evidence)
	v.LinkErrors = map[string]string{}
	for k, msg := range v.Errors {
		if k != "evidence" {
			v.LinkErrors[k] = msg
		}
	}
	return h.renderer.render(c, status, "action_confirm", v.Lang, v)
}

// confirmActionForm shows the form, to the people of a reviewer
// organisation, for a public action of another organisation: whoever may
// challenge an action may confirm it.
func (h *Handler) confirmActionForm(c echo.Context) error {
	_, _, a, err := h.challengeable(c)
	if err != nil {
		return err
	}
	return h.renderConfirmAction(c, http.StatusOK, confirmActionView{Page: newPage(c, "actions"), A: a})
}

// confirmAction records the confirmation, then shows the public page;
// refused, the form comes back with what was typed and each problem named.
func (h *Handler) confirmAction(c echo.Context) error {
	by, reviewer, a, err := h.challengeable(c)
	if err != nil {
		return err
	}
	v := confirmActionView{Page: newPage(c, "actions"), A: a, Note: c.FormValue("note"), Evidence: evidenceRowsOf(c)}
	if c.FormValue("op") == "add_evidence" {
		return h.renderConfirmAction(c, http.StatusOK, v)
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	if _, _, err := h.Actions.Verify(c.Request().Context(), by, reviewer.ID, a.ID, version, v.Note, evidenceOf(v.Evidence)); err != nil {
		if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
			return err
		}
		v.Errors = errs.FieldsOf(err)
		if cur, _, gerr := h.Actions.PublicGet(c.Request().Context(), a.ID); gerr == nil {
			v.A = cur // a stale version: the form now names the current one
		}
		return h.renderConfirmAction(c, http.StatusUnprocessableEntity, v)
	}
	h.setFlash(c, "flash_action_confirmed", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d", a.ID))
}

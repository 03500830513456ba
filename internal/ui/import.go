package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

type importView struct {
	Page
	Year     int
	Columns  []string
	Problems []action.Problem
	Message  string
}

func (h *Handler) importForm(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "actions are imported by their organisation")
	}
	cy, err := h.cycleOf(c)
	if err != nil {
		return err
	}
	v := importView{Page: newPage(c, "workspace"), Year: cy.Year, Columns: action.CSVHeader}
	return h.renderer.render(c, http.StatusOK, "import", v.Lang, v)
}

// importTemplate is the header row to fill in, with a UTF-8 BOM so that
// spreadsheet programs open it with the right accents.
func (h *Handler) importTemplate(c echo.Context) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="pctracker-actions-template.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte("\ufeff"+strings.Join(action.CSVHeader, ",")+"\r\n"))
}

func (h *Handler) importActions(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if by.Role != user.Supporter {
		return errs.E(errs.Forbidden, "actions are imported by their organisation")
	}
	year, err := formCycle(c)
	if err != nil {
		return err
	}
	v := importView{Page: newPage(c, "workspace"), Year: year, Columns: action.CSVHeader}
	fh, err := c.FormFile("file")
	if err != nil {
		v.Message = "import_no_file"
		return h.renderer.render(c, http.StatusUnprocessableEntity, "import", v.Lang, v)
	}
	f, err := fh.Open()
	if err != nil {
		return errs.Wrap(errs.Malformed, err, "the file could not be read")
	}
	defer f.Close()
	created, err := h.Actions.Import(c.Request().Context(), by, year, f)
	var ie *action.ImportError
	if errors.As(err, &ie) {
		v.Problems = ie.Problems
		return h.renderer.render(c, http.StatusUnprocessableEntity, "import", v.Lang, v)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_imported", len(created))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workspace?cycle=%d", year))
}

package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
)

// cycleInputDTO is the body of POST /cycles and PATCH /cycles/{year};
// dates are YYYY-MM-DD. In a PATCH, absent fields keep their value.
type cycleInputDTO struct {
	Year      *int    `json:"year"`
	Version   *int    `json:"version"`
	OpensAt   *string `json:"opens_at"`
	Deadline  *string `json:"deadline"`
	ReportAt  *string `json:"report_at"`
	ForumDate *string `json:"forum_date"`
	Embargo   *string `json:"embargo"`
	Evidence  *string `json:"evidence"`
}

// apply sets the fields the body carries; dates it cannot read are field
// errors.
func (d cycleInputDTO) apply(in *cycle.Input) error {
	f := errs.FieldErrors{}
	for _, p := range []struct {
		name string
		v    *string
		dst  *time.Time
	}{{"opens_at", d.OpensAt, &in.OpensAt}, {"deadline", d.Deadline, &in.Deadline}, {"report_at", d.ReportAt, &in.ReportAt}, {"forum_date", d.ForumDate, &in.ForumDate}} {
		if p.v != nil { // absent keeps the day; "" clears it
			f.Day(p.name, *p.v, p.dst)
		}
	}
	if d.Embargo != nil {
		in.Embargo = cycle.Embargo(*d.Embargo)
	}
	if d.Evidence != nil {
		in.Evidence = cycle.EvidenceRule(*d.Evidence)
	}
	return f.Err()
}

func (h *Handler) listCycles(c echo.Context) error {
	list, err := h.Cycles.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := listDTO[any]{Items: make([]any, len(list)), Total: len(list)}
	for i, cy := range list {
		out.Items[i] = CycleDTO(cy, h.Now())
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) createCycle(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	var body cycleInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Year == nil {
		return errs.Field(errs.Invalid, "year", "is required")
	}
	in := cycle.Input{Year: *body.Year}
	if err := body.apply(&in); err != nil {
		return err
	}
	cy, err := h.Cycles.Create(c.Request().Context(), by, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/cycles/%d", cy.Year))
	return c.JSON(http.StatusCreated, CycleDTO(cy, h.Now()))
}

func (h *Handler) patchCycle(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	var body cycleInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if body.Year != nil && *body.Year != year {
		return errs.Field(errs.Invalid, "year", "a cycle keeps its year")
	}
	var scratch cycle.Input
	if err := body.apply(&scratch); err != nil {
		return err
	}
	if body.Version == nil {
		return errs.Field(errs.Invalid, "version", "is required: the version you read, so that no one's edit is lost")
	}
	version := *body.Version
	cy, err := h.Cycles.Update(c.Request().Context(), by, year, version, func(in *cycle.Input) { _ = body.apply(in) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CycleDTO(cy, h.Now()))
}

// extensionDTO is a deadline extension; granted_by is null when the
// program granted it, or when it was granted before pctracker kept who.
type extensionDTO struct {
	StakeholderID int64     `json:"stakeholder_id"`
	Organisation  string    `json:"organisation"`
	Deadline      dateDTO   `json:"deadline"`
	GrantedBy     *int64    `json:"granted_by"`
	GrantedByName string    `json:"granted_by_name"`
	GrantedAt     time.Time `json:"granted_at"`
}

func extensionToDTO(e cycle.Extension) extensionDTO {
	d := extensionDTO{StakeholderID: e.StakeholderID, Organisation: e.Organisation, Deadline: dateDTO(e.Deadline),
		GrantedByName: e.GrantedByName, GrantedAt: e.GrantedAt}
	if e.GrantedBy != 0 {
		id := e.GrantedBy
		d.GrantedBy = &id
	}
	return d
}

func (h *Handler) extendDeadline(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	var body struct {
		StakeholderID int64  `json:"stakeholder_id"`
		Deadline      string `json:"deadline"`
	}
	if err := bind(c, &body); err != nil {
		return err
	}
	d, err := date.Parse(body.Deadline)
	if err != nil {
		return errs.Field(errs.Invalid, "deadline", err.Error())
	}
	e, err := h.Cycles.Extend(c.Request().Context(), by, year, body.StakeholderID, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, extensionToDTO(e))
}

// listExtensions lists the deadline extensions of a cycle.
func (h *Handler) listExtensions(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	_, list, err := h.Cycles.Extensions(c.Request().Context(), by, year)
	if err != nil {
		return err
	}
	out := listDTO[extensionDTO]{Items: make([]extensionDTO, len(list)), Total: len(list)}
	for i, e := range list {
		out.Items[i] = extensionToDTO(e)
	}
	return c.JSON(http.StatusOK, out)
}

// revokeExtension takes an organisation's extension back.
func (h *Handler) revokeExtension(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "stakeholder_id", "organisation")
	if err != nil {
		return err
	}
	if _, err := h.Cycles.Revoke(c.Request().Context(), by, year, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

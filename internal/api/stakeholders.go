package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// stakeholderInputDTO is the body of POST /stakeholders and PATCH
// /stakeholders/{id}; in a PATCH, absent fields keep their value.
type stakeholderInputDTO struct {
	Version        *int        `json:"version"`
	Name           *string     `json:"name"`
	Kind           *string     `json:"kind"`
	Country        *string     `json:"country"`
	Website        *string     `json:"website"`
	SupporterSince *string     `json:"supporter_since"`
	Verified       *bool       `json:"verified"`
	Active         *bool       `json:"active"`
	Reviewer       *bool       `json:"reviewer"`
	ReviewerUntil  nullableDay `json:"reviewer_until"`
}

// nullableDay is a day of a body that null clears: absent (Set false)
// keeps the day; null, or "" as for the other days, clears it;
// "YYYY-MM-DD" sets it. A *string cannot tell null from absent.
type nullableDay struct {
	Set  bool
	Text string // "" for null
}

func (d *nullableDay) UnmarshalJSON(b []byte) error {
	d.Set, d.Text = true, ""
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &d.Text)
}

func (d stakeholderInputDTO) apply(in *stakeholder.Input) error {
	if d.Name != nil {
		in.Name = *d.Name
	}
	if d.Kind != nil {
		in.Kind = stakeholder.Kind(*d.Kind)
	}
	if d.Country != nil {
		in.Country = *d.Country
	}
	if d.Website != nil {
		in.Website = *d.Website
	}
	if d.Verified != nil {
		in.Verified = *d.Verified
	}
	if d.Active != nil {
		in.Active = *d.Active
	}
	if d.Reviewer != nil {
		in.Reviewer = *d.Reviewer
	}
	if d.ReviewerUntil.Set { // absent keeps the day; null or "" clears it
		f := errs.FieldErrors{}
		if f.OptionalDay("reviewer_until", d.ReviewerUntil.Text, &in.ReviewerUntil); len(f) > 0 {
			return errs.Field(errs.Invalid, "reviewer_until", f["reviewer_until"])
		}
	}
	if d.SupporterSince != nil { // absent keeps the day; "" clears it
		f := errs.FieldErrors{}
		if f.OptionalDay("supporter_since", *d.SupporterSince, &in.SupporterSince); len(f) > 0 {
			return errs.Field(errs.Invalid, "supporter_since", f["supporter_since"])
		}
	}
	return nil
}

// listStakeholders is the public directory of supporters; the secretariat
// also sees inactive organisations.
func (h *Handler) listStakeholders(c echo.Context) error {
	f := stakeholder.Filter{Kind: stakeholder.Kind(c.QueryParam("kind")), Country: c.QueryParam("country"), Query: c.QueryParam("q")}
	if f.Kind != "" && !f.Kind.Valid() {
		return errs.Field(errs.Invalid, "kind", fmt.Sprintf("%q is not one of %s", f.Kind, stakeholder.KindCodes()))
	}
	if by, ok := user.ActorFrom(c.Request().Context()); !ok || !by.IsSecretariat() {
		active := true
		f.Active = &active
	}
	p, err := request.PageOf(c, perPage, maxPerPage)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = p.Limit(), p.Offset()
	list, total, err := h.Stakeholders.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := pageDTO[any]{Items: make([]any, len(list)), Total: total, Page: p.Page, PerPage: p.PerPage}
	for i, s := range list {
		out.Items[i] = StakeholderDTO(s)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) getStakeholder(c echo.Context) error {
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	by, ok := user.ActorFrom(c.Request().Context())
	if !ok {
		by = user.Actor{} // a visitor: never the program's own actor
	}
	s, err := h.Stakeholders.Visible(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StakeholderDTO(s))
}

func (h *Handler) createStakeholder(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	var body stakeholderInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	in := stakeholder.Input{Active: true}
	if err := body.apply(&in); err != nil {
		return err
	}
	s, err := h.Stakeholders.Create(c.Request().Context(), by, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/stakeholders/%d", s.ID))
	return c.JSON(http.StatusCreated, StakeholderDTO(s))
}

func (h *Handler) patchStakeholder(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	var body stakeholderInputDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	if err := body.apply(&stakeholder.Input{}); err != nil {
		return err // a date that cannot be read, refused before anything is saved
	}
	if body.Version == nil {
		return errs.Field(errs.Invalid, "version", "is required: the version you read, so that no one's edit is lost")
	}
	version := *body.Version
	s, err := h.Stakeholders.Update(c.Request().Context(), by, id, version, func(in *stakeholder.Input) { _ = body.apply(in) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StakeholderDTO(s))
}

// inviteToStakeholder invites a person into an organisation: the
// secretariat for any, a focal point for their own.
func (h *Handler) inviteToStakeholder(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if err := account.MayInvite(by); err != nil {
		return err
	}
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	if by.Role == user.Supporter && by.StakeholderID != id {
		return errs.E(errs.NotFound, "no such organisation")
	}
	var body struct {
		Email   string `json:"email"`
		Name    string `json:"name"`
		OrgRole string `json:"org_role"`
	}
	if err := bind(c, &body); err != nil {
		return err
	}
	inv, err := h.Accounts.Invite(c.Request().Context(), by, user.Input{Email: body.Email, Name: body.Name,
		Role: user.Supporter, StakeholderID: id, OrgRole: user.OrgRole(body.OrgRole)})
	if err != nil {
		return err
	}
	return invitationSent(c, inv)
}

package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

type invitationDTO struct {
	Email         string `json:"email"`
	Name          string `json:"name"`
	Role          string `json:"role"`
	StakeholderID int64  `json:"stakeholder_id,omitempty"`
	OrgRole       string `json:"org_role,omitempty"`
}

// invitationSent is the answer to every invitation: 202 and what was
// asked, the same whether or not the address has an account (see
// account.Service.Invite).
func invitationSent(c echo.Context, inv account.Invitation) error {
	return c.JSON(http.StatusAccepted, invitationDTO{Email: inv.Email, Name: inv.Name, Role: string(inv.Role),
		StakeholderID: inv.StakeholderID, OrgRole: string(inv.OrgRole)})
}

// invite creates an account and mails its owner a link to set a password.
// A focal point invites for their own organisation; the role and
// organisation default to theirs.
func (h *Handler) invite(c echo.Context) error {
	by, err := request.Caller(c)
	if err != nil {
		return err
	}
	if err := account.MayInvite(by); err != nil {
		return err
	}
	var body invitationDTO
	if err := bind(c, &body); err != nil {
		return err
	}
	in := user.Input{Email: body.Email, Name: body.Name, Role: user.Role(body.Role), StakeholderID: body.StakeholderID, OrgRole: user.OrgRole(body.OrgRole)}
	if by.Role == user.Supporter {
		if in.Role == "" {
			in.Role = user.Supporter
		}
		if in.StakeholderID == 0 {
			in.StakeholderID = by.StakeholderID
		}
	}
	inv, err := h.Accounts.Invite(c.Request().Context(), by, in)
	if err != nil {
		return err
	}
	return invitationSent(c, inv)
}

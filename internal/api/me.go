package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/request"
)

type meDTO struct {
	User         any `json:"user"`
	Organisation any `json:"organisation"`
}

// me answers who the caller is: the user, role and organisation.
func (h *Handler) me(c echo.Context) error {
	a, err := request.Caller(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := h.Users.Get(ctx, a.UserID)
	if err != nil {
		return err
	}
	out := meDTO{User: UserDTO(u)}
	if u.StakeholderID != 0 {
		st, err := h.Stakeholders.Get(ctx, u.StakeholderID)
		if err != nil {
			return err
		}
		out.Organisation = StakeholderDTO(st)
	}
	return c.JSON(http.StatusOK, out)
}

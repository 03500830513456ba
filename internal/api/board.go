package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

type boardRowDTO struct {
	Organisation any            `json:"organisation"`
	Light        string         `json:"light"`
	Counts       map[string]int `json:"counts"`
	LastActivity *time.Time     `json:"last_activity"`
	FocalPoint   string         `json:"focal_point"`
	Deadline     dateDTO        `json:"deadline"`
	Reminders    int            `json:"reminders_sent"`
}

// board is the reporting-status board of a cycle, for the secretariat.
func (h *Handler) board(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	f := stakeholder.Filter{Kind: stakeholder.Kind(c.QueryParam("kind")), Country: c.QueryParam("country")}
	cy, rows, err := h.Cycles.Board(c.Request().Context(), by, year, f)
	if err != nil {
		return err
	}
	out := struct {
		Cycle any           `json:"cycle"`
		Items []boardRowDTO `json:"items"`
		Total int           `json:"total"`
	}{Cycle: CycleDTO(cy, h.Now()), Items: make([]boardRowDTO, len(rows)), Total: len(rows)}
	for i, r := range rows {
		out.Items[i] = boardRowDTO{Organisation: StakeholderDTO(r.Organisation), Light: string(r.Light), Counts: r.Counts,
			LastActivity: r.LastActivity, FocalPoint: r.FocalPoint, Deadline: dateDTO(r.Deadline), Reminders: r.Reminders}
	}
	return c.JSON(http.StatusOK, out)
}

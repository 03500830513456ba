package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/request"
)

type trendDTO struct {
	Cycle      int             `json:"cycle"`
	Source     string          `json:"source"`
	Supporters int             `json:"supporters"`
	Reporting  int             `json:"organisations_reporting"`
	Actions    int             `json:"actions"`
	ActionsBy  map[string]int  `json:"actions_by_stage"`
	Coverage   map[int]float64 `json:"coverage_percent"` // by recommendation number
}

type dashboardDTO struct {
	Cycle          any             `json:"cycle"`
	Cycles         []int           `json:"cycles"`
	Source         string          `json:"source"`
	ReportID       *int64          `json:"report_id"`
	EmbargoedUntil *dateDTO        `json:"embargoed_until"`
	Figures        json.RawMessage `json:"figures"`
	StatesGap      *statesGapDTO   `json:"states_gap"`
	Trend          []trendDTO      `json:"trend"`
}

// statesGapDTO says where states lag most, as the dashboard page does.
type statesGapDTO struct {
	Recommendation int     `json:"recommendation"`
	Title          string  `json:"title"`
	Percent        float64 `json:"percent"`
	Acting         int     `json:"states_acting"`
	States         int     `json:"states"`
}

// dashboard answers every figure of the public dashboard for a cycle: the
// figures follow the schema of the JSON report, without its list of
// actions.
func (h *Handler) dashboard(c echo.Context) error {
	year, err := request.QueryYear(c, "cycle")
	if err != nil {
		return err
	}
	lang := "en"
	if v := c.QueryParam("lang"); v != "" {
		if lang = locale.Supported(v); lang == "" {
			return errs.Field(errs.Invalid, "lang", "must be en or fr")
		}
	}
	v, err := h.Dashboard.View(c.Request().Context(), year)
	if err != nil {
		return err
	}
	etag.SurrogateKeys(c.Response().Header(), dashboardKeys(v)...)
	if etag.NotModified(c.Response(), c.Request(), v.Version, strconv.Itoa(year), lang) {
		return c.NoContent(http.StatusNotModified)
	}
	key := v.Version + "|" + strconv.Itoa(year) + "|" + lang
	a, err := h.shared.Build(key, echo.MIMEApplicationJSON, func() ([]byte, error) { return h.dashboardJSON(v, lang) })
	if err != nil {
		return err
	}
	return etag.Write(c.Response(), c.Request(), http.StatusOK, a)
}

// dashboardJSON writes the dashboard of v in lang, as c.JSON would.
func (h *Handler) dashboardJSON(v dashboard.View, lang string) ([]byte, error) {
	out := dashboardDTO{Cycle: CycleDTO(v.Cycle, h.Now()), Source: string(v.Source), Figures: json.RawMessage("null"),
		Cycles: []int{}, Trend: []trendDTO{}}
	for _, cy := range v.Cycles {
		out.Cycles = append(out.Cycles, cy.Year)
	}
	switch v.Source {
	case dashboard.FromReport:
		out.ReportID = &v.ReportID
	case dashboard.Embargoed:
		d := dateDTO(v.Until)
		out.EmbargoedUntil = &d
	}
	if v.Source != dashboard.Embargoed {
		var err error
		if out.Figures, err = h.ReportJSON.FiguresJSON(v.Figures.Figures, lang); err != nil {
			return nil, err
		}
		if g, ok := v.Figures.Figures.StatesGap(); ok {
			out.StatesGap = &statesGapDTO{Recommendation: g.Number, Title: g.Title.In(lang), Percent: g.Percent, Acting: g.Acting, States: g.States}
		}
	}
	for _, t := range v.Trend {
		f := t.Figures
		d := trendDTO{Cycle: t.Cycle.Year, Source: string(t.Source), Supporters: f.SupporterTotal, Reporting: f.ReportingTotal,
			Actions: f.Actions, ActionsBy: map[string]int{}, Coverage: map[int]float64{}}
		for _, s := range f.ByStage {
			d.ActionsBy[string(s.Stage)] = s.N
		}
		for _, r := range f.Recommendations {
			d.Coverage[r.Number] = r.Coverage.Percent
		}
		out.Trend = append(out.Trend, d)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// dashboardKeys names what a dashboard shows, for the caches in front: its
// cycle, the cycles of its trend, and every recommendation.
func dashboardKeys(d dashboard.View) purge.Set {
	years := []int{d.Cycle.Year}
	for _, t := range d.Trend {
		years = append(years, t.Cycle.Year)
	}
	var recs []int
	for _, r := range d.Figures.Figures.Recommendations {
		recs = append(recs, r.Number)
	}
	return purge.Shown(years, recs, nil, purge.Dashboard)
}

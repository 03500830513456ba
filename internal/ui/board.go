package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

type boardView struct {
	Page
	Year    int
	Years   []int
	Kinds   []stakeholder.Kind
	Kind    string
	Country string
	Rows    []boardLine
	Totals  map[string]int
	CSVURL  string
}

type boardLine struct {
	ID           int64
	Name         string
	Kind         stakeholder.Kind
	Country      string
	Light        cycle.Light
	Drafts       int
	Submitted    int
	Accepted     int
	LastActivity string
	FocalPoint   string
	Deadline     string
	Extended     bool
	Reminders    int
}

// boardQuery reads the board's cycle and filters.
func (h *Handler) boardQuery(c echo.Context) (int, stakeholder.Filter, error) {
	cy, err := h.cycleOf(c)
	if err != nil {
		return 0, stakeholder.Filter{}, err
	}
	f := stakeholder.Filter{Country: strings.ToUpper(strings.TrimSpace(c.QueryParam("country")))}
	if k := stakeholder.Kind(c.QueryParam("kind")); k.Valid() {
		f.Kind = k
	}
	return cy.Year, f, nil
}

func (h *Handler) board(c echo.Context) error {
	by, err := secretariatOnly(c)
	if err != nil {
		return err
	}
	v := boardView{Page: newPage(c, "status"), Kinds: stakeholder.Kinds, Totals: map[string]int{}}
	year, f, err := h.boardQuery(c)
	if errs.Is(err, errs.NotFound) {
		return h.renderer.render(c, http.StatusOK, "board", v.Lang, v)
	}
	if err != nil {
		return err
	}
	cy, rows, err := h.Cycles.Board(c.Request().Context(), by, year, f)
	if err != nil {
		return err
	}
	all, err := h.Cycles.List(c.Request().Context())
	if err != nil {
		return err
	}
	for _, x := range all {
		v.Years = append(v.Years, x.Year)
	}
	v.Year, v.Kind, v.Country = cy.Year, string(f.Kind), f.Country
	for _, r := range rows {
		v.Totals[string(r.Light)]++
		line := boardLine{ID: r.Organisation.ID, Name: r.Organisation.Name, Kind: r.Organisation.Kind, Country: r.Organisation.Country,
			Light: r.Light, Drafts: r.Counts["draft"] + r.Counts["changes_requested"], Submitted: r.Counts["submitted"],
			Accepted: r.Counts["accepted"], FocalPoint: r.FocalPoint, Deadline: formatDate(v.Lang, r.Deadline), Extended: !r.Deadline.Equal(cy.Deadline),
			Reminders: r.Reminders}
		if r.LastActivity != nil {
			line.LastActivity = formatDate(v.Lang, *r.LastActivity)
		}
		v.Rows = append(v.Rows, line)
	}
	q := url.Values{"cycle": {strconv.Itoa(v.Year)}, "kind": {v.Kind}, "country": {v.Country}}
	v.CSVURL = "/admin/status.csv?" + q.Encode()
	return h.renderer.render(c, http.StatusOK, "board", v.Lang, v)
}

// boardCSV is the board as a spreadsheet, with codes rather than
// translated labels so that it sorts and filters the same in any language.
func (h *Handler) boardCSV(c echo.Context) error {
	by, err := secretariatOnly(c)
	if err != nil {
		return err
	}
	year, f, err := h.boardQuery(c)
	if err != nil {
		return err
	}
	_, rows, err := h.Cycles.Board(c.Request().Context(), by, year, f)
	if err != nil {
		return err
	}
	header := []string{"organisation_id", "organisation", "kind", "country", "light", "draft", "changes_requested", "submitted",
		"accepted", "withdrawn", "last_activity", "focal_point", "deadline", "reminders_sent"}
	var out [][]string
	for _, r := range rows {
		last := ""
		if r.LastActivity != nil {
			last = r.LastActivity.UTC().Format(time.RFC3339)
		}
		n := func(s string) string { return strconv.Itoa(r.Counts[s]) }
		out = append(out, []string{strconv.FormatInt(r.Organisation.ID, 10), r.Organisation.Name, string(r.Organisation.Kind),
			r.Organisation.Country, string(r.Light), n("draft"), n("changes_requested"), n("submitted"), n("accepted"), n("withdrawn"),
			last, r.FocalPoint, r.Deadline.Format(time.DateOnly), strconv.Itoa(r.Reminders)})
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="pctracker-status-%d.csv"`, year))
	res.WriteHeader(http.StatusOK)
	return export.CSV(res, header, out)
}

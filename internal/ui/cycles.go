package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// cycleForm holds the dates as typed, so a refused form comes back as it
// was sent.
type cycleForm struct {
	Year                                   string
	OpensAt, Deadline, ReportAt, ForumDate string
	Embargo                                string
}

func cycleFormOf(c cycle.Cycle) cycleForm {
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	return cycleForm{Year: strconv.Itoa(c.Year), OpensAt: d(c.OpensAt), Deadline: d(c.Deadline), ReportAt: d(c.ReportAt),
		ForumDate: d(c.ForumDate), Embargo: string(c.Embargo)}
}

func readCycleForm(c echo.Context) cycleForm {
	return cycleForm{Year: c.FormValue("year"), OpensAt: c.FormValue("opens_at"), Deadline: c.FormValue("deadline"),
		ReportAt: c.FormValue("report_at"), ForumDate: c.FormValue("forum_date"), Embargo: c.FormValue("embargo")}
}

// values gives the template the typed values by field name.
func (f cycleForm) values() map[string]string {
	return map[string]string{"year": f.Year, "opens_at": f.OpensAt, "deadline": f.Deadline, "report_at": f.ReportAt,
		"forum_date": f.ForumDate, "embargo": f.Embargo}
}

// input reads the form; what cannot be read is a field error.
func (f cycleForm) input() (cycle.Input, errs.FieldErrors) {
	bad := errs.FieldErrors{}
	in := cycle.Input{Embargo: cycle.Embargo(f.Embargo)}
	if f.Year != "" {
		y, err := strconv.Atoi(f.Year)
		if err != nil {
			bad.Add("year", "must be a year such as 2027")
		}
		in.Year = y
	}
	for _, p := range []struct {
		name, value string
		dst         *time.Time
	}{{"opens_at", f.OpensAt, &in.OpensAt}, {"deadline", f.Deadline, &in.Deadline}, {"report_at", f.ReportAt, &in.ReportAt}, {"forum_date", f.ForumDate, &in.ForumDate}} {
		if p.value == "" {
			continue
		}
		t, err := date.Parse(p.value)
		if err != nil {
			bad.Addf(p.name, "%q is not a date as YYYY-MM-DD", p.value)
			continue
		}
		*p.dst = t
	}
	return in, bad
}

type cycleRow struct {
	Year                                   int
	Status                                 cycle.Status
	OpensAt, Deadline, ReportAt, ForumDate string
	Embargo                                cycle.Embargo
}

type cyclesView struct {
	Page
	Flash  *Flash
	Cycles []cycleRow
	Form   cycleForm
	Values map[string]string
	Errors map[string]string
}

func (h *Handler) cycles(c echo.Context) error {
	if _, err := secretariatOnly(c); err != nil {
		return err
	}
	return h.renderCycles(c, http.StatusOK, cyclesView{Flash: h.takeFlash(c), Form: cycleForm{Embargo: string(cycle.UntilForum)}})
}

func (h *Handler) renderCycles(c echo.Context, status int, v cyclesView) error {
	list, err := h.Cycles.List(c.Request().Context())
	if err != nil {
		return err
	}
	v.Page, v.Values = newPage(c, "cycles"), v.Form.values()
	for _, cy := range list {
		v.Cycles = append(v.Cycles, cycleRow{Year: cy.Year, Status: cy.StatusOn(h.now()), OpensAt: formatDate(v.Lang, cy.OpensAt),
			Deadline: formatDate(v.Lang, cy.Deadline), ReportAt: formatDate(v.Lang, cy.ReportAt), ForumDate: formatDate(v.Lang, cy.ForumDate),
			Embargo: cy.Embargo})
	}
	return h.renderer.render(c, status, "cycles", v.Lang, v)
}

func (h *Handler) createCycle(c echo.Context) error {
	by, err := secretariatOnly(c)
	if err != nil {
		return err
	}
	form := readCycleForm(c)
	in, bad := form.input()
	if len(bad) == 0 {
		var cy cycle.Cycle
		cy, err = h.Cycles.Create(c.Request().Context(), by, in)
		if err == nil {
			h.setFlash(c, "flash_cycle_created", cy.Year)
			return c.Redirect(http.StatusSeeOther, "/admin/cycles")
		}
		if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
			return err
		}
		bad = errs.FieldsOf(err)
	}
	return h.renderCycles(c, http.StatusUnprocessableEntity, cyclesView{Form: form, Errors: bad})
}

type cycleView struct {
	Page
	Flash     *Flash
	Year      int
	Version   int
	Status    cycle.Status
	Form      cycleForm
	Values    map[string]string
	Errors    map[string]string
	Orgs      []stakeholder.Stakeholder
	ExtErrors map[string]string
	ExtOrg    string
	ExtDate   string
}

func (h *Handler) cycleYear(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return 0, errs.E(errs.NotFound, "no such cycle")
	}
	return y, nil
}

func (h *Handler) editCycle(c echo.Context) error {
	if _, err := secretariatOnly(c); err != nil {
		return err
	}
	year, err := h.cycleYear(c)
	if err != nil {
		return err
	}
	cy, err := h.Cycles.Get(c.Request().Context(), year)
	if err != nil {
		return err
	}
	return h.renderCycle(c, http.StatusOK, cycleView{Flash: h.takeFlash(c), Year: cy.Year, Version: cy.Version,
		Status: cy.StatusOn(h.now()), Form: cycleFormOf(cy)})
}

func (h *Handler) renderCycle(c echo.Context, status int, v cycleView) error {
	active := true
	orgs, _, err := h.Stakeholders.List(c.Request().Context(), stakeholder.Filter{Active: &active, All: true})
	if err != nil {
		return err
	}
	v.Page, v.Orgs, v.Values = newPage(c, "cycles"), orgs, v.Form.values()
	return h.renderer.render(c, status, "cycle", v.Lang, v)
}

func (h *Handler) saveCycle(c echo.Context) error {
	by, err := secretariatOnly(c)
	if err != nil {
		return err
	}
	year, err := h.cycleYear(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	form := readCycleForm(c)
	form.Year = strconv.Itoa(year)
	in, bad := form.input()
	v := cycleView{Year: year, Version: version, Form: form}
	if cur, gerr := h.Cycles.Get(c.Request().Context(), year); gerr == nil {
		v.Status = cur.StatusOn(h.now()) // the page header shows it on a re-render too
	}
	if len(bad) > 0 {
		v.Errors = bad
		return h.renderCycle(c, http.StatusUnprocessableEntity, v)
	}
	cy, err := h.Cycles.Update(c.Request().Context(), by, year, version, func(cur *cycle.Input) {
		cur.OpensAt, cur.Deadline, cur.ReportAt, cur.ForumDate, cur.Embargo = in.OpensAt, in.Deadline, in.ReportAt, in.ForumDate, in.Embargo
	})
	switch {
	case errs.Is(err, errs.Invalid), errs.Is(err, errs.Conflict):
		v.Errors = errs.FieldsOf(err)
		if cur, gerr := h.Cycles.Get(c.Request().Context(), year); gerr == nil {
			v.Version = cur.Version // saving again is then a deliberate choice
		}
		return h.renderCycle(c, http.StatusUnprocessableEntity, v)
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_saved", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/cycles/%d", cy.Year))
}

func (h *Handler) extendCycle(c echo.Context) error {
	by, err := secretariatOnly(c)
	if err != nil {
		return err
	}
	year, err := h.cycleYear(c)
	if err != nil {
		return err
	}
	orgID, _ := strconv.ParseInt(c.FormValue("stakeholder_id"), 10, 64)
	d, derr := date.Parse(c.FormValue("deadline"))
	if derr == nil {
		err = h.Cycles.Extend(c.Request().Context(), by, year, orgID, d)
	} else {
		err = errs.Field(errs.Invalid, "deadline", "must be a date as YYYY-MM-DD")
	}
	if errs.Is(err, errs.Invalid) {
		cy, gerr := h.Cycles.Get(c.Request().Context(), year)
		if gerr != nil {
			return gerr
		}
		return h.renderCycle(c, http.StatusUnprocessableEntity, cycleView{Year: year, Version: cy.Version, Status: cy.StatusOn(h.now()),
			Form: cycleFormOf(cy), ExtErrors: errs.FieldsOf(err), ExtOrg: c.FormValue("stakeholder_id"), ExtDate: c.FormValue("deadline")})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_extended", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/cycles/%d", year))
}

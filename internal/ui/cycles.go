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
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// cycleForm holds the dates as typed, so a refused form comes back as it
// was sent.
type cycleForm struct {
	Year                                   string
	OpensAt, Deadline, ReportAt, ForumDate string
	Embargo                                string
	Evidence                               string // the evidence rule: required or optional
}

func cycleFormOf(c cycle.Cycle) cycleForm {
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	return cycleForm{Year: strconv.Itoa(c.Year), OpensAt: d(c.OpensAt), Deadline: d(c.Deadline), ReportAt: d(c.ReportAt),
		ForumDate: d(c.ForumDate), Embargo: string(c.Embargo), Evidence: string(c.Evidence)}
}

func readCycleForm(c echo.Context) cycleForm {
	return readCycleFields(c, "")
}

// readCycleFields reads the cycle's fields named with prefix: "" for what
// was typed, "orig_" for the values the page was rendered with.
func readCycleFields(c echo.Context, prefix string) cycleForm {
	v := func(name string) string { return c.FormValue(prefix + name) }
	return cycleForm{Year: v("year"), OpensAt: v("opens_at"), Deadline: v("deadline"),
		ReportAt: v("report_at"), ForumDate: v("forum_date"), Embargo: v("embargo"), Evidence: v("evidence")}
}

// changedFrom names the fields of f that differ from orig, what the person
// actually changed; with no orig (a form from elsewhere), every field.
func (f cycleForm) changedFrom(orig cycleForm) map[string]bool {
	changed := map[string]bool{}
	was := orig.values()
	none := orig == cycleForm{}
	for k, v := range f.values() {
		if k != "year" && (none || v != was[k]) {
			changed[k] = true
		}
	}
	return changed
}

// over lays the changed fields of f over base.
func (f cycleForm) over(base cycleForm, changed map[string]bool) cycleForm {
	pick := func(name, mine, theirs string) string {
		if changed[name] {
			return mine
		}
		return theirs
	}
	return cycleForm{Year: base.Year, OpensAt: pick("opens_at", f.OpensAt, base.OpensAt), Deadline: pick("deadline", f.Deadline, base.Deadline),
		ReportAt: pick("report_at", f.ReportAt, base.ReportAt), ForumDate: pick("forum_date", f.ForumDate, base.ForumDate),
		Embargo: pick("embargo", f.Embargo, base.Embargo), Evidence: pick("evidence", f.Evidence, base.Evidence)}
}

// values gives the template the typed values by field name.
func (f cycleForm) values() map[string]string {
	return map[string]string{"year": f.Year, "opens_at": f.OpensAt, "deadline": f.Deadline, "report_at": f.ReportAt,
		"forum_date": f.ForumDate, "embargo": f.Embargo, "evidence": f.Evidence}
}

// input reads the form; what cannot be read is a field error.
func (f cycleForm) input() (cycle.Input, errs.FieldErrors) {
	bad := errs.FieldErrors{}
	in := cycle.Input{Embargo: cycle.Embargo(f.Embargo), Evidence: cycle.EvidenceRule(f.Evidence)}
	if f.Year != "" {
		y, err := strconv.Atoi(f.Year)
		if err != nil {
			bad.Add("year", "must be a year such as 2027")
		}
		in.Year = y
	}
	bad.Day("opens_at", f.OpensAt, &in.OpensAt)
	bad.Day("deadline", f.Deadline, &in.Deadline)
	bad.Day("report_at", f.ReportAt, &in.ReportAt)
	bad.Day("forum_date", f.ForumDate, &in.ForumDate)
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
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	return h.renderCycles(c, http.StatusOK, cyclesView{Flash: h.takeFlash(c), Form: cycleForm{Embargo: string(cycle.UntilForum),
		Evidence: string(cycle.EvidenceRequired)}})
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
	by, err := request.Secretariat(c)
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
	Flash   *Flash
	Year    int
	Version int
	Status  cycle.Status
	Form    cycleForm
	Values  map[string]string
	// Orig is what the form was rendered with, posted back so that a save
	// changes only what the person changed.
	Orig       cycleForm
	OrigValues map[string]string
	Errors     map[string]string
	Orgs       []stakeholder.Stakeholder
	Extensions []extensionLine
	ExtErrors  map[string]string
	ExtOrg     string
	ExtDate    string
	// The days an extension may end on (for the date field's bounds and
	// the error), and whether there is any.
	ExtMin, ExtMax           string
	ExtDeadline, ExtReportAt string
	ExtPossible              bool
	Reports                  []reportLine
	// The compile form: the cut-off as typed and the key of its error,
	// and what an empty one means for this cycle.
	CutoffValue, CutoffError string
	CutoffForum              string    // the Forum day, once it is over: the default cut-off is its end
	Today                    time.Time // the latest day a cut-off may name
}

func (h *Handler) editCycle(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	cy, err := h.Cycles.Get(c.Request().Context(), year)
	if err != nil {
		return err
	}
	return h.renderCycle(c, http.StatusOK, cycleView{Flash: h.takeFlash(c), Year: cy.Year, Version: cy.Version,
		Status: cy.StatusOn(h.now()), Form: cycleFormOf(cy), Orig: cycleFormOf(cy)})
}

// extensionLine is a deadline extension as the cycle's page lists it.
type extensionLine struct {
	StakeholderID                           int64
	Organisation, Deadline, GrantedBy, When string
}

func (h *Handler) renderCycle(c echo.Context, status int, v cycleView) error {
	ctx := c.Request().Context()
	active := true
	orgs, _, err := h.Stakeholders.List(ctx, stakeholder.Filter{Active: &active, All: true})
	if err != nil {
		return err
	}
	v.Page, v.Orgs, v.Values, v.OrigValues = newPage(c, "cycles"), orgs, v.Form.values(), v.Orig.values()
	by, _ := user.ActorFrom(ctx)
	reports, err := h.Reports.List(ctx, by, v.Year)
	if err != nil {
		return err
	}
	v.Reports = h.reportLines(v.Lang, reports)
	cy, ext, err := h.Cycles.Extensions(ctx, by, v.Year)
	if err != nil {
		return err
	}
	for _, e := range ext {
		v.Extensions = append(v.Extensions, extensionLine{StakeholderID: e.StakeholderID, Organisation: e.Organisation,
			Deadline: formatDate(v.Lang, e.Deadline), GrantedBy: e.GrantedByName, When: formatDateTime(v.Lang, e.GrantedAt)})
	}
	first, last, possible := cy.ExtensionRange()
	v.ExtPossible = possible
	v.ExtMin, v.ExtMax = first.Format(time.DateOnly), last.Format(time.DateOnly)
	v.ExtDeadline, v.ExtReportAt = formatDate(v.Lang, cy.Deadline), formatDate(v.Lang, cy.ReportAt)
	if cy.ForumOver(h.now()) {
		v.CutoffForum = formatDate(v.Lang, cy.ForumDate)
	}
	v.Today = date.Day(h.now())
	return h.renderer.render(c, status, "cycle", v.Lang, v)
}

// renderCycleAgain renders the cycle's page as it stands, as the answer
// (422) to one of its forms that was refused; set puts back what was
// typed, and the errors.
func (h *Handler) renderCycleAgain(c echo.Context, year int, set func(*cycleView)) error {
	cy, err := h.Cycles.Get(c.Request().Context(), year)
	if err != nil {
		return err
	}
	v := cycleView{Year: year, Version: cy.Version, Status: cy.StatusOn(h.now()), Form: cycleFormOf(cy), Orig: cycleFormOf(cy)}
	set(&v)
	return h.renderCycle(c, http.StatusUnprocessableEntity, v)
}

func (h *Handler) saveCycle(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	form, orig := readCycleForm(c), readCycleFields(c, "orig_")
	form.Year, orig.Year = strconv.Itoa(year), strconv.Itoa(year)
	changed := form.changedFrom(orig)
	in, bad := form.input()
	v := cycleView{Year: year, Version: version, Form: form, Orig: orig}
	if cur, gerr := h.Cycles.Get(c.Request().Context(), year); gerr == nil {
		v.Status = cur.StatusOn(h.now()) // the page header shows it on a re-render too
	}
	if len(bad) > 0 {
		v.Errors = bad
		return h.renderCycle(c, http.StatusUnprocessableEntity, v)
	}
	cy, err := h.Cycles.Update(c.Request().Context(), by, year, version, func(cur *cycle.Input) {
		// Only what the person changed: a field someone else changed
		// meanwhile keeps their value.
		set := func(name string, dst *time.Time, typed time.Time) {
			if changed[name] {
				*dst = typed
			}
		}
		set("opens_at", &cur.OpensAt, in.OpensAt)
		set("deadline", &cur.Deadline, in.Deadline)
		set("report_at", &cur.ReportAt, in.ReportAt)
		set("forum_date", &cur.ForumDate, in.ForumDate)
		if changed["embargo"] {
			cur.Embargo = in.Embargo
		}
		if changed["evidence"] {
			cur.Evidence = in.Evidence
		}
	})
	switch {
	case errs.Is(err, errs.Conflict):
		// Someone saved first: show their values with this person's
		// changes on top, at the new version; saving again keeps both.
		v.Errors = errs.FieldsOf(err)
		if cur, gerr := h.Cycles.Get(c.Request().Context(), year); gerr == nil {
			v.Version, v.Orig = cur.Version, cycleFormOf(cur)
			v.Form = form.over(v.Orig, changed)
		}
		return h.renderCycle(c, http.StatusUnprocessableEntity, v)
	case errs.Is(err, errs.Invalid):
		v.Errors = errs.FieldsOf(err)
		return h.renderCycle(c, http.StatusUnprocessableEntity, v)
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_saved", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/cycles/%d", cy.Year))
}

func (h *Handler) extendCycle(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, err := request.PathYear(c)
	if err != nil {
		return err
	}
	orgID, _ := strconv.ParseInt(c.FormValue("stakeholder_id"), 10, 64)
	d, derr := date.Parse(c.FormValue("deadline"))
	if derr == nil {
		_, err = h.Cycles.Extend(c.Request().Context(), by, year, orgID, d)
	} else {
		err = errs.Field(errs.Invalid, "deadline", "must be a date as YYYY-MM-DD")
	}
	if errs.Is(err, errs.Invalid) {
		return h.renderCycleAgain(c, year, func(v *cycleView) {
			v.ExtErrors, v.ExtOrg, v.ExtDate = errs.FieldsOf(err), c.FormValue("stakeholder_id"), c.FormValue("deadline")
		})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_extended", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/cycles/%d", year))
}

// extensionParams reads the cycle and organisation of an extension's
// address.
func (h *Handler) extensionParams(c echo.Context) (year int, stakeholderID int64, err error) {
	if year, err = request.PathYear(c); err != nil {
		return 0, 0, err
	}
	stakeholderID, err = request.ID(c, "stakeholder_id", "organisation")
	return year, stakeholderID, err
}

// revokeExtension revokes an extension once confirmed. Unconfirmed (the
// Revoke buttons of the cycle's page, or this address opened), it shows
// what revoking would do to this organisation, and asks.
func (h *Handler) revokeExtension(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	year, id, err := h.extensionParams(c)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/admin/cycles/%d#extensions", year)
	if !confirmed(c) {
		cy, e, err := h.Cycles.Extension(c.Request().Context(), by, year, id)
		if err != nil {
			return err
		}
		lang := langOf(c)
		tr := h.renderer.tr[lang]
		meta := tr("confirm_revoke_item", map[string]any{"Year": cy.Year, "Extended": formatDate(lang, e.Deadline)}) + " · "
		if e.GrantedByName != "" {
			meta += tr("confirm_revoke_granted_by", map[string]any{"Name": e.GrantedByName, "When": formatDateTime(lang, e.GrantedAt)})
		} else {
			meta += tr("confirm_revoke_granted_on", map[string]any{"When": formatDateTime(lang, e.GrantedAt)})
		}
		// The organisation's reporting closes at once if the cycle's own
		// deadline is behind.
		closes := "confirm_revoke_effect_open"
		if cycle.PastDeadline(cy.Deadline, h.now()) {
			closes = "confirm_revoke_effect_closed"
		}
		v := confirmView{Page: newPage(c, "cycles"), TitleKey: "confirm_revoke_title", ButtonKey: "confirm_revoke_button",
			Items: []confirmItem{{Label: e.Organisation, Meta: meta, URL: fmt.Sprintf("/admin/organisations/%d", e.StakeholderID)}},
			Effects: []string{"confirm_revoke_effect_deadline", closes, "confirm_revoke_effect_kept", "confirm_revoke_effect_board",
				"confirm_revoke_effect_audit", "confirm_revoke_effect_no_notice"},
			Data: map[string]any{"Year": cy.Year, "Extended": formatDate(lang, e.Deadline), "Deadline": formatDate(lang, cy.Deadline),
				"ReportAt": formatDate(lang, cy.ReportAt)},
			Action: fmt.Sprintf("/admin/cycles/%d/extensions/%d/revoke", cy.Year, e.StakeholderID), Cancel: back, Danger: true}
		return h.renderer.render(c, http.StatusOK, "confirm", v.Lang, v)
	}
	switch _, err := h.Cycles.Revoke(c.Request().Context(), by, year, id); {
	case errs.Is(err, errs.NotFound):
		if _, gerr := h.Cycles.Get(c.Request().Context(), year); gerr != nil {
			return gerr // no such cycle: not found
		}
		h.setFlash(c, "flash_err_extension_gone", 0) // revoked meanwhile, by someone else or a second click
	case err != nil:
		return err
	default:
		h.setFlash(c, "flash_extension_revoked", 0)
	}
	return c.Redirect(http.StatusSeeOther, back)
}

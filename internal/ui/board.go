package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
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
	// Difference says why the public figures count fewer (or more)
	// accepted actions than the rows shown; nil when they agree.
	Difference *differenceView
	Notice     *boardNotice // what became of a reminder re-sent from the board
}

// Reminders re-sends a reminder to one organisation.
type Reminders interface {
	Resends(ctx context.Context, by user.Actor, year int) (reminder.Resends, error)
	Resend(ctx context.Context, by user.Actor, year int, stakeholderID int64) (reminder.Reminder, error)
}

// boardNotice says, after a re-send, whether the reminder to an
// organisation is on its way or went out today already.
type boardNotice struct {
	Key, Name string
	Again     bool // it had been re-sent today already
}

// The flashes of a re-send; their count is the organisation's id, which
// the board names from its rows (a flash carries no text of its own).
const (
	flashResent     = "flash_reminder_resent"
	flashResentOnce = "flash_reminder_resent_today"
)

// Differences compare the status board with what the reports count.
type Differences interface {
	BoardDifference(ctx context.Context, by user.Actor, year int) (report.Difference, error)
	DifferenceOf(ctx context.Context, by user.Actor, id int64) (report.Difference, error)
}

// differenceView is a report.Difference as a page says it: an intro with
// the two counts, then one sentence per case that occurs.
type differenceView struct {
	Intro          string // the key of the intro
	Board, Counted int
	Cutoff         string
	PublicFrom     string // the public sees none of it before this day
	Lines          []note
}

// note is a sentence with a number: a catalogue key and its count.
type note struct {
	Key   string
	Count int
}

// differenceLines are the sentences of the cases that occur in n. Live
// figures have no cut-off of their own: what is after them was accepted
// after the Forum, where a past cycle's dashboard stops.
func differenceLines(d report.Difference, n report.Diff) []note {
	var out []note
	after := "diff_after"
	if d.ReportID == 0 {
		after = "diff_after_forum"
	}
	for _, l := range []note{{"diff_kept", n.Kept}, {after, n.After}, {"diff_withdrawn", n.Withdrawn}} {
		if l.Count > 0 {
			out = append(out, l)
		}
	}
	return out
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
	Notes        []note // why its accepted count differs from the public figures
	ResendURL    string // where to post a re-sent reminder; "" when none may be sent now
	ResentToday  bool
	Links        evidence.Flags // its evidence links broken or changed
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
	by, err := request.Secretariat(c)
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
	diff, err := h.Differences.BoardDifference(c.Request().Context(), by, cy.Year)
	if err != nil {
		return err
	}
	resends, err := h.Reminders.Resends(c.Request().Context(), by, cy.Year)
	if err != nil {
		return err
	}
	flags, err := h.Evidence.FlagsByOrganisation(c.Request().Context(), by, cy.ID)
	if err != nil {
		return err
	}
	flash := h.takeFlash(c)
	v.Year, v.Kind, v.Country = cy.Year, string(f.Kind), f.Country
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Organisation.ID
		v.Totals[string(r.Light)]++
		line := boardLine{ID: r.Organisation.ID, Name: r.Organisation.Name, Kind: r.Organisation.Kind, Country: r.Organisation.Country,
			Light: r.Light, Drafts: r.Counts["draft"] + r.Counts["changes_requested"], Submitted: r.Counts["submitted"],
			Accepted: r.Counts["accepted"], FocalPoint: r.FocalPoint, Deadline: formatDate(v.Lang, r.Deadline), Extended: !r.Deadline.Equal(cy.Deadline),
			Reminders: r.Reminders}
		if r.LastActivity != nil {
			line.LastActivity = formatDate(v.Lang, *r.LastActivity)
		}
		line.ResentToday = resends.Today[r.Organisation.ID]
		line.Links = flags[r.Organisation.ID]
		if resends.Allowed[r.Organisation.ID] && !line.ResentToday {
			line.ResendURL = fmt.Sprintf("/admin/status/%d/remind?", r.Organisation.ID)
		}
		if flash != nil && (flash.Key == flashResent || flash.Key == flashResentOnce) && int64(flash.Count) == r.Organisation.ID {
			v.Notice = &boardNotice{Key: flash.Key, Name: r.Organisation.Name, Again: flash.Key == flashResentOnce}
		}
		n := diff.Organisations[r.Organisation.ID]
		for _, l := range differenceLines(diff, n) {
			line.Notes = append(line.Notes, note{"board_row_" + strings.TrimPrefix(l.Key, "diff_"), l.Count})
		}
		if n.Unreported > 0 {
			line.Notes = append(line.Notes, note{Key: "board_row_unreported"})
		}
		v.Rows = append(v.Rows, line)
	}
	v.Difference = boardDifference(v.Lang, diff, diff.Of(ids))
	q := url.Values{"cycle": {strconv.Itoa(v.Year)}, "kind": {v.Kind}, "country": {v.Country}}
	v.CSVURL = "/admin/status.csv?" + q.Encode()
	for i, l := range v.Rows {
		if l.ResendURL != "" { // the board's cycle and filters, to come back to
			v.Rows[i].ResendURL += q.Encode()
		}
	}
	return h.renderer.render(c, http.StatusOK, "board", v.Lang, v)
}

// resendReminder re-sends a reminder to one organisation of the board's
// cycle, then shows the board again (with its filters) saying so; a second
// press the same day is a notice there, not an error.
func (h *Handler) resendReminder(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	year, f, err := h.boardQuery(c)
	if err != nil {
		return err
	}
	_, err = h.Reminders.Resend(c.Request().Context(), by, year, id)
	switch {
	case errs.Is(err, errs.Conflict) && errs.FieldsOf(err)["reminder"] != "":
		h.setFlash(c, flashResentOnce, int(id))
	case err != nil:
		return err
	default:
		h.setFlash(c, flashResent, int(id))
	}
	q := url.Values{"cycle": {strconv.Itoa(year)}}
	if f.Kind != "" {
		q.Set("kind", string(f.Kind))
	}
	if f.Country != "" {
		q.Set("country", f.Country)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/status?"+q.Encode())
}

// boardDifference is what the board says above its rows of how their
// accepted actions differ from the public figures: nil when they agree and
// the public sees them already.
func boardDifference(lang string, d report.Difference, n report.Diff) *differenceView {
	embargoed := !d.PublicFrom.IsZero() && n.Counted > 0
	if !n.Differs() && !embargoed {
		return nil
	}
	v := &differenceView{Intro: "board_diff_dashboard", Board: n.Board, Counted: n.Counted,
		Cutoff: formatDateTime(lang, d.CutoffAt), Lines: differenceLines(d, n)}
	if d.ReportID != 0 {
		v.Intro = "board_diff_report"
	}
	if n.Unreported > 0 {
		v.Lines = append(v.Lines, note{"diff_unreported", n.Unreported})
	}
	if embargoed {
		v.PublicFrom = formatDate(lang, d.PublicFrom)
	}
	return v
}

// boardCSV is the board as a spreadsheet, with codes rather than
// translated labels so that it sorts and filters the same in any language.
func (h *Handler) boardCSV(c echo.Context) error {
	by, err := request.Secretariat(c)
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

package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/request"
)

type jobsView struct {
	Page
	Flash   *Flash
	Jobs    []jobLine
	Archive evidence.Size // the space the archived evidence takes
}

type jobLine struct {
	Name, Slot, Status, Error, Started, Finished, Next string
	Confirm                                            bool // "Run now" first shows what the run would do
}

func (h *Handler) jobs(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	statuses, err := h.Jobs.Statuses(c.Request().Context())
	if err != nil {
		return err
	}
	v := jobsView{Page: newPage(c, "jobs"), Flash: h.takeFlash(c)}
	if v.Archive, err = h.Evidence.Size(c.Request().Context()); err != nil {
		return err
	}
	for _, s := range statuses {
		line := jobLine{Name: s.Name, Confirm: s.Previewed}
		if !s.NextRun.IsZero() {
			line.Next = formatDateTime(v.Lang, s.NextRun)
		}
		if r := s.Last; r != nil {
			line.Slot, line.Status, line.Error, line.Started = r.Slot, r.Status, r.Error, formatDateTime(v.Lang, r.StartedAt)
			if r.FinishedAt != nil {
				line.Finished = formatDateTime(v.Lang, *r.FinishedAt)
			}
		}
		v.Jobs = append(v.Jobs, line)
	}
	return h.renderer.render(c, http.StatusOK, "jobs", v.Lang, v)
}

type jobRunView struct {
	Page
	Job, Slot string
	Done      bool // the slot has run: nothing to confirm
	Reminders []plannedLine
	Intro     string // the keys of the sentence before them and of the button, by their number
	Queue     string
}

type plannedLine struct {
	OrganisationID     int64
	Organisation, Kind string // Kind: the catalogue key of the kind of reminder
	Year, Days, To     int
}

// confirmRun is the confirmation of a run now: what the run would do (for
// the reminders job, which organisations would be sent which reminder, at
// how many addresses), or that nothing is due, or that the slot is done,
// with the button that posts again to run it.
func (h *Handler) confirmRun(c echo.Context, p jobs.Preview) error {
	v := jobRunView{Page: newPage(c, "jobs"), Job: p.Job, Slot: p.Slot, Done: p.Done}
	for _, r := range p.Reminders {
		l := plannedLine{OrganisationID: r.Organisation.ID, Organisation: r.Organisation.Name, Kind: "reminder_kind_opens",
			Year: r.Year, Days: r.Days, To: r.Recipients}
		if r.Kind != reminder.Opens {
			l.Kind = "reminder_kind_deadline"
		}
		v.Reminders = append(v.Reminders, l)
	}
	v.Intro, v.Queue = "job_run_reminders", "job_run_queue"
	return h.renderer.render(c, http.StatusOK, "job_run", v.Lang, v)
}

// runJob runs a job now, for the current slot; a slot already done is
// not run again. A job with a preview is run once confirmed.
func (h *Handler) runJob(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	if !confirmed(c) {
		// A job that can tell what it would do (the reminders job: mail to
		// organisations, which cannot be taken back) says it first.
		p, err := h.Jobs.Preview(c.Request().Context(), c.Param("name"))
		if err != nil {
			return err // no such job: the not-found page
		}
		if p.Previewed {
			return h.confirmRun(c, p)
		}
	}
	ran, err := h.Jobs.RunNow(c.Request().Context(), c.Param("name"))
	if errs.Is(err, errs.NotFound) {
		return err // no such job: the not-found page, not a failure to report
	}
	if err != nil {
		h.logFailure(c.Request().Context(), "job run from the jobs page", err, "job", c.Param("name"))
		h.setFlash(c, "flash_err_job_failed", 0)
		return c.Redirect(http.StatusSeeOther, "/admin/jobs")
	}
	if ran {
		h.setFlash(c, "flash_job_ran", 0)
	} else {
		h.setFlash(c, "flash_job_done_already", 0)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/jobs")
}

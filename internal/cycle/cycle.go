// Package cycle is about the yearly reporting cycle: submissions open, a
// deadline, the report date and the Paris Peace Forum.
package cycle

import (
	"time"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
)

// Embargo says when accepted public actions appear on the dashboard.
type Embargo string

const (
	Immediate  Embargo = "immediate" // as soon as they are accepted
	UntilForum Embargo = "forum"     // from the Forum date
)

// Valid reports whether e is known.
func (e Embargo) Valid() bool { return e == Immediate || e == UntilForum }

// EvidenceRule says whether the secretariat may accept an action that
// cites no evidence. The public pages say how many actions cite evidence;
// where the rule is Required, every accepted action of the cycle does.
type EvidenceRule string

const (
	// EvidenceRequired: an action is accepted only with at least one
	// evidence link. New cycles start with it.
	EvidenceRequired EvidenceRule = "required"
	// EvidenceOptional: an action may be accepted on the organisation's
	// word alone; cycles created before the rule existed keep it.
	EvidenceOptional EvidenceRule = "optional"
)

// Valid reports whether r is known.
func (r EvidenceRule) Valid() bool { return r == EvidenceRequired || r == EvidenceOptional }

// Cycle is one reporting year. Dates are calendar days (UTC midnight).
type Cycle struct {
	ID        int64
	Year      int
	OpensAt   time.Time
	Deadline  time.Time
	ReportAt  time.Time
	ForumDate time.Time
	Embargo   Embargo
	Evidence  EvidenceRule // whether acceptance needs an evidence link
	Version   int          // optimistic locking: an edit names the version it read
	CreatedAt time.Time
	UpdatedAt time.Time
	Reported  bool // read-only: the cycle's final report is published
}

// Status is where a cycle stands on a given day.
type Status string

const (
	Upcoming Status = "upcoming"
	Open     Status = "open"
	Closed   Status = "closed"
	Reported Status = "reported" // the final report is published
)

// StatusOn tells the status of c on day now. The deadline day is still open.
func (c Cycle) StatusOn(now time.Time) Status {
	day := date.Day(now)
	switch {
	case c.Reported:
		return Reported
	case day.Before(c.OpensAt):
		return Upcoming
	case !PastDeadline(c.Deadline, day):
		return Open
	}
	return Closed
}

// PastDeadline tells whether, on day now, a deadline (the cycle's, or an
// organisation's extension) is behind: the deadline day itself is still
// open. Every surface that closes reporting asks this.
func PastDeadline(deadline, now time.Time) bool { return date.Day(now).After(deadline) }

// PublicFrom is the first day the public sees the cycle's accepted public
// actions: its Forum when they are embargoed until then, else zero (at
// once). The store's SQL says the same (store.publicCycles).
func (c Cycle) PublicFrom() time.Time {
	if c.Embargo == UntilForum {
		return date.Day(c.ForumDate)
	}
	return time.Time{}
}

// PublicOn tells whether, on day now, the public sees the cycle's accepted
// public actions: false while they are embargoed until a Forum ahead.
func (c Cycle) PublicOn(now time.Time) bool { return !date.Day(now).Before(c.PublicFrom()) }

// ForumOver reports whether the cycle's Forum day has ended by now: the
// cycle is past, and what it reports on is settled.
func (c Cycle) ForumOver(now time.Time) bool { return date.Day(now).After(c.ForumDate) }

// RequiresEvidence reports whether the cycle's actions are accepted only
// with at least one evidence link.
func (c Cycle) RequiresEvidence() bool { return c.Evidence != EvidenceOptional }

// DefaultReportLead is how long before the Forum the report is compiled.
const DefaultReportLead = 21 * 24 * time.Hour

// Input is what is set on a cycle. A zero ReportAt means three weeks before
// the Forum; an empty Evidence, that acceptance requires evidence.
type Input struct {
	Year      int
	OpensAt   time.Time
	Deadline  time.Time
	ReportAt  time.Time
	ForumDate time.Time
	Embargo   Embargo
	Evidence  EvidenceRule
}

// Input returns what is set on the cycle: where an edit starts.
func (c Cycle) Input() Input {
	return Input{Year: c.Year, OpensAt: c.OpensAt, Deadline: c.Deadline, ReportAt: c.ReportAt, ForumDate: c.ForumDate, Embargo: c.Embargo,
		Evidence: c.Evidence}
}

// Normalize reduces every date to its day and fills the defaults.
func (in *Input) Normalize() {
	in.OpensAt, in.Deadline, in.ForumDate = date.Day(in.OpensAt), date.Day(in.Deadline), date.Day(in.ForumDate)
	if in.ReportAt.IsZero() && !in.ForumDate.IsZero() {
		in.ReportAt = in.ForumDate.Add(-DefaultReportLead)
	}
	in.ReportAt = date.Day(in.ReportAt)
	if in.Embargo == "" {
		in.Embargo = Immediate
	}
	if in.Evidence == "" {
		in.Evidence = EvidenceRequired
	}
}

// Validate checks the year and that the dates come in order: opens, deadline,
// report, Forum.
func (in Input) Validate() error {
	f := errs.FieldErrors{}
	if in.Year < 2018 || in.Year > 2100 {
		f.Add("year", "must be between 2018 and 2100")
	}
	for name, d := range map[string]time.Time{"opens_at": in.OpensAt, "deadline": in.Deadline, "report_at": in.ReportAt, "forum_date": in.ForumDate} {
		if d.IsZero() {
			f.Add(name, "is required")
		} else {
			f.Date(name, d)
		}
	}
	if len(f) == 0 {
		if in.ForumDate.Year() != in.Year {
			f.Addf("forum_date", "must fall in %d, the year of the cycle", in.Year)
		}
		if !in.OpensAt.Before(in.Deadline) {
			f.Add("deadline", "must be after the opening date")
		}
		if in.ReportAt.Before(in.Deadline) {
			f.Add("report_at", "must not be before the deadline")
		}
		if in.ForumDate.Before(in.ReportAt) {
			f.Add("report_at", "must not be after the Forum date")
		}
	}
	if !in.Embargo.Valid() {
		f.Addf("embargo", "must be %s or %s", Immediate, UntilForum)
	}
	if !in.Evidence.Valid() {
		f.Addf("evidence", "must be %s or %s", EvidenceRequired, EvidenceOptional)
	}
	return f.Err()
}

// Package reminder chases the organisations that have not reported: an
// "opens today" notice when a cycle opens, and deadline reminders at
// configurable offsets to those with nothing submitted. Each reminder is
// decided and written to an outbox in one transaction, unique per
// organisation, cycle and kind; a sender drains the outbox with retries and
// backoff, so a mail server that is down delays reminders but loses none.
package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/retry"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// Status of a reminder in the outbox.
type Status string

const (
	Pending Status = "pending" // waiting to be sent (again)
	Sending Status = "sending" // claimed by a sender
	Sent    Status = "sent"
	Failed  Status = "failed" // gave up after MaxAttempts
)

// Opens is the kind of the notice sent the day a cycle opens; deadline
// reminders are "deadline_N", N days before the deadline.
const Opens = "opens"

// OpensWithin is how many days after a cycle opens its notice may still go
// out, when the scheduler missed the opening day.
const OpensWithin = 7

// DeadlineKind names the reminder sent days before the deadline.
func DeadlineKind(days int) string { return fmt.Sprintf("deadline_%d", days) }

// ResendKind names the reminder the secretariat re-sends by hand to one
// organisation on day. With the day in its kind, the outbox's unique key
// (organisation, cycle, kind) lets one through a day and refuses the next,
// in the database itself: two presses at once cannot both pass.
func ResendKind(day time.Time) string { return resend + date.Day(day).Format(time.DateOnly) }

// resend begins the kind of every reminder re-sent by hand.
const resend = "resend_"

// Reminder is one reminder in the outbox.
type Reminder struct {
	ID            int64
	StakeholderID int64
	CycleID       int64
	Kind          string
	Recipients    []string
	Subject       string
	Body          string
	Status        Status
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// Store is what the service needs from storage.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e audit.Entry) error
	Cycle(ctx context.Context, year int) (cycle.Cycle, error)
	Cycles(ctx context.Context) ([]cycle.Cycle, error)
	// ReminderRecipients returns, per organisation, the addresses to remind:
	// its focal points, or all its people when it has none.
	ReminderRecipients(ctx context.Context) (map[int64][]string, error)
	// EnqueueReminder writes r unless its organisation, cycle and kind
	// already have one; it reports whether it wrote.
	EnqueueReminder(ctx context.Context, r *Reminder) (bool, error)
	// ReminderKinds returns, per organisation, the kinds of the reminders
	// of a cycle in the outbox, whatever their status.
	ReminderKinds(ctx context.Context, cycleID int64) (map[int64][]string, error)
	// ClaimDueReminders marks up to limit reminders due at now as being
	// sent (committed at once, outside any transaction of ctx), leased
	// until lease; a claim left by a sender that died is due again once
	// its lease is over.
	ClaimDueReminders(ctx context.Context, now, lease time.Time, limit int) ([]Reminder, error)
	// MarkReminderSent and MarkReminderRetry change a reminder only while
	// the claim r was read with still holds it.
	MarkReminderSent(ctx context.Context, r Reminder, at time.Time) error
	MarkReminderRetry(ctx context.Context, r Reminder, msg string, next time.Time, final bool) error
}

// Board is the reporting-status board the decisions are read from.
type Board interface {
	Board(ctx context.Context, by user.Actor, year int, f stakeholder.Filter) (cycle.Cycle, []cycle.BoardRow, error)
}

// Options tune reminders.
type Options struct {
	Offsets     []int         // days before the deadline; default 30, 7, 1
	BaseURL     string        // for the link in the message
	RetryBase   time.Duration // first retry delay, doubled each attempt; default 1 min
	RetryMax    time.Duration // longest delay; default 1 h
	MaxAttempts int           // default 12
	Lease       time.Duration // how long a claim lasts; default 5 min
}

// Service decides and sends reminders.
type Service struct {
	store  Store
	board  Board
	sender mail.Sender
	now    func() time.Time
	opt    Options
	logger *slog.Logger
}

// NewService builds the service.
func NewService(store Store, board Board, sender mail.Sender, now func() time.Time, opt Options, logger *slog.Logger) *Service {
	if len(opt.Offsets) == 0 {
		opt.Offsets = []int{30, 7, 1}
	}
	opt.Offsets = slices.Clone(opt.Offsets)
	sort.Ints(opt.Offsets)
	if opt.RetryBase <= 0 {
		opt.RetryBase = time.Minute
	}
	if opt.RetryMax <= 0 {
		opt.RetryMax = time.Hour
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 12
	}
	if opt.Lease <= 0 {
		opt.Lease = 5 * time.Minute
	}
	return &Service{store: store, board: board, sender: sender, now: now, opt: opt, logger: logger}
}

// due returns the deadline reminder due days before the deadline: the
// tightest offset that has been reached, so that a missed day is made up
// by the next run and a late-created cycle does not send stale reminders.
func (s *Service) due(days int) (int, bool) {
	if days < 0 {
		return 0, false
	}
	for _, o := range s.opt.Offsets { // ascending
		if days <= o {
			return o, true
		}
	}
	return 0, false
}

// nothingSubmitted: the organisation has not sent anything to the
// secretariat (drafts only, or nothing).
func nothingSubmitted(counts map[string]int) bool {
	return counts["submitted"]+counts["accepted"]+counts["changes_requested"] == 0
}

// chased tells whether reminders go out for c on day: from its opening
// until its final report is published.
func chased(c cycle.Cycle, day time.Time) bool {
	return !c.Reported && !date.Day(day).Before(c.OpensAt)
}

// decision is a reminder due, before it is written: Plan writes it,
// Preview shows it.
type decision struct {
	cycle cycle.Cycle
	row   cycle.BoardRow
	kind  string
	days  int // to the deadline
	to    []string
}

// decide lists every reminder due on day, whether or not the outbox holds
// it already.
func (s *Service) decide(ctx context.Context, day time.Time) ([]decision, error) {
	cycles, err := s.store.Cycles(ctx)
	if err != nil {
		return nil, err
	}
	recipients, err := s.store.ReminderRecipients(ctx)
	if err != nil {
		return nil, err
	}
	var out []decision
	for _, c := range cycles {
		if !chased(c, day) {
			continue
		}
		_, rows, err := s.board.Board(ctx, user.System("scheduler"), c.Year, stakeholder.Filter{})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			to := recipients[r.Organisation.ID]
			if r.Light == cycle.Grey || len(to) == 0 {
				continue // not expected to report, or nobody to write to
			}
			var kinds []string
			if !day.Before(c.OpensAt) && day.Before(c.OpensAt.AddDate(0, 0, OpensWithin)) {
				kinds = append(kinds, Opens) // on the day, or the next run after a missed day
			}
			days := int(r.Deadline.Sub(day).Hours() / 24)
			if o, ok := s.due(days); ok && nothingSubmitted(r.Counts) {
				kinds = append(kinds, DeadlineKind(o))
			}
			for _, k := range kinds {
				out = append(out, decision{cycle: c, row: r, kind: k, days: days, to: to})
			}
		}
	}
	return out, nil
}

// Plan decides the reminders of day and writes them to the outbox, in the
// transaction of ctx. It returns how many it wrote.
func (s *Service) Plan(ctx context.Context, day time.Time) (int, error) {
	list, err := s.decide(ctx, date.Day(day))
	if err != nil {
		return 0, err
	}
	written := 0
	for _, d := range list {
		rem := s.compose(d.cycle, d.row, d.kind, d.days, d.to)
		ok, err := s.store.EnqueueReminder(ctx, &rem)
		if err != nil {
			return written, err
		}
		if ok {
			written++
		}
	}
	return written, nil
}

// Planned is a reminder that Plan would write now.
type Planned struct {
	Organisation stakeholder.Stakeholder
	Year         int    // the cycle's
	Kind         string // Opens, or a DeadlineKind
	Days         int    // for a deadline reminder, how many days before the deadline it is; 0 otherwise
	Recipients   int    // addresses it goes to
}

// Preview tells what Plan would write on day, without writing anything:
// the reminders due that the outbox does not hold yet, cycle by cycle,
// reddest organisation first as the board lists them.
func (s *Service) Preview(ctx context.Context, day time.Time) ([]Planned, error) {
	list, err := s.decide(ctx, date.Day(day))
	if err != nil {
		return nil, err
	}
	held := map[int64]map[int64][]string{} // by cycle, then organisation: the kinds in the outbox
	out := []Planned{}
	for _, d := range list {
		if held[d.cycle.ID] == nil {
			if held[d.cycle.ID], err = s.store.ReminderKinds(ctx, d.cycle.ID); err != nil {
				return nil, err
			}
		}
		if slices.Contains(held[d.cycle.ID][d.row.Organisation.ID], d.kind) {
			continue // written already: Plan would write nothing
		}
		p := Planned{Organisation: d.row.Organisation, Year: d.cycle.Year, Kind: d.kind, Recipients: len(d.to)}
		if d.kind != Opens {
			p.Days, _ = s.due(d.days)
		}
		out = append(out, p)
	}
	return out, nil
}

// Resends is what the status board needs to offer re-sending a reminder
// to an organisation of a cycle.
type Resends struct {
	Open      bool           // reminders go out for the cycle today
	Reachable map[int64]bool // the organisations with someone to write to
	Today     map[int64]bool // the organisations re-sent a reminder today already
	Allowed   map[int64]bool // the organisations a reminder may be re-sent to now
}

// resendable says why a reminder may not be re-sent to an organisation on
// day, or nil: the cycle must be chased, the organisation expected to
// report (not grey on the board) and its own deadline not past, or the
// reminder would announce a deadline already gone.
func resendable(c cycle.Cycle, row cycle.BoardRow, day time.Time) error {
	switch {
	case !chased(c, day):
		return errs.Field(errs.Conflict, "cycle", fmt.Sprintf("reminders for %d go out from its opening until its report is published", c.Year))
	case row.Light == cycle.Grey:
		return errs.Field(errs.Conflict, "stakeholder_id", fmt.Sprintf("%s is not expected to report in %d", row.Organisation.Name, c.Year))
	case date.Day(day).After(row.Deadline):
		return errs.Field(errs.Conflict, "cycle", fmt.Sprintf("the deadline of %s in %d has passed (%s)", row.Organisation.Name, c.Year,
			row.Deadline.Format(time.DateOnly)))
	}
	return nil
}

// Resends tells, for the cycle of year, to which organisations a reminder
// may be re-sent today: while the cycle is chased, to those with someone
// to write to, once a day.
func (s *Service) Resends(ctx context.Context, by user.Actor, year int) (Resends, error) {
	if err := by.RequireSecretariat("reminders are sent by the secretariat"); err != nil {
		return Resends{}, err
	}
	c, err := s.store.Cycle(ctx, year)
	if err != nil {
		return Resends{}, err
	}
	now := s.now()
	out := Resends{Open: chased(c, now), Reachable: map[int64]bool{}, Today: map[int64]bool{}, Allowed: map[int64]bool{}}
	recipients, err := s.store.ReminderRecipients(ctx)
	if err != nil {
		return out, err
	}
	for id, to := range recipients {
		out.Reachable[id] = len(to) > 0
	}
	_, rows, err := s.board.Board(ctx, by, year, stakeholder.Filter{})
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		out.Allowed[r.Organisation.ID] = out.Reachable[r.Organisation.ID] && resendable(c, r, now) == nil
	}
	held, err := s.store.ReminderKinds(ctx, c.ID)
	if err != nil {
		return out, err
	}
	for id, kinds := range held {
		out.Today[id] = slices.Contains(kinds, ResendKind(now))
	}
	return out, nil
}

// Resend writes a reminder to one organisation of the cycle of year to the
// outbox now, with its audit entry, in one transaction; the mail job sends
// it. The secretariat may do so once a day per organisation, while the
// cycle is chased, to an organisation with someone to write to. A second
// one the same day is a Conflict on the field "reminder".
func (s *Service) Resend(ctx context.Context, by user.Actor, year int, stakeholderID int64) (Reminder, error) {
	if err := by.RequireSecretariat("reminders are sent by the secretariat"); err != nil {
		return Reminder{}, err
	}
	var rem Reminder
	err := s.store.WithTx(ctx, func(ctx context.Context) error {
		c, rows, err := s.board.Board(ctx, by, year, stakeholder.Filter{})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rows, func(r cycle.BoardRow) bool { return r.Organisation.ID == stakeholderID })
		if i < 0 {
			return errs.E(errs.NotFound, "no organisation %d", stakeholderID)
		}
		row, now := rows[i], s.now()
		if err := resendable(c, row, now); err != nil {
			return err
		}
		recipients, err := s.store.ReminderRecipients(ctx)
		if err != nil {
			return err
		}
		to := recipients[stakeholderID]
		if len(to) == 0 {
			return errs.Field(errs.Invalid, "stakeholder_id", fmt.Sprintf("%s has nobody to write to", row.Organisation.Name))
		}
		days := int(row.Deadline.Sub(date.Day(now)).Hours() / 24)
		rem = s.compose(c, row, ResendKind(now), days, to)
		written, err := s.store.EnqueueReminder(ctx, &rem)
		if err != nil {
			return err
		}
		if !written {
			return errs.Field(errs.Conflict, "reminder", fmt.Sprintf("a reminder was re-sent to %s today already", row.Organisation.Name))
		}
		return s.store.AppendAudit(ctx, audit.New(by.UserID, by.Label(), "reminder.resend", "stakeholder", stakeholderID,
			map[string]any{"organisation": row.Organisation.Name, "cycle": year, "kind": rem.Kind, "recipients": len(to)}, now))
	})
	return rem, err
}

// compose writes the message, in English then French: the people of an
// organisation have no language of their own on record.
func (s *Service) compose(c cycle.Cycle, r cycle.BoardRow, kind string, days int, to []string) Reminder {
	link := strings.TrimRight(s.opt.BaseURL, "/") + "/workspace"
	deadline := r.Deadline.Format(time.DateOnly)
	var subject, en, fr string
	switch {
	case strings.HasPrefix(kind, resend):
		subject = fmt.Sprintf("Paris Call: a reminder about your %d report / Appel de Paris : rappel concernant votre contribution %d", c.Year, c.Year)
		due, echeance := fmt.Sprintf("is %s (%d days from now)", deadline, days), fmt.Sprintf("est le %s (dans %d jours)", deadline, days)
		switch {
		case days == 0:
			due, echeance = fmt.Sprintf("is today, %s", deadline), fmt.Sprintf("est aujourd'hui, le %s", deadline)
		case days == 1:
			due, echeance = fmt.Sprintf("is tomorrow, %s", deadline), fmt.Sprintf("est demain, le %s", deadline)
		case days < 0:
			due, echeance = fmt.Sprintf("was %s", deadline), fmt.Sprintf("était le %s", deadline)
		}
		en = fmt.Sprintf("A reminder from the secretariat of the Paris Call: the deadline to report for %s in the %d cycle %s.\n"+
			"Drafts only reach the secretariat once your focal point submits them.", r.Organisation.Name, c.Year, due)
		fr = fmt.Sprintf("Un rappel du secrétariat de l'Appel de Paris : la date limite de contribution de %s au cycle %d %s.\n"+
			"Les brouillons ne parviennent au secrétariat qu'une fois soumis par votre point focal.", r.Organisation.Name, c.Year, echeance)
	case kind == Opens:
		subject = fmt.Sprintf("Paris Call: reporting for %d is open / Appel de Paris : les contributions %d sont ouvertes", c.Year, c.Year)
		en = fmt.Sprintf("Reporting for the %d cycle of the Paris Call is open, until %s.\n"+
			"Record what %s did against the twelve recommendations on cyber mercenaries: you can start from last year's actions.", c.Year, deadline, r.Organisation.Name)
		fr = fmt.Sprintf("Les contributions au cycle %d de l'Appel de Paris sont ouvertes, jusqu'au %s.\n"+
			"Indiquez ce que %s a fait au titre des douze recommandations sur les cybermercenaires : vous pouvez repartir des actions de l'an dernier.", c.Year, deadline, r.Organisation.Name)
	default:
		subject = fmt.Sprintf("Paris Call: your %d report is due on %s / Appel de Paris : votre contribution %d est attendue le %s", c.Year, deadline, c.Year, deadline)
		en = fmt.Sprintf("The deadline to report for %s in the %d cycle is %s (%d days from now), and nothing has been submitted yet.\n"+
			"Drafts only reach the secretariat once your focal point submits them.", r.Organisation.Name, c.Year, deadline, days)
		fr = fmt.Sprintf("La date limite de contribution de %s au cycle %d est le %s (dans %d jours), et rien n'a encore été soumis.\n"+
			"Les brouillons ne parviennent au secrétariat qu'une fois soumis par votre point focal.", r.Organisation.Name, c.Year, deadline, days)
	}
	body := en + "\n\n" + link + "\n\n---\n\n" + fr + "\n\n" + link + "\n"
	now := s.now().UTC()
	return Reminder{StakeholderID: r.Organisation.ID, CycleID: c.ID, Kind: kind, Recipients: to, Subject: subject,
		Body: body, Status: Pending, NextAttemptAt: now, CreatedAt: now}
}

// Send drains the outbox: it sends every reminder that is due, one at a
// time, and puts back one the mail server refused, to be tried again after
// a delay that doubles each time; then it stops, and the rest waits for the
// next run. Each reminder is claimed (with a lease) before it is sent, and
// marked only by the sender that holds the claim, so two senders never send
// the same reminder; only a sender that dies between the server's answer
// and the mark leaves one to be sent again when its lease ends. It returns
// how many were sent and how many failed this time.
func (s *Service) Send(ctx context.Context) (sent, failed int, err error) {
	for ctx.Err() == nil {
		now := s.now().UTC()
		claimed, err := s.store.ClaimDueReminders(ctx, now, now.Add(s.opt.Lease), 1)
		if err != nil || len(claimed) == 0 {
			return sent, failed, err
		}
		r := claimed[0]
		m := mail.Message{To: r.Recipients[0], Also: r.Recipients[1:], Subject: r.Subject, Text: r.Body,
			ID: fmt.Sprintf("reminder-%d@pctracker", r.ID)}
		if serr := s.sender.Send(ctx, m); serr != nil {
			final := r.Attempts >= s.opt.MaxAttempts
			next := now.Add(s.backoff(r.Attempts))
			s.logger.Warn("reminder not sent", "reminder", r.ID, "attempt", r.Attempts, "final", final, "next", next, "error", serr)
			if err := s.store.MarkReminderRetry(ctx, r, serr.Error(), next, final); err != nil {
				return sent, failed, err
			}
			return sent, failed + 1, nil // the server is struggling: the rest waits for the next run
		}
		if err := s.store.MarkReminderSent(ctx, r, s.now().UTC()); err != nil {
			return sent, failed, err
		}
		sent++
	}
	return sent, failed, ctx.Err()
}

// backoff is the delay before attempt n+1.
func (s *Service) backoff(attempts int) time.Duration {
	return retry.Backoff(s.opt.RetryBase, s.opt.RetryMax, attempts)
}

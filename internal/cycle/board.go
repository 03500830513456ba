package cycle

import (
	"context"
	"sort"
	"time"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// Light is how an organisation stands in a cycle, at a glance.
type Light string

const (
	Green Light = "green" // something accepted
	Amber Light = "amber" // actions with the secretariat, or drafts before the deadline; nothing accepted yet
	Red   Light = "red"   // nothing sent, and the deadline is near or past (drafts after it count as nothing)
	None  Light = "none"  // nothing yet, with time left
	Grey  Light = "grey"  // not expected to report: inactive, or joined after the deadline
)

// NearDays is how close a deadline counts as near.
const NearDays = 14

// Activity is what an organisation did in a cycle, as the store counts it.
type Activity struct {
	Counts       map[string]int // by workflow state
	LastActivity time.Time
}

// BoardRow is one organisation on the reporting-status board.
type BoardRow struct {
	Organisation stakeholder.Stakeholder
	Light        Light
	Counts       map[string]int
	LastActivity *time.Time
	FocalPoint   string // name and email, "" if none
	Deadline     time.Time
	Reminders    int // reminders sent to it in the cycle
}

// Board lists every organisation of a kind and country (all, if empty)
// with where it stands in the cycle of year, reddest first, for the
// secretariat.
func (s *Service) Board(ctx context.Context, by user.Actor, year int, f stakeholder.Filter) (Cycle, []BoardRow, error) {
	store := s.store
	if err := secretariatOnly(by); err != nil {
		return Cycle{}, nil, err
	}
	c, err := store.Cycle(ctx, year)
	if err != nil {
		return Cycle{}, nil, err
	}
	f.All = true // the board shows every organisation
	orgs, _, err := store.Stakeholders(ctx, f)
	if err != nil {
		return c, nil, err
	}
	activity, err := store.CycleActivity(ctx, c.ID)
	if err != nil {
		return c, nil, err
	}
	focal, err := store.FocalPoints(ctx)
	if err != nil {
		return c, nil, err
	}
	ext, err := store.DeadlineExtensions(ctx, c.ID)
	if err != nil {
		return c, nil, err
	}
	reminded, err := store.RemindersSent(ctx, c.ID)
	if err != nil {
		return c, nil, err
	}
	today := date.Day(s.now())
	rows := make([]BoardRow, 0, len(orgs))
	for _, o := range orgs {
		deadline := c.Deadline
		if d, ok := ext[o.ID]; ok && d.After(deadline) {
			deadline = d
		}
		a := activity[o.ID]
		r := BoardRow{Organisation: o, Counts: a.Counts, FocalPoint: focal[o.ID], Deadline: deadline, Reminders: reminded[o.ID]}
		if r.Counts == nil {
			r.Counts = map[string]int{}
		}
		if !a.LastActivity.IsZero() {
			t := a.LastActivity
			r.LastActivity = &t
		}
		r.Light = light(o, r.Counts, deadline, today)
		rows = append(rows, r)
	}
	order := map[Light]int{Red: 0, None: 1, Amber: 2, Green: 3, Grey: 4}
	sort.SliceStable(rows, func(i, j int) bool { return order[rows[i].Light] < order[rows[j].Light] })
	return c, rows, nil
}

func light(o stakeholder.Stakeholder, counts map[string]int, deadline, today time.Time) Light {
	inFlight := counts["submitted"] + counts["changes_requested"]
	switch {
	case counts["accepted"] > 0:
		return Green // it reported, even if it has since left
	case !o.Active, o.SupporterSince != nil && o.SupporterSince.After(deadline):
		return Grey
	case inFlight > 0:
		return Amber
	case counts["draft"] > 0 && today.Before(deadline):
		return Amber // drafting with time left
	case !today.Before(deadline.AddDate(0, 0, -NearDays)):
		return Red // nothing sent, and the deadline is near or past: drafts alone do not count then
	}
	return None
}

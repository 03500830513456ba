// Package date handles calendar days: a cycle's deadline, an action's start,
// the day an organisation joined. A day is kept as UTC midnight so that both
// databases store and return the same value.
package date

import (
	"fmt"
	"time"
)

// Day returns the calendar day of t, in UTC, as UTC midnight.
func Day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DayPtr is Day for optional days.
func DayPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := Day(*t)
	return &d
}

// The years a date may fall in. Nothing pctracker records happened before
// 1900 or is planned after 2200, so a date outside is a typing mistake
// (0206 for 2026) or a probe, which the report, the dashboard and the
// spreadsheets must not have to show.
const (
	MinYear = 1900
	MaxYear = 2200
)

// Check says what is wrong with t as a date a person gave, or "" when
// nothing is: its year must fall between MinYear and MaxYear. Every date
// input (action dates, cycle dates, deadline extensions, report
// cut-offs), on every surface, is held to it.
func Check(t time.Time) string {
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return fmt.Sprintf("must fall between the years %d and %d", MinYear, MaxYear)
	}
	return ""
}

// Parse reads a YYYY-MM-DD day, within the years Check allows. Its error is
// a message fit for the person who typed s, in every place a day is read.
func Parse(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date as YYYY-MM-DD", s)
	}
	if msg := Check(t); msg != "" {
		return time.Time{}, fmt.Errorf("%q: the date %s", s, msg)
	}
	return t, nil
}

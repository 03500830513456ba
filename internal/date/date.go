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

// Parse reads a YYYY-MM-DD day. Its error is a message fit for the person
// who typed s, in every place a day is read.
func Parse(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date as YYYY-MM-DD", s)
	}
	return t, nil
}

package locale_test

import (
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/locale"
)

func TestDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }
	for _, c := range []struct {
		lang string
		at   time.Time
		want string
	}{
		{"en", day(2026, time.November, 11), "11 November 2026"},
		{"fr", day(2026, time.November, 11), "11 novembre 2026"},
		{"en", day(2026, time.October, 1), "1 October 2026"},
		{"fr", day(2026, time.October, 1), "1er octobre 2026"}, // the first of a month is an ordinal in French
		{"fr", day(2027, time.August, 2), "2 août 2027"},
		{"de", day(2026, time.May, 3), "3 May 2026"}, // an unknown language falls back to English
		{"fr", time.Time{}, ""},
	} {
		if got := locale.Date(c.lang, c.at); got != c.want {
			t.Errorf("Date(%s, %s) = %q, want %q", c.lang, c.at.Format(time.DateOnly), got, c.want)
		}
	}
	if got := locale.DateTime("fr", day(2026, time.November, 1)); got != "1er novembre 2026 à 09:30 UTC" {
		t.Errorf("DateTime = %q", got)
	}
}

func TestUnbroken(t *testing.T) {
	if got := locale.Unbroken(locale.Date("fr", time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC))); got != "11\u00a0novembre\u00a02026" {
		t.Errorf("Unbroken = %q: a line may end inside the date", got)
	}
}

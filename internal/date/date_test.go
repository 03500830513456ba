package date_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/date"
)

// Every surface reads a day through Parse, and every domain input checks
// its days with Check: years before 1900 or after 2200 are refused, with
// a message that says which years are allowed.
func TestYears(t *testing.T) {
	for s, ok := range map[string]bool{
		"1900-01-01": true, "2026-10-01": true, "2200-12-31": true,
		"1899-12-31": false, "2201-01-01": false, "0000-01-01": false, "0206-10-01": false, "9999-12-31": false,
	} {
		d, err := date.Parse(s)
		if (err == nil) != ok {
			t.Errorf("Parse(%q): %v", s, err)
		}
		if err != nil && (!strings.Contains(err.Error(), "1900") || !strings.Contains(err.Error(), "2200") || !strings.Contains(err.Error(), s)) {
			t.Errorf("Parse(%q) says %q", s, err)
		}
		if ok && date.Check(d) != "" {
			t.Errorf("Check(%s): %q", s, date.Check(d))
		}
	}
	for _, d := range []time.Time{
		time.Date(1899, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC),
		{},
	} {
		if msg := date.Check(d); !strings.Contains(msg, "between the years 1900 and 2200") {
			t.Errorf("Check(%v): %q", d, msg)
		}
	}
	// The year is the UTC one, as days are kept.
	if msg := date.Check(time.Date(1900, 1, 1, 0, 30, 0, 0, time.FixedZone("+01", 3600))); msg == "" {
		t.Errorf("31 December 1899 UTC was allowed")
	}
	if _, err := date.Parse("2026-02-30"); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("not a date: %v", err)
	}
}

package report_test

import (
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
)

// A cut-off, as a day or as a time, falls between 1900 and 2200 like any
// date a person gives: 0001-01-01 is a typing mistake, not a report of
// nothing.
func TestCutoffYears(t *testing.T) {
	for _, s := range []string{"1899-12-31", "0001-01-01", "1899-12-31T23:59:59Z", "1900-01-01T00:30:00+01:00", "2201-01-01"} {
		var o report.CompileOptions
		err := o.SetCutoff(s)
		if msg := errs.FieldsOf(err)["cutoff_at"]; !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "1900 and 2200") || !o.Cutoff.IsZero() {
			t.Errorf("SetCutoff(%q): %v, %v", s, err, o.Cutoff)
		}
	}
	for _, s := range []string{"1900-01-01", "1900-01-01T00:00:00Z", "2025-11-08"} {
		var o report.CompileOptions
		if err := o.SetCutoff(s); err != nil || o.Cutoff.IsZero() {
			t.Errorf("SetCutoff(%q): %v", s, err)
		}
	}
}

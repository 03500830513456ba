package cycle_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Each date of a cycle must fall between 1900 and 2200, on create and on
// edit: the order of the dates alone lets an opening in year 1 through.
func TestDateYears(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		before := testutil.Writes(t, db)
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
		for _, tc := range []struct {
			field string
			set   func(in *cycle.Input)
		}{
			{"opens_at", func(in *cycle.Input) { in.OpensAt = day(1899, 12, 31) }},
			{"opens_at", func(in *cycle.Input) { in.OpensAt = day(1, 1, 2) }},
			{"deadline", func(in *cycle.Input) { in.OpensAt, in.Deadline = day(1066, 1, 1), day(1899, 6, 1) }},
			{"report_at", func(in *cycle.Input) { in.ReportAt = day(1850, 1, 1) }},
		} {
			in := cycle.Input{Year: 2027, OpensAt: day(2027, 6, 1), Deadline: day(2027, 10, 1), ForumDate: day(2027, 11, 11)}
			tc.set(&in)
			_, err := s.Cycles.Create(ctx, testutil.System, in)
			if msg := errs.FieldsOf(err)[tc.field]; !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "1900 and 2200") {
				t.Errorf("create, %s: %v", tc.field, err)
			}
			_, err = s.Cycles.Update(ctx, testutil.System, 2026, c.Version, tc.set)
			if msg := errs.FieldsOf(err)[tc.field]; !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "1900 and 2200") {
				t.Errorf("update, %s: %v", tc.field, err)
			}
		}
		if after := testutil.Writes(t, db); after != before {
			t.Fatalf("refused dates wrote: %s, then %s", before, after)
		}
	})
}

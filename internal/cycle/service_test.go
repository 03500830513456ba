package cycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/date"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func day(s string) time.Time { d, _ := date.Parse(s); return d }

func TestCreateCycle(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2026, OpensAt: day("2026-06-01"),
			Deadline: day("2026-10-01"), ForumDate: day("2026-11-11")})
		if err != nil {
			t.Fatal(err)
		}
		if !c.ReportAt.Equal(day("2026-10-21")) || c.Embargo != cycle.Immediate {
			t.Errorf("defaults: report %v embargo %s", c.ReportAt, c.Embargo)
		}
		got, err := s.Cycles.Get(ctx, 2026)
		if err != nil || !got.OpensAt.Equal(day("2026-06-01")) || !got.ForumDate.Equal(day("2026-11-11")) {
			t.Fatalf("stored dates: %+v %v", got, err)
		}
		_, err = s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2026, OpensAt: day("2026-06-01"),
			Deadline: day("2026-10-01"), ForumDate: day("2026-11-11")})
		if !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["year"] == "" {
			t.Errorf("a year twice: %v", err)
		}
		bad := []struct {
			in    cycle.Input
			field string
		}{
			{cycle.Input{Year: 2027, OpensAt: day("2027-10-01"), Deadline: day("2027-06-01"), ForumDate: day("2027-11-11")}, "deadline"},
			{cycle.Input{Year: 2027, OpensAt: day("2027-06-01"), Deadline: day("2027-10-01"), ReportAt: day("2027-09-01"), ForumDate: day("2027-11-11")}, "report_at"},
			{cycle.Input{Year: 2027, OpensAt: day("2027-06-01"), Deadline: day("2027-10-01"), ForumDate: day("2028-11-11")}, "forum_date"},
			{cycle.Input{Year: 2027, OpensAt: day("2027-06-01"), Deadline: day("2027-10-01"), ForumDate: day("2027-11-11"), Embargo: "later"}, "embargo"},
			{cycle.Input{Year: 2027}, "opens_at"},
		}
		for _, b := range bad {
			if _, err := s.Cycles.Create(ctx, testutil.System, b.in); errs.FieldsOf(err)[b.field] == "" {
				t.Errorf("%+v: want field %s, got %v", b.in, b.field, err)
			}
		}
		all, _ := s.Cycles.List(ctx)
		if len(all) != 1 {
			t.Errorf("nothing written by refused input: %d cycles", len(all))
		}
	})
}

func TestStatusAndCurrent(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		if _, err := s.Cycles.Current(ctx); !errs.Is(err, errs.NotFound) {
			t.Errorf("no cycle: %v", err)
		}
		s.Cycle(t, 2025)
		c := s.Cycle(t, 2026)
		for _, tc := range []struct {
			at   string
			want cycle.Status
		}{{"2026-05-31", cycle.Upcoming}, {"2026-06-01", cycle.Open}, {"2026-10-01", cycle.Open}, {"2026-10-02", cycle.Closed}} {
			if got := c.StatusOn(day(tc.at).Add(15 * time.Hour)); got != tc.want {
				t.Errorf("%s: %s, want %s", tc.at, got, tc.want)
			}
		}
		s.Clock.Set(day("2026-03-01"))
		if cur, _ := s.Cycles.Current(ctx); cur.Year != 2025 {
			t.Errorf("before 2026 opens the current cycle is 2025, got %d", cur.Year)
		}
		s.Clock.Set(day("2026-07-01"))
		if cur, _ := s.Cycles.Current(ctx); cur.Year != 2026 {
			t.Errorf("current: %d", cur.Year)
		}
	})
}

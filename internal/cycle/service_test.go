package cycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/date"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
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

func TestUpdateAndExtend(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		org := s.Stakeholder(t, stakeholder.State)
		up, err := s.Cycles.Update(ctx, testutil.System, 2026, c.Version, func(in *cycle.Input) {
			in.Deadline, in.Embargo = day("2026-10-08"), cycle.UntilForum
		})
		if err != nil || up.Version != 2 || !up.Deadline.Equal(day("2026-10-08")) || up.Embargo != cycle.UntilForum {
			t.Fatalf("update: %+v %v", up, err)
		}
		if got, _ := s.Cycles.Get(ctx, 2026); got.Version != 2 || !got.Deadline.Equal(day("2026-10-08")) {
			t.Errorf("stored: %+v", got)
		}
		if _, err := s.Cycles.Update(ctx, testutil.System, 2026, 1, func(in *cycle.Input) {}); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale edit: %v", err)
		}
		if _, err := s.Cycles.Update(ctx, testutil.System, 2026, 0, func(in *cycle.Input) { in.ReportAt = day("2026-09-01") }); errs.FieldsOf(err)["report_at"] == "" {
			t.Errorf("dates out of order: %v", err)
		}
		supporter := user.Actor{UserID: 99, Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint}
		if _, err := s.Cycles.Update(ctx, supporter, 2026, 0, func(in *cycle.Input) {}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter edits a cycle: %v", err)
		}
		if _, err := s.Cycles.Create(ctx, supporter, cycle.Input{Year: 2030}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter creates a cycle: %v", err)
		}
		// Extensions: after the deadline, no later than the report date.
		for d, ok := range map[string]bool{"2026-10-05": false, "2026-10-15": true, "2026-10-30": false} {
			_, err := s.Cycles.Extend(ctx, testutil.System, 2026, org.ID, day(d))
			if (err == nil) != ok {
				t.Errorf("extension to %s: %v", d, err)
			}
		}
		if _, err := s.Cycles.Extend(ctx, testutil.System, 2026, 999999, day("2026-10-15")); errs.FieldsOf(err)["stakeholder_id"] == "" {
			t.Errorf("extension for no organisation: %v", err)
		}
		if d, ok, _ := db.DeadlineExtension(ctx, c.ID, org.ID); !ok || !d.Equal(day("2026-10-15")) {
			t.Errorf("stored extension: %v %v", d, ok)
		}
		// New dates may not strand the extension granted to 2026-10-15.
		for field, change := range map[string]func(*cycle.Input){
			"deadline":  func(in *cycle.Input) { in.Deadline = day("2026-10-15") },
			"report_at": func(in *cycle.Input) { in.ReportAt = day("2026-10-14") },
		} {
			if _, err := s.Cycles.Update(ctx, testutil.System, 2026, 0, change); errs.FieldsOf(err)[field] == "" {
				t.Errorf("a %s change that strands an extension: %v", field, err)
			}
		}
		if up, err := s.Cycles.Update(ctx, testutil.System, 2026, 0, func(in *cycle.Input) { in.Deadline = day("2026-10-14") }); err != nil || up.Version != 3 {
			t.Errorf("a deadline still before the extension: %+v %v", up, err)
		}
	})
}

func TestBoard(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db) // 1 September 2026; the 2026 deadline is 1 October
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		green, amber, red, grey := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		s.Stakeholders.Update(ctx, testutil.System, grey.ID, 0, func(cur *stakeholder.Input) {
			*cur = stakeholder.Input{Name: grey.Name, Kind: grey.Kind, Country: grey.Country, Active: false}
		})
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "f@green.example", Name: "Focal", Role: user.Supporter, StakeholderID: green.ID, OrgRole: user.FocalPoint}); err != nil {
			t.Fatal(err)
		}
		a := s.Action(t, green, c)
		a, _ = s.Actions.Move(ctx, testutil.System, a.ID, 0, "submitted", "")
		s.Actions.Move(ctx, testutil.System, a.ID, 0, "accepted", "")
		s.Action(t, amber, c)

		_, rows, err := s.Cycles.Board(ctx, testutil.System, 2026, stakeholder.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		lights := map[int64]cycle.Light{}
		for _, r := range rows {
			lights[r.Organisation.ID] = r.Light
			if r.Organisation.ID == green.ID && (r.FocalPoint != "Focal <f@green.example>" || r.LastActivity == nil || r.Counts["accepted"] != 1) {
				t.Errorf("green row: %+v", r)
			}
		}
		// With a month to go, nothing yet is not red.
		if lights[green.ID] != cycle.Green || lights[amber.ID] != cycle.Amber || lights[red.ID] != cycle.None || lights[grey.ID] != cycle.Grey {
			t.Errorf("lights on 1 September: %v", lights)
		}
		s.Clock.Set(day("2026-09-20"))
		_, rows, _ = s.Cycles.Board(ctx, testutil.System, 2026, stakeholder.Filter{})
		if rows[0].Organisation.ID != red.ID || rows[0].Light != cycle.Red {
			t.Errorf("near the deadline the silent organisation is red and first: %+v", rows[0])
		}
		// An extension moves an organisation's deadline, and its light.
		s.Cycles.Extend(ctx, testutil.System, 2026, red.ID, day("2026-10-20"))
		_, rows, _ = s.Cycles.Board(ctx, testutil.System, 2026, stakeholder.Filter{})
		for _, r := range rows {
			if r.Organisation.ID == red.ID && r.Light != cycle.None {
				t.Errorf("with an extension: %s", r.Light)
			}
		}
		// After the deadline, drafts alone are red; an organisation that
		// reported stays green after it leaves.
		s.Clock.Set(day("2026-10-02"))
		s.Stakeholders.Update(ctx, testutil.System, green.ID, 0, func(cur *stakeholder.Input) {
			*cur = stakeholder.Input{Name: green.Name, Kind: green.Kind, Country: green.Country, Active: false}
		})
		_, rows, _ = s.Cycles.Board(ctx, testutil.System, 2026, stakeholder.Filter{})
		for _, r := range rows {
			lights[r.Organisation.ID] = r.Light
		}
		if lights[amber.ID] != cycle.Red || lights[green.ID] != cycle.Green || lights[grey.ID] != cycle.Grey {
			t.Errorf("lights after the deadline: %v", lights)
		}
		if _, _, err := s.Cycles.Board(ctx, user.Actor{UserID: 5, Role: user.Supporter, StakeholderID: green.ID}, 2026, stakeholder.Filter{}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter reads the board: %v", err)
		}
	})
}

// The board shows every organisation, however many.
func TestBoardShowsAll(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	s := testutil.NewServices(db)
	s.Cycle(t, 2026)
	for i := 0; i < 510; i++ {
		s.Stakeholder(t, stakeholder.Company)
	}
	_, rows, err := s.Cycles.Board(context.Background(), testutil.System, 2026, stakeholder.Filter{})
	if err != nil || len(rows) != 510 {
		t.Errorf("board rows: %d %v", len(rows), err)
	}
}

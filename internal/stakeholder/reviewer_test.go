package stakeholder_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReviewsOn(t *testing.T) {
	reviewer := stakeholder.Stakeholder{Kind: stakeholder.CivilSociety, Verified: true, Active: true, Reviewer: true,
		ReviewerSince: ptr(day(2026, 9, 1)), ReviewerUntil: ptr(day(2026, 12, 31))}
	with := func(change func(*stakeholder.Stakeholder)) stakeholder.Stakeholder {
		s := reviewer
		change(&s)
		return s
	}
	for _, c := range []struct {
		name string
		s    stakeholder.Stakeholder
		on   time.Time
		want bool
	}{
		{"within the days", reviewer, day(2026, 10, 15), true},
		{"its first day", reviewer, day(2026, 9, 1), true},
		{"its last day, late in the evening", reviewer, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), true},
		{"the day before", reviewer, day(2026, 8, 31), false},
		{"the day after", reviewer, day(2027, 1, 1), false},
		{"academia", with(func(s *stakeholder.Stakeholder) { s.Kind = stakeholder.Academia }), day(2026, 10, 15), true},
		{"no end", with(func(s *stakeholder.Stakeholder) { s.ReviewerUntil = nil }), day(2040, 1, 1), true},
		{"no start", with(func(s *stakeholder.Stakeholder) { s.ReviewerSince = nil }), day(2020, 1, 1), true},
		{"not designated", with(func(s *stakeholder.Stakeholder) { s.Reviewer = false }), day(2026, 10, 15), false},
		{"inactive", with(func(s *stakeholder.Stakeholder) { s.Active = false }), day(2026, 10, 15), false},
		{"no longer verified", with(func(s *stakeholder.Stakeholder) { s.Verified = false }), day(2026, 10, 15), false},
		{"a company, flagged by hand", with(func(s *stakeholder.Stakeholder) { s.Kind = stakeholder.Company }), day(2026, 10, 15), false},
		{"a state, flagged by hand", with(func(s *stakeholder.Stakeholder) { s.Kind = stakeholder.State }), day(2026, 10, 15), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.ReviewsOn(c.on); got != c.want {
				t.Errorf("ReviewsOn(%s) = %t, want %t", c.on.Format(time.RFC3339), got, c.want)
			}
		})
	}
}

func TestReviewerValidation(t *testing.T) {
	valid := stakeholder.Input{Name: "Digital Rights Watch", Kind: stakeholder.CivilSociety, Country: "BE", Verified: true, Active: true, Reviewer: true}
	with := func(change func(*stakeholder.Input)) stakeholder.Input {
		in := valid
		change(&in)
		return in
	}
	for _, c := range []struct {
		name  string
		in    stakeholder.Input
		field string // the field refused, "" for none
	}{
		{"verified civil society", valid, ""},
		{"verified academia, with an end", with(func(in *stakeholder.Input) {
			in.Kind, in.ReviewerUntil = stakeholder.Academia, ptr(day(2027, 6, 30))
		}), ""},
		{"not a reviewer: any kind", with(func(in *stakeholder.Input) { in.Kind, in.Reviewer = stakeholder.Company, false }), ""},
		{"a company", with(func(in *stakeholder.Input) { in.Kind = stakeholder.Company }), "reviewer"},
		{"a state", with(func(in *stakeholder.Input) { in.Kind, in.Country = stakeholder.State, "FR" }), "reviewer"},
		{"a public authority", with(func(in *stakeholder.Input) { in.Kind = stakeholder.PublicAuthority }), "reviewer"},
		{"an international organisation", with(func(in *stakeholder.Input) { in.Kind, in.Country = stakeholder.InternationalOrg, "" }), "reviewer"},
		{"unverified civil society", with(func(in *stakeholder.Input) { in.Verified = false }), "reviewer"},
		{"an end after 2200", with(func(in *stakeholder.Input) { in.ReviewerUntil = ptr(day(2201, 1, 1)) }), "reviewer_until"},
		{"an end before 1900", with(func(in *stakeholder.Input) { in.ReviewerUntil = ptr(day(1899, 12, 31)) }), "reviewer_until"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[c.field] == "" {
				t.Fatalf("want a field error on %s, got %v", c.field, err)
			}
		})
	}
	if msg := errs.FieldsOf(with(func(in *stakeholder.Input) { in.Kind = stakeholder.Company }).Validate())["reviewer"]; msg != "only verified civil-society or academic organisations can be reviewers" {
		t.Errorf("the message: %q", msg)
	}
}

// Designating a reviewer: since is the day the flag turns on and stays
// while it is on; off clears both days; each change of the flag or the
// end is its own audit entry, written with the change.
func TestDesignateReviewer(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		today := day(2026, 9, 1) // the clock's day
		org, err := s.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "Cyber Policy Lab", Kind: stakeholder.Academia,
			Country: "CA", Verified: true, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		entries := func() []audit.Entry {
			t.Helper()
			list, _, err := db.AuditEntries(ctx, audit.Filter{Verb: "stakeholder.reviewer"})
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		update := func(version int, change func(*stakeholder.Input)) (stakeholder.Stakeholder, error) {
			return s.Stakeholders.Update(ctx, testutil.System, org.ID, version, change)
		}

		// On: since today, no end, one entry.
		got, err := update(org.Version, func(in *stakeholder.Input) { in.Reviewer = true })
		if err != nil {
			t.Fatal(err)
		}
		if !got.Reviewer || got.ReviewerSince == nil || !got.ReviewerSince.Equal(today) || got.ReviewerUntil != nil || !got.ReviewsOn(today) {
			t.Fatalf("designated: %+v", got)
		}
		stored, _ := s.Stakeholders.Get(ctx, org.ID)
		if !stored.Reviewer || stored.ReviewerSince == nil || !stored.ReviewerSince.Equal(today) || stored.ReviewerUntil != nil {
			t.Errorf("stored: %+v", stored)
		}
		if list := entries(); len(list) != 1 || list[0].Details["reviewer"] != true || list[0].Details["since"] != "2026-09-01T00:00:00Z" ||
			list[0].Details["until"] != nil || list[0].ObjectID != strconv.FormatInt(org.ID, 10) {
			t.Fatalf("entries after the designation: %+v", list)
		}

		// An edit of something else keeps since, and writes no entry.
		s.Clock.Add(48 * time.Hour)
		if got, err = update(got.Version, func(in *stakeholder.Input) { in.Website = "https://lab.example.org" }); err != nil {
			t.Fatal(err)
		}
		if got.ReviewerSince == nil || !got.ReviewerSince.Equal(today) || len(entries()) != 1 {
			t.Errorf("after another edit: since %v, %d entries", got.ReviewerSince, len(entries()))
		}

		// An end: kept, with since, and told.
		if got, err = update(got.Version, func(in *stakeholder.Input) { in.ReviewerUntil = ptr(day(2027, 6, 30)) }); err != nil {
			t.Fatal(err)
		}
		if !got.ReviewerSince.Equal(today) || got.ReviewerUntil == nil || !got.ReviewerUntil.Equal(day(2027, 6, 30)) {
			t.Errorf("with an end: %+v", got)
		}
		if list := entries(); len(list) != 2 || list[0].Details["until"] != "2027-06-30T00:00:00Z" {
			t.Errorf("entries after the end was set: %+v", list)
		}

		// An end in the past is refused; nothing is written.
		before := testutil.Writes(t, db)
		_, err = update(got.Version, func(in *stakeholder.Input) { in.ReviewerUntil = ptr(day(2026, 9, 2)) })
		if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["reviewer_until"] == "" {
			t.Errorf("an end before today: %v", err)
		}
		if after := testutil.Writes(t, db); after != before {
			t.Errorf("a refused end wrote: %s, then %s", before, after)
		}

		// Off: both days cleared, and told.
		if got, err = update(got.Version, func(in *stakeholder.Input) { in.Reviewer = false }); err != nil {
			t.Fatal(err)
		}
		if got.Reviewer || got.ReviewerSince != nil || got.ReviewerUntil != nil || got.ReviewsOn(s.Clock.Now()) {
			t.Errorf("after the end of the designation: %+v", got)
		}
		if list := entries(); len(list) != 3 || list[0].Details["reviewer"] != false || list[0].Details["since"] != nil {
			t.Errorf("entries after the end of the designation: %+v", list)
		}

		// On again: since is the new day.
		if got, err = update(got.Version, func(in *stakeholder.Input) { in.Reviewer = true }); err != nil {
			t.Fatal(err)
		}
		if got.ReviewerSince == nil || !got.ReviewerSince.Equal(day(2026, 9, 3)) {
			t.Errorf("designated again: since %v", got.ReviewerSince)
		}

		// A stale version: a conflict, nothing written.
		before = testutil.Writes(t, db)
		if _, err := update(got.Version-1, func(in *stakeholder.Input) { in.Reviewer = false }); !errs.Is(err, errs.Conflict) {
			t.Errorf("a stale designation: %v", err)
		}
		if after := testutil.Writes(t, db); after != before {
			t.Errorf("a stale designation wrote: %s, then %s", before, after)
		}
	})
}

// Only verified civil society and academia are designated; anything else
// is refused on the field reviewer, and nothing is written.
func TestDesignateReviewerRefused(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		company := s.Stakeholder(t, stakeholder.Company)
		if _, err := s.Stakeholders.Update(ctx, testutil.System, company.ID, company.Version, func(in *stakeholder.Input) { in.Verified = true }); err != nil {
			t.Fatal(err)
		}
		unverified := s.Stakeholder(t, stakeholder.CivilSociety)
		for _, c := range []struct {
			name string
			id   int64
		}{
			{"a verified company", company.ID},
			{"unverified civil society", unverified.ID},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := testutil.Writes(t, db)
				_, err := s.Stakeholders.Update(ctx, testutil.System, c.id, 0, func(in *stakeholder.Input) { in.Reviewer = true })
				if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["reviewer"] == "" {
					t.Fatalf("want a refusal on reviewer, got %v", err)
				}
				if after := testutil.Writes(t, db); after != before {
					t.Errorf("a refused designation wrote: %s, then %s", before, after)
				}
			})
		}
		// A reviewer that is no longer verified is refused too, until the
		// flag is taken off with it.
		lab, err := s.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "Lab", Kind: stakeholder.Academia, Country: "JP",
			Verified: true, Active: true, Reviewer: true})
		if err != nil || !lab.Reviewer || lab.ReviewerSince == nil {
			t.Fatalf("created as a reviewer: %+v %v", lab, err)
		}
		if _, err := s.Stakeholders.Update(ctx, testutil.System, lab.ID, lab.Version, func(in *stakeholder.Input) { in.Verified = false }); errs.FieldsOf(err)["reviewer"] == "" {
			t.Errorf("unverifying a reviewer: %v", err)
		}
		if _, err := s.Stakeholders.Update(ctx, testutil.System, lab.ID, lab.Version, func(in *stakeholder.Input) { in.Verified, in.Reviewer = false, false }); err != nil {
			t.Errorf("unverifying and ending the designation: %v", err)
		}
	})
}

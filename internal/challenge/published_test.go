package challenge_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// What the public reads of challenges: the published ones only, of the
// actions it sees (a withdrawn action takes its challenges with it), a
// pseudonymous reviewer unnamed; the open data walks them all by id.
func TestPublishedChallenges(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		reviewer := s.Reviewer(t, stakeholder.CivilSociety)
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		named, unnamed := input(), input()
		named.Pseudonymous = false
		decided := challenge.Decision{Outcome: challenge.Upheld, Reasons: "The findings stand."}
		var ids []int64
		for _, in := range []challenge.Input{named, unnamed, named} {
			a := s.Accepted(t, org, c, testutil.ActionInput())
			ids = append(ids, s.PublishedChallenge(t, reviewer, a, in, "We disagree.", decided).ID)
		}
		withdrawn := s.Accepted(t, org, c, testutil.ActionInput())
		s.PublishedChallenge(t, reviewer, withdrawn, named, "", decided)
		if _, err := s.Actions.Move(ctx, testutil.System, withdrawn.ID, 0, action.Withdrawn, "Superseded."); err != nil {
			t.Fatal(err)
		}
		// A challenge still open is nobody's but its parties'.
		p := newPeople(t, s, reviewer, org, s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company))
		open, err := s.Challenges.File(ctx, p.reviewer, s.Accepted(t, org, c, testutil.ActionInput()).ID, input())
		yes := true
		if err == nil {
			_, err = s.Challenges.Screen(ctx, p.secretariat, open.ID, 0, &yes, "")
		}
		if err != nil {
			t.Fatal(err)
		}

		list, n, err := s.Challenges.Published(ctx, challenge.Filter{})
		if err != nil || n != 3 || len(list) != 3 {
			t.Fatalf("published: %d %v", n, err)
		}
		for _, got := range list {
			if got.Pseudonymous == (got.Reviewer != "") || got.Pseudonymous == (got.ReviewerID != 0) || got.State != challenge.Published {
				t.Errorf("challenge %d as the public reads it: %q (%d), pseudonymous %t", got.ID, got.Reviewer, got.ReviewerID, got.Pseudonymous)
			}
		}
		var walked []int64
		err = s.Challenges.EachPublished(ctx, func(batch []challenge.Challenge) error {
			for _, got := range batch {
				walked = append(walked, got.ID)
			}
			return nil
		})
		if err != nil || !slices.Equal(walked, ids) {
			t.Errorf("walked %v, %v; want %v", walked, err, ids)
		}
	})
}

// The days a challenged organisation had to reply, from the challenge's
// own dates: a later change of the setting leaves them as they were.
func TestReplyDays(t *testing.T) {
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	for _, c := range []struct {
		name     string
		screened *time.Time
		due      *time.Time
		want     int
	}{
		{"not opened", nil, nil, 0},
		{"thirty days", at("2026-09-01T17:45:00Z"), at("2026-10-01T00:00:00Z"), 30},
		{"a week, opened just before midnight", at("2026-09-01T23:59:59Z"), at("2026-09-08T00:00:00Z"), 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := (challenge.Challenge{ScreenedAt: c.screened, ReplyDue: c.due}).ReplyDays(); got != c.want {
				t.Errorf("%d days, want %d", got, c.want)
			}
		})
	}
}

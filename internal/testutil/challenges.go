package testutil

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// PublishedChallenge takes a challenge of the public action a, filed by a
// person of reviewer, through every step to its publication: opened by
// the secretariat, answered by a focal point of a's organisation with
// reply, decided d and published. With no reply the organisation's time
// runs out: the clock moves to the day after the deadline. It returns the
// challenge as the secretariat reads it.
func (s *Services) PublishedChallenge(t testing.TB, reviewer stakeholder.Stakeholder, a action.Action, in challenge.Input,
	reply string, d challenge.Decision) challenge.Challenge {
	t.Helper()
	ctx := context.Background()
	person := func(org int64, role user.OrgRole) user.Actor {
		email := fmt.Sprintf("person%d@fixture.example", seq.Add(1))
		u, err := s.Users.Create(ctx, System, user.Input{Email: email, Name: email, Role: user.Supporter, StakeholderID: org, OrgRole: role})
		if err != nil {
			t.Fatalf("fixture challenge: %v", err)
		}
		return u.Actor()
	}
	c, err := s.Challenges.File(ctx, person(reviewer.ID, user.Member), a.ID, in)
	yes := true
	if err == nil {
		c, err = s.Challenges.Screen(ctx, System, c.ID, 0, &yes, "")
	}
	if err == nil && reply != "" {
		c, err = s.Challenges.Reply(ctx, person(a.StakeholderID, user.FocalPoint), c.ID, 0, reply, nil)
	}
	if err == nil && reply == "" {
		s.Clock.Set(c.ReplyDue.AddDate(0, 0, 1).Add(9 * time.Hour))
	}
	if err == nil {
		c, err = s.Challenges.Decide(ctx, System, c.ID, 0, d)
	}
	if err == nil {
		c, err = s.Challenges.Publish(ctx, System, c.ID, 0)
	}
	if err != nil {
		t.Fatalf("fixture challenge: %v", err)
	}
	return c
}

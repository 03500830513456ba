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

// person adds a person of an organisation, with an address of their own.
func (s *Services) person(t testing.TB, org int64, role user.OrgRole) user.Actor {
	t.Helper()
	email := fmt.Sprintf("person%d@fixture.example", seq.Add(1))
	u, err := s.Users.Create(context.Background(), System, user.Input{Email: email, Name: email, Role: user.Supporter,
		StakeholderID: org, OrgRole: role})
	if err != nil {
		t.Fatalf("fixture person: %v", err)
	}
	return u.Actor()
}

// OpenChallenge files a challenge of the public action a by a person of
// reviewer, and the secretariat opens it to the organisation's reply.
func (s *Services) OpenChallenge(t testing.TB, reviewer stakeholder.Stakeholder, a action.Action, in challenge.Input) challenge.Challenge {
	t.Helper()
	ctx := context.Background()
	c, err := s.Challenges.File(ctx, s.person(t, reviewer.ID, user.Member), a.ID, in)
	yes := true
	if err == nil {
		c, err = s.Challenges.Screen(ctx, System, c.ID, 0, &yes, "")
	}
	if err != nil {
		t.Fatalf("fixture challenge: %v", err)
	}
	return c
}

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
	c := s.OpenChallenge(t, reviewer, a, in)
	var err error
	if reply != "" {
		c, err = s.Challenges.Reply(ctx, s.person(t, a.StakeholderID, user.FocalPoint), c.ID, 0, reply, nil)
	} else {
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

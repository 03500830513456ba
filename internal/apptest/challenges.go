package apptest

import (
	"context"
	"fmt"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Challenged are public actions of a scenario's 2026 cycle, each with its
// own title, and the challenges of them the public must tell apart.
type Challenged struct {
	// Upheld (of sc.Org, recommendations 2 and 4) has a challenge upheld
	// and published, whose reviewer, a civil-society organisation, chose
	// not to be named; the organisation replied; the decision set the
	// action's stage to planned. Its statement and the action's title try
	// to end a script and start a formula.
	Upheld          action.Action
	UpheldChallenge challenge.Challenge
	Anonymous       stakeholder.Stakeholder // its reviewer, never to be named in public
	// Dismissed (of sc.OtherOrg, recommendation 4) has a challenge of a
	// named academic reviewer, dismissed with no reply in time.
	Dismissed          action.Action
	DismissedChallenge challenge.Challenge
	Named              stakeholder.Stakeholder
	// Pending (of sc.Org) has a challenge of the anonymous reviewer, open
	// to the organisation's reply: nothing of it is public.
	Pending          action.Action
	PendingStatement string
	// Plain (of sc.OtherOrg) has no challenge.
	Plain action.Action
}

// Challenges fills the scenario with Challenged. The dismissed challenge
// waits out the time to reply: the clock stands on 2 October 2026 after.
func (sc *Scenario) Challenges(t *testing.T) Challenged {
	t.Helper()
	ctx := context.Background()
	s := sc.S
	c, err := s.Cycles.Get(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	accepted := func(org stakeholder.Stakeholder, title string, recs ...int) action.Action {
		in := testutil.ActionInput()
		in.Title, in.Recommendations = title, recs
		return s.Accepted(t, org, c, in)
	}
	var ch Challenged
	ch.Upheld = accepted(sc.Org, `Spyware export ban </script><script>alert("title")</script>`, 2, 4)
	ch.Dismissed = accepted(sc.OtherOrg, "Vendor register for intrusion software", 4)
	ch.Pending = accepted(sc.Org, "Oversight board for surveillance purchases", 3)
	ch.Plain = accepted(sc.OtherOrg, "Guidelines on lawful hacking", 1)
	ch.Anonymous, ch.Named = s.Reviewer(t, stakeholder.CivilSociety), s.Reviewer(t, stakeholder.Academia)
	// A name no other contains, so that a test that looks for it finds
	// only it.
	ch.Anonymous, err = s.Stakeholders.Update(ctx, testutil.System, ch.Anonymous.ID, ch.Anonymous.Version, func(in *stakeholder.Input) {
		in.Name = fmt.Sprintf("Numbat Forensics (%d)", ch.Anonymous.ID)
	})
	if err != nil {
		t.Fatal(err)
	}

	ch.UpheldChallenge = s.PublishedChallenge(t, ch.Anonymous, ch.Upheld, challenge.Input{Grounds: challenge.ContradictedByFindings,
		Statement: "=HYPERLINK(\"https://evil.example\") Forensic analysis found **spyware** sold after the ban.\n\n" +
			`</script><script>alert("statement")</script>`,
		Evidence:     []action.Evidence{{Kind: "report", URL: "https://lab.example.org/forensics", Title: "Forensic report"}},
		Pseudonymous: true},
		"The sales predate the ban.",
		challenge.Decision{Outcome: challenge.Upheld, Reasons: "The findings stand.\n\nThe sales continued after the ban.", Stage: action.Planned})

	ch.PendingStatement = "Unpublished wombat statement: the board never met."
	s.OpenChallenge(t, ch.Anonymous, ch.Pending, challenge.Input{Grounds: challenge.Outdated, Statement: ch.PendingStatement, Pseudonymous: true})

	ch.DismissedChallenge = s.PublishedChallenge(t, ch.Named, ch.Dismissed, challenge.Input{Grounds: challenge.EvidenceDoesNotSupport,
		Statement: "The register lists no vendor."}, "",
		challenge.Decision{Outcome: challenge.Dismissed, Reasons: "The register lists three vendors since March."})
	return ch
}

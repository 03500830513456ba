package challenge_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

type people struct {
	reviewer, reviewerFocal, focal, member, outsider, company, secretariat user.Actor
}

func newPeople(t *testing.T, s *testutil.Services, reviewer, org, other, company stakeholder.Stakeholder) people {
	t.Helper()
	mk := func(email string, role user.Role, sid int64, orgRole user.OrgRole) user.Actor {
		u, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: email, Name: email, Role: role, StakeholderID: sid, OrgRole: orgRole})
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	return people{
		reviewer:      mk("analyst@reviewer.example", user.Supporter, reviewer.ID, user.Member),
		reviewerFocal: mk("focal@reviewer.example", user.Supporter, reviewer.ID, user.FocalPoint),
		focal:         mk("focal@own.example", user.Supporter, org.ID, user.FocalPoint),
		member:        mk("member@own.example", user.Supporter, org.ID, user.Member),
		outsider:      mk("focal@other.example", user.Supporter, other.ID, user.FocalPoint),
		company:       mk("focal@company.example", user.Supporter, company.ID, user.FocalPoint),
		secretariat:   mk("sec@pc.example", user.Secretariat, 0, ""),
	}
}

func input() challenge.Input {
	return challenge.Input{Grounds: challenge.ContradictedByFindings,
		Statement: "Forensic analysis found **spyware** deployed after the decree.",
		Evidence:  []action.Evidence{{Kind: "report", URL: "https://lab.example.org/report", Title: "Forensic report"}}, Pseudonymous: true}
}

// A challenge from filing to publication, each step refused to whoever may
// not take it, and seen by each party as it may see it.
func TestChallengeFlow(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		reviewer := s.Reviewer(t, stakeholder.CivilSociety)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		company := s.Stakeholder(t, stakeholder.Company)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, reviewer, org, other, company)
		a := s.Accepted(t, org, c, testutil.ActionInput())
		own := s.Accepted(t, reviewer, c, testutil.ActionInput())
		draft := s.Action(t, org, c)
		ch := s.Challenges

		// Filing: a reviewer's people only, on a public action of another
		// organisation, with grounds and a statement.
		for _, tc := range []struct {
			name  string
			by    user.Actor
			id    int64
			in    func(*challenge.Input)
			kind  errs.Kind
			field string
		}{
			{"no one", user.Actor{}, a.ID, nil, errs.Unauthorized, ""},
			{"the secretariat", p.secretariat, a.ID, nil, errs.Forbidden, ""},
			{"an organisation that is no reviewer", p.company, a.ID, nil, errs.Forbidden, ""},
			{"its own organisation's action", p.reviewer, own.ID, nil, errs.Forbidden, ""},
			{"a draft", p.reviewer, draft.ID, nil, errs.NotFound, ""},
			{"a missing action", p.reviewer, 999999, nil, errs.NotFound, ""},
			{"no grounds", p.reviewer, a.ID, func(in *challenge.Input) { in.Grounds = "" }, errs.Invalid, "grounds"},
			{"no statement", p.reviewer, a.ID, func(in *challenge.Input) { in.Statement = " " }, errs.Invalid, "statement"},
			{"a link that is not http", p.reviewer, a.ID, func(in *challenge.Input) { in.Evidence[0].URL = "javascript:alert(1)" }, errs.Invalid, "evidence.0.url"},
		} {
			t.Run("file/"+tc.name, func(t *testing.T) {
				in := input()
				if tc.in != nil {
					tc.in(&in)
				}
				_, err := ch.File(ctx, tc.by, tc.id, in)
				if !errs.Is(err, tc.kind) || (tc.field != "" && errs.FieldsOf(err)[tc.field] == "") {
					t.Errorf("got %v (%v), want %s on %q", err, errs.FieldsOf(err), tc.kind, tc.field)
				}
			})
		}
		filed, err := ch.File(ctx, p.reviewer, a.ID, input())
		if err != nil {
			t.Fatal(err)
		}
		if filed.State != challenge.Filed || filed.Reviewer != reviewer.Name || filed.OrganisationID != org.ID {
			t.Errorf("filed: %+v", filed)
		}
		if _, err := ch.File(ctx, p.reviewerFocal, a.ID, input()); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second challenge while the first is pending: %v", err)
		}

		// While it is screened, only the reviewer and the secretariat know.
		visible := func(by user.Actor) bool {
			_, err := ch.Get(ctx, by, filed.ID)
			return err == nil
		}
		for name, want := range map[string]bool{"reviewer": true, "secretariat": true, "focal": false, "outsider": false, "public": false} {
			by := map[string]user.Actor{"reviewer": p.reviewer, "secretariat": p.secretariat, "focal": p.focal, "outsider": p.outsider}[name]
			if got := visible(by); got != want {
				t.Errorf("while filed, %s sees it: %t", name, got)
			}
		}
		if _, err := ch.Reply(ctx, p.focal, filed.ID, 0, "We disagree.", nil); !errs.Is(err, errs.NotFound) {
			t.Errorf("a reply before the opening: %v", err)
		}
		if _, err := ch.Decide(ctx, p.secretariat, filed.ID, 0, challenge.Decision{Outcome: challenge.Upheld, Reasons: "r"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("a decision before the opening: %v", err)
		}

		yes, no := true, false
		if _, err := ch.Screen(ctx, p.reviewer, filed.ID, 0, &yes, ""); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the reviewer screens: %v", err)
		}
		if _, err := ch.Screen(ctx, p.secretariat, filed.ID, 0, nil, ""); errs.FieldsOf(err)["admissible"] == "" {
			t.Errorf("screened without saying: %v", err)
		}
		if _, err := ch.Screen(ctx, p.secretariat, filed.ID, 0, &no, ""); errs.FieldsOf(err)["reason"] == "" {
			t.Errorf("inadmissible without a reason: %v", err)
		}
		if _, err := ch.Screen(ctx, p.secretariat, filed.ID, filed.Version+1, &yes, ""); !errs.Is(err, errs.Conflict) {
			t.Errorf("a stale version: %v", err)
		}
		opened, err := ch.Screen(ctx, p.secretariat, filed.ID, filed.Version, &yes, "")
		if err != nil {
			t.Fatal(err)
		}
		if due := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); opened.State != challenge.Open || opened.ReplyDue == nil || !opened.ReplyDue.Equal(due) {
			t.Errorf("opened: %s, due %v", opened.State, opened.ReplyDue)
		}

		// Open: the challenged organisation sees it, never the
		// pseudonymous reviewer's name; the public still sees nothing.
		seen, err := ch.Get(ctx, p.member, filed.ID)
		if err != nil || seen.ReviewerID != 0 || seen.Reviewer != "" || seen.FiledBy != 0 || seen.ReviewerKind != "" {
			t.Errorf("the challenged organisation sees %+v, %v", seen, err)
		}
		if list, n, err := ch.List(ctx, p.focal, challenge.Filter{}); err != nil || n != 1 || list[0].Reviewer != "" {
			t.Errorf("the challenged organisation's list: %d %v", n, err)
		}
		if _, n, _ := ch.List(ctx, p.outsider, challenge.Filter{}); n != 0 {
			t.Errorf("an outsider lists %d", n)
		}
		if _, n, _ := ch.Published(ctx, challenge.Filter{}); n != 0 {
			t.Errorf("published before the decision: %d", n)
		}
		if _, err := ch.Decide(ctx, p.secretariat, filed.ID, 0, challenge.Decision{Outcome: challenge.Upheld, Reasons: "r"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("a decision while the organisation may still reply: %v", err)
		}

		// The reply: the focal point, once, before the deadline.
		if _, err := ch.Reply(ctx, p.member, filed.ID, 0, "We disagree.", nil); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a member replies: %v", err)
		}
		if _, err := ch.Reply(ctx, p.outsider, filed.ID, 0, "We disagree.", nil); !errs.Is(err, errs.NotFound) {
			t.Errorf("an outsider replies: %v", err)
		}
		if _, err := ch.Reply(ctx, p.focal, filed.ID, 0, "", nil); errs.FieldsOf(err)["reply"] == "" {
			t.Errorf("an empty reply: %v", err)
		}
		replied, err := ch.Reply(ctx, p.focal, filed.ID, 0, "The deployment predates the decree.",
			[]action.Evidence{{Kind: "law", URL: "https://gov.example/decree", Title: "Decree"}})
		if err != nil || replied.RepliedAt == nil {
			t.Fatalf("reply: %v", err)
		}
		if _, err := ch.Reply(ctx, p.focal, filed.ID, 0, "Again.", nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second reply: %v", err)
		}

		// The decision lowers the action's assurance and stage: a new
		// version of the action.
		level, err := s.Actions.SetAssurance(ctx, p.secretariat, a.ID, a.Version, action.EvidenceChecked, "Checked the decree.")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ch.Decide(ctx, p.secretariat, filed.ID, 0, challenge.Decision{Outcome: challenge.Dismissed, Reasons: "r", Stage: action.Planned}); errs.FieldsOf(err)["outcome"] == "" {
			t.Errorf("a dismissal that changes the action: %v", err)
		}
		if _, err := ch.Decide(ctx, p.secretariat, filed.ID, 0, challenge.Decision{Outcome: challenge.Upheld, Reasons: "r", Assurance: action.IndependentlyVerified}); errs.FieldsOf(err)["assurance"] == "" {
			t.Errorf("a decision that raises the level: %v", err)
		}
		decided, err := ch.Decide(ctx, p.secretariat, filed.ID, 0, challenge.Decision{Outcome: challenge.PartlyUpheld,
			Reasons: "The findings postdate the decree in part.", Stage: action.InProgress, Assurance: action.SelfDeclared})
		if err != nil || decided.State != challenge.Decided {
			t.Fatalf("decide: %v", err)
		}
		// Nothing of the decision shows before its publication, not even on
		// the action; it changes with the publication.
		if now, _ := s.Actions.Get(ctx, p.secretariat, a.ID); now.Version != level.Version || now.Stage != a.Stage {
			t.Errorf("the action changed with the decision, before its publication: %s v%d", now.Stage, now.Version)
		}
		if _, n, _ := ch.Published(ctx, challenge.Filter{}); n != 0 {
			t.Errorf("published before publication: %d", n)
		}
		published, err := ch.Publish(ctx, p.secretariat, filed.ID, 0)
		if err != nil || published.State != challenge.Published {
			t.Fatalf("publish: %v", err)
		}
		now, err := s.Actions.Get(ctx, p.secretariat, a.ID)
		if err != nil || now.Stage != action.InProgress || now.Assurance != action.SelfDeclared || now.Version != level.Version+1 {
			t.Errorf("the action after the publication: %s %s v%d, %v", now.Stage, now.Assurance, now.Version, err)
		}
		_, events, _ := s.Actions.History(ctx, p.secretariat, a.ID)
		if last := events[len(events)-1]; last.Decision != action.DecisionChallenge || !strings.Contains(last.Comment, "partly upheld") {
			t.Errorf("the action's history: %+v", last)
		}
		list, n, err := ch.Published(ctx, challenge.Filter{})
		if err != nil || n != 1 || list[0].Reviewer != "" || list[0].ReviewerID != 0 || list[0].Reply == "" || list[0].Outcome != challenge.PartlyUpheld {
			t.Errorf("the public's list: %d %+v %v", n, list, err)
		}
		if got, err := ch.Get(ctx, p.outsider, filed.ID); err != nil || got.Reviewer != "" {
			t.Errorf("an outsider reads the published challenge: %+v %v", got, err)
		}
		if got, _ := ch.Get(ctx, p.secretariat, filed.ID); got.Reviewer != reviewer.Name {
			t.Errorf("the secretariat does not know who filed it")
		}
		// A withdrawn action takes its published challenges out of public
		// view; its parties and the secretariat still read them.
		cur, _ := s.Actions.Get(ctx, p.secretariat, a.ID)
		if _, err := s.Actions.Move(ctx, p.secretariat, a.ID, cur.Version, action.Withdrawn, "Withdrawn after the challenge."); err != nil {
			t.Fatal(err)
		}
		if _, err := ch.Get(ctx, p.outsider, filed.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("an outsider reads the challenge of a withdrawn action: %v", err)
		}
		for _, by := range []user.Actor{p.focal, p.reviewer, p.secretariat} {
			if _, err := ch.Get(ctx, by, filed.ID); err != nil {
				t.Errorf("a party (%d) no longer reads it: %v", by.UserID, err)
			}
		}

		// Every step in the audit log, every step mailed to its parties.
		entries, _, err := db.AuditEntries(ctx, audit.Filter{Verb: "challenge.", Limit: 50})
		if err != nil || len(entries) != 5 {
			t.Errorf("audit: %d entries, %v", len(entries), err)
		}
		kinds := testutil.Column[string](t, db.SQL(), "SELECT kind FROM reminders WHERE kind LIKE 'notice:challenge:%' ORDER BY id")
		for _, want := range []string{":filed:reviewer:", ":opened:challenged:", ":opened:reviewer:", ":replied:reviewer:",
			":decided:challenged:", ":published:challenged:", ":published:reviewer:"} {
			if !strings.Contains(strings.Join(kinds, " "), want) {
				t.Errorf("no notice %s in %v", want, kinds)
			}
		}
		bodies := strings.Join(testutil.Column[string](t, db.SQL(), "SELECT body FROM reminders WHERE kind LIKE 'notice:challenge:%:challenged:%'"), "\n")
		if strings.Contains(bodies, reviewer.Name) || !strings.Contains(bodies, "A reviewer organisation challenges") {
			t.Errorf("the challenged organisation's notices name the pseudonymous reviewer, or not as said: %s", bodies)
		}
	})
}

// A challenge found inadmissible is the reviewer's and the secretariat's
// to read, with its reason; the organisation never hears of it.
func TestInadmissible(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		reviewer := s.Reviewer(t, stakeholder.Academia)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, reviewer, org, other, s.Stakeholder(t, stakeholder.Company))
		a := s.Accepted(t, org, c, testutil.ActionInput())
		filed, err := s.Challenges.File(ctx, p.reviewer, a.ID, input())
		if err != nil {
			t.Fatal(err)
		}
		no := false
		if _, err := s.Challenges.Screen(ctx, p.secretariat, filed.ID, 0, &no, "The statement names no finding."); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Challenges.Get(ctx, p.reviewer, filed.ID); err != nil || got.ScreenReason != "The statement names no finding." {
			t.Errorf("the reviewer reads %+v, %v", got, err)
		}
		if _, err := s.Challenges.Get(ctx, p.focal, filed.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("the organisation reads an inadmissible challenge: %v", err)
		}
		if n := testutil.Column[int](t, db.SQL(), "SELECT count(*) FROM reminders WHERE kind LIKE 'notice:challenge:%:challenged:%'")[0]; n != 0 {
			t.Errorf("the organisation was told %d times", n)
		}
		// Inadmissible, it is no longer pending: the reviewer may file again.
		if _, err := s.Challenges.File(ctx, p.reviewer, a.ID, input()); err != nil {
			t.Errorf("filing again: %v", err)
		}
	})
}

// Without a reply, the decision waits for the deadline, then goes ahead.
func TestDecisionAfterDeadline(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		reviewer := s.Reviewer(t, stakeholder.CivilSociety)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, reviewer, org, other, s.Stakeholder(t, stakeholder.Company))
		a := s.Accepted(t, org, c, testutil.ActionInput())
		filed, err := s.Challenges.File(ctx, p.reviewer, a.ID, input())
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, err := s.Challenges.Screen(ctx, p.secretariat, filed.ID, 0, &yes, ""); err != nil {
			t.Fatal(err)
		}
		d := challenge.Decision{Outcome: challenge.Dismissed, Reasons: "The findings concern another programme."}
		s.Clock.Set(time.Date(2026, 10, 1, 23, 0, 0, 0, time.UTC)) // the last day to reply
		if _, err := s.Challenges.Decide(ctx, p.secretariat, filed.ID, 0, d); !errs.Is(err, errs.Conflict) {
			t.Errorf("decided on the last day to reply: %v", err)
		}
		s.Clock.Set(time.Date(2026, 10, 2, 0, 0, 1, 0, time.UTC))
		if _, err := s.Challenges.Reply(ctx, p.focal, filed.ID, 0, "Late.", nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("a reply after the deadline: %v", err)
		}
		got, err := s.Challenges.Decide(ctx, p.secretariat, filed.ID, 0, d)
		if err != nil || got.Outcome != challenge.Dismissed || got.RepliedAt != nil {
			t.Errorf("decided after the deadline: %+v %v", got, err)
		}
	})
}

// What each party may do with a challenge in each state, as its page
// shows it; the service allows exactly that.
func TestPermissions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		reviewer := s.Reviewer(t, stakeholder.CivilSociety)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		cy := s.Cycle(t, 2026)
		p := newPeople(t, s, reviewer, org, other, s.Stakeholder(t, stakeholder.Company))
		start := s.Clock.Now()
		sys, yes, no := testutil.System, true, false
		// Each state is made afresh, on an action of its own, for every
		// check: a check that moves a challenge leaves the next its own.
		mk := func(steps ...func(id int64) error) challenge.Challenge {
			t.Helper()
			s.Clock.Set(start)
			a := s.Accepted(t, org, cy, testutil.ActionInput())
			c, err := s.Challenges.File(ctx, p.reviewer, a.ID, input())
			for _, step := range steps {
				if err == nil {
					err = step(c.ID)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			c, _ = s.Challenges.Get(ctx, sys, c.ID)
			return c
		}
		open := func(id int64) error { _, err := s.Challenges.Screen(ctx, sys, id, 0, &yes, ""); return err }
		reply := func(id int64) error {
			_, err := s.Challenges.Reply(ctx, p.focal, id, 0, "We disagree.", nil)
			return err
		}
		decide := func(id int64) error {
			_, err := s.Challenges.Decide(ctx, sys, id, 0, challenge.Decision{Outcome: challenge.Dismissed, Reasons: "r"})
			return err
		}
		states := []struct {
			name string
			make func() challenge.Challenge
			late bool // looked at after the reply deadline
		}{
			{"filed", func() challenge.Challenge { return mk() }, false},
			{"inadmissible", func() challenge.Challenge {
				return mk(func(id int64) error { _, err := s.Challenges.Screen(ctx, sys, id, 0, &no, "No finding."); return err })
			}, false},
			{"open", func() challenge.Challenge { return mk(open) }, false},
			{"open, on the last day", func() challenge.Challenge { return mk(open) }, false},
			{"open, replied", func() challenge.Challenge { return mk(open, reply) }, false},
			{"open, deadline passed", func() challenge.Challenge { return mk(open) }, true},
			{"decided", func() challenge.Challenge { return mk(open, reply, decide) }, false},
			{"published", func() challenge.Challenge {
				return mk(open, reply, decide, func(id int64) error { _, err := s.Challenges.Publish(ctx, sys, id, 0); return err })
			}, false},
		}
		// S screen, R reply, D decide, W wait for the reply, P publish.
		want := map[string]map[string]string{
			"filed":                 {"secretariat": "S"},
			"inadmissible":          {},
			"open":                  {"secretariat": "W", "focal": "R"},
			"open, on the last day": {"secretariat": "W", "focal": "R"},
			"open, replied":         {"secretariat": "D"},
			"open, deadline passed": {"secretariat": "D"},
			"decided":               {"secretariat": "P"},
			"published":             {},
		}
		callers := []struct {
			name string
			by   user.Actor
		}{{"secretariat", p.secretariat}, {"reviewer", p.reviewer}, {"focal", p.focal}, {"member", p.member}, {"outsider", p.outsider}}
		ops := []struct {
			name  string
			shown func(challenge.Permissions) bool
			do    func(by user.Actor, id int64) error
		}{
			{"screen", func(p challenge.Permissions) bool { return p.Screen }, func(by user.Actor, id int64) error {
				_, err := s.Challenges.Screen(ctx, by, id, 0, &yes, "")
				return err
			}},
			{"reply", func(p challenge.Permissions) bool { return p.Reply }, func(by user.Actor, id int64) error {
				_, err := s.Challenges.Reply(ctx, by, id, 0, "Our reply.", nil)
				return err
			}},
			{"decide", func(p challenge.Permissions) bool { return p.Decide }, func(by user.Actor, id int64) error {
				_, err := s.Challenges.Decide(ctx, by, id, 0, challenge.Decision{Outcome: challenge.Dismissed, Reasons: "r"})
				return err
			}},
			{"publish", func(p challenge.Permissions) bool { return p.Publish }, func(by user.Actor, id int64) error {
				_, err := s.Challenges.Publish(ctx, by, id, 0)
				return err
			}},
		}
		at := func(name string, late bool) {
			switch {
			case late:
				s.Clock.Set(time.Date(2026, 10, 2, 0, 0, 1, 0, time.UTC))
			case name == "open, on the last day":
				s.Clock.Set(time.Date(2026, 10, 1, 23, 0, 0, 0, time.UTC))
			}
		}
		for _, st := range states {
			t.Run(st.name, func(t *testing.T) {
				for _, c := range callers {
					ch := st.make()
					at(st.name, st.late)
					seen, err := s.Challenges.Get(ctx, c.by, ch.ID)
					if err != nil {
						continue // not this caller's to read: no page, no form
					}
					perm := s.Challenges.Permissions(c.by, seen)
					if got := permLetters(perm); got != want[st.name][c.name] {
						t.Errorf("%s: %q, want %q", c.name, got, want[st.name][c.name])
					}
					for _, op := range ops {
						fresh := st.make()
						at(st.name, st.late)
						err := op.do(c.by, fresh.ID)
						if (err == nil) != op.shown(perm) {
							t.Errorf("%s, %s: the service says %v, the page shows it: %t", c.name, op.name, err, op.shown(perm))
						}
					}
				}
			})
		}
	})
}

func permLetters(p challenge.Permissions) string {
	var out []string
	for _, f := range []struct {
		on bool
		l  string
	}{{p.Screen, "S"}, {p.Reply, "R"}, {p.Decide, "D"}, {p.AwaitReply, "W"}, {p.Publish, "P"}} {
		if f.on {
			out = append(out, f.l)
		}
	}
	return strings.Join(out, " ")
}

// A reviewer may challenge another organisation's public action, one
// challenge at a time on each: pages ask MayChallenge before offering
// the form, and Pending for the one that stands.
func TestMayChallengeAndPending(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		reviewer := s.Reviewer(t, stakeholder.Academia)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		cy := s.Cycle(t, 2026)
		p := newPeople(t, s, reviewer, org, other, s.Stakeholder(t, stakeholder.Company))
		a := s.Accepted(t, org, cy, testutil.ActionInput())
		own := s.Accepted(t, reviewer, cy, testutil.ActionInput())
		for _, c := range []struct {
			name string
			by   user.Actor
			a    action.Action
			kind errs.Kind // "" when allowed
		}{
			{"a reviewer's person", p.reviewer, a, ""},
			{"a reviewer's focal point", p.reviewerFocal, a, ""},
			{"its own organisation's action", p.reviewer, own, errs.Forbidden},
			{"an organisation that is no reviewer", p.company, a, errs.Forbidden},
			{"the challenged organisation", p.focal, a, errs.Forbidden},
			{"the secretariat", p.secretariat, a, errs.Forbidden},
			{"no one", user.Actor{}, a, errs.Unauthorized},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := s.Challenges.MayChallenge(ctx, c.by, c.a)
				if (c.kind == "" && err != nil) || (c.kind != "" && !errs.Is(err, c.kind)) {
					t.Errorf("got %v, want %q", err, c.kind)
				}
			})
		}
		if _, found, err := s.Challenges.Pending(ctx, p.reviewer, a.ID); found || err != nil {
			t.Errorf("pending before any: %t %v", found, err)
		}
		filed, err := s.Challenges.File(ctx, p.reviewer, a.ID, input())
		if err != nil {
			t.Fatal(err)
		}
		if got, found, err := s.Challenges.Pending(ctx, p.reviewerFocal, a.ID); !found || err != nil || got.ID != filed.ID || got.Reviewer != reviewer.Name {
			t.Errorf("pending for the reviewer's focal point: %+v %t %v", got, found, err)
		}
		for name, by := range map[string]user.Actor{"the challenged organisation": p.focal, "the secretariat": p.secretariat, "no one": {}} {
			if _, found, _ := s.Challenges.Pending(ctx, by, a.ID); found {
				t.Errorf("%s has the reviewer's pending challenge", name)
			}
		}
		no := false
		if _, err := s.Challenges.Screen(ctx, p.secretariat, filed.ID, 0, &no, "No finding."); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.Challenges.Pending(ctx, p.reviewer, a.ID); found {
			t.Errorf("an inadmissible challenge is still pending")
		}
	})
}

// Filed at once by several people of a reviewer organisation, one
// challenge of an action stands; the others are conflicts, on both
// engines (the database holds the rule the service checks).
func TestFiledAtOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		reviewer := s.Reviewer(t, stakeholder.CivilSociety)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, reviewer, org, other, s.Stakeholder(t, stakeholder.Company))
		a := s.Accepted(t, org, c, testutil.ActionInput())
		errors := testutil.AtOnce(8, func(i int) error {
			by := p.reviewer
			if i%2 == 1 {
				by = p.reviewerFocal
			}
			_, err := s.Challenges.File(ctx, by, a.ID, input())
			return err
		})
		filed, conflicts := 0, 0
		for _, err := range errors {
			switch {
			case err == nil:
				filed++
			case errs.Is(err, errs.Conflict):
				conflicts++
			default:
				t.Errorf("filed at once: %v", err)
			}
		}
		if n := testutil.Column[int](t, db.SQL(), "SELECT count(*) FROM challenges")[0]; filed != 1 || conflicts != 7 || n != 1 {
			t.Errorf("%d filed, %d conflicts, %d rows; want 1, 7, 1", filed, conflicts, n)
		}
	})
}

package store_test

import (
	"context"
	"testing"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The log is searched by a person's name or email, in part and in any
// case, on both engines: the label an entry kept is an email, so the
// person's name is found through their record. Families take in whatever
// is written about their objects.
func TestAuditSearch(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.State)
		newUser := func(email, name string, in user.Input) user.User {
			in.Email, in.Name = email, name
			u, err := s.Users.Create(ctx, testutil.System, in)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		camille := newUser("sec-1@pc.example", "Camille Martin", user.Input{Role: user.Secretariat})
		elodie := newUser("focal_fr@quai.example", "Élodie Durand", user.Input{Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint})
		now := s.Clock.Now()
		add := func(actor user.User, verb, typ string, id any) {
			label := "scheduler"
			if actor.ID != 0 {
				label = actor.Email // what the services write
			}
			if err := db.AppendAudit(ctx, audit.New(actor.ID, label, verb, typ, id, nil, now)); err != nil {
				t.Fatal(err)
			}
		}
		add(camille, "action.accepted", "action", 1)
		add(camille, "report.publish", "report", 4)
		add(elodie, "action.create", "action", 1)
		add(elodie, "action.submitted", "action", 1)
		add(user.User{}, "report.compile", "report", 4)
		add(camille, "download.document", "report", 4) // another verb about a report

		count := func(f audit.Filter) int {
			t.Helper()
			entries, total, err := db.AuditEntries(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			if len(entries) != total {
				t.Fatalf("%+v: %d entries, total %d", f, len(entries), total)
			}
			return total
		}
		for _, c := range []struct {
			f    audit.Filter
			want int
		}{
			{audit.Filter{Actor: "martin"}, 3},      // the name, not in the label
			{audit.Filter{Actor: "CAMILLE MAR"}, 3}, // in any case
			{audit.Filter{Actor: "Sec-1@PC"}, 3},    // part of the email
			{audit.Filter{Actor: "élodie"}, 2},      // folded beyond ASCII on SQLite too
			{audit.Filter{Actor: "ÉLODIE DUR"}, 2},
			{audit.Filter{Actor: "_fr@"}, 2}, // LIKE's wildcards are plain characters
			{audit.Filter{Actor: "%"}, 0},
			{audit.Filter{Actor: "sched"}, 1}, // the program's work, by its label
			{audit.Filter{Actor: "nobody"}, 0},
			{audit.Filter{Actor: "  martin "}, 3},
			{audit.Filter{Verb: "report."}, 3}, // compile, publish and anything on a report
			{audit.Filter{Verb: "report.", Actor: "camille"}, 2},
			{audit.Filter{Verb: "action."}, 3},
			{audit.Filter{Verb: "action.create"}, 1},
		} {
			if got := count(c.f); got != c.want {
				t.Errorf("%+v: %d entries, want %d", c.f, got, c.want)
			}
		}
	})
}

// A page of the log names its records in a few queries; a deleted draft is
// named by the entry of its deletion.
func TestAuditNames(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		kept := s.Action(t, org, c)
		in := testutil.ActionInput()
		in.Title = "A draft deleted since"
		gone, err := s.Actions.Create(ctx, testutil.System, org.ID, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Actions.Delete(ctx, testutil.System, gone.ID); err != nil {
			t.Fatal(err)
		}
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@quai.example", Name: "Élodie Durand",
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint})
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.AuditNames(ctx, audit.Wanted{People: []int64{u.ID, 999}, Organisations: []int64{org.ID},
			Actions: []int64{kept.ID, gone.ID, 998}, Reports: []int64{997}})
		if err != nil {
			t.Fatal(err)
		}
		if p := n.People[u.ID]; p != (audit.PersonName{Name: "Élodie Durand", Email: "focal@quai.example", OrgID: org.ID}) {
			t.Errorf("person: %+v", p)
		}
		if n.Organisations[org.ID] != org.Name {
			t.Errorf("organisation: %q", n.Organisations[org.ID])
		}
		if a := n.Actions[kept.ID]; a != (audit.ActionName{Title: kept.Title, OrgID: org.ID}) {
			t.Errorf("action: %+v", a)
		}
		if a := n.Actions[gone.ID]; a != (audit.ActionName{Title: "A draft deleted since", OrgID: org.ID, Gone: true}) {
			t.Errorf("deleted action: %+v", a)
		}
		if _, ok := n.People[999]; ok || len(n.Reports) != 0 || len(n.Actions) != 2 {
			t.Errorf("names of records that never were: %+v", n)
		}
	})
}

package app

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

func TestDemoData(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := &demoClock{}
		today := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		cfg := config.Default()
		cfg.Mail.Dir = t.TempDir()
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		svc := newServices(db, clock.now, cfg, newMailer(cfg, logger), logger)
		summary, logins, err := fillDemo(ctx, svc, clock, rand.New(rand.NewPCG(1, 2)), today, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Log(summary)
		orgs, total, _ := svc.stakeholders.List(ctx, stakeholder.Filter{Limit: 500})
		if total < 55 {
			t.Errorf("%d organisations", total)
		}
		kinds, reviewers := map[stakeholder.Kind]int{}, map[stakeholder.Kind]int{}
		for _, o := range orgs {
			kinds[o.Kind]++
			if o.ReviewsOn(today) {
				reviewers[o.Kind]++
			}
		}
		if len(reviewers) != 2 || reviewers[stakeholder.CivilSociety] != 1 || reviewers[stakeholder.Academia] != 1 {
			t.Errorf("reviewers by kind: %v, want one of civil society and one of academia", reviewers)
		}
		for _, k := range stakeholder.Kinds {
			if kinds[k] == 0 {
				t.Errorf("no organisation of kind %s", k)
			}
		}
		cycles, _ := svc.cycles.List(ctx)
		if len(cycles) != 3 {
			t.Fatalf("%d cycles", len(cycles))
		}
		if cur, _ := svc.cycles.Current(ctx); cur.Year != 2027 || cur.StatusOn(today) != "open" {
			t.Errorf("the latest cycle is open today: %d %s", cur.Year, cur.StatusOn(today))
		}
		_, all, _ := svc.actions.List(ctx, user.System("test"), action.Filter{})
		if all < 200 || all > 1000 {
			t.Errorf("%d actions", all)
		}
		for _, s := range action.States {
			if _, n, _ := svc.actions.List(ctx, user.System("test"), action.Filter{State: s}); n == 0 {
				t.Errorf("no action is %s", s)
			}
		}
		var carried int
		db.SQL().QueryRow("SELECT count(*) FROM actions WHERE carried_from IS NOT NULL").Scan(&carried)
		if carried == 0 {
			t.Error("no action was carried forward")
		}
		var versions int
		db.SQL().QueryRow("SELECT count(*) FROM action_versions").Scan(&versions)
		if versions <= all {
			t.Errorf("every step leaves a version: %d versions for %d actions", versions, all)
		}
		for _, level := range action.Assurances {
			if _, n, _ := svc.actions.List(ctx, user.System("test"), action.Filter{State: action.Accepted, Assurance: level}); n == 0 {
				t.Errorf("no accepted action is %s", level)
			}
		}
		for _, st := range []challenge.State{challenge.Filed, challenge.Open, challenge.Published} {
			if _, n, _ := svc.challenges.List(ctx, user.System("test"), challenge.Filter{State: st}); n == 0 {
				t.Errorf("no challenge is %s", st)
			}
		}
		// The crosswalk is filled: every framework has figures in the
		// latest cycle with any, and some links are declared or removed.
		coverage, year, err := svc.frameworks.Coverage(ctx, 0)
		if err != nil || year == 0 || len(coverage) != 7 {
			t.Errorf("crosswalk: %d frameworks, cycle %d, %v", len(coverage), year, err)
		}
		for _, c := range coverage {
			if c.Actions == 0 {
				t.Errorf("no public action counts for %s in %d", c.Framework.Key, year)
			}
			// Pall Mall 1 derives from no recommendation: only what is
			// declared counts for it, and the public sees it.
			if c.Framework.Key == "pall-mall-states" && c.Figures[0].Actions == 0 {
				t.Errorf("the demo's declarations are not public in %d: %+v", year, c.Figures[0])
			}
		}
		for kind, want := range map[string]int{"declared": 6, "removed": 2} {
			var n int
			db.SQL().QueryRow("SELECT count(*) FROM action_provisions WHERE kind = '" + kind + "'").Scan(&n)
			if n != want {
				t.Errorf("%d %s links, want %d", n, kind, want)
			}
		}
		if len(logins) < 7 || logins[0].email != "secretariat@demo.pctracker.org" {
			t.Errorf("logins: %v", logins)
		}
	})
}

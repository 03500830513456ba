package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/report"
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
		summary, tour, err := fillDemo(ctx, svc, clock, rand.New(rand.NewPCG(1, 2)), today, "")
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
		if len(tour.logins) < 7 || tour.logins[0].email != "secretariat@demo.pctracker.org" {
			t.Errorf("logins: %v", tour.logins)
		}
		demoShowsTheProduct(t, db, svc, tour)
	})
}

// demoShowsTheProduct checks what the demo is for: the past cycle's
// report published through the report service, its files verifying;
// organisations with five accepted actions or more in the past cycle, for
// carrying forward; evidence on most accepted actions, and none accepted
// without it where the cycle requires it; and a start-up text that says
// what to try first in each role, with sign-ins that exist.
func demoShowsTheProduct(t *testing.T, db *store.DB, svc *services, tour demoTour) {
	t.Helper()
	ctx := context.Background()
	sys := user.System("test")
	if tour.pastYear != 2026 || tour.openYear != 2027 {
		t.Errorf("past and open cycles: %d, %d", tour.pastYear, tour.openYear)
	}
	if r, err := svc.reports.Get(ctx, sys, tour.reportID); err != nil || r.Status != report.Draft || r.CycleYear != tour.pastYear {
		t.Fatalf("the past cycle's report, compiled: %+v %v", r, err)
	}
	r, err := tour.publish(ctx, svc)
	if err != nil || r.Status != report.Published || r.CycleYear != tour.pastYear {
		t.Fatalf("the past cycle's report: %+v %v", r, err)
	}
	if differ, err := svc.reports.Verify(ctx, r.ID); err != nil || len(differ) > 0 {
		t.Errorf("the published report's files do not verify: %v %v", differ, err)
	}
	var files int
	db.SQL().QueryRow(fmt.Sprintf("SELECT count(*) FROM report_artifacts WHERE report_id = %d", r.ID)).Scan(&files)
	if files < 10 {
		t.Errorf("%d files published", files)
	}
	if rels, err := svc.releases.List(ctx, sys); err != nil || len(rels) != 1 || rels[0].Version() != "2026.1" || rels[0].Actions == 0 {
		t.Errorf("the demo's data release: %+v %v", rels, err)
	}
	if c, _ := svc.cycles.Get(ctx, tour.pastYear); !c.Reported {
		t.Errorf("the %d cycle is not reported", tour.pastYear)
	}

	past, _, err := svc.actions.List(ctx, sys, action.Filter{CycleYear: tour.pastYear, State: action.Accepted, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	byOrg := map[int64]int{}
	for _, a := range past {
		byOrg[a.StakeholderID]++
	}
	prolific := 0
	for _, n := range byOrg {
		if n >= 5 {
			prolific++
		}
	}
	if prolific < 3 {
		t.Errorf("%d organisations with 5 accepted actions or more in %d, want 3 or more", prolific, tour.pastYear)
	}

	var accepted, cited, bare int
	db.SQL().QueryRow("SELECT count(*) FROM actions WHERE state = 'accepted'").Scan(&accepted)
	db.SQL().QueryRow("SELECT count(*) FROM actions WHERE state = 'accepted' AND EXISTS (SELECT 1 FROM evidence WHERE evidence.action_id = actions.id)").Scan(&cited)
	if cited*100 < accepted*80 {
		t.Errorf("evidence on %d of %d accepted actions, want 80%% or more", cited, accepted)
	}
	db.SQL().QueryRow("SELECT count(*) FROM actions JOIN cycles ON cycles.id = actions.cycle_id WHERE actions.state = 'accepted' AND cycles.evidence = 'required' AND NOT EXISTS (SELECT 1 FROM evidence WHERE evidence.action_id = actions.id)").Scan(&bare)
	if bare > 0 {
		t.Errorf("%d actions accepted without evidence in cycles that require it", bare)
	}

	// The start-up text sends the secretariat to the evidence rule at
	// work: an action that cites nothing waits in the open cycle's queue.
	db.SQL().QueryRow("SELECT count(*) FROM actions JOIN cycles ON cycles.id = actions.cycle_id WHERE actions.state = 'submitted' AND cycles.year = " +
		fmt.Sprint(tour.openYear) + " AND cycles.evidence = 'required' AND NOT EXISTS (SELECT 1 FROM evidence WHERE evidence.action_id = actions.id)").Scan(&bare)
	if bare == 0 {
		t.Errorf("no submitted action without evidence waits in the %d queue", tour.openYear)
	}

	var text strings.Builder
	tour.print(&text, "http://demo.example")
	out := text.String()
	for _, want := range []string{"Secretariat", "secretariat@demo.pctracker.org", "Focal point", "sign in as " + tour.focal, "Reviewer", "sign in as " + tour.reviewer,
		"Public", "no sign-in", fmt.Sprintf("http://demo.example/reports/%d", r.ID), "carry forward"} {
		if !strings.Contains(out, want) {
			t.Errorf("the start-up text does not say %q:\n%s", want, out)
		}
	}
	for _, email := range []string{tour.focal, tour.reviewer} {
		if _, err := svc.users.GetByEmail(ctx, email); email == "" || err != nil {
			t.Errorf("the start-up text names %q, who cannot sign in: %v", email, err)
		}
	}
}

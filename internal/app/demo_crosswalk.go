package app

import (
	"context"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/user"
	"github.com/pctracker/pctracker/migrations"
)

// crosswalk loads the initial crosswalk, so that every accepted action
// counts for the provisions its recommendations share, and then has some
// organisations declare a provision their recommendations do not derive,
// and the secretariat take a derived one away with its reason: the
// frameworks pages show both kinds, and the actions' histories hold them.
func (h *demoHistory) crosswalk(ctx context.Context, today time.Time) (string, error) {
	if _, err := h.svc.frameworks.Seed(ctx, migrations.Crosswalk()); err != nil {
		return "", fmt.Errorf("demo crosswalk: %w", err)
	}
	all, err := h.svc.frameworks.List(ctx)
	if err != nil {
		return "", err
	}
	// What organisations declare: a provision and the recommendation an
	// action of theirs must hold for the declaration to make sense.
	declarations := []struct {
		framework, provision string
		holds                int
	}{
		{"joint-statement-spyware", "commitment-4", 12},
		{"joint-statement-spyware", "commitment-4", 11},
		{"pall-mall-states", "1", 1},
		{"pall-mall-states", "2.a", 4},
		{"eu-dual-use-2021-821", "2(20)", 2},
		{"us-eo-14093", "2(l)", 10},
	}
	removals := []struct {
		framework, provision, reason string
	}{
		{"joint-statement-spyware", "commitment-5", "The action aligns no export controls with partners; it is a domestic licensing rule."},
		{"wassenaar-intrusion-2013", "Cat. 5 Part 1 (IP network surveillance)", "The measure concerns intrusion software only, not network surveillance."},
	}
	declared, removed := 0, 0
	h.clock.t = today.AddDate(0, 0, -2)
	used := map[int64]bool{}
	for _, d := range declarations {
		a, ok := h.publicActionWith(ctx, d.holds, used, today)
		if !ok {
			continue
		}
		if _, err := h.svc.frameworks.Add(ctx, h.speaker(a), a.ID, d.framework, d.provision); err != nil {
			return "", fmt.Errorf("demo declaration: %w", err)
		}
		used[a.ID] = true
		declared++
	}
	for _, r := range removals {
		var p framework.Provision
		for _, f := range all {
			if f.Key == r.framework {
				p, _ = f.Provision(r.provision)
			}
		}
		a, ok := h.publicActionWith(ctx, p.Recommendations[0], used, today)
		if !ok {
			continue
		}
		if err := h.svc.frameworks.Remove(ctx, h.reviewer, a.ID, r.framework, r.provision, r.reason); err != nil {
			return "", fmt.Errorf("demo removal: %w", err)
		}
		used[a.ID] = true
		removed++
	}
	return fmt.Sprintf("crosswalk of %d frameworks with %d declared and %d removed links", len(all), declared, removed), nil
}

// publicActionWith finds an action the public sees today, of the latest
// cycle with any, that holds recommendation n and is not in used.
func (h *demoHistory) publicActionWith(ctx context.Context, n int, used map[int64]bool, today time.Time) (action.Action, bool) {
	for i := len(h.accepted) - 1; i >= 0; i-- {
		for _, a := range h.accepted[i] {
			shown, err := h.svc.db.ShownAmong(ctx, []int64{a.ID}, today)
			if err != nil || !shown[a.ID] || used[a.ID] {
				continue
			}
			cur, err := h.svc.actions.Get(ctx, h.sys, a.ID)
			if err != nil {
				continue
			}
			for _, r := range cur.Recommendations {
				if r == n {
					return cur, true
				}
			}
		}
	}
	return action.Action{}, false
}

// speaker is who declares for an action: its organisation's focal point
// where it has people, the secretariat otherwise.
func (h *demoHistory) speaker(a action.Action) user.Actor {
	if ps := h.people[a.StakeholderID]; len(ps) > 0 {
		return ps[0]
	}
	return h.reviewer
}

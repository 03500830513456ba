package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The generator fills an empty database on either engine: every action
// with its recommendations, evidence and first version; carried-forward
// actions continuing an accepted action of the same organisation in the
// cycle before; and it refuses a database that already holds data.
func TestGenerate(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		// A run stopped midway (here: cancelled after its first batch)
		// leaves nothing behind, and the next run starts on an empty
		// database.
		stopped, cancel := context.WithCancel(context.Background())
		_, err := db.Generate(stopped, store.GenerateOptions{Organisations: 50, Cycles: 2, ActionsPerCycle: 2500, Seed: 1,
			Now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}, func(int, int) { cancel() })
		if err == nil {
			t.Fatal("a cancelled run reported success")
		}
		var left int
		if err := db.SQL().QueryRow("SELECT (SELECT count(*) FROM stakeholders) + (SELECT count(*) FROM actions) + (SELECT count(*) FROM cycles)").Scan(&left); err != nil || left != 0 {
			t.Fatalf("a cancelled run left %d rows (%v)", left, err)
		}

		ctx := context.Background()
		calls := 0
		sum, err := db.Generate(ctx, store.GenerateOptions{Organisations: 300, Cycles: 3, ActionsPerCycle: 1200, Seed: 7,
			Now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}, func(done, total int) {
			calls++
			if total != 3600 || done > total {
				t.Errorf("progress %d/%d", done, total)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Organisations != 300 || sum.Cycles != 3 || sum.Actions != 3600 || calls != 6 {
			t.Errorf("summary %+v after %d progress calls", sum, calls)
		}
		count := func(q string) int {
			var n int
			if err := db.SQL().QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for q, want := range map[string]int{
			"SELECT count(*) FROM actions":                                                  3600,
			"SELECT count(*) FROM action_versions":                                          3600,
			"SELECT count(DISTINCT action_id) FROM evidence":                                3600,
			"SELECT count(DISTINCT action_id) FROM action_recommendations":                  3600,
			"SELECT count(*) FROM cycles WHERE year BETWEEN 2024 AND 2026":                  3,
			"SELECT count(*) FROM actions WHERE state = 'accepted' AND accepted_at IS NULL": 0,
			"SELECT count(*) FROM actions a JOIN actions p ON p.id = a.carried_from WHERE p.stakeholder_id <> a.stakeholder_id OR p.state <> 'accepted' OR p.cycle_id >= a.cycle_id": 0,
		} {
			if got := count(q); got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
		if n := count("SELECT count(*) FROM actions WHERE carried_from IS NOT NULL"); n < 300 {
			t.Errorf("only %d carried-forward actions", n)
		}
		// Companies are the most numerous, as among real supporters.
		if companies, states := count("SELECT count(*) FROM stakeholders WHERE kind = 'company'"),
			count("SELECT count(*) FROM stakeholders WHERE kind = 'state'"); companies < 120 || states < 5 || states > 50 {
			t.Errorf("kinds: %d companies, %d states of 300", companies, states)
		}
		if _, err := db.Generate(ctx, store.GenerateOptions{Organisations: 1, Cycles: 1, ActionsPerCycle: 1}, nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second run: %v", err)
		}
	})
}

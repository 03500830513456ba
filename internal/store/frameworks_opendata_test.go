package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The crosswalk's open data reads the same links whatever the size of its
// batches, each action's links whole within one batch, by action id.
func TestEachPublicLinkBatches(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		s.Crosswalk(t)
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		for _, recs := range [][]int{{2}, {1, 10}, {3}, {5}, {9, 12}} {
			in := testutil.ActionInput()
			in.Recommendations = recs
			s.Accepted(t, org, c, in)
		}
		read := func(batch int, f framework.LinkFilter) ([]string, int) {
			t.Helper()
			var rows []string
			calls := 0
			err := db.EachPublicLink(ctx, f, s.Clock.Now(), batch, func(links []framework.PublicLink) error {
				calls++
				seen := map[int64]bool{}
				for _, l := range links {
					seen[l.ActionID] = true
					rows = append(rows, fmt.Sprintf("%d|%d|%s|%s|%s", l.ActionID, l.Year, l.FrameworkKey, l.ProvisionKey, l.Kind))
				}
				if len(seen) > batch {
					t.Errorf("a batch of %d holds the links of %d actions", batch, len(seen))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return rows, calls
		}
		all, calls := read(500, framework.LinkFilter{})
		if len(all) == 0 || calls != 1 {
			t.Fatalf("%d links in %d batches", len(all), calls)
		}
		for _, batch := range []int{1, 2, 3} {
			got, calls := read(batch, framework.LinkFilter{})
			if !slices.Equal(got, all) || calls < 4/batch {
				t.Errorf("batches of %d (%d of them): %d links, want %d", batch, calls, len(got), len(all))
			}
		}
		// A filter keeps its framework's rows, in the same order.
		gge, _ := read(1, framework.LinkFilter{Year: 2026, Framework: "un-gge-2015"})
		var want []string
		for _, r := range all {
			if strings.Split(r, "|")[2] == "un-gge-2015" {
				want = append(want, r)
			}
		}
		if !slices.Equal(gge, want) || len(want) != 4 { // 13(i) <- 2; 13(j) and 13(e) <- 10 and 1; 13(i) <- 3
			t.Errorf("un-gge-2015: %q, want %q", gge, want)
		}
		if none, _ := read(2, framework.LinkFilter{Year: 2025}); len(none) != 0 {
			t.Errorf("2025: %q", none)
		}
	})
}

package action_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// EachPublic, which the open data streams, hands out every public action
// once, by id, whatever order they were accepted in and however many
// batches it takes: the first batch is in the order of the next ones.
func TestEachPublicWalksEveryActionOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		st := s.Stakeholder(t, stakeholder.State)
		var drafts, want []int64
		for range 7 {
			drafts = append(drafts, s.Action(t, st, c).ID)
		}
		// Accepted in the order of their ids: the newest acceptance, which
		// the public lists show first, is the last id.
		for _, id := range drafts {
			a, err := s.Actions.Move(ctx, testutil.System, id, 0, action.Submitted, "")
			if err == nil {
				a, err = s.Actions.Move(ctx, testutil.System, id, 0, action.Accepted, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, a.ID)
			s.Clock.Add(time.Second)
		}
		slices.Sort(want)
		for _, batch := range []int{2, 3, 7, 500} {
			t.Run(fmt.Sprintf("batch of %d", batch), func(t *testing.T) {
				s.Actions.SetBatch(batch)
				var got []int64
				err := s.Actions.EachPublic(ctx, action.Filter{}, func(list []action.Action) error {
					for _, a := range list {
						got = append(got, a.ID)
					}
					return nil
				})
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("walked %v, %v; want %v", got, err, want)
				}
			})
		}
	})
}

// contested keeps the actions with a published challenge; it takes true,
// false or nothing, and anything else is a field error naming it.
func TestParseContested(t *testing.T) {
	for _, c := range []struct {
		query string
		want  bool
		bad   bool
	}{
		{"", false, false},
		{"contested=", false, false},
		{"contested=false", false, false},
		{"contested=true", true, false},
		{"contested=true&stage=adopted", true, false},
		{"contested=TRUE", false, true},
		{"contested=1", false, true},
		{"contested=yes", false, true},
		{"contested=on", false, true},
	} {
		t.Run(c.query, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			f, err := action.ParsePublicFilter(q)
			if got := errs.FieldsOf(err)["contested"] != ""; got != c.bad || (err != nil) != c.bad {
				t.Fatalf("error %v, want a field error on contested: %t", err, c.bad)
			}
			if !c.bad && f.Contested != c.want {
				t.Errorf("contested %t, want %t", f.Contested, c.want)
			}
		})
	}
}

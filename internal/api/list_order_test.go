package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// GET /api/v1/actions reads sort= and page= as the actions page does: each
// order ends on the newest acceptance, then the id, so that the pages of a
// list neither repeat nor skip an action; an order or a page that cannot be
// read is refused, the field named.
func TestPublicActionsSortAndPage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		accept := func(title string, orgID int64, st action.Stage, recs ...int) {
			sc.S.Clock.Add(time.Minute) // accepted one after another
			apptest.AcceptIn(t, sc, orgID, 2026, func(in *action.Input) { in.Title, in.Stage, in.Recommendations = title, st, recs })
		}
		accept("A", sc.Org.ID, action.Implemented, 1)
		accept("B", sc.OtherOrg.ID, action.Planned, 2)
		accept("C", sc.Org.ID, action.Adopted, 9, 3)
		accept("D", sc.OtherOrg.ID, action.Planned, 7, 2)
		byOrg := []string{"C", "A", "D", "B"} // each organisation's newest first
		if strings.ToLower(sc.OtherOrg.Name) < strings.ToLower(sc.Org.Name) {
			byOrg = []string{"D", "B", "C", "A"}
		}
		anon := apptest.APIClient{T: t, Base: sc.TS}
		type list struct {
			Items []struct{ Title string }
			Total int
			Page  int
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", []string{"D", "C", "B", "A"}},
			{"sort=newest", []string{"D", "C", "B", "A"}},
			{"sort=organisation", byOrg},
			{"sort=stage", []string{"D", "B", "C", "A"}},                  // planned, adopted, implemented
			{"sort=recommendation", []string{"A", "D", "B", "C"}},         // lowest number 1, 2, 2, 3
			{"sort=stage&per_page=3", []string{"D", "B", "C"}},            // a page...
			{"sort=stage&per_page=3&page=2", []string{"A"}},               // ... and the next: none twice
			{"sort=recommendation&per_page=2&page=2", []string{"B", "C"}}, // a tie across pages
		} {
			l := apptest.Decode[list](t, anon.Do("GET", "/api/v1/actions?cycle=2026&"+c.query, ""))
			var got []string
			for _, a := range l.Items {
				got = append(got, a.Title)
			}
			if !slices.Equal(got, c.want) || l.Total != 4 {
				t.Errorf("%s: %v (total %d), want %v", c.query, got, l.Total, c.want)
			}
		}
		for _, c := range []struct{ query, field string }{
			{"sort=oldest", "sort"},
			{"sort=Newest", "sort"},
			{"page=0", "page"},
			{"page=x", "page"},
			{"page=5432-5431", "page"},
			{"page=100001", "page"},
			{"per_page=101", "per_page"},
		} {
			r := anon.Do("GET", "/api/v1/actions?"+c.query, "")
			body := apptest.Decode[struct {
				Error struct {
					Code   string
					Fields map[string]string
				}
			}](t, r)
			if r.Status != 422 || body.Error.Code != string(errs.Invalid) || body.Error.Fields[c.field] == "" {
				t.Errorf("%s: %d %s, want 422 naming %s", c.query, r.Status, r.Body, c.field)
			}
		}
		// The page past the last is an empty page that says the total, as
		// an API client walking the pages expects.
		if l := apptest.Decode[list](t, anon.Do("GET", "/api/v1/actions?cycle=2026&page=9", "")); len(l.Items) != 0 || l.Total != 4 || l.Page != 9 {
			t.Errorf("past the last page: %+v", l)
		}
	})
}

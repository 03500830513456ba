package api_test

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// contested=true keeps, on every public list that takes the filters, the
// actions with a published challenge: not one whose challenge is still
// open, nor one without. Any other value than true or false is refused,
// naming the field.
func TestContestedFilter(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ch := sc.Challenges(t)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		contested := []string{ch.Dismissed.Title, ch.Upheld.Title}
		others := []string{ch.Pending.Title, ch.Plain.Title, sc.LastYearAction.Title}
		type list struct {
			Items []struct{ Title string }
			Total int
		}
		for _, c := range []struct {
			name  string
			query string
			want  []string // the titles listed, by title
		}{
			{"contested", "contested=true", contested},
			{"contested, of an organisation", fmt.Sprintf("contested=true&organisation=%d", sc.OtherOrg.ID), contested[:1]},
			{"contested, on a recommendation", "contested=true&recommendation=2", contested[1:]},
			{"every action", "contested=false&cycle=2026", []string{ch.Dismissed.Title, ch.Plain.Title, ch.Pending.Title, ch.Upheld.Title}},
		} {
			t.Run(c.name, func(t *testing.T) {
				anon := anon.For(t)
				l := apptest.Decode[list](t, anon.Do("GET", "/api/v1/actions?"+c.query, ""))
				var got []string
				for _, a := range l.Items {
					got = append(got, a.Title)
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(c.want))
				if !slices.Equal(got, want) || l.Total != len(want) {
					t.Errorf("listed %q (total %d), want %q", got, l.Total, want)
				}
				doc := apptest.Decode[struct{ Actions []struct{ Title string } }](t, anon.Do("GET", "/api/v1/open-data/actions.json?"+c.query, ""))
				if len(doc.Actions) != len(want) {
					t.Errorf("the JSON download has %d actions, want %d", len(doc.Actions), len(want))
				}
				rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(anon.Do("GET", "/api/v1/open-data/actions.csv?"+c.query, "").Body, "\ufeff"))).ReadAll()
				if err != nil || len(rows) != len(want)+1 {
					t.Errorf("the CSV download has %d rows, want a header and %d: %v", len(rows), len(want), err)
				}
				page := anon.Do("GET", "/actions?"+c.query, "")
				for _, title := range append(slices.Clone(contested), others...) {
					if shown := strings.Contains(page.Body, strings.ReplaceAll(title, `"`, "&#34;")); shown != slices.Contains(want, title) && !strings.Contains(title, "<") {
						t.Errorf("the page shows %q: %t", title, shown)
					}
				}
				if checked := strings.Contains(page.Body, `value="true" aria-describedby="h-f-contested" checked`); checked != strings.Contains(c.query, "contested=true") {
					t.Errorf("the box is checked: %t", checked)
				}
			})
		}
		for _, path := range []string{"/api/v1/actions", "/api/v1/open-data/actions.csv", "/api/v1/open-data/actions.json", "/actions"} {
			if r := anon.Do("GET", path+"?contested=yes", ""); r.Status != 422 || !strings.Contains(r.Body, "contested") {
				t.Errorf("%s?contested=yes: %d %.300s", path, r.Status, r.Body)
			}
		}
	})
}

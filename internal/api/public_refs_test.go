package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// continueAccepted carries from into 2026 for sc.org, as a public action
// titled title, and accepts it.
func continueAccepted(t *testing.T, sc *apptest.Scenario, from int64, title string) action.Action {
	t.Helper()
	ctx := context.Background()
	c, err := sc.S.Cycles.Get(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	in := testutil.ActionInput()
	in.Title = title
	a, err := sc.S.Actions.CreateContinuation(ctx, testutil.System, sc.Org.ID, c.ID, from, in)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
		t.Fatal(err)
	}
	if a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	return a
}

// A public action names the earlier action it continues only when the
// public sees that one too: carried_from is null in the API, the open
// data and the action's page when the earlier action is kept for the
// secretariat or was withdrawn since.
func TestPublicCarriedFromOnlyWhenPublic(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db) // sc.lastYearAction: 2025, accepted, public
		ctx := context.Background()
		last, err := sc.S.Cycles.Get(ctx, 2025)
		if err != nil {
			t.Fatal(err)
		}
		acceptedIn2025 := func(visibility action.Visibility) action.Action {
			in := testutil.ActionInput()
			in.Visibility = visibility
			a, err := sc.S.Actions.Create(ctx, testutil.System, sc.Org.ID, last.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			a, _ = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, "")
			if a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, ""); err != nil {
				t.Fatal(err)
			}
			return a
		}
		kept := acceptedIn2025(action.SecretariatOnly)
		withdrawn := acceptedIn2025(action.Public)
		fromPublic := continueAccepted(t, sc, sc.LastYearAction.ID, "Continues a public action")
		fromKept := continueAccepted(t, sc, kept.ID, "Continues a kept action")
		fromWithdrawn := continueAccepted(t, sc, withdrawn.ID, "Continues a withdrawn action")
		if _, err := sc.S.Actions.Move(ctx, testutil.System, withdrawn.ID, 0, action.Withdrawn, "withdrawn by the secretariat"); err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{fromPublic.ID: strconv.FormatInt(sc.LastYearAction.ID, 10), fromKept.ID: "", fromWithdrawn.ID: ""}
		hidden := []string{strconv.FormatInt(kept.ID, 10), strconv.FormatInt(withdrawn.ID, 10)}

		anon := apptest.APIClient{T: t, Base: sc.TS}
		type item struct {
			ID          int64  `json:"id"`
			CarriedFrom *int64 `json:"carried_from"`
		}
		check := func(where string, items []item) {
			t.Helper()
			seen := 0
			for _, it := range items {
				w, ok := want[it.ID]
				if !ok {
					continue
				}
				seen++
				got := ""
				if it.CarriedFrom != nil {
					got = strconv.FormatInt(*it.CarriedFrom, 10)
				}
				if got != w {
					t.Errorf("%s: action %d carried_from %q, want %q", where, it.ID, got, w)
				}
			}
			if seen != len(want) {
				t.Errorf("%s: %d of the %d continuations listed", where, seen, len(want))
			}
		}
		// The service behind the public page holds the same rule, whatever
		// the page's template shows of it.
		for id, w := range want {
			a, _, err := sc.S.Actions.PublicGet(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if a.CarriedFrom != nil {
				got = strconv.FormatInt(*a.CarriedFrom, 10)
			}
			if got != w {
				t.Errorf("PublicGet: action %d carried from %q, want %q", id, got, w)
			}
		}
		list := apptest.Decode[struct{ Items []item }](t, anon.Do("GET", "/api/v1/actions?cycle=2026", ""))
		check("/api/v1/actions", list.Items)
		doc := apptest.Decode[struct{ Actions []item }](t, anon.Do("GET", "/api/v1/open-data/actions.json", ""))
		check("actions.json", doc.Actions)

		r := anon.Do("GET", "/api/v1/open-data/actions.csv", "")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("CSV: %v %q", err, r.Body)
		}
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		var fromCSV []item
		for _, row := range rows[1:] {
			id, _ := strconv.ParseInt(row[col["id"]], 10, 64)
			it := item{ID: id}
			if v := row[col["carried_from"]]; v != "" {
				n, _ := strconv.ParseInt(v, 10, 64)
				it.CarriedFrom = &n
			}
			fromCSV = append(fromCSV, it)
		}
		check("actions.csv", fromCSV)

		for _, p := range []string{"/api/v1/actions?cycle=2026", "/api/v1/open-data/actions.json", "/feed.atom",
			fmt.Sprintf("/actions/%d", fromKept.ID), fmt.Sprintf("/actions/%d", fromWithdrawn.ID)} {
			body := anon.Do("GET", p, "").Body
			for _, id := range hidden {
				for _, ref := range []string{`"carried_from":` + id, "/actions/" + id + `"`, "/actions/" + id + "<"} {
					if strings.Contains(body, ref) {
						t.Errorf("%s names the hidden action %s (%s)", p, id, ref)
					}
				}
			}
		}
	})
}

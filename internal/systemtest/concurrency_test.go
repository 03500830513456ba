package systemtest_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Fifty saves of one draft at once, all from the same version: one wins,
// the others are told of the conflict, and the history holds one new
// version per winning save, none lost and none made up.
func TestConcurrentPatchesOfOneDraft(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		const n = 50
		sc := apptest.NewScenario(t, db)
		r := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody)
		a := apptest.Decode[apptest.ActionJSON](t, r)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		path := fmt.Sprintf("/api/v1/actions/%d", a.ID)
		type history struct {
			Versions []struct{ Version int } `json:"versions"`
		}
		before := len(apptest.Decode[history](t, sc.Member.Do("GET", path+"/history", "")).Versions)

		results := testutil.AtOnce(n, func(i int) apptest.Response {
			return sc.Member.Do("PATCH", path, fmt.Sprintf(`{"version": %d, "title": "Concurrent title %d"}`, a.Version, i))
		})

		succeeded, conflicts, winner := 0, 0, ""
		others := map[int]int{}
		for i, r := range results {
			switch r.Status {
			case 200:
				succeeded++
				winner = fmt.Sprintf("Concurrent title %d", i)
				if got := apptest.Decode[apptest.ActionJSON](t, r); got.Version != a.Version+1 || got.Title != winner {
					t.Errorf("winning save %d answered %+v", i, got)
				}
			case 409:
				conflicts++
			default:
				others[r.Status]++
				if others[r.Status] == 1 {
					t.Errorf("save %d: %d %s", i, r.Status, r.Body)
				}
			}
		}
		hist := apptest.Decode[history](t, sc.Member.Do("GET", path+"/history", ""))
		added := len(hist.Versions) - before
		final := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("GET", path, ""))
		t.Logf("%d PATCHes: %d succeeded, %d conflicts, %d other answers %v, %d history rows added", n, succeeded, conflicts, len(others), others, added)
		if succeeded != 1 || conflicts != n-1 {
			t.Errorf("%d succeeded and %d conflicted, want 1 and %d", succeeded, conflicts, n-1)
		}
		if added != succeeded {
			t.Errorf("%d history rows added for %d successful saves", added, succeeded)
		}
		if final.Version != a.Version+succeeded || final.Title != winner {
			t.Errorf("the action is at version %d titled %q, want %d %q", final.Version, final.Title, a.Version+succeeded, winner)
		}
		var versions []int
		for _, v := range hist.Versions {
			versions = append(versions, v.Version)
		}
		if !sort.IntsAreSorted(versions) || len(versions) > 0 && versions[len(versions)-1] != final.Version {
			t.Errorf("history versions %v, action at %d", versions, final.Version)
		}
	})
}

// Twenty retries of one creation at once, with one Idempotency-Key: one
// action is created; every answer is either the 201 of that action or a
// 409 saying the first is still running, and a client told so that retries
// gets the same action.
func TestConcurrentIdempotentCreates(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		const n = 20
		sc := apptest.NewScenario(t, db)
		count := func() int {
			var c int
			if err := db.SQL().QueryRow("SELECT count(*) FROM actions WHERE stakeholder_id = $1", sc.Org.ID).Scan(&c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		before := count()

		results := testutil.AtOnce(n, func(int) apptest.Response {
			return sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "concurrent-create")
		})

		created, replayed, running := 0, 0, 0
		ids := map[int64]bool{}
		for i, r := range results {
			switch r.Status {
			case 201:
				ids[apptest.Decode[apptest.ActionJSON](t, r).ID] = true
				if r.Header.Get("Idempotent-Replayed") == "true" {
					replayed++
				} else {
					created++
				}
			case 409:
				running++
				if !strings.Contains(r.Body, "Idempotency-Key") {
					t.Errorf("answer %d: 409 that is not about the key: %s", i, r.Body)
				}
			default:
				t.Errorf("answer %d: %d %s", i, r.Status, r.Body)
			}
		}
		added := count() - before
		t.Logf("%d POSTs with one Idempotency-Key: %d created, %d replayed, %d told to retry (409), %d distinct ids, %d action added",
			n, created, replayed, running, len(ids), added)
		if added != 1 || created != 1 || len(ids) != 1 {
			t.Fatalf("%d actions added, %d answers that created, %d distinct ids; want one of each", added, created, len(ids))
		}
		// A client told to retry later gets the same action, and nothing new.
		var id int64
		for k := range ids {
			id = k
		}
		for i := 0; i < running; i++ {
			r := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody, "Idempotency-Key", "concurrent-create")
			if r.Status != 201 || apptest.Decode[apptest.ActionJSON](t, r).ID != id || r.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("retry after a 409: %d %s", r.Status, r.Body)
			}
		}
		if added := count() - before; added != 1 {
			t.Errorf("after the retries, %d actions added", added)
		}
	})
}

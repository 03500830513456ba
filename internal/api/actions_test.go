package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestActionsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)

		// A member drafts, carries last year forward and edits.
		r := sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody)
		a := apptest.Decode[apptest.ActionJSON](t, r)
		if r.Status != 201 || a.State != "draft" || a.Version != 1 || a.Cycle != 2026 || r.Header.Get("Location") == "" {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		r = sc.Member.Do("POST", "/api/v1/cycles/2026/carry-forward", "")
		carried := apptest.Decode[struct{ Items []apptest.ActionJSON }](t, r)
		if r.Status != 200 || len(carried.Items) != 1 || carried.Items[0].CarriedFrom == nil || *carried.Items[0].CarriedFrom != sc.LastYearAction.ID {
			t.Fatalf("carry forward: %d %s", r.Status, r.Body)
		}
		if again := apptest.Decode[struct{ Items []apptest.ActionJSON }](t, sc.Focal.Do("POST", "/api/v1/cycles/2026/carry-forward", "")); len(again.Items) != 0 {
			t.Errorf("carry forward twice created %d", len(again.Items))
		}
		c := carried.Items[0]
		r = sc.Member.Do("PATCH", fmt.Sprintf("/api/v1/actions/%d", c.ID), fmt.Sprintf(`{"version": %d, "stage": "implemented",
			"evidence": [{"kind": "law", "url": "https://example.org/law", "title": "Law"}, {"kind": "report", "url": "https://example.org/r", "title": "Report"}]}`, c.Version))
		c = apptest.Decode[apptest.ActionJSON](t, r)
		if r.Status != 200 || c.Version != 2 || len(c.Evidence) != 2 || c.Title != sc.LastYearAction.Title {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}

		// Two saves from the same version: one wins, one gets 409 with the
		// current action; the history holds exactly the successful saves.
		var wg sync.WaitGroup
		results := make([]apptest.Response, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = sc.Member.Do("PATCH", fmt.Sprintf("/api/v1/actions/%d", a.ID), fmt.Sprintf(`{"version": 1, "title": "Edit %d"}`, i))
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, r := range results {
			switch r.Status {
			case 200:
				ok++
			case 409:
				conflict++
				// The one error shape, with the action as it now stands beside it.
				if !strings.Contains(r.Body, `"current":`) || !strings.Contains(r.Body, `"version":2`) ||
					!strings.Contains(r.Body, `"error":{"code":"conflict"`) || !strings.Contains(r.Body, `"request_id":`) {
					t.Errorf("409 without the current action: %s", r.Body)
				}
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("concurrent saves: %d ok, %d conflicts: %+v", ok, conflict, results)
		}
		hist := apptest.Decode[struct {
			Versions []struct{ Version int } `json:"versions"`
		}](t, sc.Member.Do("GET", fmt.Sprintf("/api/v1/actions/%d/history", a.ID), ""))
		if len(hist.Versions) != 2 {
			t.Errorf("history after one create and one winning save: %d versions", len(hist.Versions))
		}

		// Only the focal point submits; then the action is read-only.
		if r := sc.Member.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), ""); r.Status != 403 {
			t.Errorf("member submits: %d", r.Status)
		}
		r = sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", c.ID), fmt.Sprintf(`{"version": %d}`, c.Version))
		if apptest.Decode[apptest.ActionJSON](t, r).State != "submitted" {
			t.Fatalf("focal point submits: %d %s", r.Status, r.Body)
		}
		if r := sc.Member.Do("PATCH", fmt.Sprintf("/api/v1/actions/%d", c.ID), `{"version": 3, "title": "Late edit"}`); r.Status != 409 {
			t.Errorf("editing a submitted action: %d %s", r.Status, r.Body)
		}

		// Another organisation sees none of it: 404 everywhere.
		for _, id := range []int64{a.ID, c.ID, sc.LastYearAction.ID} {
			for _, call := range []struct{ method, path, body string }{
				{"GET", "/api/v1/actions/%d", ""}, {"GET", "/api/v1/actions/%d/history", ""},
				{"PATCH", "/api/v1/actions/%d", `{"version": 1, "title": "Hijack"}`}, {"DELETE", "/api/v1/actions/%d", ""},
				{"POST", "/api/v1/actions/%d/submit", ""}, {"POST", "/api/v1/actions/%d/withdraw", ""},
			} {
				if r := sc.Other.Do(call.method, fmt.Sprintf(call.path, id), call.body); r.Status != 404 {
					t.Errorf("other organisation %s %s: %d", call.method, fmt.Sprintf(call.path, id), r.Status)
				}
			}
		}
		mine := apptest.Decode[struct{ Total int }](t, sc.Other.Do("GET", "/api/v1/my/actions?cycle=2026", ""))
		if mine.Total != 0 {
			t.Errorf("the other organisation lists %d actions", mine.Total)
		}
		own := apptest.Decode[struct{ Total int }](t, sc.Member.Do("GET", "/api/v1/my/actions?cycle=2026&state=draft", ""))
		if own.Total != 1 {
			t.Errorf("own drafts in 2026: %d", own.Total)
		}

		// Bad input: 400 for what cannot be read, 422 for what is wrong.
		// And 401 or 403 for who may not create at all.
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			body   string
			status int
			want   string
		}{
			{"not JSON", sc.Member, `{"cycle": 2026, "title": `, 400, "not valid JSON"},
			{"a number as a string", sc.Member, `{"cycle": "2026"}`, 400, `"cycle":"must be a JSON number"`},
			{"the state", sc.Member, `{"cycle": 2026, "state": "accepted", "title": "x"}`, 400, `"state":"is not a field`},
			{"the organisation", sc.Member, `{"cycle": 2026, "organisation_id": 1, "title": "x"}`, 400, `"organisation_id"`},
			{"a javascript: link", sc.Member, `{"cycle": 2026, "title": "", "recommendations": [13], "stage": "done", "measure": "x", "scope": "national", "evidence": [{"kind": "law", "url": "javascript:alert(1)", "title": "x"}]}`, 422, `"evidence.0.url"`},
			{"a cycle that does not exist", sc.Member, `{"cycle": 1999, "title": "x"}`, 422, `"cycle"`},
			{"anonymous create", apptest.APIClient{T: t, Base: sc.TS}, apptest.NewActionBody, 401, ""},
			{"secretariat create", sc.Sec, apptest.NewActionBody, 403, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := c.client.For(t).Do("POST", "/api/v1/actions", c.body); r.Status != c.status || !strings.Contains(r.Body, c.want) {
					t.Errorf("%s: %d %s, want %d %q", c.body, r.Status, r.Body, c.status, c.want)
				}
			})
		}
		// A PATCH with one good field and one bad saves nothing.
		d := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody))
		if r := sc.Member.Do("PATCH", fmt.Sprintf("/api/v1/actions/%d", d.ID), `{"version": 1, "title": "CHANGED", "ends_on": "garbage"}`); r.Status != 422 {
			t.Errorf("mixed patch: %d", r.Status)
		}
		if got := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("GET", fmt.Sprintf("/api/v1/actions/%d", d.ID), "")); got.Title == "CHANGED" || got.Version != 1 {
			t.Errorf("a refused PATCH saved: %+v", got)
		}
		// Only unsubmitted drafts are deleted.
		if r := sc.Member.Do("DELETE", fmt.Sprintf("/api/v1/actions/%d", c.ID), ""); r.Status != 409 {
			t.Errorf("delete a submitted action: %d", r.Status)
		}
		if r := sc.Member.Do("DELETE", fmt.Sprintf("/api/v1/actions/%d", a.ID), ""); r.Status != 204 {
			t.Errorf("delete a draft: %d %s", r.Status, r.Body)
		}
		if r := sc.Member.Do("GET", fmt.Sprintf("/api/v1/actions/%d", a.ID), ""); r.Status != 404 {
			t.Errorf("deleted draft: %d", r.Status)
		}
		// The focal point withdraws a submitted action; a member may not.
		if r := sc.Member.Do("POST", fmt.Sprintf("/api/v1/actions/%d/withdraw", c.ID), ""); r.Status != 403 {
			t.Errorf("a member withdraws: %d %s", r.Status, r.Body)
		}
		if r := sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/withdraw", c.ID), ""); apptest.Decode[apptest.ActionJSON](t, r).State != "withdrawn" {
			t.Errorf("withdraw: %d %s", r.Status, r.Body)
		}
	})
}

package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestCyclesAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db) // 2025 and 2026 exist; the clock stands on 1 September 2026
		r := sc.Sec.Do("POST", "/api/v1/cycles", `{"year": 2027, "opens_at": "2027-06-01", "deadline": "2027-10-01", "forum_date": "2027-11-11"}`)
		if r.Status != 201 || !strings.Contains(r.Body, `"report_at":"2027-10-21"`) || !strings.Contains(r.Body, `"status":"upcoming"`) {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		// Refused creations.
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			body   string
			status int
		}{
			{"a year twice", sc.Sec, `{"year": 2027, "opens_at": "2027-06-01", "deadline": "2027-10-01", "forum_date": "2027-11-11"}`, 409},
			{"a deadline before the opening", sc.Sec, `{"year": 2028, "opens_at": "2028-10-01", "deadline": "2028-06-01", "forum_date": "2028-11-11"}`, 422},
			{"an unreadable date", sc.Sec, `{"year": 2028, "opens_at": "June", "deadline": "2028-10-01", "forum_date": "2028-11-11"}`, 422},
			{"a year as a string", sc.Sec, `{"year": "2028"}`, 400},
			{"a supporter creates a cycle", sc.Focal, `{"year": 2029}`, 403},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := c.client.For(t).Do("POST", "/api/v1/cycles", c.body); r.Status != c.status {
					t.Errorf("%s: %d %s, want %d", c.body, r.Status, r.Body, c.status)
				}
			})
		}
		r = sc.Sec.Do("PATCH", "/api/v1/cycles/2026", `{"version": 1, "deadline": "2026-10-08", "embargo": "forum"}`)
		if r.Status != 200 || !strings.Contains(r.Body, `"deadline":"2026-10-08"`) || !strings.Contains(r.Body, `"version":2`) {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("PATCH", "/api/v1/cycles/2026", `{"version": 1, "deadline": "2026-10-09"}`); r.Status != 409 {
			t.Errorf("stale patch: %d", r.Status)
		}
		if r := sc.Sec.Do("PATCH", "/api/v1/cycles/2026", `{"deadline": "2026-10-09"}`); r.Status != 422 || !strings.Contains(r.Body, `"version"`) {
			t.Errorf("a patch without its version: %d %s", r.Status, r.Body)
		}
		r = sc.Sec.Do("POST", "/api/v1/cycles/2026/extensions", fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.Org.ID))
		if r.Status != 200 {
			t.Errorf("extension: %d %s", r.Status, r.Body)
		}
		list := (apptest.APIClient{T: t, Base: sc.TS}).Do("GET", "/api/v1/cycles", "")
		if list.Status != 200 || !strings.Contains(list.Body, `"total":3`) || strings.Index(list.Body, `"year":2027`) > strings.Index(list.Body, `"year":2025`) {
			t.Errorf("public list: %d %s", list.Status, list.Body)
		}
	})
}

// Deadline extensions over the API: granted with who and when, listed,
// refused with the dates allowed, revoked once (204, then 404), and the
// secretariat's alone.
func TestExtensionsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db) // 1 September 2026; the 2026 deadline is 1 October, the report date 21 October
		ctx := context.Background()
		anon := apptest.APIClient{T: t, Base: sc.TS}
		type extJSON struct {
			StakeholderID int64  `json:"stakeholder_id"`
			Organisation  string `json:"organisation"`
			Deadline      string `json:"deadline"`
			GrantedBy     *int64 `json:"granted_by"`
			GrantedByName string `json:"granted_by_name"`
			GrantedAt     string `json:"granted_at"`
		}
		sec, err := sc.S.Users.GetByEmail(ctx, "sec@pc.example")
		if err != nil {
			t.Fatal(err)
		}
		body := func(org int64, deadline string) string {
			return fmt.Sprintf(`{"stakeholder_id": %d, "deadline": %q}`, org, deadline)
		}
		if r := sc.Focal.Do("POST", "/api/v1/cycles/2026/extensions", body(sc.Org.ID, "2026-10-15")); r.Status != 403 {
			t.Errorf("a focal point extends its own deadline: %d", r.Status)
		}
		r := sc.Sec.Do("POST", "/api/v1/cycles/2026/extensions", body(sc.Org.ID, "2026-10-15"))
		e := apptest.Decode[extJSON](t, r)
		if r.Status != 200 || e.StakeholderID != sc.Org.ID || e.Organisation != sc.Org.Name || e.Deadline != "2026-10-15" ||
			e.GrantedBy == nil || *e.GrantedBy != sec.ID || e.GrantedByName != sec.Name || e.GrantedAt != "2026-09-01T09:00:00Z" {
			t.Fatalf("grant: %d %s", r.Status, r.Body)
		}
		allowed := "choose a date after the deadline, 1 October 2026, and no later than the report date, 21 October 2026"
		for _, c := range []struct{ body, field, want string }{
			{body(sc.Org.ID, "2026-10-01"), "deadline", allowed},
			{body(sc.Org.ID, "2026-10-22"), "deadline", allowed},
			{body(sc.Org.ID, "soon"), "deadline", "YYYY-MM-DD"},
			{body(999999, "2026-10-15"), "stakeholder_id", "no such organisation"},
		} {
			r := sc.Sec.Do("POST", "/api/v1/cycles/2026/extensions", c.body)
			if r.Status != 422 || !strings.Contains(fieldErrors(t, r)[c.field], c.want) {
				t.Errorf("%s: %d %s", c.body, r.Status, r.Body)
			}
		}

		list := sc.Sec.Do("GET", "/api/v1/cycles/2026/extensions", "")
		got := apptest.Decode[struct {
			Items []extJSON
			Total int
		}](t, list)
		same := func(a, b extJSON) bool { // granted_by is a pointer: compared by value
			if a.GrantedBy == nil || b.GrantedBy == nil || *a.GrantedBy != *b.GrantedBy {
				return false
			}
			a.GrantedBy, b.GrantedBy = nil, nil
			return a == b
		}
		if list.Status != 200 || got.Total != 1 || len(got.Items) != 1 || !same(got.Items[0], e) {
			t.Errorf("list: %d %s", list.Status, list.Body)
		}
		for client, want := range map[*apptest.APIClient]int{&anon: 401, &sc.Focal: 403, &sc.Member: 403, &sc.Other: 403} {
			if r := client.Do("GET", "/api/v1/cycles/2026/extensions", ""); r.Status != want || strings.Contains(r.Body, sc.Org.Name) {
				t.Errorf("the list read by a caller outside the secretariat: %d, want %d", r.Status, want)
			}
		}
		if r := sc.Sec.Do("GET", "/api/v1/cycles/2031/extensions", ""); r.Status != 404 {
			t.Errorf("the list of a cycle that does not exist: %d", r.Status)
		}

		path := fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.Org.ID)
		for client, want := range map[*apptest.APIClient]int{&anon: 401, &sc.Focal: 403, &sc.Other: 403} {
			if r := client.Do("DELETE", path, ""); r.Status != want {
				t.Errorf("a revocation outside the secretariat: %d, want %d", r.Status, want)
			}
		}
		cy, _ := sc.S.Cycles.Get(ctx, 2026)
		if _, ok, _ := db.DeadlineExtension(ctx, cy.ID, sc.Org.ID); !ok {
			t.Fatal("a refused revocation deleted the extension")
		}
		if r := sc.Sec.Do("DELETE", path, ""); r.Status != 204 || r.Body != "" {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if _, ok, _ := db.DeadlineExtension(ctx, cy.ID, sc.Org.ID); ok {
			t.Error("the revoked extension is still stored")
		}
		for _, p := range []string{path, fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.OtherOrg.ID),
			fmt.Sprintf("/api/v1/cycles/2031/extensions/%d", sc.Org.ID), "/api/v1/cycles/2026/extensions/abc"} {
			if r := sc.Sec.Do("DELETE", p, ""); r.Status != 404 {
				t.Errorf("DELETE %s: %d %s", p, r.Status, r.Body)
			}
		}
		if r := sc.Sec.Do("GET", "/api/v1/cycles/2026/extensions", ""); !strings.Contains(r.Body, `"total":0`) {
			t.Errorf("the list after revoking: %s", r.Body)
		}
		// Granting and revoking are each audited once, by the person.
		for verb, want := range map[string]int{"cycle.extend": 1, "cycle.revoke_extension": 1} {
			entries, _, err := db.AuditEntries(ctx, audit.Filter{Verb: verb})
			if err != nil || len(entries) != want || entries[0].ActorID != sec.ID {
				t.Errorf("audit of %s: %+v %v", verb, entries, err)
			}
		}
	})
}

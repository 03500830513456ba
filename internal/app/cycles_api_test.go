package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestCyclesAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db) // 2025 and 2026 exist; the clock stands on 1 September 2026
		r := sc.sec.do("POST", "/api/v1/cycles", `{"year": 2027, "opens_at": "2027-06-01", "deadline": "2027-10-01", "forum_date": "2027-11-11"}`)
		if r.status != 201 || !strings.Contains(r.body, `"report_at":"2027-10-21"`) || !strings.Contains(r.body, `"status":"upcoming"`) {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		for body, want := range map[string]int{
			`{"year": 2027, "opens_at": "2027-06-01", "deadline": "2027-10-01", "forum_date": "2027-11-11"}`: 409,
			`{"year": 2028, "opens_at": "2028-10-01", "deadline": "2028-06-01", "forum_date": "2028-11-11"}`: 422,
			`{"year": 2028, "opens_at": "June", "deadline": "2028-10-01", "forum_date": "2028-11-11"}`:       422,
			`{"year": "2028"}`: 400,
		} {
			if r := sc.sec.do("POST", "/api/v1/cycles", body); r.status != want {
				t.Errorf("%s: %d %s", body, r.status, r.body)
			}
		}
		if r := sc.focal.do("POST", "/api/v1/cycles", `{"year": 2029}`); r.status != 403 {
			t.Errorf("a supporter creates a cycle: %d", r.status)
		}
		r = sc.sec.do("PATCH", "/api/v1/cycles/2026", `{"version": 1, "deadline": "2026-10-08", "embargo": "forum"}`)
		if r.status != 200 || !strings.Contains(r.body, `"deadline":"2026-10-08"`) || !strings.Contains(r.body, `"version":2`) {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		if r := sc.sec.do("PATCH", "/api/v1/cycles/2026", `{"version": 1, "deadline": "2026-10-09"}`); r.status != 409 {
			t.Errorf("stale patch: %d", r.status)
		}
		if r := sc.sec.do("PATCH", "/api/v1/cycles/2026", `{"deadline": "2026-10-09"}`); r.status != 422 || !strings.Contains(r.body, `"version"`) {
			t.Errorf("a patch without its version: %d %s", r.status, r.body)
		}
		r = sc.sec.do("POST", "/api/v1/cycles/2026/extensions", fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.org.ID))
		if r.status != 200 {
			t.Errorf("extension: %d %s", r.status, r.body)
		}
		list := (apiClient{t: t, base: sc.ts}).do("GET", "/api/v1/cycles", "")
		if list.status != 200 || !strings.Contains(list.body, `"total":3`) || strings.Index(list.body, `"year":2027`) > strings.Index(list.body, `"year":2025`) {
			t.Errorf("public list: %d %s", list.status, list.body)
		}
	})
}

// Deadline extensions over the API: granted with who and when, listed,
// refused with the dates allowed, revoked once (204, then 404), and the
// secretariat's alone.
func TestExtensionsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db) // 1 September 2026; the 2026 deadline is 1 October, the report date 21 October
		ctx := context.Background()
		anon := apiClient{t: t, base: sc.ts}
		type extJSON struct {
			StakeholderID int64  `json:"stakeholder_id"`
			Organisation  string `json:"organisation"`
			Deadline      string `json:"deadline"`
			GrantedBy     *int64 `json:"granted_by"`
			GrantedByName string `json:"granted_by_name"`
			GrantedAt     string `json:"granted_at"`
		}
		sec, err := sc.s.Users.GetByEmail(ctx, "sec@pc.example")
		if err != nil {
			t.Fatal(err)
		}
		body := func(org int64, deadline string) string {
			return fmt.Sprintf(`{"stakeholder_id": %d, "deadline": %q}`, org, deadline)
		}
		if r := sc.focal.do("POST", "/api/v1/cycles/2026/extensions", body(sc.org.ID, "2026-10-15")); r.status != 403 {
			t.Errorf("a focal point extends its own deadline: %d", r.status)
		}
		r := sc.sec.do("POST", "/api/v1/cycles/2026/extensions", body(sc.org.ID, "2026-10-15"))
		e := decode[extJSON](t, r)
		if r.status != 200 || e.StakeholderID != sc.org.ID || e.Organisation != sc.org.Name || e.Deadline != "2026-10-15" ||
			e.GrantedBy == nil || *e.GrantedBy != sec.ID || e.GrantedByName != sec.Name || e.GrantedAt != "2026-09-01T09:00:00Z" {
			t.Fatalf("grant: %d %s", r.status, r.body)
		}
		allowed := "choose a date after the deadline, 1 October 2026, and no later than the report date, 21 October 2026"
		for _, c := range []struct{ body, field, want string }{
			{body(sc.org.ID, "2026-10-01"), "deadline", allowed},
			{body(sc.org.ID, "2026-10-22"), "deadline", allowed},
			{body(sc.org.ID, "soon"), "deadline", "YYYY-MM-DD"},
			{body(999999, "2026-10-15"), "stakeholder_id", "no such organisation"},
		} {
			r := sc.sec.do("POST", "/api/v1/cycles/2026/extensions", c.body)
			if r.status != 422 || !strings.Contains(fieldErrors(t, r)[c.field], c.want) {
				t.Errorf("%s: %d %s", c.body, r.status, r.body)
			}
		}

		list := sc.sec.do("GET", "/api/v1/cycles/2026/extensions", "")
		got := decode[struct {
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
		if list.status != 200 || got.Total != 1 || len(got.Items) != 1 || !same(got.Items[0], e) {
			t.Errorf("list: %d %s", list.status, list.body)
		}
		for client, want := range map[*apiClient]int{&anon: 401, &sc.focal: 403, &sc.member: 403, &sc.other: 403} {
			if r := client.do("GET", "/api/v1/cycles/2026/extensions", ""); r.status != want || strings.Contains(r.body, sc.org.Name) {
				t.Errorf("the list read by a caller outside the secretariat: %d, want %d", r.status, want)
			}
		}
		if r := sc.sec.do("GET", "/api/v1/cycles/2031/extensions", ""); r.status != 404 {
			t.Errorf("the list of a cycle that does not exist: %d", r.status)
		}

		path := fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.org.ID)
		for client, want := range map[*apiClient]int{&anon: 401, &sc.focal: 403, &sc.other: 403} {
			if r := client.do("DELETE", path, ""); r.status != want {
				t.Errorf("a revocation outside the secretariat: %d, want %d", r.status, want)
			}
		}
		cy, _ := sc.s.Cycles.Get(ctx, 2026)
		if _, ok, _ := db.DeadlineExtension(ctx, cy.ID, sc.org.ID); !ok {
			t.Fatal("a refused revocation deleted the extension")
		}
		if r := sc.sec.do("DELETE", path, ""); r.status != 204 || r.body != "" {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		if _, ok, _ := db.DeadlineExtension(ctx, cy.ID, sc.org.ID); ok {
			t.Error("the revoked extension is still stored")
		}
		for _, p := range []string{path, fmt.Sprintf("/api/v1/cycles/2026/extensions/%d", sc.otherOrg.ID),
			fmt.Sprintf("/api/v1/cycles/2031/extensions/%d", sc.org.ID), "/api/v1/cycles/2026/extensions/abc"} {
			if r := sc.sec.do("DELETE", p, ""); r.status != 404 {
				t.Errorf("DELETE %s: %d %s", p, r.status, r.body)
			}
		}
		if r := sc.sec.do("GET", "/api/v1/cycles/2026/extensions", ""); !strings.Contains(r.body, `"total":0`) {
			t.Errorf("the list after revoking: %s", r.body)
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

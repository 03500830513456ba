package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestStakeholdersAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		r := sc.sec.do("POST", "/api/v1/stakeholders", `{"name": "Republic of Estonia", "kind": "state", "country": "ee", "website": "https://www.valitsus.ee"}`)
		org := decode[struct {
			ID      int64  `json:"id"`
			Country string `json:"country"`
			Version int    `json:"version"`
		}](t, r)
		if r.status != 201 || org.Country != "EE" || org.Version != 1 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		for body, want := range map[string]int{
			`{"name": "Acme", "kind": "corporation", "country": "US"}`:          422,
			`{"name": "Acme", "kind": "company", "country": "XX"}`:              422,
			`{"name": "republic of estonia", "kind": "state", "country": "EE"}`: 409,
			`{"name": "Acme", "kind": "company", "country": "US", "id": 5}`:     400,
		} {
			if r := sc.sec.do("POST", "/api/v1/stakeholders", body); r.status != want {
				t.Errorf("%s: %d %s", body, r.status, r.body)
			}
		}
		if r := sc.focal.do("POST", "/api/v1/stakeholders", `{"name": "Mine", "kind": "state", "country": "FR"}`); r.status != 403 {
			t.Errorf("a supporter creates an organisation: %d", r.status)
		}
		// Verify, then deactivate: the public no longer sees it.
		path := fmt.Sprintf("/api/v1/stakeholders/%d", org.ID)
		if r := sc.sec.do("PATCH", path, `{"version": 1, "verified": true}`); r.status != 200 || !strings.Contains(r.body, `"verified":true`) || !strings.Contains(r.body, `"name":"Republic of Estonia"`) {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		if r := sc.sec.do("PATCH", path, `{"version": 1, "active": false}`); r.status != 409 {
			t.Errorf("stale patch: %d", r.status)
		}
		if r := sc.sec.do("PATCH", path, `{"active": false}`); r.status != 422 || !strings.Contains(r.body, `"version"`) {
			t.Errorf("a patch without its version: %d %s", r.status, r.body)
		}
		if r := sc.sec.do("PATCH", path, `{"version": 2, "active": false}`); r.status != 200 {
			t.Fatalf("deactivate: %d %s", r.status, r.body)
		}
		public := apiClient{t: t, base: sc.ts}
		if r := public.do("GET", path, ""); r.status != 404 {
			t.Errorf("a deactivated organisation is public: %d", r.status)
		}
		if r := sc.sec.do("GET", path, ""); r.status != 200 {
			t.Errorf("the secretariat sees it: %d", r.status)
		}
		if r := public.do("GET", "/api/v1/stakeholders?kind=state", ""); !strings.Contains(r.body, `"total":2`) || strings.Contains(r.body, "Estonia") {
			t.Errorf("public directory: %s", r.body)
		}
		// Invitations into an organisation.
		inv := fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.org.ID)
		if r := sc.sec.do("POST", inv, `{"email": "new@own.example", "name": "New", "org_role": "focal_point"}`); r.status != 202 {
			t.Errorf("secretariat invites: %d %s", r.status, r.body)
		}
		if r := sc.focal.do("POST", inv, `{"email": "new2@own.example", "name": "New", "org_role": "member"}`); r.status != 202 {
			t.Errorf("focal point invites into their own: %d %s", r.status, r.body)
		}
		if r := sc.other.do("POST", inv, `{"email": "spy@own.example", "name": "Spy", "org_role": "member"}`); r.status != 404 {
			t.Errorf("another organisation's focal point invites: %d", r.status)
		}
	})
}

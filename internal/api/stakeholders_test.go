package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestStakeholdersAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		r := sc.Sec.Do("POST", "/api/v1/stakeholders", `{"name": "Republic of Estonia", "kind": "state", "country": "ee", "website": "https://www.valitsus.ee"}`)
		org := apptest.Decode[struct {
			ID      int64  `json:"id"`
			Country string `json:"country"`
			Version int    `json:"version"`
		}](t, r)
		if r.Status != 201 || org.Country != "EE" || org.Version != 1 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		// Refused creations.
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			body   string
			status int
		}{
			{"unknown kind", sc.Sec, `{"name": "Acme", "kind": "corporation", "country": "US"}`, 422},
			{"unknown country", sc.Sec, `{"name": "Acme", "kind": "company", "country": "XX"}`, 422},
			{"a name taken, in other case", sc.Sec, `{"name": "republic of estonia", "kind": "state", "country": "EE"}`, 409},
			{"an id chosen by the caller", sc.Sec, `{"name": "Acme", "kind": "company", "country": "US", "id": 5}`, 400},
			{"a supporter creates an organisation", sc.Focal, `{"name": "Mine", "kind": "state", "country": "FR"}`, 403},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := c.client.For(t).Do("POST", "/api/v1/stakeholders", c.body); r.Status != c.status {
					t.Errorf("%s: %d %s, want %d", c.body, r.Status, r.Body, c.status)
				}
			})
		}
		// Verify, then deactivate: the public no longer sees it.
		path := fmt.Sprintf("/api/v1/stakeholders/%d", org.ID)
		if r := sc.Sec.Do("PATCH", path, `{"version": 1, "verified": true}`); r.Status != 200 || !strings.Contains(r.Body, `"verified":true`) || !strings.Contains(r.Body, `"name":"Republic of Estonia"`) {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("PATCH", path, `{"version": 1, "active": false}`); r.Status != 409 {
			t.Errorf("stale patch: %d", r.Status)
		}
		if r := sc.Sec.Do("PATCH", path, `{"active": false}`); r.Status != 422 || !strings.Contains(r.Body, `"version"`) {
			t.Errorf("a patch without its version: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("PATCH", path, `{"version": 2, "active": false}`); r.Status != 200 {
			t.Fatalf("deactivate: %d %s", r.Status, r.Body)
		}
		public := apptest.APIClient{T: t, Base: sc.TS}
		if r := public.Do("GET", path, ""); r.Status != 404 {
			t.Errorf("a deactivated organisation is public: %d", r.Status)
		}
		if r := sc.Sec.Do("GET", path, ""); r.Status != 200 {
			t.Errorf("the secretariat sees it: %d", r.Status)
		}
		if r := public.Do("GET", "/api/v1/stakeholders?kind=state", ""); !strings.Contains(r.Body, `"total":2`) || strings.Contains(r.Body, "Estonia") {
			t.Errorf("public directory: %s", r.Body)
		}
		// Invitations into an organisation.
		inv := fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.Org.ID)
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			body   string
			status int
		}{
			{"secretariat invites", sc.Sec, `{"email": "new@own.example", "name": "New", "org_role": "focal_point"}`, 202},
			{"focal point invites into their own", sc.Focal, `{"email": "new2@own.example", "name": "New", "org_role": "member"}`, 202},
			{"another organisation's focal point invites", sc.Other, `{"email": "spy@own.example", "name": "Spy", "org_role": "member"}`, 404},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := c.client.For(t).Do("POST", inv, c.body); r.Status != c.status {
					t.Errorf("%d %s, want %d", r.Status, r.Body, c.status)
				}
			})
		}
	})
}

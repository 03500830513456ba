package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
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

// The secretariat designates reviewer organisations: verified civil
// society or academia only; a PATCH of the flag leaves every other field
// as it was, and null takes the end date away.
func TestReviewersAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		org := func(name string, kind stakeholder.Kind, verified bool) stakeholder.Stakeholder {
			t.Helper()
			s, err := sc.S.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: name, Kind: kind, Country: "CA",
				Website: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "-")) + ".example.org", Verified: verified, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		lab := org("Cyber Policy Lab", stakeholder.Academia, true)
		watch := org("Rights Watch", stakeholder.CivilSociety, false)
		state := org("Kingdom of Examples", stakeholder.State, true)
		type orgJSON struct {
			Name          string  `json:"name"`
			Website       string  `json:"website"`
			Verified      bool    `json:"verified"`
			Reviewer      bool    `json:"reviewer"`
			ReviewerSince *string `json:"reviewer_since"`
			ReviewerUntil *string `json:"reviewer_until"`
			Version       int     `json:"version"`
		}
		path := func(s stakeholder.Stakeholder) string { return fmt.Sprintf("/api/v1/stakeholders/%d", s.ID) }

		// Designated until a day: 200, the three fields, the rest kept.
		r := sc.Sec.Do("PATCH", path(lab), fmt.Sprintf(`{"reviewer": true, "reviewer_until": "2027-06-30", "version": %d}`, lab.Version))
		got := apptest.Decode[orgJSON](t, r)
		if r.Status != 200 || !got.Reviewer || got.ReviewerSince == nil || *got.ReviewerSince != "2026-09-01" ||
			got.ReviewerUntil == nil || *got.ReviewerUntil != "2027-06-30" {
			t.Fatalf("designate: %d %s", r.Status, r.Body)
		}
		if got.Name != lab.Name || got.Website != lab.Website || !got.Verified {
			t.Errorf("a partial PATCH changed other fields: %s", r.Body)
		}
		// Another field alone keeps the designation; null takes the end away.
		r = sc.Sec.Do("PATCH", path(lab), fmt.Sprintf(`{"website": "https://lab.example.org", "version": %d}`, got.Version))
		if got = apptest.Decode[orgJSON](t, r); r.Status != 200 || !got.Reviewer || got.ReviewerUntil == nil || *got.ReviewerUntil != "2027-06-30" {
			t.Errorf("another field: %d %s", r.Status, r.Body)
		}
		r = sc.Sec.Do("PATCH", path(lab), fmt.Sprintf(`{"reviewer_until": null, "version": %d}`, got.Version))
		if got = apptest.Decode[orgJSON](t, r); r.Status != 200 || !got.Reviewer || got.ReviewerUntil != nil || !strings.Contains(r.Body, `"reviewer_until":null`) ||
			got.ReviewerSince == nil || *got.ReviewerSince != "2026-09-01" {
			t.Errorf("no end: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("GET", path(state), ""); !strings.Contains(r.Body, `"reviewer":false,"reviewer_since":null,"reviewer_until":null`) {
			t.Errorf("an organisation that is no reviewer: %s", r.Body)
		}

		for _, c := range []struct {
			name   string
			client apptest.APIClient
			org    stakeholder.Stakeholder
			body   string
			status int
			field  string // the field a 422 names
		}{
			{"a state", sc.Sec, state, `{"reviewer": true}`, 422, "reviewer"},
			{"unverified civil society", sc.Sec, watch, `{"reviewer": true}`, 422, "reviewer"},
			{"a focal point", sc.Focal, watch, `{"reviewer": true}`, 403, ""},
			{"a day that does not exist", sc.Sec, lab, `{"reviewer_until": "2027-02-30"}`, 422, "reviewer_until"},
			{"not a day", sc.Sec, lab, `{"reviewer_until": "next year"}`, 422, "reviewer_until"},
			{"a day past", sc.Sec, lab, `{"reviewer_until": "2026-08-31"}`, 422, "reviewer_until"},
			{"a number", sc.Sec, lab, `{"reviewer_until": 20270630}`, 400, ""},
			{"the day it began, set by the client", sc.Sec, lab, `{"reviewer_since": "2020-01-01"}`, 400, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				cur, err := sc.S.Stakeholders.Get(ctx, c.org.ID)
				if err != nil {
					t.Fatal(err)
				}
				body := strings.Replace(c.body, "{", fmt.Sprintf(`{"version": %d, `, cur.Version), 1)
				r := c.client.For(t).Do("PATCH", path(c.org), body)
				if r.Status != c.status || (c.field != "" && apiField(t, r, c.field) == "") {
					t.Errorf("%s: %d %s, want %d naming %q", body, r.Status, r.Body, c.status, c.field)
				}
				if after, _ := sc.S.Stakeholders.Get(ctx, c.org.ID); after.Version != cur.Version {
					t.Errorf("refused, but saved: version %d, then %d", cur.Version, after.Version)
				}
			})
		}
	})
}

package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// PATCH /actions/{id}/assurance over HTTP: refusals with their statuses
// and fields, the level in the action's JSON, its history, the public
// list's filter and the open data.
func TestAssuranceAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		// An action of the running cycle: the figures of a past one are
		// those of its Forum day, and a level set since is not among them.
		c, err := sc.S.Cycles.Get(context.Background(), 2026)
		if err != nil {
			t.Fatal(err)
		}
		a := sc.S.Accepted(t, sc.Org, c, testutil.ActionInput())
		path := fmt.Sprintf("/api/v1/actions/%d/assurance", a.ID)
		draft := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody))
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			path   string
			body   string
			status int
			field  string
		}{
			{"the organisation's focal point", sc.Focal, path, `{"level": "evidence_checked", "note": "n", "version": 1}`, 403, ""},
			{"no version", sc.Sec, path, `{"level": "evidence_checked", "note": "Checked."}`, 422, "version"},
			{"an unknown level", sc.Sec, path, fmt.Sprintf(`{"level": "checked", "note": "Checked.", "version": %d}`, a.Version), 422, "level"},
			{"no note", sc.Sec, path, fmt.Sprintf(`{"level": "evidence_checked", "note": "", "version": %d}`, a.Version), 422, "note"},
			{"a stale version", sc.Sec, path, fmt.Sprintf(`{"level": "evidence_checked", "note": "Checked.", "version": %d}`, a.Version-1), 409, "version"},
			{"verified by the secretariat alone", sc.Sec, path, fmt.Sprintf(`{"level": "independently_verified", "note": "Checked.", "version": %d}`, a.Version), 422, "level"},
			{"a draft", sc.Sec, fmt.Sprintf("/api/v1/actions/%d/assurance", draft.ID), `{"level": "evidence_checked", "note": "Checked.", "version": 1}`, 409, "state"},
			{"an unknown field", sc.Sec, path, fmt.Sprintf(`{"level": "evidence_checked", "note": "Checked.", "version": %d, "by": 1}`, a.Version), 400, ""},
			{"a missing action", sc.Sec, "/api/v1/actions/999999/assurance", `{"level": "evidence_checked", "note": "Checked.", "version": 1}`, 404, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := c.client.For(t).Do("PATCH", c.path, c.body)
				if r.Status != c.status || (c.field != "" && !strings.Contains(r.Body, `"`+c.field+`"`)) {
					t.Errorf("%d %s, want %d naming %q", r.Status, r.Body, c.status, c.field)
				}
			})
		}
		// The dashboard's figures split by level, and follow a new one at
		// once (its cache is keyed by what the public sees).
		anon := apptest.APIClient{T: t, Base: sc.TS}
		checked := func() int {
			t.Helper()
			d := apptest.Decode[struct {
				Figures struct {
					Recommendations []struct {
						ByAssurance []struct {
							Code  string
							Count int
						} `json:"organisations_by_assurance"`
					}
				}
			}](t, anon.Do("GET", "/api/v1/dashboard?cycle=2026", ""))
			n := 0
			for _, rec := range d.Figures.Recommendations {
				for _, c := range rec.ByAssurance {
					if c.Code == "evidence_checked" {
						n += c.Count
					}
				}
			}
			return n
		}
		sc.S.Clock.Add(time.Second)
		if n := checked(); n != 0 {
			t.Errorf("before: %d organisations evidence-checked on the dashboard", n)
		}
		r := sc.Sec.Do("PATCH", path, fmt.Sprintf(`{"level": "evidence_checked", "note": "The decree is on the official journal.", "version": %d}`, a.Version))
		got := apptest.Decode[apptest.ActionJSON](t, r)
		if r.Status != 200 || got.Assurance != "evidence_checked" || got.Version != a.Version+1 {
			t.Fatalf("set: %d %s", r.Status, r.Body)
		}
		if h := sc.Member.Do("GET", fmt.Sprintf("/api/v1/actions/%d/history", a.ID), ""); !strings.Contains(h.Body, `"decision":"assurance"`) ||
			!strings.Contains(h.Body, `"assurance":"evidence_checked"`) || !strings.Contains(h.Body, "The decree is on the official journal.") {
			t.Errorf("history: %s", h.Body)
		}
		sc.S.Clock.Add(time.Second) // the live figures count what happened before the moment they are read
		if n, want := checked(), len(a.Recommendations); n != want {
			t.Errorf("after: %d recommendations' organisations evidence-checked on the dashboard, want %d", n, want)
		}
		for query, want := range map[string]string{"assurance=evidence_checked": `"total":1`, "assurance=self_declared": `"total":1`} {
			if r := anon.Do("GET", "/api/v1/actions?"+query, ""); r.Status != 200 || !strings.Contains(r.Body, want) {
				t.Errorf("%s: %d %s", query, r.Status, r.Body)
			}
		}
		if r := anon.Do("GET", "/api/v1/actions?assurance=verified", ""); r.Status != 422 || !strings.Contains(r.Body, `"assurance"`) {
			t.Errorf("an unknown level in the filter: %d %s", r.Status, r.Body)
		}
		csv := anon.Do("GET", "/api/v1/open-data/actions.csv?assurance=evidence_checked", "")
		lines := strings.Split(strings.TrimSpace(csv.Body), "\n")
		if len(lines) != 2 || !strings.HasSuffix(strings.TrimSpace(lines[0]), ",assurance") || !strings.HasSuffix(strings.TrimSpace(lines[1]), ",evidence_checked") {
			t.Errorf("open data: %q", lines)
		}
		if j := anon.Do("GET", "/api/v1/open-data/actions.json", ""); !strings.Contains(j.Body, `"assurance":"evidence_checked"`) {
			t.Errorf("open data JSON: %s", j.Body)
		}
	})
}

// A reviewer organisation's confirmation over HTTP: refused to others and
// on its own organisation's actions; the action then independently
// verified, and the secretariat may restore that level after lowering it.
func TestVerificationsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		lab, labOrg := sc.Reviewer(t, stakeholder.CivilSociety, "analyst@lab.example")
		a := sc.LastYearAction
		path := fmt.Sprintf("/api/v1/actions/%d/verifications", a.ID)
		body := func(version int) string {
			return fmt.Sprintf(`{"note": "Our audit of the register confirms it.", "evidence": [{"kind": "report", "url": "https://lab.example.org/audit", "title": "Audit"}], "version": %d}`, version)
		}
		c, err := sc.S.Cycles.Get(context.Background(), 2026)
		if err != nil {
			t.Fatal(err)
		}
		own := sc.S.Accepted(t, labOrg, c, testutil.ActionInput())
		for _, tc := range []struct {
			name   string
			client apptest.APIClient
			path   string
			body   string
			status int
			field  string
		}{
			{"the secretariat", sc.Sec, path, body(a.Version), 403, ""},
			{"the organisation itself", sc.Focal, path, body(a.Version), 403, ""},
			{"its own organisation's action", lab, fmt.Sprintf("/api/v1/actions/%d/verifications", own.ID), body(own.Version), 403, ""},
			{"no evidence", lab, path, fmt.Sprintf(`{"note": "Confirmed.", "evidence": [], "version": %d}`, a.Version), 422, "evidence"},
			{"no note", lab, path, fmt.Sprintf(`{"note": "", "evidence": [{"kind": "report", "url": "https://x.example/a", "title": "A"}], "version": %d}`, a.Version), 422, "note"},
			{"a stale version", lab, path, body(a.Version - 1), 409, "version"},
			{"a missing action", lab, "/api/v1/actions/999999/verifications", body(1), 404, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if r := tc.client.For(t).Do("POST", tc.path, tc.body); r.Status != tc.status || !strings.Contains(r.Body, tc.field) {
					t.Errorf("%d %s, want %d naming %q", r.Status, r.Body, tc.status, tc.field)
				}
			})
		}
		r := lab.Do("POST", path, body(a.Version))
		if r.Status != 201 || !strings.Contains(r.Body, `"assurance":"independently_verified"`) || !strings.Contains(r.Body, labOrg.Name) {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}
		anon := apptest.APIClient{T: t, Base: sc.TS}
		page := anon.Do("GET", fmt.Sprintf("/actions/%d", a.ID), "").Body
		for _, want := range []string{"Independently verified", labOrg.Name, "Our audit of the register confirms it.", "https://lab.example.org/audit"} {
			if !strings.Contains(page, want) {
				t.Errorf("the public page lacks %q", want)
			}
		}
		// Lowered by the secretariat, then restored: a reviewer confirmed it.
		cur := apptest.Decode[apptest.ActionJSON](t, sc.Sec.Do("GET", fmt.Sprintf("/api/v1/actions/%d", a.ID), ""))
		low := apptest.Decode[apptest.ActionJSON](t, sc.Sec.Do("PATCH", fmt.Sprintf("/api/v1/actions/%d/assurance", a.ID),
			fmt.Sprintf(`{"level": "evidence_checked", "note": "The audit covers only part of the register.", "version": %d}`, cur.Version)))
		r = sc.Sec.Do("PATCH", fmt.Sprintf("/api/v1/actions/%d/assurance", a.ID),
			fmt.Sprintf(`{"level": "independently_verified", "note": "The audit was completed.", "version": %d}`, low.Version))
		if got := apptest.Decode[apptest.ActionJSON](t, r); r.Status != 200 || got.Assurance != "independently_verified" {
			t.Errorf("restored: %d %s", r.Status, r.Body)
		}
	})
}

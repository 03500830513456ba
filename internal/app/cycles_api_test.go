package app

import (
	"fmt"
	"strings"
	"testing"

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

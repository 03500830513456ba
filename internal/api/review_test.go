package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestReviewAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		submit := func() apptest.ActionJSON {
			a := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody))
			r := sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), "")
			return apptest.Decode[apptest.ActionJSON](t, r)
		}
		a, b, c := submit(), submit(), submit()
		queue := apptest.Decode[struct {
			Total int
			Items []struct {
				ID           int64  `json:"id"`
				Organisation string `json:"organisation"`
			}
		}](t, sc.Sec.Do("GET", "/api/v1/review?cycle=2026&recommendation=2", ""))
		if queue.Total != 3 || queue.Items[0].ID != a.ID || queue.Items[0].Organisation == "" {
			t.Fatalf("queue: %+v", queue)
		}
		if r := sc.Focal.Do("GET", "/api/v1/review", ""); r.Status != 403 {
			t.Errorf("a supporter reads the queue: %d", r.Status)
		}
		r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), `{"decision": "request_changes", "comment": "Please link the published decree."}`)
		if got := apptest.Decode[apptest.ActionJSON](t, r); got.State != "changes_requested" {
			t.Fatalf("request changes: %d %s", r.Status, r.Body)
		}
		// The organisation sees the comment in its history.
		if h := sc.Member.Do("GET", fmt.Sprintf("/api/v1/actions/%d/history", a.ID), ""); !strings.Contains(h.Body, "Please link the published decree.") {
			t.Errorf("the comment is not in the history the organisation sees")
		}
		r = sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", b.ID), `{"decision": "accept", "stage": "implemented", "recommendations": [2, 7]}`)
		if got := apptest.Decode[apptest.ActionJSON](t, r); got.State != "accepted" || !strings.Contains(r.Body, `"recommendations":[2,7]`) || !strings.Contains(r.Body, `"stage":"implemented"`) {
			t.Errorf("accept with correction: %d %s", r.Status, r.Body)
		}
		for _, bad := range []struct {
			name, body string
			status     int
		}{
			{"an unknown decision", `{"decision": "maybe"}`, 422},
			{"changes requested without a comment", `{"decision": "request_changes"}`, 422},
			{"the state", `{"decision": "accept", "state": "accepted"}`, 400},
		} {
			t.Run(bad.name, func(t *testing.T) {
				if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", c.ID), bad.body); r.Status != bad.status {
					t.Errorf("%s: %d %s, want %d", bad.body, r.Status, r.Body, bad.status)
				}
			})
		}
		if r := sc.Sec.Do("POST", "/api/v1/review/accept", fmt.Sprintf(`{"actions": [{"id": %d}]}`, c.ID)); r.Status != 422 || !strings.Contains(r.Body, `"actions"`) {
			t.Errorf("bulk accept without versions: %d %s", r.Status, r.Body)
		}
		cur, _ := sc.S.Actions.Get(context.Background(), testutil.System, c.ID)
		r = sc.Sec.Do("POST", "/api/v1/review/accept", fmt.Sprintf(`{"actions": [{"id": %d, "version": %d}]}`, c.ID, cur.Version))
		if r.Status != 200 || !strings.Contains(r.Body, `"total":1`) {
			t.Errorf("bulk accept: %d %s", r.Status, r.Body)
		}
		if q := apptest.Decode[struct{ Total int }](t, sc.Sec.Do("GET", "/api/v1/review", "")); q.Total != 0 {
			t.Errorf("queue after the reviews: %d", q.Total)
		}
	})
}

// An action that cites no evidence is refused acceptance with a 422 on
// "evidence" in a cycle that requires it (as new cycles do), one at a time
// or in bulk; with the rule set to optional through the API, it is
// accepted.
func TestReviewAPIEvidenceRule(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		bare := strings.Replace(apptest.NewActionBody, `"evidence": [{"kind": "regulation", "url": "https://example.org/reg", "title": "Regulation"}]`, `"evidence": []`, 1)
		a := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", bare))
		a = apptest.Decode[apptest.ActionJSON](t, sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), ""))
		cycles := apptest.Decode[struct {
			Items []struct {
				Year     int    `json:"year"`
				Version  int    `json:"version"`
				Evidence string `json:"evidence"`
			}
		}](t, sc.Sec.Do("GET", "/api/v1/cycles", ""))
		if len(cycles.Items) == 0 || cycles.Items[0].Year != 2026 || cycles.Items[0].Evidence != "required" {
			t.Fatalf("the new cycle's rule: %+v", cycles)
		}
		version := cycles.Items[0].Version
		review := func() apptest.Response {
			return sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), `{"decision": "accept"}`)
		}
		if r := review(); r.Status != 422 || !strings.Contains(r.Body, `"evidence"`) || !strings.Contains(r.Body, "cite at least one evidence link") {
			t.Errorf("accept without evidence: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("POST", "/api/v1/review/accept", fmt.Sprintf(`{"actions": [{"id": %d, "version": %d}]}`, a.ID, a.Version)); r.Status != 422 || !strings.Contains(r.Body, `"evidence"`) {
			t.Errorf("bulk accept without evidence: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("PATCH", "/api/v1/cycles/2026", fmt.Sprintf(`{"evidence": "sometimes", "version": %d}`, version)); r.Status != 422 || !strings.Contains(r.Body, `"evidence"`) {
			t.Errorf("an unknown rule: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("PATCH", "/api/v1/cycles/2026", fmt.Sprintf(`{"evidence": "optional", "version": %d}`, version)); r.Status != 200 || !strings.Contains(r.Body, `"evidence":"optional"`) {
			t.Fatalf("set the rule to optional: %d %s", r.Status, r.Body)
		}
		if r := review(); r.Status != 200 || !strings.Contains(r.Body, `"state":"accepted"`) {
			t.Errorf("accept without evidence where it is optional: %d %s", r.Status, r.Body)
		}
	})
}

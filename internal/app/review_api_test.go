package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestReviewAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		submit := func() actionJSON {
			a := decode[actionJSON](t, sc.member.do("POST", "/api/v1/actions", newActionBody))
			r := sc.focal.do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), "")
			return decode[actionJSON](t, r)
		}
		a, b, c := submit(), submit(), submit()
		queue := decode[struct {
			Total int
			Items []struct {
				ID           int64  `json:"id"`
				Organisation string `json:"organisation"`
			}
		}](t, sc.sec.do("GET", "/api/v1/review?cycle=2026&recommendation=2", ""))
		if queue.Total != 3 || queue.Items[0].ID != a.ID || queue.Items[0].Organisation == "" {
			t.Fatalf("queue: %+v", queue)
		}
		if r := sc.focal.do("GET", "/api/v1/review", ""); r.status != 403 {
			t.Errorf("a supporter reads the queue: %d", r.status)
		}
		r := sc.sec.do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), `{"decision": "request_changes", "comment": "Please link the published decree."}`)
		if got := decode[actionJSON](t, r); got.State != "changes_requested" {
			t.Fatalf("request changes: %d %s", r.status, r.body)
		}
		// The organisation sees the comment in its history.
		if h := sc.member.do("GET", fmt.Sprintf("/api/v1/actions/%d/history", a.ID), ""); !strings.Contains(h.body, "Please link the published decree.") {
			t.Errorf("the comment is not in the history the organisation sees")
		}
		r = sc.sec.do("POST", fmt.Sprintf("/api/v1/actions/%d/review", b.ID), `{"decision": "accept", "stage": "implemented", "recommendations": [2, 7]}`)
		if got := decode[actionJSON](t, r); got.State != "accepted" || !strings.Contains(r.body, `"recommendations":[2,7]`) || !strings.Contains(r.body, `"stage":"implemented"`) {
			t.Errorf("accept with correction: %d %s", r.status, r.body)
		}
		for body, want := range map[string]int{
			`{"decision": "maybe"}`:                       422,
			`{"decision": "request_changes"}`:             422,
			`{"decision": "accept", "state": "accepted"}`: 400,
		} {
			if r := sc.sec.do("POST", fmt.Sprintf("/api/v1/actions/%d/review", c.ID), body); r.status != want {
				t.Errorf("%s: %d", body, r.status)
			}
		}
		if r := sc.sec.do("POST", "/api/v1/review/accept", fmt.Sprintf(`{"actions": [{"id": %d}]}`, c.ID)); r.status != 422 || !strings.Contains(r.body, `"actions"`) {
			t.Errorf("bulk accept without versions: %d %s", r.status, r.body)
		}
		cur, _ := sc.s.Actions.Get(context.Background(), testutil.System, c.ID)
		r = sc.sec.do("POST", "/api/v1/review/accept", fmt.Sprintf(`{"actions": [{"id": %d, "version": %d}]}`, c.ID, cur.Version))
		if r.status != 200 || !strings.Contains(r.body, `"total":1`) {
			t.Errorf("bulk accept: %d %s", r.status, r.body)
		}
		if q := decode[struct{ Total int }](t, sc.sec.do("GET", "/api/v1/review", "")); q.Total != 0 {
			t.Errorf("queue after the reviews: %d", q.Total)
		}
	})
}

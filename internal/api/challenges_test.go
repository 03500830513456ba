package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

type challengeJSON struct {
	ID       int64
	State    string
	Version  int
	Reviewer *struct {
		ID   int64
		Name string
	}
	ReviewerKind string `json:"reviewer_kind"`
	ReplyDue     string `json:"reply_due"`
	Reply        *struct{ Text string }
	Decision     *struct{ Outcome, Stage, Assurance string }
}

// A challenge over HTTP, from filing to publication: each step's status
// for whoever tries it, and the reviewer's name only where it may be read.
func TestChallengesAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		lab, reviewer := sc.Reviewer(t, stakeholder.Academia, "analyst@lab.example")
		anon := apptest.APIClient{T: t, Base: sc.TS}
		a := sc.LastYearAction
		file := fmt.Sprintf("/api/v1/actions/%d/challenges", a.ID)
		body := `{"grounds": "contradicted_by_findings", "statement": "Spyware was **deployed** after the decree.",
			"evidence": [{"kind": "report", "url": "https://lab.example.org/r", "title": "Report"}], "pseudonymous": true}`
		for _, c := range []struct {
			name   string
			client apptest.APIClient
			body   string
			status int
			field  string
		}{
			{"no one", anon, body, 401, ""},
			{"a supporter that is no reviewer", sc.Other, body, 403, ""},
			{"the secretariat", sc.Sec, body, 403, ""},
			{"unknown grounds", lab, `{"grounds": "bias", "statement": "x"}`, 422, "grounds"},
			{"an unknown field", lab, `{"grounds": "outdated", "statement": "x", "state": "published"}`, 400, ""},
		} {
			t.Run("file/"+c.name, func(t *testing.T) {
				if r := c.client.For(t).Do("POST", file, c.body); r.Status != c.status || !strings.Contains(r.Body, c.field) {
					t.Errorf("%d %s, want %d naming %q", r.Status, r.Body, c.status, c.field)
				}
			})
		}
		r := lab.Do("POST", file, body)
		filed := apptest.Decode[challengeJSON](t, r)
		if r.Status != 201 || filed.State != "filed" || r.Header.Get("Location") != fmt.Sprintf("/api/v1/challenges/%d", filed.ID) {
			t.Fatalf("file: %d %s", r.Status, r.Body)
		}
		path := fmt.Sprintf("/api/v1/challenges/%d", filed.ID)
		if r := sc.Focal.Do("GET", path, ""); r.Status != 404 {
			t.Errorf("the organisation reads a filed challenge: %d", r.Status)
		}
		if r := sc.Sec.Do("POST", path+"/screen", `{"reason": ""}`); r.Status != 422 || !strings.Contains(r.Body, `"admissible"`) {
			t.Errorf("screened without saying: %d %s", r.Status, r.Body)
		}
		if r := lab.Do("POST", path+"/screen", `{"admissible": true}`); r.Status != 403 {
			t.Errorf("the reviewer screens: %d", r.Status)
		}
		r = sc.Sec.Do("POST", path+"/screen", `{"admissible": true}`)
		if got := apptest.Decode[challengeJSON](t, r); got.State != "open" || got.ReplyDue != "2026-10-01" {
			t.Fatalf("screen: %d %s", r.Status, r.Body)
		}
		// The organisation reads it now, without the reviewer's name.
		r = sc.Member.Do("GET", path, "")
		if got := apptest.Decode[challengeJSON](t, r); r.Status != 200 || got.Reviewer != nil || got.ReviewerKind != "" ||
			strings.Contains(r.Body, reviewer.Name) {
			t.Errorf("the organisation reads: %d %s", r.Status, r.Body)
		}
		if got := apptest.Decode[challengeJSON](t, lab.Do("GET", path, "")); got.Reviewer == nil || got.Reviewer.Name != reviewer.Name {
			t.Errorf("the reviewer does not read its own name")
		}
		if r := sc.Focal.Do("GET", "/api/v1/challenges?state=open", ""); !strings.Contains(r.Body, `"total":1`) {
			t.Errorf("the organisation's list: %s", r.Body)
		}
		if r := sc.Other.Do("GET", "/api/v1/challenges", ""); !strings.Contains(r.Body, `"total":0`) {
			t.Errorf("an outsider's list: %s", r.Body)
		}
		if r := sc.Focal.Do("GET", "/api/v1/challenges?state=maybe", ""); r.Status != 422 {
			t.Errorf("an unknown state: %d", r.Status)
		}
		if r := sc.Sec.Do("POST", path+"/decide", `{"outcome": "upheld", "reasons": "r"}`); r.Status != 409 {
			t.Errorf("decided while the organisation may reply: %d %s", r.Status, r.Body)
		}
		if r := sc.Member.Do("POST", path+"/reply", `{"reply": "No."}`); r.Status != 403 {
			t.Errorf("a member replies: %d", r.Status)
		}
		r = sc.Focal.Do("POST", path+"/reply", `{"reply": "The deployment predates the decree.", "evidence": [{"kind": "law", "url": "https://gov.example/d", "title": "Decree"}]}`)
		if got := apptest.Decode[challengeJSON](t, r); r.Status != 200 || got.Reply == nil {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("POST", path+"/decide", `{"outcome": "upheld", "reasons": "The findings stand.", "stage": "planned"}`); r.Status != 200 {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
		if r := anon.Do("GET", fmt.Sprintf("/actions/%d", a.ID), ""); strings.Contains(r.Body, "The findings stand.") {
			t.Errorf("the decision is public before its publication")
		}
		r = sc.Sec.Do("POST", path+"/publish", "")
		if got := apptest.Decode[challengeJSON](t, r); r.Status != 200 || got.State != "published" || got.Decision == nil || got.Decision.Stage != "planned" {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		if r := sc.Other.Do("GET", path, ""); r.Status != 200 || strings.Contains(r.Body, reviewer.Name) {
			t.Errorf("anyone reads the published challenge, unnamed: %d", r.Status)
		}
		if r := sc.Sec.Do("POST", path+"/publish", ""); r.Status != 409 {
			t.Errorf("published twice: %d", r.Status)
		}
	})
}

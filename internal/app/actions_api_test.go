package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// apiClient calls the API with a Bearer token.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c apiClient) do(method, path, body string, header ...string) response {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// Redirects are answers too: a page sends anonymous visitors to sign in.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

type actionJSON struct {
	ID          int64  `json:"id"`
	Cycle       int    `json:"cycle"`
	Title       string `json:"title"`
	State       string `json:"state"`
	Version     int    `json:"version"`
	CarriedFrom *int64 `json:"carried_from"`
	Evidence    []struct {
		URL string `json:"url"`
	} `json:"evidence"`
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	return v
}

// scenario sets up two organisations with their people and tokens, last
// year's accepted action and this year's open cycle.
type scenario struct {
	s                         *testutil.Services
	ts                        string
	member, focal, other, sec apiClient
	org, otherOrg             stakeholder.Stakeholder
	lastYearAction            action.Action
}

func newScenario(t *testing.T, db *store.DB) *scenario {
	t.Helper()
	ctx := context.Background()
	s := testutil.NewServices(db) // the clock stands on 1 September 2026
	sc := &scenario{s: s, org: s.Stakeholder(t, stakeholder.State), otherOrg: s.Stakeholder(t, stakeholder.State)}
	sc.ts = startServerAt(t, db, s.Clock.Now).URL
	client := func(email string, in user.Input) apiClient {
		in.Email, in.Name = email, email
		if _, err := s.Users.Create(ctx, testutil.System, in); err != nil {
			t.Fatal(err)
		}
		_, secret, err := s.Users.CreateToken(ctx, testutil.System, email, "test")
		if err != nil {
			t.Fatal(err)
		}
		return apiClient{t: t, base: sc.ts, token: secret}
	}
	sc.member = client("member@own.example", user.Input{Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.Member})
	sc.focal = client("focal@own.example", user.Input{Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint})
	sc.other = client("focal@other.example", user.Input{Role: user.Supporter, StakeholderID: sc.otherOrg.ID, OrgRole: user.FocalPoint})
	sc.sec = client("sec@pc.example", user.Input{Role: user.Secretariat})
	last := s.Cycle(t, 2025)
	s.Cycle(t, 2026)
	a := s.Action(t, sc.org, last)
	a, _ = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, "")
	a, err := s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, "")
	if err != nil {
		t.Fatal(err)
	}
	sc.lastYearAction = a
	return sc
}

const newActionBody = `{"cycle": 2026, "title": "Export licensing for intrusion software", "description": "Under the **dual-use** regulation.",
 "recommendations": [2], "stage": "adopted", "measure": "export_controls", "scope": "national", "visibility": "public",
 "starts_on": "2026-03-01", "evidence": [{"kind": "regulation", "url": "https://example.org/reg", "title": "Regulation"}]}`

func TestActionsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)

		// A member drafts, carries last year forward and edits.
		r := sc.member.do("POST", "/api/v1/actions", newActionBody)
		a := decode[actionJSON](t, r)
		if r.status != 201 || a.State != "draft" || a.Version != 1 || a.Cycle != 2026 || r.header.Get("Location") == "" {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		r = sc.member.do("POST", "/api/v1/cycles/2026/carry-forward", "")
		carried := decode[struct{ Items []actionJSON }](t, r)
		if r.status != 200 || len(carried.Items) != 1 || carried.Items[0].CarriedFrom == nil || *carried.Items[0].CarriedFrom != sc.lastYearAction.ID {
			t.Fatalf("carry forward: %d %s", r.status, r.body)
		}
		if again := decode[struct{ Items []actionJSON }](t, sc.focal.do("POST", "/api/v1/cycles/2026/carry-forward", "")); len(again.Items) != 0 {
			t.Errorf("carry forward twice created %d", len(again.Items))
		}
		c := carried.Items[0]
		r = sc.member.do("PATCH", fmt.Sprintf("/api/v1/actions/%d", c.ID), fmt.Sprintf(`{"version": %d, "stage": "implemented",
			"evidence": [{"kind": "law", "url": "https://example.org/law", "title": "Law"}, {"kind": "report", "url": "https://example.org/r", "title": "Report"}]}`, c.Version))
		c = decode[actionJSON](t, r)
		if r.status != 200 || c.Version != 2 || len(c.Evidence) != 2 || c.Title != sc.lastYearAction.Title {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}

		// Two saves from the same version: one wins, one gets 409 with the
		// current action; the history holds exactly the successful saves.
		var wg sync.WaitGroup
		results := make([]response, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = sc.member.do("PATCH", fmt.Sprintf("/api/v1/actions/%d", a.ID), fmt.Sprintf(`{"version": 1, "title": "Edit %d"}`, i))
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, r := range results {
			switch r.status {
			case 200:
				ok++
			case 409:
				conflict++
				// The one error shape, with the action as it now stands beside it.
				if !strings.Contains(r.body, `"current":`) || !strings.Contains(r.body, `"version":2`) ||
					!strings.Contains(r.body, `"error":{"code":"conflict"`) || !strings.Contains(r.body, `"request_id":`) {
					t.Errorf("409 without the current action: %s", r.body)
				}
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("concurrent saves: %d ok, %d conflicts: %+v", ok, conflict, results)
		}
		hist := decode[struct {
			Versions []struct{ Version int } `json:"versions"`
		}](t, sc.member.do("GET", fmt.Sprintf("/api/v1/actions/%d/history", a.ID), ""))
		if len(hist.Versions) != 2 {
			t.Errorf("history after one create and one winning save: %d versions", len(hist.Versions))
		}

		// Only the focal point submits; then the action is read-only.
		if r := sc.member.do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), ""); r.status != 403 {
			t.Errorf("member submits: %d", r.status)
		}
		r = sc.focal.do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", c.ID), fmt.Sprintf(`{"version": %d}`, c.Version))
		if decode[actionJSON](t, r).State != "submitted" {
			t.Fatalf("focal point submits: %d %s", r.status, r.body)
		}
		if r := sc.member.do("PATCH", fmt.Sprintf("/api/v1/actions/%d", c.ID), `{"version": 3, "title": "Late edit"}`); r.status != 409 {
			t.Errorf("editing a submitted action: %d %s", r.status, r.body)
		}

		// Another organisation sees none of it: 404 everywhere.
		for _, id := range []int64{a.ID, c.ID, sc.lastYearAction.ID} {
			for _, call := range []struct{ method, path, body string }{
				{"GET", "/api/v1/actions/%d", ""}, {"GET", "/api/v1/actions/%d/history", ""},
				{"PATCH", "/api/v1/actions/%d", `{"version": 1, "title": "Hijack"}`}, {"DELETE", "/api/v1/actions/%d", ""},
				{"POST", "/api/v1/actions/%d/submit", ""}, {"POST", "/api/v1/actions/%d/withdraw", ""},
			} {
				if r := sc.other.do(call.method, fmt.Sprintf(call.path, id), call.body); r.status != 404 {
					t.Errorf("other organisation %s %s: %d", call.method, fmt.Sprintf(call.path, id), r.status)
				}
			}
		}
		mine := decode[struct{ Total int }](t, sc.other.do("GET", "/api/v1/my/actions?cycle=2026", ""))
		if mine.Total != 0 {
			t.Errorf("the other organisation lists %d actions", mine.Total)
		}
		own := decode[struct{ Total int }](t, sc.member.do("GET", "/api/v1/my/actions?cycle=2026&state=draft", ""))
		if own.Total != 1 {
			t.Errorf("own drafts in 2026: %d", own.Total)
		}

		// Bad input: 400 for what cannot be read, 422 for what is wrong.
		bad := []struct {
			body   string
			status int
			want   string
		}{
			{`{"cycle": 2026, "title": `, 400, "not valid JSON"},
			{`{"cycle": "2026"}`, 400, `"cycle":"must be a JSON number"`},
			{`{"cycle": 2026, "state": "accepted", "title": "x"}`, 400, `"state":"is not a field`},
			{`{"cycle": 2026, "organisation_id": 1, "title": "x"}`, 400, `"organisation_id"`},
			{`{"cycle": 2026, "title": "", "recommendations": [13], "stage": "done", "measure": "x", "scope": "national", "evidence": [{"kind": "law", "url": "javascript:alert(1)", "title": "x"}]}`, 422, `"evidence.0.url"`},
			{`{"cycle": 1999, "title": "x"}`, 422, `"cycle"`},
		}
		for _, b := range bad {
			r := sc.member.do("POST", "/api/v1/actions", b.body)
			if r.status != b.status || !strings.Contains(r.body, b.want) {
				t.Errorf("%s: %d %s", b.body, r.status, r.body)
			}
		}
		if r := (apiClient{t: t, base: sc.ts}).do("POST", "/api/v1/actions", newActionBody); r.status != 401 {
			t.Errorf("anonymous create: %d", r.status)
		}
		if r := sc.sec.do("POST", "/api/v1/actions", newActionBody); r.status != 403 {
			t.Errorf("secretariat create: %d", r.status)
		}
		// A PATCH with one good field and one bad saves nothing.
		d := decode[actionJSON](t, sc.member.do("POST", "/api/v1/actions", newActionBody))
		if r := sc.member.do("PATCH", fmt.Sprintf("/api/v1/actions/%d", d.ID), `{"version": 1, "title": "CHANGED", "ends_on": "garbage"}`); r.status != 422 {
			t.Errorf("mixed patch: %d", r.status)
		}
		if got := decode[actionJSON](t, sc.member.do("GET", fmt.Sprintf("/api/v1/actions/%d", d.ID), "")); got.Title == "CHANGED" || got.Version != 1 {
			t.Errorf("a refused PATCH saved: %+v", got)
		}
		// Only unsubmitted drafts are deleted.
		if r := sc.member.do("DELETE", fmt.Sprintf("/api/v1/actions/%d", c.ID), ""); r.status != 409 {
			t.Errorf("delete a submitted action: %d", r.status)
		}
		if r := sc.member.do("DELETE", fmt.Sprintf("/api/v1/actions/%d", a.ID), ""); r.status != 204 {
			t.Errorf("delete a draft: %d %s", r.status, r.body)
		}
		if r := sc.member.do("GET", fmt.Sprintf("/api/v1/actions/%d", a.ID), ""); r.status != 404 {
			t.Errorf("deleted draft: %d", r.status)
		}
		// The focal point withdraws a submitted action; a member may not.
		if r := sc.member.do("POST", fmt.Sprintf("/api/v1/actions/%d/withdraw", c.ID), ""); r.status != 403 {
			t.Errorf("a member withdraws: %d %s", r.status, r.body)
		}
		if r := sc.focal.do("POST", fmt.Sprintf("/api/v1/actions/%d/withdraw", c.ID), ""); decode[actionJSON](t, r).State != "withdrawn" {
			t.Errorf("withdraw: %d %s", r.status, r.body)
		}
	})
}

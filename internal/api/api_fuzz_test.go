package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// fuzzAPI is one real server over one SQLite database, shared by every
// input of a fuzz target: starting a server per input would leave the
// fuzzer a few inputs a second. It holds an organisation with a member's
// token, the open 2026 cycle with one draft, and accepted public actions
// for the public lists.
type fuzzAPI struct {
	db     *store.DB
	s      *testutil.Services
	url    string
	client *http.Client // one client, so that connections are kept alive
	token  string
	member user.Actor
	org    stakeholder.Stakeholder
	open   cycle.Cycle
	draft  int64 // the draft the PATCH target edits
}

func newFuzzAPI(f *testing.F) *fuzzAPI {
	f.Helper()
	ctx := context.Background()
	db := testutil.NewDB(f, "sqlite")
	s := testutil.NewServices(db) // the clock stands on 1 September 2026: the 2026 cycle is open

	ts, _ := apptest.StartServerWith(f, db, s.Clock.Now, nil, func(cfg *config.Config) { cfg.HTTP.PublicFreshness = 0 })

	a := &fuzzAPI{db: db, s: s, url: ts.URL, org: s.Stakeholder(f, stakeholder.State),
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	f.Cleanup(a.client.CloseIdleConnections)
	u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "member@fuzz.example", Name: "Member",
		Role: user.Supporter, StakeholderID: a.org.ID, OrgRole: user.Member})
	if err != nil {
		f.Fatal(err)
	}
	a.member = u.Actor()
	if _, a.token, err = s.Users.CreateToken(ctx, testutil.System, u.Email, "fuzz"); err != nil {
		f.Fatal(err)
	}
	last := s.Cycle(f, 2025)
	a.open = s.Cycle(f, 2026)
	for _, c := range []cycle.Cycle{last, a.open} {
		p := s.Action(f, a.org, c)
		p, err = s.Actions.Move(ctx, testutil.System, p.ID, p.Version, action.Submitted, "")
		if err == nil {
			_, err = s.Actions.Move(ctx, testutil.System, p.ID, p.Version, action.Accepted, "")
		}
		if err != nil {
			f.Fatal(err)
		}
	}
	a.draft = s.Action(f, a.org, a.open).ID
	return a
}

// do sends one request; with a body it is JSON from the member.
func (a *fuzzAPI) do(t *testing.T, method string, target *url.URL, body []byte) apptest.Response {
	t.Helper()
	req, err := http.NewRequest(method, a.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Path, req.URL.RawQuery = target.Path, target.RawQuery
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	return apptest.Send(t, a.client, req)
}

// state fingerprints what a request on actions could change: the
// organisation's actions with their versions and evidence, and the number
// of actions of everyone.
func (a *fuzzAPI) state(t *testing.T) string {
	t.Helper()
	var total int
	if err := a.db.SQL().QueryRow("SELECT count(*) FROM actions").Scan(&total); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d %s", total, apptest.Checksum(t, a.db, a.org.ID))
}

// wantJSONError fails unless r carries the API's error body.
func wantJSONError(t *testing.T, what string, r apptest.Response) {
	t.Helper()
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") ||
		json.Unmarshal([]byte(r.Body), &body) != nil || body.Error.Code == "" || body.Error.Message == "" {
		t.Fatalf("%s: %d without a JSON error: %s %q", what, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
}

// actionBodySeeds are bodies of POST and PATCH /api/v1/actions: valid ones,
// each kind of refusal, and the shapes that trip decoders.
var actionBodySeeds = []string{
	apptest.NewActionBody,
	`{"cycle": 2026, "title": "Short", "recommendations": [1], "stage": "planned", "measure": "advocacy", "scope": "organisation", "visibility": "secretariat"}`,
	`{"version": 1, "title": "Renamed"}`,
	`{"version": 1, "stage": "implemented", "ends_on": "2026-12-31", "evidence": [{"kind": "law", "url": "https://example.org/law", "title": "Law"}]}`,
	`{"version": 1, "starts_on": "", "ends_on": ""}`,
	`{"version": 1, "title": "CHANGED", "ends_on": "garbage"}`,
	`{"version": 1, "starts_on": "2026-12-01", "ends_on": "2026-01-01"}`,
	`{"version": 99, "title": "Stale"}`,
	`{"version": -1}`,
	`{"version": 1, "cycle": 2025}`,
	`{"title": "No version"}`,
	`{"cycle": 2026, "title": `,
	`{"cycle": "2026"}`,
	`{"cycle": 2026, "state": "accepted", "title": "x"}`,
	`{"cycle": 2026, "organisation_id": 1, "title": "x"}`,
	`{"cycle": 2026, "title": "", "recommendations": [13], "stage": "done", "measure": "x", "scope": "national", "evidence": [{"kind": "law", "url": "javascript:alert(1)", "title": "x"}]}`,
	`{"cycle": 1999, "title": "x"}`,
	`{"cycle": 2025, "title": "Closed cycle", "recommendations": [1], "stage": "planned", "measure": "advocacy", "scope": "national", "visibility": "public"}`,
	`{"cycle": 9223372036854775807, "version": 1e400, "recommendations": [-1, 0, 1e3]}`,
	`{"cycle": 2026, "title": "Nul \u0000 byte", "description": "\ud800 lone surrogate", "recommendations": [1], "stage": "planned", "measure": "advocacy", "scope": "national", "visibility": "public"}`,
	`{"cycle": 2026, "recommendations": null, "evidence": null, "title": null}`,
	`{"cycle": 2026, "evidence": [{"kind": "law", "url": "https://example.org/` + strings.Repeat("a", 3000) + `", "title": "Long"}]}`,
	`{"cycle": 2026, "Title": "case", "TITLE": "case"}`,
	`{"cycle": 2026}{"cycle": 2026}`,
	`[{"cycle": 2026}]`,
	`"just a string"`,
	`null`,
	`{}`,
	``,
	"\xff\xfe{}",
}

// FuzzActionCreate posts arbitrary bodies to POST /api/v1/actions as a
// member. The server never answers 5xx; a refusal is a 4xx with the JSON
// error body and changes nothing; a creation adds exactly one draft.
func FuzzActionCreate(f *testing.F) {
	for _, s := range actionBodySeeds {
		f.Add([]byte(s))
	}
	a := newFuzzAPI(f)
	target := &url.URL{Path: "/api/v1/actions"}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := a.state(t)
		r := a.do(t, http.MethodPost, target, body)
		switch {
		case r.Status == http.StatusCreated:
			var created apptest.ActionJSON
			if err := json.Unmarshal([]byte(r.Body), &created); err != nil || created.ID == 0 || created.State != "draft" ||
				created.Version != 1 || created.Cycle != a.open.Year {
				t.Fatalf("created: %s", r.Body)
			}
			var n int
			if err := a.db.SQL().QueryRow("SELECT count(*) FROM actions WHERE id = $1 AND stakeholder_id = $2", created.ID, a.org.ID).Scan(&n); err != nil || n != 1 {
				t.Fatalf("the created action %d is not stored as the member's: %d %v", created.ID, n, err)
			}
			// Every input meets the same state, so that what the fuzzer
			// finds can be replayed.
			if err := a.s.Actions.Delete(context.Background(), a.member, created.ID); err != nil {
				t.Fatalf("delete the created draft: %v", err)
			}
		case r.Status >= 400 && r.Status < 500:
			wantJSONError(t, "POST", r)
			if after := a.state(t); after != before {
				t.Fatalf("a refused POST (%d %s) changed the actions", r.Status, r.Body)
			}
		default:
			t.Fatalf("POST answered %d: %s", r.Status, r.Body)
		}
	})
}

// FuzzActionPatch sends arbitrary bodies to PATCH /api/v1/actions/{id} on a
// member's draft at version 1. The server never answers 5xx; a refusal is a
// 4xx with the JSON error body and changes nothing; a save moves the draft
// to version 2 and nothing else.
func FuzzActionPatch(f *testing.F) {
	for _, s := range actionBodySeeds {
		f.Add([]byte(s))
	}
	a := newFuzzAPI(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		target := &url.URL{Path: fmt.Sprintf("/api/v1/actions/%d", a.draft)}
		before := a.state(t)
		r := a.do(t, http.MethodPatch, target, body)
		switch {
		case r.Status == http.StatusOK:
			var saved apptest.ActionJSON
			if err := json.Unmarshal([]byte(r.Body), &saved); err != nil || saved.ID != a.draft || saved.Version != 2 || saved.State != "draft" {
				t.Fatalf("saved: %s", r.Body)
			}
			// A fresh draft at version 1 for the next input.
			if err := a.s.Actions.Delete(context.Background(), a.member, a.draft); err != nil {
				t.Fatalf("delete the edited draft: %v", err)
			}
			a.draft = a.s.Action(t, a.org, a.open).ID
		case r.Status >= 400 && r.Status < 500:
			wantJSONError(t, "PATCH", r)
			if after := a.state(t); after != before {
				t.Fatalf("a refused PATCH (%d %s) changed the actions", r.Status, r.Body)
			}
		default:
			t.Fatalf("PATCH answered %d: %s", r.Status, r.Body)
		}
	})
}

// rawQuery makes s fit in a request line, escaping only what a request
// line cannot carry: malformed escapes, odd separators and repeated keys
// reach the server as they are.
func rawQuery(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzPublicQuery sends arbitrary filters to the public lists: the page
// /actions, the API's /api/v1/actions and the search page. None answers
// 5xx; the API refuses with its JSON error body; and no value comes back
// into a page unescaped (the seeds carry a <pct-fuzz> element to look for).
func FuzzPublicQuery(f *testing.F) {
	type filter struct{ cycle, recommendation, kind, country, stage, measure, q, page, raw string }
	for _, s := range []filter{
		{},
		{cycle: "2025"},
		{cycle: "2026", recommendation: "1", kind: "state", country: "fr", stage: "adopted", measure: "legal_framework", q: "decree", page: "1"},
		{cycle: "0", recommendation: "-1", page: "-1"},
		{cycle: "99999999999999999999", recommendation: "100", page: "100001"},
		{page: "100000"},
		{cycle: "2026 ", recommendation: "1.5", page: "0x10"},
		{kind: "planet", stage: "done", measure: "x", country: "FRA"},
		{country: " fr ", q: "   "},
		{q: strings.Repeat("long ", 41)},
		{q: `"unbalanced ' quote`},
		{q: `a & b | !c <-> d:* (e`},
		{q: `100% _under_ \back\slash`},
		{q: "%'; DROP TABLE actions; --"},
		{q: "Nul\x00byte \xff\xfe"},
		{q: "<pct-fuzz onload=alert(1)>", kind: `"><pct-fuzz>`},
		{stage: "<pct-fuzz>", measure: "</title><pct-fuzz>", country: "<pct-fuzz"},
		{raw: "cycle=2026&cycle=2025&q=a&q=b"},
		{raw: "q=%zz&page=%&cycle=%00"},
		{raw: "q=a;page=2;cycle=2026"},
		{raw: "lang=fr&q=d%C3%A9cret"},
		{raw: "lang=%3Cpct-fuzz%3E&page=2"},
		{raw: "&&&=&=x&y"},
		{raw: "contested=true&cycle=2026"},
		{raw: "contested=true&contested=maybe&q=%3Cpct-fuzz%3E"},
	} {
		f.Add(s.cycle, s.recommendation, s.kind, s.country, s.stage, s.measure, s.q, s.page, s.raw)
	}
	a := newFuzzAPI(f)
	f.Fuzz(func(t *testing.T, cycle, recommendation, kind, country, stage, measure, q, page, raw string) {
		v := url.Values{}
		for name, value := range map[string]string{"cycle": cycle, "recommendation": recommendation, "kind": kind,
			"country": country, "stage": stage, "measure": measure, "q": q, "page": page} {
			if value != "" {
				v.Set(name, value)
			}
		}
		query := v.Encode()
		if raw != "" {
			query += "&" + rawQuery(raw)
		}
		for _, path := range []string{"/actions", "/api/v1/actions", "/search"} {
			target := &url.URL{Path: path, RawQuery: query}
			r := a.do(t, http.MethodGet, target, nil)
			if r.Status >= 500 || r.Status < 200 {
				t.Fatalf("GET %s answered %d: %.2000s", target, r.Status, r.Body)
			}
			if path == "/api/v1/actions" {
				if r.Status >= 400 {
					wantJSONError(t, "GET "+target.String(), r)
				} else if r.Status != http.StatusOK || !json.Valid([]byte(r.Body)) {
					t.Fatalf("GET %s: %d %.2000s", target, r.Status, r.Body)
				}
				continue
			}
			if strings.Contains(strings.ToLower(r.Body), "<pct-fuzz") {
				t.Fatalf("GET %s put a value into the page unescaped: %d", target, r.Status)
			}
		}
	})
}

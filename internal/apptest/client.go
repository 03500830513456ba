package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// APIClient calls the API with a Bearer token.
type APIClient struct {
	T     *testing.T
	Base  string
	Token string
}

// Do sends a request to the API (a body is JSON) and reads the answer;
// redirects are not followed.
func (c APIClient) Do(method, path, body string, header ...string) Response {
	c.T.Helper()
	req, _ := http.NewRequest(method, c.Base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	SetHeader(req, header...)
	// Redirects are answers too: a page sends anonymous visitors to sign in.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return Send(c.T, client, req)
}

// ActionJSON is an action as the API writes it.
type ActionJSON struct {
	ID          int64  `json:"id"`
	Cycle       int    `json:"cycle"`
	Title       string `json:"title"`
	State       string `json:"state"`
	Assurance   string `json:"assurance"`
	Version     int    `json:"version"`
	CarriedFrom *int64 `json:"carried_from"`
	Evidence    []struct {
		URL string `json:"url"`
	} `json:"evidence"`
}

// Decode reads the JSON body of r as a T, ending the test if it cannot.
func Decode[T any](t *testing.T, r Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("%d %s: %v", r.Status, r.Body, err)
	}
	return v
}

// Scenario sets up two organisations with their people and tokens, last
// year's accepted action and this year's open cycle.
type Scenario struct {
	S                         *testutil.Services
	TS                        string
	Member, Focal, Other, Sec APIClient
	Org, OtherOrg             stakeholder.Stakeholder
	LastYearAction            action.Action
}

// NewScenario fills db with two organisations, four people with API tokens
// (a member and a focal point of the first, the focal point of the other,
// the secretariat), last year's accepted action and this year's cycle, and
// runs the server over it.
func NewScenario(t *testing.T, db *store.DB) *Scenario {
	t.Helper()
	ctx := context.Background()
	s := testutil.NewServices(db) // the clock stands on 1 September 2026
	sc := &Scenario{S: s, Org: s.Stakeholder(t, stakeholder.State), OtherOrg: s.Stakeholder(t, stakeholder.State)}
	sc.TS = StartServerAt(t, db, s.Clock.Now).URL
	client := func(email string, in user.Input) APIClient {
		in.Email, in.Name = email, email
		if _, err := s.Users.Create(ctx, testutil.System, in); err != nil {
			t.Fatal(err)
		}
		_, secret, err := s.Users.CreateToken(ctx, testutil.System, email, "test")
		if err != nil {
			t.Fatal(err)
		}
		return APIClient{T: t, Base: sc.TS, Token: secret}
	}
	sc.Member = client("member@own.example", user.Input{Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.Member})
	sc.Focal = client("focal@own.example", user.Input{Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint})
	sc.Other = client("focal@other.example", user.Input{Role: user.Supporter, StakeholderID: sc.OtherOrg.ID, OrgRole: user.FocalPoint})
	sc.Sec = client("sec@pc.example", user.Input{Role: user.Secretariat})
	last := s.Cycle(t, 2025)
	s.Cycle(t, 2026)
	a := s.Action(t, sc.Org, last)
	a, _ = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, "")
	a, err := s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, "")
	if err != nil {
		t.Fatal(err)
	}
	sc.LastYearAction = a
	return sc
}

// NewActionBody is a valid new action for the 2026 cycle, as JSON.
const NewActionBody = `{"cycle": 2026, "title": "Export licensing for intrusion software", "description": "Under the **dual-use** regulation.",
 "recommendations": [2], "stage": "adopted", "measure": "export_controls", "scope": "national", "visibility": "public",
 "starts_on": "2026-03-01", "evidence": [{"kind": "regulation", "url": "https://example.org/reg", "title": "Regulation"}]}`

// ReportJSON is a report as the API writes it.
type ReportJSON struct {
	ID        int64
	Cycle     int
	Status    string
	Page      string
	Documents []struct {
		Format, Lang, URL, SHA256 string
		Size                      int
	}
}

// AcceptIn files an action for an organisation in a cycle, submits and
// accepts it.
func AcceptIn(t *testing.T, sc *Scenario, orgID int64, year int, change func(*action.Input)) {
	t.Helper()
	ctx := context.Background()
	c, err := sc.S.Cycles.Get(ctx, year)
	if err != nil {
		t.Fatal(err)
	}
	in := testutil.ActionInput()
	change(&in)
	a, err := sc.S.Actions.Create(ctx, testutil.System, orgID, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err = sc.S.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, ""); err != nil {
		t.Fatal(err)
	}
}

// CSVHeader is the first line of an import file.
const CSVHeader = "title,description,recommendations,stage,measure,scope,visibility,starts_on,ends_on,evidence_kind,evidence_url,evidence_title\n"

// CSVRows is an import file of n actions (with a byte order mark, as
// spreadsheets write it) whose line badLine, counting the header as line 1,
// names a stage that does not exist; 0 spoils none.
func CSVRows(n, badLine int) string {
	var b strings.Builder
	b.WriteString("\ufeff" + CSVHeader)
	for i := 1; i <= n; i++ {
		stage := "adopted"
		if i+1 == badLine {
			stage = "finished"
		}
		fmt.Fprintf(&b, "Action %d,Done in %d,2;4,%s,export_controls,national,public,2026-01-15,,law,https://example.org/%d,Law %d\n", i, i, stage, i, i)
	}
	return b.String()
}

// SignIn adds a person of sc.Org with this email, name and role in the
// organisation, and returns a browser-like client signed in as them.
func (sc *Scenario) SignIn(t *testing.T, email, name string, role user.OrgRole) *http.Client {
	t.Helper()
	if _, err := sc.S.Users.Create(context.Background(), testutil.System, user.Input{Email: email, Name: name,
		Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: role, Password: Password}); err != nil {
		t.Fatal(err)
	}
	c := BrowserClient()
	if r := PostAnonForm(t, c, sc.TS+"/signin", url.Values{"email": {email}, "password": {Password}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %.300s", email, r.Status, r.Body)
	}
	return c
}

// Reviewer adds to the scenario a reviewer organisation of kind, with a
// person of it (a member, email given), and returns that person's client.
func (sc *Scenario) Reviewer(t *testing.T, kind stakeholder.Kind, email string) (APIClient, stakeholder.Stakeholder) {
	t.Helper()
	ctx := context.Background()
	org := sc.S.Reviewer(t, kind)
	if _, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: email, Name: email, Role: user.Supporter,
		StakeholderID: org.ID, OrgRole: user.Member}); err != nil {
		t.Fatal(err)
	}
	_, token, err := sc.S.Users.CreateToken(ctx, testutil.System, email, "test")
	if err != nil {
		t.Fatal(err)
	}
	return APIClient{T: t, Base: sc.TS, Token: token}, org
}

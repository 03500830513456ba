package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// logBuffer is the server's log, read back as records too.
type logBuffer struct{ testutil.LogBuffer }

// records parses the JSON log, one record per line.
func (l *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		out = append(out, rec)
	}
	return out
}

// startServerLogged runs the real server as StartServerWith does, with the
// logger the program builds (JSON format) writing into a buffer.
func startServerLogged(t *testing.T, db *store.DB, now func() time.Time) (*httptest.Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	ts, _ := apptest.StartServerWith(t, db, now, logs, func(cfg *config.Config) {
		cfg.HTTP.PublicFreshness = 0
		cfg.Log.Format = "json"
	})
	return ts, logs
}

// A Scenario with failed sign-ins, authorization refusals and CSRF
// refusals: each is logged with its time in UTC, its request id, the user
// (or "anonymous") and the client's address; and no password, API token,
// session cookie or CSRF token ever reaches the log.
func TestSecurityEventsLogged(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		ts, logs := startServerLogged(t, db, s.Clock.Now)
		org, otherOrg := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		s.Cycle(t, 2026)
		const otherPassword = "otherorganisationpassphrase42"
		const wrongPassword = "wrongpassphraseguessed77"
		people := map[string]user.User{}
		for email, in := range map[string]user.Input{
			"focal@logs.example": {Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password},
			"other@logs.example": {Role: user.Supporter, StakeholderID: otherOrg.ID, OrgRole: user.FocalPoint, Password: otherPassword},
		} {
			in.Email, in.Name = email, email
			u, err := s.Users.Create(ctx, testutil.System, in)
			if err != nil {
				t.Fatal(err)
			}
			people[email] = u
		}
		focal, other := people["focal@logs.example"], people["other@logs.example"]
		// What must never be logged, by what it is.
		secrets := map[string]string{"the focal point's password": apptest.Password, "the other's password": otherPassword,
			"a wrong password": wrongPassword}
		token := func(email string) string {
			_, secret, err := s.Users.CreateToken(ctx, testutil.System, email, "logs")
			if err != nil {
				t.Fatal(err)
			}
			secrets["the API token of "+email] = secret
			return secret
		}
		focalAPI := apptest.APIClient{T: t, Base: ts.URL, Token: token(focal.Email)}
		otherAPI := apptest.APIClient{T: t, Base: ts.URL, Token: token(other.Email)}
		r := focalAPI.Do("POST", "/api/v1/actions", apptest.NewActionBody)
		draft := apptest.Decode[apptest.ActionJSON](t, r)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}

		// event is a request whose log line the test looks for.
		type event struct {
			what   string
			res    apptest.Response
			status int
			user   string // the user field's value
			reason string // a word the refusal's reason holds, if any
		}
		var events []event
		expect := func(what string, res apptest.Response, status int, who string, reason string) {
			t.Helper()
			if res.Status != status {
				t.Errorf("%s: %d, want %d: %.300s", what, res.Status, status, res.Body)
			}
			events = append(events, event{what, res, status, who, reason})
		}
		anonymous := "anonymous"
		id := func(u user.User) string { return fmt.Sprint(u.ID) }

		// Failed sign-ins: a wrong password, an unknown address.
		browser := apptest.BrowserClient()
		expect("wrong password", apptest.PostAnonForm(t, browser, ts.URL+"/signin", url.Values{"email": {focal.Email}, "password": {wrongPassword}}), 401, anonymous, "")
		expect("unknown account", apptest.PostAnonForm(t, browser, ts.URL+"/signin", url.Values{"email": {"nobody@logs.example"}, "password": {wrongPassword}}), 401, anonymous, "")
		expect("forged API token", focalAPI.WithToken("pct_forgedtokenvalue").Do("GET", "/api/v1/me", ""), 401, anonymous, "")

		// Signing in, as a browser does.
		signIn := func(u user.User, password string) caller {
			r := apptest.PostAnonForm(t, apptest.BrowserClient(), ts.URL+"/signin", url.Values{"email": {u.Email}, "password": {password}})
			var ck *http.Cookie
			for _, c := range (&http.Response{Header: r.Header}).Cookies() {
				if c.Name == "pct_session" {
					ck = c
				}
			}
			if r.Status != http.StatusSeeOther || ck == nil {
				t.Fatalf("sign in %s: %d", u.Email, r.Status)
			}
			c := caller{name: u.Email, cookie: ck.Name + "=" + ck.Value}
			c.csrf = apptest.CSRFOf(t, fetch(t, ts.URL, "GET", "/account", c, nil, nil).Body)
			secrets["the session cookie of "+u.Email] = ck.Value
			secrets["the CSRF token of "+u.Email] = c.csrf
			return c
		}
		focalBrowser, otherBrowser := signIn(focal, apptest.Password), signIn(other, otherPassword)

		// A token made on the account page is shown once, and logged never.
		r = fetch(t, ts.URL, "POST", "/account/tokens", focalBrowser, url.Values{"csrf_token": {focalBrowser.csrf}, "name": {"script"}}, nil)
		m := regexp.MustCompile(`value="(pct_[A-Za-z0-9_-]+)"`).FindStringSubmatch(r.Body)
		if r.Status != 201 || m == nil {
			t.Fatalf("token from the account page: %d", r.Status)
		}
		secrets["the API token made on the account page"] = m[1]

		// Authorization refusals: another organisation's draft, by token and
		// by session, and a secretariat page.
		path := fmt.Sprintf("/api/v1/actions/%d", draft.ID)
		expect("another organisation's draft by token", otherAPI.Do("PATCH", path, `{"version": 1, "title": "Hijack"}`), 404, id(other), "")
		expect("another organisation's draft by session", fetch(t, ts.URL, "POST", fmt.Sprintf("/actions/%d", draft.ID), otherBrowser,
			url.Values{"csrf_token": {otherBrowser.csrf}, "version": {"1"}, "title": {"Hijack"}}, nil), 404, id(other), "")
		expect("secretariat page", fetch(t, ts.URL, "GET", "/admin/status", focalBrowser, nil, nil), 403, id(focal), "")
		expect("secretariat API", focalAPI.Do("POST", "/api/v1/cycles", `{"year": 2030}`), 403, id(focal), "")

		// CSRF refusals: no token, a forged token, another site.
		expect("no CSRF token", fetch(t, ts.URL, "POST", "/signout", focalBrowser, url.Values{}, nil), 403, id(focal), "form")
		expect("forged CSRF token", fetch(t, ts.URL, "POST", fmt.Sprintf("/actions/%d", draft.ID), focalBrowser,
			url.Values{"csrf_token": {"forged" + focalBrowser.csrf[6:]}, "version": {"1"}, "title": {"Forged"}}, nil), 403, id(focal), "form")
		expect("cross-site form", fetch(t, ts.URL, "POST", "/signout", focalBrowser, url.Values{"csrf_token": {focalBrowser.csrf}},
			[]string{"Sec-Fetch-Site", "cross-site"}), 403, id(focal), "cross-site")
		expect("foreign origin", fetch(t, ts.URL, "POST", "/account/tokens", focalBrowser, url.Values{"csrf_token": {focalBrowser.csrf}, "name": {"x"}},
			[]string{"Origin", "https://evil.example"}), 403, id(focal), "cross-site")

		// And the ordinary way out.
		if r := fetch(t, ts.URL, "POST", "/signout", focalBrowser, url.Values{"csrf_token": {focalBrowser.csrf}}, nil); r.Status != http.StatusSeeOther {
			t.Errorf("sign out: %d", r.Status)
		}

		records := logs.records(t)
		byID := map[string]map[string]any{}
		for _, rec := range records {
			if rec["msg"] == "request" {
				if id, _ := rec["request_id"].(string); id != "" {
					byID[id] = rec
				}
			}
		}
		for _, e := range events {
			rid := e.res.Header.Get("X-Request-Id")
			rec, found := byID[rid]
			if rid == "" || !found {
				t.Errorf("%s: no log line for request id %q", e.what, rid)
				continue
			}
			at, _ := rec["time"].(string)
			when, err := time.Parse(time.RFC3339Nano, at)
			if err != nil || !strings.HasSuffix(at, "Z") || time.Since(when) > time.Minute || time.Since(when) < -time.Minute {
				t.Errorf("%s: time %q is not the current time in UTC", e.what, at)
			}
			if got := fmt.Sprint(rec["user"]); got != e.user {
				t.Errorf("%s: user %q, want %q", e.what, got, e.user)
			}
			if ip, _ := rec["ip"].(string); ip != "127.0.0.1" {
				t.Errorf("%s: ip %q", e.what, ip)
			}
			if got := fmt.Sprint(rec["status"]); got != fmt.Sprint(e.status) {
				t.Errorf("%s: status %s logged, answered %d", e.what, got, e.status)
			}
			if reason, _ := rec["reason"].(string); e.reason != "" && !strings.Contains(reason, e.reason) {
				t.Errorf("%s: reason %q, want it to say %q", e.what, reason, e.reason)
			}
		}

		// No secret anywhere in the log, in any of the forms a request
		// carries it in.
		all := logs.String()
		for what, s := range secrets {
			quoted, _ := json.Marshal(s)
			for _, form := range []string{s, url.QueryEscape(s), string(quoted[1 : len(quoted)-1])} {
				if strings.Contains(all, form) {
					t.Errorf("%s is in the log", what)
					break
				}
			}
		}
		t.Logf("%d log records, %d security events found in them, %d secrets looked for", len(records), len(events), len(secrets))
	})
}

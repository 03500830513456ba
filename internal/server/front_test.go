package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The front cache answers a visitor's second request for a public answer
// (the dashboard's page and JSON, a list) from memory, in the visitor's
// language and coding, alike but for the request's id; it never answers
// someone with a cookie, a HEAD or a revalidation, keeps no answer that is
// not public or sets a cookie, forgets everything at a write, and nothing
// outlives public_freshness.
func TestFrontCache(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		logs := &logBuffer{}
		ts, _ := apptest.StartServerWith(t, db, s.Clock.Now, logs, func(cfg *config.Config) {
			cfg.HTTP.PublicFreshness = time.Minute
			cfg.Log.Format = "json"
		})
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		s.Accepted(t, org, c, testutil.ActionInput())
		pending := s.Action(t, org, c)
		pending, err := s.Actions.Move(ctx, testutil.System, pending.ID, pending.Version, action.Submitted, "")
		if err != nil {
			t.Fatal(err)
		}
		for email, in := range map[string]user.Input{
			"sec@front.example":   {Role: user.Secretariat},
			"focal@front.example": {Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password},
		} {
			in.Email, in.Name = email, "Person "+strings.Split(email, "@")[0]
			if _, err := s.Users.Create(ctx, testutil.System, in); err != nil {
				t.Fatal(err)
			}
		}
		_, token, err := s.Users.CreateToken(ctx, testutil.System, "sec@front.example", "front")
		if err != nil {
			t.Fatal(err)
		}

		// fromFront tells whether the front cache gave an answer, from
		// its log line, waited for: the line is written once the answer
		// is out.
		fromFront := func(r raw) bool {
			t.Helper()
			id := r.header.Get("X-Request-Id")
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				for _, rec := range logs.records(t) {
					if rec["msg"] == "request" && rec["request_id"] == id {
						return rec["cache"] == "front"
					}
				}
			}
			t.Fatalf("no log line for request %q", id)
			return false
		}
		get := func(path string, header ...string) raw { return fetchRaw(t, "GET", ts.URL+path, header...) }
		expect := func(what string, r raw, status int, front bool) {
			t.Helper()
			if r.status != status || fromFront(r) != front {
				t.Errorf("%s: %d, from the front cache %v; want %d, %v", what, r.status, !front, status, front)
			}
		}
		enGzip := []string{"Accept-Language", "en", "Accept-Encoding", "gzip"}

		// Signed in first: a sign-in is a write, which empties the cache.
		browser := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, browser, ts.URL+"/signin", url.Values{"email": {"focal@front.example"}, "password": {apptest.Password}}); r.Status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", r.Status)
		}
		first := get("/?cycle=2026", enGzip...)
		expect("the page, first", first, 200, false)
		again := get("/?cycle=2026", enGzip...)
		expect("the page, again", again, 200, true)
		if !bytes.Equal(first.body, again.body) || again.header.Get("X-Request-Id") == first.header.Get("X-Request-Id") {
			t.Errorf("the answer again: same body %v, request ids %q and %q", bytes.Equal(first.body, again.body),
				first.header.Get("X-Request-Id"), again.header.Get("X-Request-Id"))
		}
		for name := range first.header {
			if name != "Date" && name != "X-Request-Id" && first.header.Get(name) != again.header.Get(name) {
				t.Errorf("header %s: %q first, %q from the front cache", name, first.header.Get(name), again.header.Get(name))
			}
		}

		expect("in French, first", get("/?cycle=2026", "Accept-Language", "fr", "Accept-Encoding", "gzip"), 200, false)
		fr := get("/?cycle=2026", "Accept-Language", "fr", "Accept-Encoding", "gzip")
		expect("in French, again", fr, 200, true)
		if fr.header.Get("Content-Language") != "fr" || !strings.Contains(string(decoded(t, fr)), `lang="fr"`) {
			t.Errorf("the French page from the front cache: Content-Language %q", fr.header.Get("Content-Language"))
		}
		plain := get("/?cycle=2026", "Accept-Language", "en")
		expect("uncompressed, first", plain, 200, false)
		if plain.header.Get("Content-Encoding") != "" || !bytes.Equal(plain.body, decoded(t, first)) {
			t.Errorf("uncompressed: Content-Encoding %q", plain.header.Get("Content-Encoding"))
		}

		// The front cache's answers are counted like the router's, under
		// their route's pattern (a hit is not a new, unnamed route), and
		// the static assets it answers are not counted or logged, as the
		// router's are not. One connection: its requests are served one
		// after the other, so a hit's count is made before /metrics is read.
		oneConn := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		defer oneConn.CloseIdleConnections()
		for range 2 {
			if r := apptest.Get(t, oneConn, ts.URL+"/static/css/app.css", enGzip...); r.Status != http.StatusOK {
				t.Fatalf("the stylesheet: %d", r.Status)
			}
		}
		m := apptest.Get(t, oneConn, ts.URL+"/metrics")
		if routes := labelsOf(t, m.Body, "pctracker_http_requests_total", "route"); routes[""] > 0 || routes["/"] == 0 || routes["/static/*"] > 0 {
			t.Errorf("routes counted after the front cache's answers: %v", routes)
		}
		for _, rec := range logs.records(t) {
			if path, _ := rec["path"].(string); rec["msg"] == "request" && strings.HasPrefix(path, "/static/") {
				t.Errorf("a static asset's request logged: %v", rec)
			}
		}

		// Someone signed in has a cookie: their own page, never the
		// visitors' (kept: the sign-in, a write, was before).
		req, _ := http.NewRequest("GET", ts.URL+"/?cycle=2026", nil)
		apptest.SetHeader(req, "Accept-Language", "en")
		own := apptest.Send(t, browser, req)
		if own.Status != 200 || !strings.Contains(own.Body, "focal@front.example") ||
			fromFront(raw{header: own.Header}) || strings.Contains(own.Header.Get("Cache-Control"), "public") {
			t.Errorf("signed in: %d, Cache-Control %q, named %v", own.Status, own.Header.Get("Cache-Control"), strings.Contains(own.Body, "focal@front.example"))
		}
		expect("with any cookie", get("/?cycle=2026", append(enGzip, "Cookie", "pct_lang=en")...), 200, false)
		head := fetchRaw(t, "HEAD", ts.URL+"/?cycle=2026", enGzip...)
		expect("HEAD", head, 200, false)
		if len(head.body) != 0 {
			t.Errorf("HEAD: %d bytes of body", len(head.body))
		}
		expect("revalidated", get("/?cycle=2026", append(enGzip, "If-None-Match", first.header.Get("ETag"))...), 304, false)

		expect("the JSON, first", get("/api/v1/dashboard?cycle=2026", "Accept-Encoding", "gzip"), 200, false)
		expect("the JSON, again", get("/api/v1/dashboard?cycle=2026", "Accept-Encoding", "gzip"), 200, true)
		get("/actions?cycle=2026", enGzip...)
		expect("a public list, again", get("/actions?cycle=2026", enGzip...), 200, true)
		// Not kept: an answer that sets a cookie (the language chosen), and
		// one that is nobody else's (the sign-in form).
		get("/recommendations/5?lang=fr", enGzip...)
		expect("an answer that set a cookie, again", get("/recommendations/5?lang=fr", enGzip...), 200, false)
		get("/signin", enGzip...)
		expect("the sign-in form, again", get("/signin", enGzip...), 200, false)

		// A write: whoever reads next has the change.
		review := apptest.APIClient{T: t, Base: ts.URL, Token: token}
		if r := review.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", pending.ID), `{"decision": "accept"}`); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		after := get("/?cycle=2026", enGzip...)
		expect("the page after an acceptance", after, 200, false)
		if bytes.Equal(decoded(t, after), decoded(t, first)) {
			t.Error("the page after an acceptance is the page before it")
		}
		expect("the page after an acceptance, again", get("/?cycle=2026", enGzip...), 200, true)

		// Nothing outlives public_freshness.
		s.Clock.Add(time.Minute)
		expect("a minute later", get("/?cycle=2026", enGzip...), 200, false)
	})
}

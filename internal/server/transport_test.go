package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// labelsOf lists, from a /metrics text, the distinct values of one label
// of one metric.
func labelsOf(t *testing.T, metrics, metric, label string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(metrics))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), metric+"{")
		if !ok {
			continue
		}
		_, v, ok := strings.Cut(rest, label+`="`)
		if !ok {
			t.Fatalf("%s without %s: %s", metric, label, sc.Text())
		}
		v, _, _ = strings.Cut(v, `"`)
		seen[v]++
	}
	return seen
}

// Made-up methods and paths cost a scraper nothing: every method outside
// the standard ones is counted as OTHER, and every path no route answers
// as "unmatched", so that 5,000 requests with random method names add a
// handful of series to /metrics, not thousands. (The labels do not depend
// on the database, so SQLite alone is tried.)
func TestMetricsLabelsStayBounded(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	ts, routes := apptest.StartServerWithRoutes(t, db, time.Now)
	before := apptest.Get(t, nil, ts.URL+"/metrics")
	if before.Status != http.StatusOK {
		t.Fatalf("/metrics: %d", before.Status)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func(letters string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rnd.IntN(len(letters))]
		}
		return string(b)
	}
	// Every character a method name may hold (an HTTP token), and a
	// path's plainer ones.
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const token = alnum + "-_!#$%&'*+.^`|~"
	paths := []string{"/", "/actions", "/api/v1/actions", "/api/v1/actions/1", "/healthz", "/metrics", "/signin"}
	for i := 0; i < 5000; i++ {
		path := paths[i%len(paths)]
		if i%3 == 0 { // a path no route answers, at the top or inside a surface
			path = []string{"/", "/api/v1/", "/admin/", "/static/"}[i%4] + word(alnum, 12) + "/" + word(alnum, 8)
		}
		req, err := http.NewRequest(word(token, 4+rnd.IntN(12)), ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", req.Method, path, res.StatusCode)
		}
	}
	after := apptest.Get(t, nil, ts.URL+"/metrics")
	standard := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "CONNECT": true, "TRACE": true, "OTHER": true}
	known := map[string]bool{"unmatched": true}
	for _, rt := range routes {
		known[rt.Path] = true
	}
	for _, metric := range []string{"pctracker_http_requests_total", "pctracker_http_request_seconds_count"} {
		for method := range labelsOf(t, after.Body, metric, "method") {
			if !standard[method] {
				t.Errorf("%s has method label %q", metric, method)
			}
		}
		for route := range labelsOf(t, after.Body, metric, "route") {
			if !known[route] {
				t.Errorf("%s has route label %q, which is no route", metric, route)
			}
		}
	}
	series := 0
	for _, n := range labelsOf(t, after.Body, "pctracker_http_requests_total", "method") {
		series += n
	}
	if series > 100 || len(after.Body) > len(before.Body)+64<<10 {
		t.Errorf("/metrics grew from %d to %d bytes, %d request series", len(before.Body), len(after.Body), series)
	}
	t.Logf("/metrics: %d bytes before, %d after 5,000 made-up requests; %d request series", len(before.Body), len(after.Body), series)
}

// /metrics tells the traffic of every route, so it answers only the
// addresses of metrics.allow (loopback by default), judged on the
// connection's address; X-Forwarded-For counts only from a trusted proxy,
// as everywhere else. Everyone else finds nothing there. Tests run on
// loopback, so the refusals use allow lists without it.
func TestMetricsAllowList(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	serve := func(allow []string, proxies []string) string {
		ts, _ := apptest.StartServerWith(t, db, time.Now, nil, func(cfg *config.Config) {
			cfg.Metrics.Allow, cfg.HTTP.TrustedProxies = allow, proxies
		})
		return ts.URL
	}
	byDefault := serve(config.Default().Metrics.Allow, nil)
	elsewhere := serve([]string{"10.0.0.0/8", "2001:db8::/32"}, nil)
	nobody := serve(nil, nil)
	proxied := serve([]string{"10.0.0.0/8"}, []string{"127.0.0.0/8"})
	proxiedLoopback := serve(config.Default().Metrics.Allow, []string{"127.0.0.0/8"})
	for _, c := range []struct {
		what   string
		base   string
		header []string
		status int
	}{
		{"default allow list, from loopback", byDefault, nil, 200},
		{"allow list without loopback", elsewhere, nil, 404},
		{"allow list without loopback, X-Forwarded-For forged", elsewhere, []string{"X-Forwarded-For", "10.1.2.3"}, 404},
		{"empty allow list", nobody, nil, 404},
		{"through a trusted proxy, for an allowed client", proxied, []string{"X-Forwarded-For", "10.1.2.3"}, 200},
		{"through a trusted proxy, for another client", proxied, []string{"X-Forwarded-For", "203.0.113.9"}, 404},
		{"through a trusted proxy on loopback, for a client elsewhere", proxiedLoopback, []string{"X-Forwarded-For", "203.0.113.9"}, 404},
	} {
		r := apptest.Get(t, nil, c.base+"/metrics", c.header...)
		if r.Status != c.status {
			t.Errorf("%s: %d, want %d", c.what, r.Status, c.status)
		}
		if r.Status == 200 && !strings.Contains(r.Body, "pctracker_scheduler_leader") {
			t.Errorf("%s: no metrics in %.200s", c.what, r.Body)
		}
		if r.Status == 404 && strings.Contains(r.Body, "pctracker_") {
			t.Errorf("%s: a refusal tells the metrics", c.what)
		}
	}
}

// chunked sends body without a Content-Length, as a client streaming an
// upload does (Transfer-Encoding: chunked).
func chunked(body string) io.Reader { return io.MultiReader(strings.NewReader(body)) }

// A body over http.body_limit is refused with 413 whether its length is
// declared or not: a chunked upload used to reach the handler, whose CSV
// or form parser met the limit halfway and answered as if the file were
// wrong (422) or missing.
func TestImportChunkedOverTheLimit(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ts, _ := apptest.StartServerWith(t, db, sc.S.Clock.Now, nil, func(cfg *config.Config) { cfg.HTTP.BodyLimit = "64K" })
		if _, err := sc.S.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
			Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.Member, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		browser := apptest.BrowserClient()
		apptest.PostAnonForm(t, browser, ts.URL+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}})
		token := apptest.CSRFOf(t, apptest.Get(t, browser, ts.URL+"/actions/import?cycle=2026").Body)
		send := func(client *http.Client, method, path, contentType string, body io.Reader, header ...string) apptest.Response {
			t.Helper()
			return apptest.SendRaw(t, client, method, ts.URL+path, body, append(header, "Content-Type", contentType)...)
		}
		bearer := []string{"Authorization", "Bearer " + sc.Member.Token}
		page := func(csv string) (string, string) {
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			w.WriteField("csrf_token", token)
			w.WriteField("cycle", "2026")
			f, _ := w.CreateFormFile("file", "actions.csv")
			f.Write([]byte(csv))
			w.Close()
			return b.String(), w.FormDataContentType()
		}
		big, small := apptest.CSVRows(1000, 0), apptest.CSVRows(3, 0) // about 110 KB, and well under the limit
		bigForm, bigType := page(big)
		bigJSON := `{"cycle": 2026, "title": "Large", "description": "` + strings.Repeat("x", 70<<10) + `"}`
		count := func() int {
			var n int
			if err := db.SQL().QueryRow("SELECT count(*) FROM actions WHERE stakeholder_id = $1", sc.Org.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		for _, c := range []struct {
			what string
			res  apptest.Response
		}{
			{"API import, chunked", send(http.DefaultClient, "POST", "/api/v1/actions/import?cycle=2026", "text/csv", chunked(big), bearer...)},
			{"API import, declared", send(http.DefaultClient, "POST", "/api/v1/actions/import?cycle=2026", "text/csv", strings.NewReader(big), bearer...)},
			{"import page, chunked", send(browser, "POST", "/actions/import", bigType, chunked(bigForm))},
			{"import page, declared", send(browser, "POST", "/actions/import", bigType, strings.NewReader(bigForm))},
			{"JSON body, chunked", send(http.DefaultClient, "POST", "/api/v1/actions", "application/json", chunked(bigJSON), bearer...)},
			{"JSON body, declared", send(http.DefaultClient, "POST", "/api/v1/actions", "application/json", strings.NewReader(bigJSON), bearer...)},
		} {
			if c.res.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: %d, want 413: %.300s", c.what, c.res.Status, c.res.Body)
			}
		}
		if n := count(); n != before {
			t.Errorf("refused uploads imported %d actions", n-before)
		}
		// Under the limit, a chunked upload is read whole.
		if r := send(http.DefaultClient, "POST", "/api/v1/actions/import?cycle=2026", "text/csv", chunked(small), bearer...); r.Status != http.StatusCreated {
			t.Errorf("chunked import under the limit: %d %s", r.Status, r.Body)
		}
		smallForm, smallType := page(small)
		if r := send(browser, "POST", "/actions/import", smallType, chunked(smallForm)); r.Status != http.StatusSeeOther {
			t.Errorf("chunked import page under the limit: %d", r.Status)
		}
		if n := count(); n != before+6 {
			t.Errorf("imports under the limit: %d actions, want 6", n-before)
		}
	})
}

// A JSON endpoint reads a body only when it says it is JSON: a missing or
// other Content-Type is refused with 415 (a charset parameter is fine if it
// is UTF-8, the only encoding JSON has). +json types are refused too: the
// API implements neither merge-patch nor JSON Patch semantics, and a client
// sending them expects those. A request without a body needs no type.
func TestSecurityJSONContentType(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		bearer := func(c apptest.APIClient) []string { return []string{"Authorization", "Bearer " + c.Token} }
		created := 0
		for _, c := range []struct {
			contentType string // "-" for none
			status      int
		}{
			{"application/json", 201},
			{"application/json; charset=utf-8", 201},
			{"application/json;charset=UTF-8", 201},
			{"Application/JSON", 201},
			{"-", 415},
			{"", 415},
			{"text/plain", 415},
			{"text/plain; charset=utf-8", 415},
			{"application/x-www-form-urlencoded", 415},
			{"multipart/form-data; boundary=x", 415},
			{"application/merge-patch+json", 415},
			{"application/vnd.pctracker+json", 415},
			{"application/jsonp", 415},
			{"application/json; charset=utf-16", 415},
			{"application/json; charset=latin1", 415},
			{"application/json; charset", 415},
		} {
			header := bearer(sc.Member)
			if c.contentType != "-" {
				header = append(header, "Content-Type", c.contentType)
			}
			r := apptest.SendRaw(t, http.DefaultClient, "POST", sc.TS+"/api/v1/actions", strings.NewReader(apptest.NewActionBody), header...)
			if r.Status != c.status {
				t.Errorf("Content-Type %q: %d, want %d: %.300s", c.contentType, r.Status, c.status, r.Body)
				continue
			}
			if r.Status == 201 {
				created++
				continue
			}
			e := apptest.Decode[struct {
				Error struct{ Code, Message string }
			}](t, r)
			if e.Error.Code != "unsupported_media_type" || !strings.Contains(e.Error.Message, "application/json") {
				t.Errorf("Content-Type %q: %s", c.contentType, r.Body)
			}
		}
		var n int
		if err := db.SQL().QueryRow("SELECT count(*) FROM actions WHERE stakeholder_id = $1 AND state = 'draft'", sc.Org.ID).Scan(&n); err != nil || n != created {
			t.Errorf("%d actions made, %d answered 201 (%v)", n, created, err)
		}
		a := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", apptest.NewActionBody))
		path := fmt.Sprintf("/api/v1/actions/%d", a.ID)
		if r := apptest.SendRaw(t, http.DefaultClient, "PATCH", sc.TS+path, strings.NewReader(`{"version": 1, "title": "Plain"}`),
			append(bearer(sc.Member), "Content-Type", "text/plain")...); r.Status != 415 {
			t.Errorf("PATCH as text/plain: %d", r.Status)
		}
		// The body of a submit is optional: none needs no type, but one
		// that is there must say it is JSON.
		if r := apptest.SendRaw(t, http.DefaultClient, "POST", sc.TS+path+"/submit", strings.NewReader(`{"version": 1}`), bearer(sc.Focal)...); r.Status != 415 {
			t.Errorf("submit with an untyped body: %d", r.Status)
		}
		if r := apptest.SendRaw(t, http.DefaultClient, "POST", sc.TS+path+"/submit", nil, bearer(sc.Focal)...); r.Status != 200 {
			t.Errorf("submit without a body: %d %s", r.Status, r.Body)
		}
	})
}

// A key given twice in one object, at any depth, is refused with 400
// naming it: encoding/json would keep the last one silently, and match
// keys regardless of case, so a body could read one way to a proxy, a log
// or an audit and another way to the API. Keys are compared as the decoder
// matches them (case folded, escapes decoded). Unknown keys stay refused.
func TestSecurityJSONDuplicateKeys(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		drafts := func() int {
			var n int
			if err := db.SQL().QueryRow("SELECT count(*) FROM actions WHERE state = 'draft'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := drafts()
		const ev = `{"kind": "law", "url": "https://example.org/a", "title": "A"}`
		action := func(fields string) string {
			return `{"cycle": 2026, "recommendations": [2], "stage": "adopted", "measure": "export_controls", "scope": "national", ` +
				`"visibility": "public", ` + fields + `}`
		}
		for _, c := range []struct {
			who        apptest.APIClient
			method     string
			path, body string
			field      string // the key named; "" for a success
		}{
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Shown", "title": "Saved"`), "title"},
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Shown", "TITLE": "Saved"`), "TITLE"},
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Shown", "t\u0069tle": "Saved"`), "title"},
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Shown", "evidence": [` + ev + `, {"kind": "law", "url": "https://example.org/b", "URL": "https://evil.example", "title": "B"}]`), "evidence.1.URL"},
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Shown", "evidence": [` + ev + `], "evidence": []`), "evidence"},
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Unknown", "bogus": 1`), "bogus"},
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Unknown", "evidence": [{"kind": "law", "url": "https://example.org/a", "title": "A", "bogus": 1}]`), "bogus"},
			{sc.Sec, "POST", "/api/v1/cycles", `{"year": 2030, "year": 2031}`, "year"},
			{sc.Sec, "POST", "/api/v1/review/accept", `{"actions": [{"id": 1, "version": 1}, {"id": 2, "version": 1, "id": 3}]}`, "actions.1.id"},
			{sc.Focal, "POST", fmt.Sprintf("/api/v1/actions/%d/withdraw", sc.LastYearAction.ID), `{"comment": "a", "comment": "b"}`, "comment"},
			// The same key in different objects, and keys that only look alike, are fine.
			{sc.Member, "POST", "/api/v1/actions", action(`"title": "Two pieces of evidence", "evidence": [` + ev + `, ` + ev + `]`), ""},
		} {
			r := c.who.Do(c.method, c.path, c.body)
			if c.field == "" {
				if r.Status != http.StatusCreated {
					t.Errorf("%s: %d %s", c.body, r.Status, r.Body)
				}
				continue
			}
			e := apptest.Decode[struct {
				Error struct {
					Code, Message string
					Fields        map[string]string
				}
			}](t, r)
			if r.Status != http.StatusBadRequest || e.Error.Code != "malformed" || e.Error.Fields[c.field] == "" ||
				(c.field != "bogus" && !strings.Contains(e.Error.Message, c.field)) {
				t.Errorf("%s: %d %s, want 400 naming %s", c.body, r.Status, r.Body, c.field)
			}
		}
		if n := drafts(); n != before+1 {
			t.Errorf("%d drafts made, want 1", n-before)
		}
		if a, err := sc.S.Actions.Get(context.Background(), testutil.System, sc.LastYearAction.ID); err != nil || a.State != sc.LastYearAction.State {
			t.Errorf("the refused withdrawal moved the action: %s %v", a.State, err)
		}
	})
}

// A visitor's bad input is an answer, not an outage: it is logged at INFO
// with the reason it was refused, never at ERROR, which means an operator
// must act. A scan that posted invalid emails to the password-reset form
// wrote an ERROR line for each.
func TestLogsBadInputAtInfo(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ts, logs := startServerLogged(t, db, sc.S.Clock.Now)
		member := sc.Member
		member.Base = ts.URL
		browser := apptest.BrowserClient()
		resets := []string{"nul\x00@example.org", "\x00@\x00", "nobody@example.org"}
		for _, email := range resets {
			if r := apptest.PostAnonForm(t, browser, ts.URL+"/reset", url.Values{"email": {email}}); r.Status != http.StatusOK {
				t.Errorf("reset for %q: %d", email, r.Status)
			}
		}
		bearer := []string{"Authorization", "Bearer " + member.Token}
		refused := map[string]apptest.Response{
			"400 not JSON":    member.Do("POST", "/api/v1/actions", `{"cycle": `),
			"400 duplicate":   member.Do("POST", "/api/v1/actions", `{"cycle": 2026, "cycle": 2027}`),
			"415 plain text":  apptest.SendRaw(t, http.DefaultClient, "POST", ts.URL+"/api/v1/actions", strings.NewReader(apptest.NewActionBody), append(bearer, "Content-Type", "text/plain")...),
			"422 a field":     member.Do("POST", "/api/v1/actions", `{"cycle": 2026, "title": ""}`),
			"422 a parameter": member.Do("GET", "/api/v1/my/actions?state=%3Cnone%3E", ""),
			"422 a long one":  member.Do("GET", "/api/v1/my/actions?state="+strings.Repeat("x", 5000), ""),
			"404 nothing":     member.Do("GET", "/api/v1/actions/999999", ""),
			"405 a method":    member.Do("BREW", "/api/v1/actions", ""),
			"413 too large":   apptest.SendRaw(t, http.DefaultClient, "POST", ts.URL+"/api/v1/actions", chunked(strings.Repeat(" ", 5<<20)), append(bearer, "Content-Type", "application/json")...),
		}
		// The reset's work runs after its answer: wait for its lines, one
		// per invalid address (the unknown one is no error at all).
		var records []map[string]any
		for deadline := time.Now().Add(10 * time.Second); ; {
			records = logs.records(t)
			n := 0
			for _, rec := range records {
				if rec["msg"] == "password reset request" {
					n++
				}
			}
			if n >= 2 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		resetLines := 0
		for _, rec := range records {
			if rec["level"] == "ERROR" {
				t.Errorf("logged at ERROR: %v", rec)
			}
			if rec["msg"] == "password reset request" {
				resetLines++
				if rec["level"] != "INFO" || !strings.Contains(fmt.Sprint(rec["reason"], rec["fields"]), "email") {
					t.Errorf("a refused reset request is logged as %v", rec)
				}
			}
		}
		if resetLines != 2 {
			t.Errorf("%d lines for the 2 invalid addresses posted to the reset form", resetLines)
		}
		byID := map[string]map[string]any{}
		for _, rec := range records {
			if id, _ := rec["request_id"].(string); id != "" && rec["msg"] == "request" {
				byID[id] = rec
			}
		}
		for what, r := range refused {
			if want := what[:3]; fmt.Sprint(r.Status) != want {
				t.Errorf("%s: answered %d", what, r.Status)
			}
			rec := byID[r.Header.Get("X-Request-Id")]
			if rec == nil {
				t.Errorf("%s: no request line", what)
				continue
			}
			if reason, _ := rec["reason"].(string); rec["level"] != "INFO" || reason == "" || len(reason) > 400 {
				t.Errorf("%s: logged as %.600v, want INFO with its reason, short", what, rec)
			}
		}
	})
}

package server_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		name := strings.ToLower(f[0])
		if _, dup := out[name]; !dup { // a browser keeps the first of a repeated directive
			out[name] = f[1:]
		}
	}
	return out
}

// cspProblems says what a Response's policies leave open. A browser
// enforces every policy it is sent, so a rule holds when one policy
// enforces it.
func cspProblems(policies []string) []string {
	if len(policies) == 0 {
		return []string{"no Content-Security-Policy"}
	}
	var problems []string
	rules := []struct {
		what string
		ok   func(d map[string][]string) bool
	}{
		{"script-src (or default-src) without 'unsafe-inline'", func(d map[string][]string) bool {
			src, ok := d["script-src"]
			if !ok {
				src, ok = d["default-src"]
			}
			return ok && !slices.ContainsFunc(src, func(s string) bool { return strings.EqualFold(s, "'unsafe-inline'") })
		}},
		{"object-src 'none' (or default-src 'none')", func(d map[string][]string) bool {
			src, ok := d["object-src"]
			if !ok {
				src, ok = d["default-src"]
			}
			return ok && slices.Equal(src, []string{"'none'"})
		}},
		// base-uri and frame-ancestors do not fall back to default-src.
		{"base-uri 'none'", func(d map[string][]string) bool { return slices.Equal(d["base-uri"], []string{"'none'"}) }},
		{"frame-ancestors 'none'", func(d map[string][]string) bool { return slices.Equal(d["frame-ancestors"], []string{"'none'"}) }},
	}
	for _, r := range rules {
		held := false
		for _, p := range policies {
			held = held || r.ok(cspDirectives(p))
		}
		if !held {
			problems = append(problems, "CSP lacks "+r.what)
		}
	}
	return problems
}

// safeReferrerPolicies leak no path or query to another site over plain HTTP.
var safeReferrerPolicies = []string{"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "origin"}

// headerProblems says which of the headers every Response must carry are
// missing or wrong.
func headerProblems(h http.Header, tls bool) []string {
	problems := cspProblems(h.Values("Content-Security-Policy"))
	if h.Get("X-Content-Type-Options") != "nosniff" {
		problems = append(problems, fmt.Sprintf("X-Content-Type-Options %q", h.Get("X-Content-Type-Options")))
	}
	if rp := h.Get("Referrer-Policy"); !slices.Contains(safeReferrerPolicies, rp) {
		problems = append(problems, fmt.Sprintf("Referrer-Policy %q", rp))
	}
	hsts := h.Get("Strict-Transport-Security")
	switch {
	case tls && !strings.Contains(hsts, "max-age=") || tls && strings.Contains(hsts, "max-age=0"):
		problems = append(problems, fmt.Sprintf("over TLS, Strict-Transport-Security %q", hsts))
	case !tls && hsts != "":
		// Sent over plain HTTP it is ignored at best, and pins a host that
		// may have no certificate at worst.
		problems = append(problems, fmt.Sprintf("without TLS, Strict-Transport-Security %q", hsts))
	}
	return problems
}

// caller is who sends a request: nobody, or a browser signed in with a
// session cookie.
type caller struct {
	name   string
	cookie string // "name=value" of the session cookie
	csrf   string
}

// headerCheck is one request whose answer must carry the headers.
type headerCheck struct {
	method, path string
	who          caller
	header       []string
	body         url.Values
	status       int // 0: any status below 500
}

// Every answer the server gives: each GET route (from the router, so new
// routes are covered), as an anonymous visitor and as signed-in people,
// their 304 revalidations, error pages of every kind, redirects, static
// files and a 500, carries a strict Content-Security-Policy, nosniff, a
// Referrer-Policy and, only over TLS, HSTS; signed-in pages are not stored.
func TestSecurityHeaders(t *testing.T) {
	for _, tls := range []bool{false, true} {
		name := "http"
		if tls {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) { checkSecurityHeaders(t, tls) })
	}
}

func checkSecurityHeaders(t *testing.T, tls bool) {
	ctx := context.Background()
	db := testutil.NewDB(t, "sqlite") // headers do not depend on the engine
	s := testutil.NewServices(db)
	baseURL := "http://pct.test"
	if tls {
		baseURL = "https://pct.test"
	}
	configure := func(cfg *config.Config) {
		cfg.HTTP.PublicFreshness = 0
		cfg.BaseURL = baseURL
	}
	ts, routes := apptest.StartServerWith(t, db, s.Clock.Now, nil, configure)

	org := s.Stakeholder(t, stakeholder.State)
	last := s.Cycle(t, 2025)
	s.Cycle(t, 2026)
	if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@headers.example", Name: "Focal", Role: user.Supporter,
		StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "sec@headers.example", Name: "Sec", Role: user.Secretariat, Password: apptest.Password}); err != nil {
		t.Fatal(err)
	}
	apptest.WithAuthenticator(t, db, "sec@headers.example")
	_, secToken, err := s.Users.CreateToken(ctx, testutil.System, "sec@headers.example", "headers")
	if err != nil {
		t.Fatal(err)
	}
	draft := s.Action(t, org, last)
	sec := apptest.APIClient{T: t, Base: ts.URL, Token: secToken}
	r := sec.Do("POST", "/api/v1/cycles/2025/reports", `{"cutoff_at": "2026-09-01T09:00:00Z"}`)
	rep := apptest.Decode[apptest.ReportJSON](t, r)
	if r := sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", rep.ID), ""); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}

	// Signing in through the form, as a browser does, with the code the
	// secretariat's app shows. A Secure cookie is sent by hand: the test
	// server speaks plain HTTP behind the https base URL, as behind a
	// TLS-terminating proxy.
	signIn := func(email string) caller {
		r := apptest.SignInForm(t, apptest.BrowserClient(), ts.URL, email, apptest.Password, apptest.TOTPCode(t, apptest.AuthenticatorSecret, s.Clock.Now()))
		var ck *http.Cookie
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if strings.HasSuffix(c.Name, "pct_session") {
				ck = c
			}
		}
		if r.Status != http.StatusSeeOther || ck == nil {
			t.Fatalf("sign in %s: %d %v", email, r.Status, r.Header)
		}
		c := caller{name: email, cookie: ck.Name + "=" + ck.Value}
		c.csrf = apptest.CSRFOf(t, fetch(t, ts.URL, "GET", "/account", c, nil, nil).Body)
		return c
	}
	anonymous := caller{name: "anonymous"}
	callers := []caller{anonymous, signIn("focal@headers.example"), signIn("sec@headers.example")}

	var checks []headerCheck
	sort.Slice(routes, func(i, j int) bool { return routes[i].Path < routes[j].Path })
	for _, rt := range routes {
		if rt.Method != http.MethodGet {
			continue
		}
		id := draft.ID
		switch {
		case strings.Contains(rt.Path, "/reports/"):
			id = rep.ID
		case strings.Contains(rt.Path, "/organisations/"), strings.Contains(rt.Path, "/stakeholders/"):
			id = org.ID
		}
		path := strings.NewReplacer(":id", fmt.Sprint(id), ":year", "2025", ":number", "1", ":name", "housekeeping",
			":format", "html", ":file", "1.png", "*", "css/app.css").Replace(rt.Path)
		for _, who := range callers {
			checks = append(checks, headerCheck{method: "GET", path: path, who: who})
		}
	}
	focal, secretariat := callers[1], callers[2]
	checks = append(checks,
		// Error pages and answers of every kind.
		headerCheck{method: "GET", path: "/no/such/page", who: anonymous, status: 404},
		headerCheck{method: "GET", path: "/no/such/page", who: focal, status: 404},
		headerCheck{method: "GET", path: "/api/v1/nothing", who: anonymous, status: 404},
		headerCheck{method: "GET", path: "/actions/999999", who: focal, status: 404},
		headerCheck{method: "POST", path: "/api/v1/recommendations", who: anonymous, status: 405},
		headerCheck{method: "GET", path: "/api/v1/recommendations/abc", who: anonymous, status: 404},
		headerCheck{method: "GET", path: "/api/v1/me", who: anonymous, status: 401},
		headerCheck{method: "GET", path: "/api/v1/me", who: anonymous, header: []string{"Authorization", "Bearer pct_forged"}, status: 401},
		headerCheck{method: "GET", path: "/admin/status", who: focal, status: 403},
		headerCheck{method: "POST", path: "/signout", who: focal, body: url.Values{}, status: 403},
		headerCheck{method: "POST", path: "/signout", who: focal, body: url.Values{"csrf_token": {focal.csrf}},
			header: []string{"Sec-Fetch-Site", "cross-site"}, status: 403},
		headerCheck{method: "POST", path: "/signin", who: anonymous, body: url.Values{"email": {"focal@headers.example"}, "password": {"wrong password"}}, status: 401},
		headerCheck{method: "HEAD", path: "/", who: anonymous},
		headerCheck{method: "HEAD", path: "/no/such/page", who: anonymous, status: 404},
		// Redirects.
		headerCheck{method: "GET", path: "/workspace", who: anonymous, status: 303},
		headerCheck{method: "GET", path: "/signin", who: secretariat, status: 303},
		headerCheck{method: "POST", path: "/signin", who: anonymous, body: url.Values{"email": {"focal@headers.example"}, "password": {apptest.Password}}, status: 303},
		// Static files, found or not.
		headerCheck{method: "GET", path: "/static/css/app.css?v=1", who: anonymous, status: 200},
		headerCheck{method: "GET", path: "/static/no-such-file.css", who: anonymous, status: 404},
		headerCheck{method: "GET", path: "/static/", who: anonymous, status: 404},
		// Report documents other than HTML.
		headerCheck{method: "GET", path: fmt.Sprintf("/api/v1/reports/%d/csv", rep.ID), who: anonymous, status: 200},
		headerCheck{method: "GET", path: fmt.Sprintf("/api/v1/reports/%d/json", rep.ID), who: anonymous, status: 200},
	)

	seen := map[int]int{}
	revalidated := 0
	check := func(c headerCheck, r apptest.Response) {
		t.Helper()
		seen[r.Status]++
		where := fmt.Sprintf("%s %s as %s: %d", c.method, c.path, c.who.name, r.Status)
		if c.status != 0 && r.Status != c.status {
			t.Errorf("%s, want %d", where, c.status)
		}
		if c.status == 0 && r.Status >= 500 {
			t.Errorf("%s %.300s", where, r.Body)
		}
		problems := headerProblems(r.Header, tls)
		if strings.HasPrefix(c.path, "/embed/") {
			// Embeds are made to be framed (issue 20.3): by any site, and
			// they alone.
			problems = slices.DeleteFunc(problems, func(p string) bool { return p == "CSP lacks frame-ancestors 'none'" })
			if d := cspDirectives(r.Header.Get("Content-Security-Policy")); !slices.Equal(d["frame-ancestors"], []string{"*"}) || r.Header.Get("X-Frame-Options") != "" {
				problems = append(problems, "an embed other sites may not frame")
			}
		}
		for _, p := range problems {
			t.Errorf("%s: %s", where, p)
		}
		// Embeds and share cards read no session: a signed-in caller gets
		// the visitor's answer, the same for everyone, and no cookie.
		if strings.HasPrefix(c.path, "/embed/") || strings.HasPrefix(c.path, "/cards/") {
			if ck := r.Header.Values("Set-Cookie"); len(ck) > 0 {
				t.Errorf("%s: sets cookies %q", where, ck)
			}
			return
		}
		// What a signed-in caller gets is theirs alone: a page is never
		// stored, and any other answer is stored only when it says it is
		// public (assets, public data, a published report's document,
		// which is the same for everyone).
		if cc := r.Header.Get("Cache-Control"); c.who.cookie != "" && r.Status != http.StatusNotModified {
			document := strings.HasPrefix(c.path, "/api/v1/reports/") && r.Header.Get("X-Content-SHA256") != ""
			page := strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") && !document
			if page && cc != "no-store" || !page && cc != "no-store" && !strings.Contains(cc, "public") {
				t.Errorf("%s: signed-in answer (%s) with Cache-Control %q, want no-store", where, r.Header.Get("Content-Type"), cc)
			}
		}
	}
	for _, c := range checks {
		r := fetch(t, ts.URL, c.method, c.path, c.who, c.body, c.header)
		check(c, r)
		// A 304 answer carries the headers too.
		if tag := r.Header.Get("ETag"); tag != "" && r.Status == 200 && c.method == "GET" {
			again := c
			again.status = http.StatusNotModified
			again.header = append(slices.Clone(c.header), "If-None-Match", tag)
			check(again, fetch(t, ts.URL, again.method, again.path, again.who, nil, again.header))
			revalidated++
		}
	}

	// A 500, JSON and HTML, from a server whose database lost a table.
	broken := testutil.NewDB(t, "sqlite")
	bts, _ := apptest.StartServerWith(t, broken, s.Clock.Now, nil, configure)
	if _, err := broken.SQL().Exec("DROP TABLE cycles"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/cycles", "/organisations"} {
		c := headerCheck{method: "GET", path: path, who: anonymous, status: 500}
		check(c, fetch(t, bts.URL, c.method, c.path, c.who, nil, nil))
	}

	if seen[304] == 0 || seen[303] == 0 || seen[404] == 0 || seen[500] == 0 || seen[200] == 0 {
		t.Errorf("some kinds of answer were not tried: %v", seen)
	}
	t.Logf("%d answers checked (%d revalidations), by status: %v", len(checks)+revalidated+2, revalidated, seen)
}

// fetch sends one request as who, without following redirects.
func fetch(t *testing.T, base, method, path string, who caller, form url.Values, header []string) apptest.Response {
	t.Helper()
	var body string
	if form != nil {
		body = form.Encode()
	}
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who.cookie != "" {
		req.Header.Set("Cookie", who.cookie)
	}
	if who.cookie == "" && method == http.MethodPost && path == "/signin" {
		// As a browser signs in: with the token the form page sets.
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, ck := range res.Cookies() {
			if strings.HasSuffix(ck.Name, "pct_form") {
				form = maps.Clone(form)
				form.Set("csrf_token", ck.Value)
				req, _ = http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Cookie", ck.Name+"="+ck.Value)
			}
		}
	}
	apptest.SetHeader(req, header...)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return apptest.Send(t, client, req)
}

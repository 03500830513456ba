package evidence_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// withEvidence starts the server with evidence checks on, against site.
func withEvidence(site *apptest.EvidenceSite) func(*config.Config) {
	host := strings.TrimPrefix(site.URL, "http://")
	return func(cfg *config.Config) {
		cfg.HTTP.PublicFreshness = 0
		cfg.Evidence.Enabled, cfg.Evidence.AllowHosts = true, []string{host}
	}
}

// The public action page names each link's archived copy and its hash; a
// copy is served so that nothing in it runs on pctracker's origin, with its
// own type only for PDF, text and images; evidence that is not public is
// not served.
func TestArchivedCopies(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		site := apptest.NewEvidenceSite(t)
		sc := apptest.NewScenario(t, db)
		ts, _ := apptest.StartServerWith(t, db, sc.S.Clock.Now, nil, withEvidence(site))
		for _, c := range []*apptest.APIClient{&sc.Member, &sc.Focal, &sc.Other, &sc.Sec} {
			c.Base = ts.URL
		}
		ctx := context.Background()
		accept := func(visibility string, links ...string) int64 {
			t.Helper()
			var ev []string
			for _, l := range links {
				ev = append(ev, fmt.Sprintf(`{"kind": "law", "url": %q, "title": "Text"}`, site.URL+l))
			}
			body := strings.NewReplacer(`"visibility": "public"`, fmt.Sprintf(`"visibility": %q`, visibility),
				`"evidence": [{"kind": "regulation", "url": "https://example.org/reg", "title": "Regulation"}]`, "\"evidence\": ["+strings.Join(ev, ",")+"]").Replace(apptest.NewActionBody)
			r := sc.Member.Do("POST", "/api/v1/actions", body)
			id := apptest.Decode[apptest.ActionJSON](t, r).ID
			if r.Status != 201 {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", id), "")
			if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", id), `{"decision": "accept"}`); r.Status != 200 {
				t.Fatalf("accept: %d %s", r.Status, r.Body)
			}
			return id
		}
		public := accept("public", "/decree.html", "/report.pdf")
		hidden := accept("secretariat", "/decree.html")
		if r := sc.Sec.Form("/admin/jobs/evidence/run", url.Values{}); r.Status != 303 {
			t.Fatalf("run the evidence job: %d", r.Status)
		}
		page := apptest.Get(t, nil, fmt.Sprintf("%s/actions/%d", ts.URL, public))
		shas := regexp.MustCompile(`href="/archive/([0-9a-f]{64})"`).FindAllStringSubmatch(page.Body, -1)
		if page.Status != 200 || len(shas) != 2 || !strings.Contains(page.Body, "answers as archived") {
			t.Fatalf("public page: %d, %d archived copies named", page.Status, len(shas))
		}
		html := apptest.Get(t, nil, ts.URL+"/archive/"+shas[0][1])
		if html.Status != 200 || html.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
			html.Header.Get("Content-Security-Policy") != "sandbox; default-src 'none'" || html.Header.Get("X-Content-Type-Options") != "nosniff" ||
			html.Header.Get("X-Archived-From") != site.URL+"/decree.html" || html.Header.Get("X-Archived-At") == "" ||
			!strings.Contains(html.Body, "<script>") {
			t.Errorf("an archived HTML page: %d %v", html.Status, html.Header)
		}
		if pdf := apptest.Get(t, nil, ts.URL+"/archive/"+shas[1][1]); pdf.Header.Get("Content-Type") != "application/pdf" || pdf.Body != "%PDF-1.4 a small report" {
			t.Errorf("an archived PDF: %v %q", pdf.Header, pdf.Body)
		}
		// The API says the same, and checks again on request, once.
		got := apptest.Decode[struct {
			Evidence []struct {
				URL   string `json:"url"`
				Check *struct {
					State      string `json:"state"`
					SHA256     string `json:"sha256"`
					ArchiveURL string `json:"archive_url"`
					HTTPStatus int    `json:"http_status"`
				} `json:"check"`
			} `json:"evidence"`
		}](t, sc.Member.Do("GET", fmt.Sprintf("/api/v1/actions/%d", public), ""))
		if len(got.Evidence) != 2 || got.Evidence[0].Check == nil || got.Evidence[0].Check.State != "ok" ||
			got.Evidence[0].Check.SHA256 != shas[0][1] || got.Evidence[0].Check.ArchiveURL != "http://pct.test/archive/"+shas[0][1] ||
			got.Evidence[0].Check.HTTPStatus != 200 {
			t.Errorf("the API's check of the evidence: %+v", got)
		}
		check := fmt.Sprintf("/api/v1/actions/%d/evidence/check", public)
		if r := sc.Member.Do("POST", check, ""); r.Status != 403 {
			t.Errorf("a member asks for a check: %d", r.Status)
		}
		sc.S.Clock.Add(2 * time.Minute)
		for i, want := range []string{`{"links_due":2}`, `{"links_due":0}`} {
			if r := sc.Sec.Do("POST", check, ""); r.Status != 202 || strings.TrimSpace(r.Body) != want {
				t.Errorf("check now, %d: %d %s, want %s", i+1, r.Status, r.Body, want)
			}
		}
		// The PDF goes; failing for a week, it is broken, and the status
		// board and the organisation's workspace say so.
		site.Gone.Store(true)
		for _, wait := range []time.Duration{8 * 24 * time.Hour, 84 * time.Hour, 84 * time.Hour} {
			sc.S.Clock.Add(wait)
			if r := sc.Sec.Form("/admin/jobs/evidence/run", url.Values{}); r.Status != 303 {
				t.Fatalf("run the evidence job: %d", r.Status)
			}
		}
		if r := sc.Sec.Do("GET", "/admin/status?cycle=2026", ""); !strings.Contains(r.Body, "1 evidence link broken") {
			t.Error("the status board does not flag the broken link")
		}
		if r := sc.Member.Do("GET", "/workspace?cycle=2026", ""); !strings.Contains(r.Body, "1 evidence link broken") {
			t.Error("the workspace does not flag the broken link")
		}
		if r := apptest.Get(t, nil, fmt.Sprintf("%s/actions/%d", ts.URL, public)); !strings.Contains(r.Body, "state-broken") {
			t.Error("the public page does not show the broken link")
		}
		// The same page as evidence kept for the secretariat: its copy is
		// the public one's (same bytes); alone, it would not be served.
		links, err := db.EvidenceLinks(ctx, []int64{hidden})
		if err != nil || len(links[hidden]) != 0 {
			t.Errorf("evidence of an action kept for the secretariat is followed: %v %v", links, err)
		}
		for _, bad := range []string{strings.Repeat("a", 64), "not-a-hash", shas[0][1] + "0"} {
			if r := apptest.Get(t, nil, ts.URL+"/archive/"+bad); r.Status != 404 {
				t.Errorf("/archive/%s: %d", bad, r.Status)
			}
		}
		if _, err := sc.S.Actions.Move(ctx, testutil.System, public, 0, action.Withdrawn, ""); err != nil {
			t.Fatal(err)
		}
		if r := apptest.Get(t, nil, ts.URL+"/archive/"+shas[0][1]); r.Status != 404 {
			t.Errorf("the copy of a withdrawn action's evidence: %d", r.Status)
		}
	})
}

// In a real browser, an archived page's script does not run, and nothing
// it names is fetched.
func TestArchivedPageRunsNothingInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	site := apptest.NewEvidenceSite(t)
	sc := apptest.NewScenario(t, db)
	ts, _ := apptest.StartServerWith(t, db, sc.S.Clock.Now, nil, withEvidence(site))
	sc.Member.Base, sc.Focal.Base, sc.Sec.Base = ts.URL, ts.URL, ts.URL
	body := strings.Replace(apptest.NewActionBody, `"url": "https://example.org/reg"`, fmt.Sprintf(`"url": %q`, site.URL+"/decree.html"), 1)
	id := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", body)).ID
	sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", id), "")
	sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", id), `{"decision": "accept"}`)
	sc.Sec.Form("/admin/jobs/evidence/run", url.Values{})
	page := apptest.Get(t, nil, fmt.Sprintf("%s/actions/%d", ts.URL, id))
	m := regexp.MustCompile(`href="/archive/([0-9a-f]{64})"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatal("no archived copy on the public page")
	}
	b := testutil.Browser(t)
	if err := chromedp.Do(b, chromedp.Navigate(fmt.Sprintf("%s/actions/%d", ts.URL, id)), chromedp.WaitVisible(chromedp.CSS(".archived"))); err != nil {
		t.Fatal(err)
	}
	testutil.CheckAccessibility(t, b, "public action with archived evidence")
	testutil.Screenshot(t, b, "30-public-action-archived")
	if err := chromedp.Do(b, chromedp.Navigate(ts.URL+"/archive/"+m[1]), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(b, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	// A second page load after it proves the browser went on: had the
	// script run, it would have called back before.
	if err := chromedp.Do(b, chromedp.Navigate(ts.URL+"/about"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if title == "pwned" || site.Callbacks.Load() != 0 {
		t.Errorf("the archived page ran: title %q, %d callbacks", title, site.Callbacks.Load())
	}
}

// A published report names, for each evidence link, the hash of the copy
// archived by its cut-off and what became of the links; compiled again
// from its frozen inputs after the live pages changed, it is the same.
func TestReportReliesOnArchivedCopies(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			site := apptest.NewEvidenceSite(t)
			dbURL := testutil.NewDatabaseURL(t, engine)
			env := map[string]string{"PCT_DATABASE_URL": dbURL, "PCT_LOG_LEVEL": "warn"}
			if r := apptest.RunCLI(t, env, "", "migrate", "up"); r.Code != 0 {
				t.Fatalf("migrate: %+v", r)
			}
			db := apptest.OpenStore(t, dbURL)
			sc := apptest.NewScenario(t, db)
			ts, _ := apptest.StartServerWith(t, db, sc.S.Clock.Now, nil, withEvidence(site))
			for _, c := range []*apptest.APIClient{&sc.Member, &sc.Focal, &sc.Sec} {
				c.Base = ts.URL
			}
			body := strings.Replace(apptest.NewActionBody, `{"kind": "regulation", "url": "https://example.org/reg", "title": "Regulation"}`,
				fmt.Sprintf(`{"kind": "law", "url": %q, "title": "Decree"}, {"kind": "report", "url": %q, "title": "Report"}`,
					site.URL+"/decree.html", site.URL+"/report.pdf"), 1)
			id := apptest.Decode[apptest.ActionJSON](t, sc.Member.Do("POST", "/api/v1/actions", body)).ID
			sc.Focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", id), "")
			sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", id), `{"decision": "accept"}`)
			sc.Sec.Form("/admin/jobs/evidence/run", url.Values{})
			// The PDF goes before the cut-off; the report relies on the copies.
			site.Gone.Store(true)
			sc.S.Clock.Add(8 * 24 * time.Hour)
			sc.Sec.Form("/admin/jobs/evidence/run", url.Values{})
			r := sc.Sec.Do("POST", "/api/v1/cycles/2026/reports", "")
			rep := apptest.Decode[apptest.ReportJSON](t, r)
			if r.Status != 201 {
				t.Fatalf("compile: %d %s", r.Status, r.Body)
			}
			if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", rep.ID), ""); r.Status != 200 {
				t.Fatalf("publish: %d %s", r.Status, r.Body)
			}
			links, _ := db.EvidenceLinks(context.Background(), []int64{id})
			doc := sc.Sec.Do("GET", fmt.Sprintf("/api/v1/reports/%d/json?lang=en", rep.ID), "").Body
			for _, l := range links[id] {
				if l.CapturedSHA256 == "" || !strings.Contains(doc, `"sha256": "`+l.CapturedSHA256+`"`) {
					t.Errorf("the report's JSON does not name the copy of %s (%s)", l.URL, l.CapturedSHA256)
				}
			}
			if !strings.Contains(doc, `"evidence_links": {`) || !strings.Contains(doc, `"links": 2`) || !strings.Contains(doc, `"unreachable"`) {
				t.Errorf("the report's JSON does not say what became of the links: %.600s", doc[strings.Index(doc, `"headline"`):])
			}
			md := sc.Sec.Do("GET", fmt.Sprintf("/api/v1/reports/%d/md?lang=fr", rep.ID), "").Body
			if !strings.Contains(md, "sha256:"+links[id][0].CapturedSHA256) || !strings.Contains(md, "liens justificatifs") {
				t.Errorf("the Markdown report lacks the hashes or the note on links")
			}
			// The live pages change; the report stands as published.
			site.Gone.Store(false)
			sc.S.Clock.Add(8 * 24 * time.Hour)
			sc.Sec.Form("/admin/jobs/evidence/run", url.Values{})
			if r := apptest.RunCLI(t, env, "", "report", "verify", "--id", fmt.Sprint(rep.ID)); r.Code != 0 || !strings.Contains(r.Stdout, "identical") {
				t.Errorf("report verify after the pages changed: %+v", r)
			}
		})
	}
}

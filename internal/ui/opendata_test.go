package ui_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/api"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

var hrefs = regexp.MustCompile(`href="([^"]*)"`)

// The open-data page, in each language, names every download, the feed of
// each language, the API reference and document, the licence and a
// citation with its address; every link of it that stays on the site
// answers 200 to anyone; the menu leads to it.
func TestOpenDataPage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		for _, tc := range []struct{ lang, heading, citation string }{
			{"en", "<h1>Open data</h1>", "open data, http://pct.test/open-data, retrieved 1 September 2026. Licence CC BY 4.0."},
			{"fr", "<h1>Données ouvertes</h1>", "données ouvertes, http://pct.test/open-data, consulté le 1er septembre 2026. Licence CC BY 4.0."},
		} {
			r := anon.Do("GET", "/open-data?lang="+tc.lang, "")
			body := html.UnescapeString(r.Body)
			if r.Status != 200 || !strings.Contains(body, tc.heading) {
				t.Fatalf("%s: %d\n%s", tc.lang, r.Status, r.Body)
			}
			for _, want := range []string{`href="/api/v1/open-data/actions.csv"`, `href="/api/v1/open-data/actions.json"`,
				`href="/api/v1/open-data/challenges.csv"`, `href="/api/v1/open-data/challenges.json"`,
				`href="/api/v1/open-data/crosswalk.csv"`, `href="/api/v1/open-data/crosswalk.json"`,
				`href="/api/v1/dashboard"`, `href="/reports"`, `href="/actions"`,
				`href="/feed.atom?lang=en"`, `href="/feed.atom?lang=fr"`, `href="/open-data/api"`, `href="/api/v1/openapi.json"`,
				`href="https://creativecommons.org/licenses/by/4.0/" rel="license"`,
				`<a href="/open-data" aria-current="page">`, tc.citation} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: no %s", tc.lang, want)
				}
			}
			main := r.Body[strings.Index(r.Body, "<main"):]
			for _, m := range hrefs.FindAllStringSubmatch(main, -1) {
				link := html.UnescapeString(m[1])
				if !strings.HasPrefix(link, "/") {
					continue
				}
				if got := anon.Do("GET", link, ""); got.Status != 200 {
					t.Errorf("%s: the link %s answers %d", tc.lang, link, got.Status)
				}
			}
		}
		// The menu of every page leads to the page, not to a JSON answer.
		for _, page := range []string{"/", "/actions", "/about?lang=fr"} {
			if r := anon.Do("GET", page, ""); !strings.Contains(r.Body, `<a href="/open-data">`) || strings.Contains(r.Body, `<a href="/api/v1/recommendations">`) {
				t.Errorf("the menu of %s does not lead to /open-data", page)
			}
		}
		sitemap := anon.Do("GET", "/sitemap.xml", "").Body
		for _, p := range []string{"http://pct.test/open-data?lang=en", "http://pct.test/open-data/api?lang=fr"} {
			if !strings.Contains(html.UnescapeString(sitemap), "<loc>"+p+"</loc>") {
				t.Errorf("the sitemap lacks %s", p)
			}
		}
	})
}

// The API reference is the OpenAPI document as a page: a section for each
// tag, and for each operation its method, path, summary, parameters,
// request body and answers; in French its text from the document is
// marked as English.
func TestAPIReferencePage(t *testing.T) {
	var doc struct {
		Tags  []struct{ Name string }
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Summary     string
			Parameters  []struct{ Name string }
			RequestBody *struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					}
				}
			} `json:"requestBody"`
			Responses map[string]struct{ Description string }
		}
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	anon := apptest.APIClient{T: t, Base: sc.TS}
	r := anon.Do("GET", "/open-data/api", "")
	if r.Status != 200 || !strings.Contains(r.Body, "<h1>API reference</h1>") {
		t.Fatalf("%d\n%s", r.Status, r.Body)
	}
	body := html.UnescapeString(r.Body)
	for _, tag := range doc.Tags {
		if !regexp.MustCompile(`<h2 id="tag-[a-z-]+">` + regexp.QuoteMeta(tag.Name) + `</h2>`).MatchString(body) {
			t.Errorf("no section for the tag %q", tag.Name)
		}
	}
	ops := 0
	for path, item := range doc.Paths {
		for method, op := range item {
			if method == "parameters" {
				continue
			}
			ops++
			start := strings.Index(body, fmt.Sprintf(`<article class="api-op" id="%s"`, op.OperationID))
			if start < 0 {
				t.Errorf("%s %s: no article %s", method, path, op.OperationID)
				continue
			}
			article := body[start : start+strings.Index(body[start:], "</article>")]
			want := []string{fmt.Sprintf(`<code class="api-method">%s</code> <code class="api-path">%s</code><span class="api-summary">%s</span>`,
				strings.ToUpper(method), path, op.Summary)}
			for _, p := range op.Parameters {
				want = append(want, "<dt><code>"+p.Name+"</code>")
			}
			if op.RequestBody != nil {
				if mt, ok := op.RequestBody.Content["application/json"]; ok && mt.Schema.Ref != "" {
					want = append(want, "<h4>Request body</h4>", "<code>"+mt.Schema.Ref[strings.LastIndex(mt.Schema.Ref, "/")+1:]+" (application/json)</code>")
				}
			}
			for status, answer := range op.Responses {
				// The description as Markdown renders it, for the plain ones.
				want = append(want, "<dt><code>"+status+"</code></dt>")
				if !strings.ContainsAny(answer.Description, "`*_[") {
					want = append(want, "<p>"+answer.Description+"</p>")
				}
			}
			for _, w := range want {
				if !strings.Contains(article, w) {
					t.Errorf("%s %s: no %q in\n%s", method, path, w, article)
				}
			}
		}
	}
	if ops < 60 {
		t.Errorf("only %d operations in the document", ops)
	}
	// Public operations say so; the others say they need a token.
	for id, public := range map[string]bool{"publicActions": true, "openDataCSV": true, "createAction": false, "me": false} {
		start := strings.Index(body, fmt.Sprintf(`<article class="api-op" id="%s"`, id))
		article := body[start : start+strings.Index(body[start:], "</article>")]
		if strings.Contains(article, "Public: no sign-in or token needed.") != public {
			t.Errorf("%s: public %v?\n%s", id, public, article)
		}
	}
	fr := anon.Do("GET", "/open-data/api?lang=fr", "")
	if fr.Status != 200 || !strings.Contains(fr.Body, "<h1>Référence de l’API</h1>") && !strings.Contains(fr.Body, "<h1>Référence de l&#39;API</h1>") ||
		!strings.Contains(fr.Body, `<span class="api-summary" lang="en">List public actions</span>`) || !strings.Contains(fr.Body, "Réponses") {
		t.Errorf("French: %d\n%.2000s", fr.Status, fr.Body)
	}
}

// The list of actions offers its results as downloads that carry its
// filters but not its page, and the CSV holds as many actions as the list
// says it found.
func TestActionsListDownloadsCarryTheFilters(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Stage = action.Adopted })
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Stage = action.Adopted; in.Title = "Second adopted" })
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Stage = action.Planned })
		anon := apptest.APIClient{T: t, Base: sc.TS}
		r := anon.Do("GET", "/actions?cycle=2026&stage=adopted&kind=&page=1&lang=fr", "")
		if r.Status != 200 {
			t.Fatalf("%d", r.Status)
		}
		links := map[string]string{}
		for _, m := range hrefs.FindAllStringSubmatch(r.Body, -1) {
			link := html.UnescapeString(m[1])
			for _, ext := range []string{".csv", ".json"} {
				if strings.HasPrefix(link, "/api/v1/open-data/actions"+ext) {
					links[ext] = link
				}
			}
		}
		for _, ext := range []string{".csv", ".json"} {
			if links[ext] != "/api/v1/open-data/actions"+ext+"?cycle=2026&stage=adopted" {
				t.Errorf("the %s link: %q", ext, links[ext])
			}
		}
		res := anon.Do("GET", links[".csv"], "")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
		if res.Status != http.StatusOK || err != nil || len(rows) != 3 || !strings.Contains(r.Body, "2 actions") {
			t.Errorf("the download holds %d rows (%d, %v); the list says 2 actions: %v", len(rows)-1, res.Status, err, strings.Contains(r.Body, "2 actions"))
		}
		// A list without filters downloads everything; a list whose
		// filters are wrong offers nothing to download.
		if all := anon.Do("GET", "/actions", ""); !strings.Contains(all.Body, `href="/api/v1/open-data/actions.csv"`) {
			t.Error("the unfiltered list has no plain download link")
		}
		if bad := anon.Do("GET", "/actions?stage=done", ""); strings.Contains(bad.Body, "/api/v1/open-data/actions.csv") {
			t.Error("a list with a wrong filter offers a download")
		}
	})
}

package ui_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// sitemapDoc is a sitemap as a crawler reads it: elements in the sitemap
// protocol's namespace, alternates in XHTML's.
type sitemapDoc struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc   string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		Links []struct {
			Rel      string `xml:"rel,attr"`
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
}

// The sitemap lists the public pages in both languages with their
// alternates, and never an action the public does not see (a draft, a
// secretariat-only action, an embargoed one) nor an inactive organisation.
func TestSitemap(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		s, ctx := sc.S, context.Background()
		y2026, err := s.Cycles.Get(ctx, 2026)
		testutil.Must(t, err)
		public := s.Accepted(t, sc.Org, y2026, testutil.ActionInput())
		draft, err := s.Actions.Create(ctx, testutil.System, sc.Org.ID, y2026.ID, testutil.ActionInput())
		testutil.Must(t, err)
		withheld := testutil.ActionInput()
		withheld.Visibility = action.SecretariatOnly
		secret := s.Accepted(t, sc.Org, y2026, withheld)
		y2027, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2027, OpensAt: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
			Deadline: time.Date(2027, 10, 1, 0, 0, 0, 0, time.UTC), ForumDate: time.Date(2027, 11, 11, 0, 0, 0, 0, time.UTC),
			Embargo: cycle.UntilForum})
		testutil.Must(t, err)
		embargoed := s.Accepted(t, sc.OtherOrg, y2027, testutil.ActionInput())
		gone, err := s.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "Dormant Ltd", Kind: stakeholder.Company, Country: "FR"})
		testutil.Must(t, err)

		// A report compiled but not published, and one published.
		report := func() int64 {
			t.Helper()
			var rep struct{ ID int64 }
			r := sc.Sec.Do(http.MethodPost, "/api/v1/cycles/2026/reports", "{}")
			if r.Status != http.StatusCreated && r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &rep) != nil {
				t.Fatalf("compiling a report: %d %s", r.Status, r.Body)
			}
			return rep.ID
		}
		published, unpublished := report(), report()
		if r := sc.Sec.Do(http.MethodPost, fmt.Sprintf("/api/v1/reports/%d/publish", published), ""); r.Status != http.StatusOK {
			t.Fatalf("publishing: %d %s", r.Status, r.Body)
		}

		r := apptest.Get(t, nil, sc.TS+"/sitemap.xml")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") || r.Header.Get("ETag") == "" {
			t.Fatalf("sitemap: %d %v", r.Status, r.Header)
		}
		var doc sitemapDoc
		if err := xml.Unmarshal([]byte(r.Body), &doc); err != nil {
			t.Fatalf("the sitemap is not a sitemap: %v\n%s", err, r.Body)
		}
		locs := map[string]bool{}
		for _, u := range doc.URLs {
			locs[u.Loc] = true
			langs := map[string]string{}
			for _, l := range u.Links {
				if l.Rel != "alternate" || !strings.HasPrefix(l.Href, "http://pct.test/") {
					t.Errorf("%s: alternate %+v", u.Loc, l)
				}
				langs[l.Hreflang] = l.Href
			}
			if len(langs) != 3 || langs["en"] == "" || langs["fr"] == "" || langs["x-default"] == "" || (u.Loc != langs["en"] && u.Loc != langs["fr"]) {
				t.Errorf("%s: alternates %v", u.Loc, langs)
			}
		}
		for _, want := range []string{"/?lang=en", "/?lang=fr", "/recommendations?lang=en", "/recommendations/12?lang=fr", "/actions?lang=en",
			fmt.Sprintf("/actions/%d?lang=en", public.ID), fmt.Sprintf("/actions/%d?lang=fr", sc.LastYearAction.ID),
			"/organisations?lang=en", fmt.Sprintf("/organisations/%d?lang=en", sc.Org.ID), "/reports?lang=en",
			"/frameworks?lang=fr", "/about?lang=en"} {
			if !locs["http://pct.test"+want] {
				t.Errorf("the sitemap misses %s", want)
			}
		}
		for _, a := range []action.Action{draft, secret, embargoed} {
			if strings.Contains(r.Body, fmt.Sprintf("/actions/%d?", a.ID)) {
				t.Errorf("the sitemap lists action %d (%s, %s), which the public does not see", a.ID, a.State, a.Visibility)
			}
			if p := apptest.Get(t, noRedirect, sc.TS+fmt.Sprintf("/actions/%d", a.ID)); p.Status != http.StatusNotFound && p.Status != http.StatusSeeOther {
				t.Errorf("action %d is public after all: %d", a.ID, p.Status)
			}
		}
		if !locs[fmt.Sprintf("http://pct.test/reports/%d?lang=fr", published)] || strings.Contains(r.Body, fmt.Sprintf("/reports/%d?", unpublished)) {
			t.Errorf("the sitemap should list report %d, published, and not %d, a draft", published, unpublished)
		}
		if strings.Contains(r.Body, fmt.Sprintf("/organisations/%d?", gone.ID)) {
			t.Error("the sitemap lists an inactive organisation")
		}
		if again := apptest.Get(t, nil, sc.TS+"/sitemap.xml", "If-None-Match", r.Header.Get("ETag")); again.Status != http.StatusNotModified {
			t.Errorf("revalidating the sitemap: %d", again.Status)
		}
	})
}

// robots.txt keeps crawlers out of the signed-in pages and the API but
// for its open data, and points to the sitemap; /favicon.ico leads to the
// icon the pages link.
func TestRobotsAndFavicon(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	r := apptest.Get(t, nil, sc.TS+"/robots.txt")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("robots.txt: %d %v", r.Status, r.Header)
	}
	for _, line := range []string{"User-agent: *", "Disallow: /admin", "Disallow: /workspace", "Disallow: /account", "Disallow: /signin",
		"Disallow: /api/", "Allow: /api/v1/open-data/", "Allow: /api/v1/openapi.json", "Sitemap: http://pct.test/sitemap.xml"} {
		if !strings.Contains("\n"+r.Body, "\n"+line+"\n") {
			t.Errorf("robots.txt lacks %q:\n%s", line, r.Body)
		}
	}
	if strings.Contains(r.Body, "Disallow: /\n") || strings.Contains(r.Body, "Disallow: /actions\n") {
		t.Errorf("robots.txt shuts out public pages:\n%s", r.Body)
	}
	f := apptest.Get(t, noRedirect, sc.TS+"/favicon.ico")
	if f.Status != http.StatusMovedPermanently || f.Header.Get("Location") != "/static/favicon.svg" {
		t.Fatalf("favicon.ico: %d %v", f.Status, f.Header)
	}
	if svg := apptest.Get(t, nil, sc.TS+"/favicon.ico"); svg.Status != http.StatusOK || !strings.HasPrefix(svg.Header.Get("Content-Type"), "image/svg+xml") {
		t.Errorf("the icon: %d %v", svg.Status, svg.Header)
	}
	home := apptest.Get(t, nil, sc.TS+"/?lang=fr")
	if !regexp.MustCompile(`<link rel="icon" href="/static/favicon\.[0-9a-f]+\.svg"`).MatchString(home.Body) {
		t.Error("the pages do not link the icon")
	}
	if strings.Contains(home.Body, `name="robots"`) {
		t.Error("the home page keeps search engines out")
	}
	// An error page is no page to index.
	if missing := apptest.Get(t, nil, sc.TS+"/recommendations/99"); missing.Status != http.StatusNotFound ||
		!strings.Contains(missing.Body, `<meta name="robots" content="noindex">`) {
		t.Errorf("a missing page: %d, indexable", missing.Status)
	}
}

// Each public page has its own description, in its language, built from
// the record a page is about; the canonical link drops tracking noise and
// keeps the page's language.
func TestMetaDescriptionsAndCanonical(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	seen := map[string]string{}
	for _, p := range []struct{ path, want string }{
		{"/?lang=en", "Progress on the Paris Call"}, {"/?lang=fr", "Les progrès sur les douze"},
		{"/recommendations?lang=en", "twelve priority recommendations"}, {"/recommendations/3?lang=en", "Recommendation 3 of the Paris Call"},
		{"/actions?lang=fr", "Toutes les actions publiques"},
		{fmt.Sprintf("/actions/%d?lang=en", sc.LastYearAction.ID), "“" + sc.LastYearAction.Title + "”, an action " + sc.Org.Name},
		{"/organisations?lang=en", "The organisations that support"}, {fmt.Sprintf("/organisations/%d?lang=fr", sc.Org.ID), sc.Org.Name + " et les actions"},
		{"/reports?lang=en", "published progress reports"}, {"/frameworks?lang=en", "count for other frameworks"},
		{"/about?lang=fr", "Comment le suivi"}, {"/search?lang=en", "Search the recommendations"},
	} {
		r := apptest.Get(t, nil, sc.TS+p.path)
		_, rest, _ := strings.Cut(r.Body, `<meta name="description" content="`)
		desc, _, _ := strings.Cut(rest, `">`)
		desc = strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&").Replace(desc)
		if r.Status != http.StatusOK || !strings.Contains(desc, p.want) {
			t.Errorf("%s: %d, description %q, want %q", p.path, r.Status, desc, p.want)
		}
		if other, twice := seen[desc]; twice {
			t.Errorf("%s has the description of %s", p.path, other)
		}
		seen[desc] = p.path
	}
	r := apptest.Get(t, nil, sc.TS+"/actions?utm_source=x&stage=adopted&fbclid=y&lang=fr")
	if !strings.Contains(r.Body, `<link rel="canonical" href="http://pct.test/actions?lang=fr&amp;stage=adopted">`) ||
		!strings.Contains(r.Body, `<link rel="alternate" hreflang="en" href="http://pct.test/actions?lang=en&amp;stage=adopted">`) ||
		!strings.Contains(r.Body, `<link rel="alternate" hreflang="x-default" href="http://pct.test/actions?stage=adopted">`) {
		head, _, _ := strings.Cut(r.Body, "</head>")
		t.Errorf("canonical and alternates:\n%s", head)
	}
}

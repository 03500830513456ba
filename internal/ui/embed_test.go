package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The embeds (issue 20.3) answer in the language asked for, with their
// figure and its table; other sites may frame them and no other page; they
// set no cookie, even for a browser holding an ended session or asking for
// a language, and hold no form. An unknown recommendation or a hidden
// organisation is not found, as on the full pages.
func TestEmbedPages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		gone, err := sc.S.Stakeholders.Create(context.Background(), testutil.System, stakeholder.Input{Name: "Dormant Ltd", Kind: stakeholder.Company, Country: "FR"})
		testutil.Must(t, err)
		stale := "Cookie: pct_session=ended-long-ago; pct_lang=en"
		for _, p := range []struct{ path, want string }{
			{"/embed/dashboard?cycle=2025", `id="chart-stages-title"`},
			{"/embed/dashboard?cycle=2025&lang=fr", "Recommandation"},
			{"/embed/dashboard", "</table>"},
			{"/embed/recommendations/1", `id="chart-rec-title"`},
			{"/embed/recommendations/1?lang=fr", "Organisations agissant"},
			{fmt.Sprintf("/embed/organisations/%d", sc.Org.ID), `id="chart-org-title"`},
			{fmt.Sprintf("/embed/organisations/%d?lang=fr", sc.Org.ID), "Actions publiques"},
		} {
			r := apptest.Get(t, nil, sc.TS+p.path, strings.SplitN(stale, ": ", 2)...)
			if r.Status != http.StatusOK || !strings.Contains(r.Body, p.want) {
				t.Errorf("%s: %d, want %q in\n%s", p.path, r.Status, p.want, r.Body)
			}
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || r.Header.Get("X-Frame-Options") != "" {
				t.Errorf("%s may not be framed: CSP %q, X-Frame-Options %q", p.path, csp, r.Header.Get("X-Frame-Options"))
			}
			if c := r.Header.Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("%s sets cookies: %q", p.path, c)
			}
			if strings.Contains(r.Body, "<form") || strings.Contains(r.Body, "csrf_token") {
				t.Errorf("%s holds a form", p.path)
			}
			if strings.Contains(p.path, "lang=fr") != strings.Contains(r.Body, `<html lang="fr">`) {
				t.Errorf("%s: wrong language", p.path)
			}
			if !strings.Contains(r.Body, `target="_top"`) {
				t.Errorf("%s: no link back out of the frame", p.path)
			}
		}
		for _, path := range []string{"/embed/recommendations/13", "/embed/recommendations/x", fmt.Sprintf("/embed/organisations/%d", gone.ID),
			"/embed/organisations/999999", "/embed/dashboard?cycle=1999", "/embed/dashboard?cycle=soon"} {
			if r := apptest.Get(t, nil, sc.TS+path); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, r.Status)
			}
		}
		// Every other page still refuses to be framed.
		for _, path := range []string{"/", "/recommendations/1", fmt.Sprintf("/organisations/%d", sc.Org.ID), "/embedded"} {
			r := apptest.Get(t, nil, sc.TS+path)
			if !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || r.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s may be framed: %v", path, r.Header)
			}
		}
	})
}

var embedSnippet = regexp.MustCompile(`(?s)<textarea id="embed-code" readonly[^>]*>(.*?)</textarea>`)
var embedFrame = regexp.MustCompile(`^<iframe src="(http://pct\.test/embed/[^"]+)" title="([^"]+)" [^>]*></iframe>$`)

// The dashboard, a recommendation's and an organisation's pages offer the
// code that frames their embed, in the page's language, with a title for
// the frame; the address in the code answers.
func TestEmbedBox(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	for _, p := range []struct{ page, embed, title string }{
		{"/?cycle=2025", "/embed/dashboard?cycle=2025&amp;lang=en", "Progress on the Paris Call"},
		{"/?cycle=2025&lang=fr", "/embed/dashboard?cycle=2025&amp;lang=fr", "Avancement des douze"},
		{"/recommendations/4", "/embed/recommendations/4?lang=en", "Recommendation 4, cycle by cycle"},
		{"/recommendations/4?lang=fr", "/embed/recommendations/4?lang=fr", "Recommandation 4"},
		{fmt.Sprintf("/organisations/%d", sc.Org.ID), fmt.Sprintf("/embed/organisations/%d?lang=en", sc.Org.ID), sc.Org.Name + "'s public actions"},
	} {
		r := apptest.Get(t, nil, sc.TS+p.page)
		m := embedSnippet.FindStringSubmatch(r.Body)
		if r.Status != http.StatusOK || m == nil {
			t.Errorf("%s: %d, no code to embed", p.page, r.Status)
			continue
		}
		code := html.UnescapeString(m[1])
		f := embedFrame.FindStringSubmatch(code)
		if f == nil || f[1] != "http://pct.test"+p.embed || !strings.HasPrefix(f[2], p.title) {
			t.Errorf("%s: the code is %s, want the frame of %s titled %q", p.page, code, p.embed, p.title)
			continue
		}
		if e := apptest.Get(t, nil, sc.TS+html.UnescapeString(strings.TrimPrefix(f[1], "http://pct.test"))); e.Status != http.StatusOK {
			t.Errorf("%s: its embed answers %d", p.page, e.Status)
		}
	}
}

package ui_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

var (
	shareMeta      = regexp.MustCompile(`<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)">`)
	shareCanonical = regexp.MustCompile(`<link rel="canonical" href="([^"]*)">`)
)

// Every public page carries its Open Graph and Twitter card (issue 20.3):
// its title, description and canonical address, its language and the
// other, and a 1200x630 image that answers: the figure's own for the
// dashboard, a recommendation and an organisation, the dashboard's for the
// others.
func TestShareMetaOnPublicPages(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Recommendations = []int{2, 3} })
	fw := "/frameworks/" + sc.S.Crosswalk(t)[0].Key
	org := fmt.Sprint(sc.Org.ID)
	generic := "/cards/dashboard.png"
	for _, p := range []struct{ path, image string }{
		{"/", "/cards/dashboard.png?cycle=2026"},
		{"/?cycle=2025", "/cards/dashboard.png?cycle=2025"},
		{"/recommendations", generic},
		{"/recommendations/4", "/cards/recommendations/4.png"},
		{"/actions", generic},
		{fmt.Sprintf("/actions/%d", sc.LastYearAction.ID), generic},
		{"/organisations", generic},
		{"/organisations/" + org, "/cards/organisations/" + org + ".png"},
		{"/about", generic},
		{"/about/crosswalk-sources", generic},
		{"/frameworks", generic},
		{fw, generic},
		{"/search?q=intrusion", generic},
		{"/open-data", generic},
		{"/open-data/api", generic},
		{"/reports", generic},
		{"/signin", generic},
	} {
		for _, lang := range []string{"en", "fr"} {
			path := p.path + "?lang=" + lang
			if strings.Contains(p.path, "?") {
				path = p.path + "&lang=" + lang
			}
			r := apptest.Get(t, nil, sc.TS+path)
			head, _, _ := strings.Cut(r.Body, "</head>")
			meta := map[string]string{}
			for _, m := range shareMeta.FindAllStringSubmatch(head, -1) {
				meta[m[1]] = html.UnescapeString(m[2])
			}
			canonical := shareCanonical.FindStringSubmatch(head)
			other := map[string]string{"en": "fr_FR", "fr": "en_GB"}[lang]
			switch {
			case r.Status != http.StatusOK || canonical == nil:
				t.Errorf("%s: %d", path, r.Status)
				continue
			case meta["og:title"] == "" || meta["og:description"] == "" || meta["og:type"] != "website" || meta["og:site_name"] == "":
				t.Errorf("%s: title, description, type or site missing: %q", path, meta)
			case meta["og:url"] != html.UnescapeString(canonical[1]):
				t.Errorf("%s: og:url %q, canonical %q", path, meta["og:url"], canonical[1])
			case meta["og:locale"] != map[string]string{"en": "en_GB", "fr": "fr_FR"}[lang] || meta["og:locale:alternate"] != other:
				t.Errorf("%s: locales %q and %q", path, meta["og:locale"], meta["og:locale:alternate"])
			case meta["twitter:card"] != "summary_large_image" || meta["twitter:title"] != meta["og:title"] ||
				meta["twitter:description"] != meta["og:description"] || meta["twitter:image"] != meta["og:image"]:
				t.Errorf("%s: the Twitter card differs: %q", path, meta)
			case meta["og:image:width"] != "1200" || meta["og:image:height"] != "630" || meta["og:image:type"] != "image/png" ||
				meta["og:image:alt"] == "" || meta["twitter:image:alt"] != meta["og:image:alt"]:
				t.Errorf("%s: image's size, type or text: %q", path, meta)
			}
			want := "http://pct.test" + p.image + "?lang=" + lang
			if strings.Contains(p.image, "?") {
				want = "http://pct.test" + p.image + "&lang=" + lang
			}
			if meta["og:image"] != want {
				t.Errorf("%s: og:image %q, want %q", path, meta["og:image"], want)
				continue
			}
			img := apptest.Get(t, nil, sc.TS+strings.TrimPrefix(want, "http://pct.test"))
			if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/png" {
				t.Errorf("%s: its image answers %d %q", path, img.Status, img.Header.Get("Content-Type"))
			}
		}
	}
}

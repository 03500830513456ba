package ui_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// releaseScenario publishes the 2025 report of a scenario, which makes
// release 2025.1.
func releaseScenario(t *testing.T, db *store.DB) *apptest.Scenario {
	t.Helper()
	sc := apptest.NewScenario(t, db)
	r := sc.Sec.Do("POST", "/api/v1/cycles/2025/reports", `{"cutoff_at": "2026-09-01T09:00:00Z"}`)
	draft := apptest.Decode[apptest.ReportJSON](t, r)
	if r.Status != 201 {
		t.Fatalf("compile: %d %s", r.Status, r.Body)
	}
	if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", draft.ID), ""); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	return sc
}

var releaseLD = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// Issue 20: a release's page says how to cite it (APA and BibTeX in
// read-only boxes, copyable without script), its checksum and DOI, and
// describes it as a schema.org Dataset; the list and the open-data and
// report pages lead to it, in English and French.
func TestReleasePages(t *testing.T) {
	sc := releaseScenario(t, testutil.NewDB(t, "sqlite"))
	anon := apptest.APIClient{T: t, Base: sc.TS}
	rel := apptest.Decode[struct{ SHA256 string }](t, anon.Do("GET", "/api/v1/releases/2025.1", ""))
	for _, lang := range []string{"en", "fr"} {
		r := anon.Do("GET", "/releases/2025.1?lang="+lang, "")
		if r.Status != 200 || !strings.Contains(r.Body, rel.SHA256) || !strings.Contains(r.Body, `<textarea id="cite-apa" class="cite cite-wrap" readonly`) ||
			!strings.Contains(r.Body, "@dataset{pariscall_data_2025_1,") || !strings.Contains(r.Body, `href="/releases/2025.1.zip"`) ||
			strings.Contains(r.Body, `action="/releases/2025.1/doi"`) {
			t.Errorf("%s page: %d %s", lang, r.Status, r.Body)
		}
		m := releaseLD.FindStringSubmatch(r.Body)
		var ld map[string]any
		if m == nil || json.Unmarshal([]byte(m[1]), &ld) != nil || ld["@type"] != "Dataset" || ld["version"] != "2025.1" ||
			ld["license"] != "https://creativecommons.org/licenses/by/4.0/" {
			t.Errorf("%s JSON-LD: %v", lang, m)
		}
		if r := anon.Do("GET", "/releases?lang="+lang, ""); r.Status != 200 || !strings.Contains(r.Body, `href="/releases/2025.1"`) {
			t.Errorf("%s list: %d", lang, r.Status)
		}
	}
	if r := anon.Do("GET", "/releases/2025.1?lang=fr", ""); !strings.Contains(r.Body, "Citer cette version") ||
		!strings.Contains(r.Body, "Première version, avec le rapport d&#39;étape 2025 publié.") {
		t.Error("the French page is not in French")
	}
	if r := anon.Do("GET", "/open-data", ""); !strings.Contains(r.Body, `href="/releases"`) {
		t.Error("the open-data page does not lead to the releases")
	}
	if r := anon.Do("GET", "/reports/1", ""); !strings.Contains(r.Body, `href="/releases"`) {
		t.Error("the published report's page does not lead to the releases")
	}
	for _, path := range []string{"/releases/2025.2", "/releases/2025.x", "/releases/2025.2.zip"} {
		if r := anon.Do("GET", path, ""); r.Status != 404 {
			t.Errorf("%s: %d", path, r.Status)
		}
	}
}

// The secretariat records a DOI and publishes a correction from the
// release's page; a wrong DOI or an empty changelog comes back in the form
// with what is wrong and what was typed; nobody else may.
func TestReleaseSecretariatForms(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := releaseScenario(t, db)
		if r := sc.Sec.Do("GET", "/releases/2025.1", ""); !strings.Contains(r.Body, `action="/releases/2025.1/doi"`) ||
			!strings.Contains(r.Body, `action="/releases/2025.1/correction"`) {
			t.Fatalf("the secretariat has no forms: %s", r.Body)
		}
		for _, path := range []string{"/releases/2025.1/doi", "/releases/2025.1/correction"} {
			if r := sc.Focal.Form(path, url.Values{"doi": {"10.12345/x"}, "changelog": {"x"}}); r.Status != 403 {
				t.Errorf("a supporter posts %s: %d", path, r.Status)
			}
		}
		r := sc.Sec.FormIn("fr", "/releases/2025.1/doi", url.Values{"doi": {"not-a-doi"}})
		if r.Status != 422 || !strings.Contains(r.Body, `value="not-a-doi"`) || !strings.Contains(r.Body, `aria-invalid="true"`) ||
			!strings.Contains(r.Body, "Écrivez un DOI") {
			t.Errorf("a wrong DOI: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Form("/releases/2025.1/doi", url.Values{"doi": {"10.12345/pc-2025.1"}}); r.Status != 303 || apptest.FlashOf(r) != "release_flash_doi" {
			t.Errorf("a DOI: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("GET", "/releases/2025.1", ""); !strings.Contains(r.Body, `href="https://doi.org/10.12345/pc-2025.1"`) {
			t.Error("the DOI is not shown")
		}
		if r := sc.Sec.Form("/releases/2025.1/correction", url.Values{"changelog": {" "}}); r.Status != 422 || !strings.Contains(r.Body, `id="e-release-changelog"`) {
			t.Errorf("an empty changelog: %d", r.Status)
		}
		r = sc.Sec.Form("/releases/2025.1/correction", url.Values{"changelog": {"One stage corrected."}})
		if r.Status != 303 || r.Header.Get("Location") != "/releases/2025.2" || apptest.FlashOf(r) != "release_flash_corrected" {
			t.Fatalf("a correction: %d %v", r.Status, r.Header)
		}
		anon := apptest.APIClient{T: t, Base: sc.TS}
		old := anon.Do("GET", "/releases/2025.1", "")
		if !strings.Contains(old.Body, `id="release-superseded"`) || !strings.Contains(old.Body, `href="/releases/2025.2"`) {
			t.Errorf("the earlier release does not say it is superseded: %s", old.Body)
		}
		if r := anon.Do("GET", "/releases/2025.2", ""); r.Status != 200 || !strings.Contains(r.Body, "One stage corrected.") {
			t.Errorf("the correction's page: %d", r.Status)
		}
	})
}

// The release pages, in both languages, fit a 375 px phone and axe finds
// nothing on them, the secretariat's forms included.
func TestReleasePagesInBrowser(t *testing.T) {
	sc := releaseScenario(t, testutil.NewDB(t, "sqlite"))
	b := secretariatBrowser(t, sc, "/releases/2025.1", "h1")
	pages := []struct{ path, name string }{{"/releases?lang=en", "releases"}, {"/releases?lang=fr", "releases-fr"},
		{"/releases/2025.1?lang=en", "release"}, {"/releases/2025.1?lang=fr", "release-fr"}}
	for _, width := range []int64{375, 1280} {
		for _, visitor := range []bool{true, false} {
			ctx := b
			if visitor {
				ctx = testutil.Browser(t)
			}
			for _, p := range pages {
				testutil.Must(t, chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(sc.TS+p.path), chromedp.WaitVisible(chromedp.CSS("h1"))))
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
				testutil.Must(t, err)
				if wide {
					t.Errorf("%s is wider than %d px", p.path, width)
				}
				if width == 375 {
					testutil.CheckAccessibility(t, ctx, p.path)
				}
				name := p.name
				if !visitor {
					name += "-secretariat"
				}
				testutil.Screenshot(t, ctx, fmt.Sprintf("%s-%d", name, width))
			}
		}
	}
}

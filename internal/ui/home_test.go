package ui_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestHomePage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ts := apptest.StartServer(t, db)
		r := apptest.Get(t, nil, ts.URL+"/recommendations")
		if r.Status != 200 || !strings.Contains(r.Body, `<html lang="en">`) || strings.Count(r.Body, `class="recommendation"`) != 12 ||
			!strings.Contains(r.Body, "Develop clear acceptable use guidelines") || !strings.Contains(r.Body, "Expand collective knowledge of the market") {
			t.Fatalf("English home: %d\n%s", r.Status, r.Body)
		}
		r = apptest.Get(t, nil, ts.URL+"/recommendations", "Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
		if !strings.Contains(r.Body, `<html lang="fr">`) || !strings.Contains(r.Body, "Élaborer des lignes directrices claires") ||
			!strings.Contains(r.Body, "Les douze recommandations prioritaires") || r.Header.Get("Content-Language") != "fr" {
			t.Errorf("French by Accept-Language: %s", r.Body[:300])
		}
		// An explicit choice wins over the browser and is remembered.
		r = apptest.Get(t, nil, ts.URL+"/?lang=en", "Accept-Language", "fr")
		var cookie string
		for _, c := range strings.Split(r.Header.Get("Set-Cookie"), ";") {
			if strings.HasPrefix(c, "pct_lang=") {
				cookie = c
			}
		}
		if !strings.Contains(r.Body, `<html lang="en">`) || cookie != "pct_lang=en" {
			t.Errorf("?lang=en: cookie %q", r.Header.Get("Set-Cookie"))
		}
		r = apptest.Get(t, nil, ts.URL+"/", "Accept-Language", "fr", "Cookie", cookie)
		if !strings.Contains(r.Body, `<html lang="en">`) {
			t.Error("the remembered choice is used")
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "object-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP: %q", csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("nosniff")
		}
	})
}

// A fresh installation, with no cycle and no action, shows on its home page
// the twelve recommendations it will follow, each with no figures yet, in
// each language.
func TestHomeOfAFreshInstallation(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ts := apptest.StartServer(t, db)
		for _, c := range []struct{ lang, first, last, none, heading string }{
			{"en", "Develop clear acceptable use guidelines", "Expand collective knowledge of the market", "No figures yet", "The twelve recommendations"},
			{"fr", "Élaborer des lignes directrices claires", "", "Pas encore de chiffres", "Les douze recommandations"},
		} {
			r := apptest.Get(t, nil, ts.URL+"/?lang="+c.lang)
			if r.Status != 200 || !strings.Contains(r.Body, `<html lang="`+c.lang+`">`) {
				t.Fatalf("%s home: %d", c.lang, r.Status)
			}
			if n := strings.Count(r.Body, c.none); n != 12 {
				t.Errorf("%s: %q %d times, want once for each of the twelve recommendations", c.lang, c.none, n)
			}
			for n := 1; n <= 12; n++ {
				if !strings.Contains(r.Body, fmt.Sprintf(`<a href="/recommendations/%d">%d. `, n, n)) {
					t.Errorf("%s: no recommendation %d", c.lang, n)
				}
			}
			for _, want := range []string{c.first, c.last, c.heading} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("%s home lacks %q", c.lang, want)
				}
			}
		}
	})
}

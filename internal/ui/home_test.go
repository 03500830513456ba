package ui_test

import (
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

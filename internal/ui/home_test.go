package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
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

// The dashboard says how many of its public actions cite evidence, in
// both languages, and claims no more: an action accepted without evidence
// (in a cycle that allows it) counts in the total only.
func TestDashboardEvidenceSentence(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		c, err := sc.S.Cycles.Update(ctx, testutil.System, 2026, 0, func(in *cycle.Input) {
			in.Evidence, in.Embargo = cycle.EvidenceOptional, cycle.Immediate
		})
		if err != nil {
			t.Fatal(err)
		}
		bare := testutil.ActionInput()
		bare.Evidence = nil
		sc.S.Accepted(t, sc.Org, c, testutil.ActionInput())
		sc.S.Accepted(t, sc.Org, c, bare)
		var total, cited int
		where := fmt.Sprintf("cycle_id = %d AND state = 'accepted' AND visibility = 'public'", c.ID)
		db.SQL().QueryRow("SELECT count(*) FROM actions WHERE " + where).Scan(&total)
		db.SQL().QueryRow("SELECT count(*) FROM actions WHERE " + where + " AND EXISTS (SELECT 1 FROM evidence WHERE evidence.action_id = actions.id)").Scan(&cited)
		if cited == total {
			t.Fatalf("the test needs an action without evidence: %d of %d", cited, total)
		}
		for lang, want := range map[string]string{"en": fmt.Sprintf("Public actions that cite evidence: %d of %d.", cited, total),
			"fr": fmt.Sprintf("Actions publiques qui citent des justificatifs\u00a0: %d sur %d.", cited, total)} {
			r := apptest.Get(t, nil, sc.TS+"/?cycle=2026", "Accept-Language", lang)
			if r.Status != 200 || !strings.Contains(r.Body, want) || strings.Contains(r.Body, "each backed by evidence") {
				t.Errorf("%s: the dashboard does not say %q: %d", lang, want, r.Status)
			}
		}
	})
}

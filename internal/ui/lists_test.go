package ui_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Every list with pages reads page= one way: a page it cannot read is
// refused (422) and one past the last is not found (404), each with a page
// that says so and links to a page that exists; the page shown says
// "page N of M" (issue 19.3).
func TestListsReadThePageOneWay(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		sc.Challenges(t) // no list is empty: challenges...
		c, err := sc.S.Cycles.Get(context.Background(), 2026)
		if err != nil {
			t.Fatal(err)
		}
		waiting := sc.S.Action(t, sc.Org, c) // ... and an action waiting for review
		if _, err := sc.S.Actions.Move(context.Background(), testutil.System, waiting.ID, waiting.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		anon := apptest.APIClient{T: t, Base: sc.TS}
		for _, l := range []struct {
			name string
			as   apptest.APIClient
			path string // with its filters, which the links keep
		}{
			{"the public actions", anon, "/actions?cycle=2025&stage=adopted"},
			{"the directory", anon, "/organisations?kind=state"},
			{"the secretariat's organisations", sc.Sec, "/admin/organisations?kind=state"},
			{"the audit log", sc.Sec, "/admin/audit?verb=action."},
			{"the challenges", sc.Sec, "/challenges"},
			{"the review queue", sc.Sec, "/review?cycle=2026"},
		} {
			t.Run(l.name, func(t *testing.T) {
				as := l.as.For(t)
				for _, c := range []struct {
					page   string
					status int
					says   string
				}{
					{"", 200, "Page 1 of 1"},
					{"1", 200, "Page 1 of 1"},
					{"5432-5431", 422, "“5432-5431” is not a page number"},
					{"0", 422, "“0” is not a page number"},
					{"-2", 422, "“-2” is not a page number"},
					{"100001", 422, "“100001” is not a page number"},
					{"2", 404, "Page 2 does not exist; the last page is 1."},
					{"3", 404, "Page 3 does not exist; the last page is 1."},
				} {
					path := l.path
					if c.page != "" {
						path = withQuery(path, "page="+c.page)
					}
					r := as.Do("GET", withQuery(path, "lang=en"), "")
					body := html.UnescapeString(r.Body)
					if r.Status != c.status || !strings.Contains(body, c.says) {
						t.Errorf("%s: %d, want %d saying %q\n%s", path, r.Status, c.status, c.says, body)
						continue
					}
					if c.status != 200 && !strings.Contains(body, `href="`+strings.SplitN(l.path, "?", 2)[0]+"?") {
						t.Errorf("%s: no link to a page of the list\n%s", path, body)
					}
				}
			})
		}
		// With the filters kept: the link from a page past the last goes
		// to the last page of the same list.
		r := anon.Do("GET", "/actions?cycle=2025&page=7&lang=fr", "")
		body := html.UnescapeString(r.Body)
		if r.Status != 404 || !strings.Contains(body, "La page 7 n'existe pas\u00a0; la dernière page est la page 1.") ||
			!strings.Contains(body, `href="/actions?cycle=2025&lang=fr&page=1"`) {
			t.Errorf("past the last page, in French: %d\n%s", r.Status, body)
		}
	})
}

// The public list of actions is filtered by organisation and by country
// from drop-downs of those with public actions, countries named in the
// page's language; its heading names the organisation; it says why a
// cycle under embargo lists nothing yet (issue 19.4, 19.6).
func TestPublicActionsFiltersAndEmbargo(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		de, err := sc.S.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "Bundesamt für Beispiele",
			Kind: stakeholder.PublicAuthority, Country: "DE", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		quiet, err := sc.S.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "Ministerio Silencioso",
			Kind: stakeholder.State, Country: "ES", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		apptest.AcceptIn(t, sc, de.ID, 2026, func(in *action.Input) { in.Title = "Federal vendor register" })
		anon := apptest.APIClient{T: t, Base: sc.TS}

		en := html.UnescapeString(anon.Do("GET", "/actions?lang=en", "").Body)
		fr := html.UnescapeString(anon.Do("GET", "/actions?lang=fr", "").Body)
		for _, c := range []struct {
			name, page, want string
			has              bool
		}{
			{"an organisation with public actions", en, fmt.Sprintf(`<option value="%d" >Bundesamt für Beispiele</option>`, de.ID), true},
			{"another", en, fmt.Sprintf(`<option value="%d" >%s</option>`, sc.Org.ID, sc.Org.Name), true},
			{"none for one without", en, quiet.Name, false},
			{"a country in English", en, `<option value="DE" >Germany</option>`, true},
			{"a country in French", fr, `<option value="DE" >Allemagne</option>`, true},
			{"France in French", fr, `<option value="FR" >France</option>`, true},
			{"no country without public actions", en, `value="ES"`, false},
			{"no free country code", en, `name="country" type="text"`, false},
			{"the order", en, `<select id="f-sort" name="sort"`, true},
		} {
			if strings.Contains(c.page, c.want) != c.has {
				t.Errorf("%s: %q present %t, want %t", c.name, c.want, !c.has, c.has)
			}
		}

		r := anon.Do("GET", fmt.Sprintf("/actions?organisation=%d&country=DE&lang=en", de.ID), "")
		body := html.UnescapeString(r.Body)
		if r.Status != 200 || !strings.Contains(body, "<h2 class=\"results-heading\">Actions of Bundesamt für Beispiele</h2>") ||
			!strings.Contains(body, "Federal vendor register") || strings.Contains(body, sc.LastYearAction.Title) ||
			!strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, de.ID)) || !strings.Contains(body, `<option value="DE" selected>`) {
			t.Errorf("filtered on an organisation and its country: %d\n%s", r.Status, body)
		}
		if r := anon.Do("GET", "/actions?country=ES&lang=en", ""); r.Status != 200 || strings.Contains(r.Body, "Federal vendor register") {
			t.Errorf("a country without public actions: %d", r.Status)
		}
		if r := anon.Do("GET", "/actions?sort=oldest&lang=en", ""); r.Status != 422 || !strings.Contains(r.Body, "<code>sort</code>") {
			t.Errorf("an unknown order: %d\n%s", r.Status, r.Body)
		}

		// 2026 goes under embargo until its Forum (11 November; the clock
		// stands on 1 September): the list says so, as the dashboard does.
		cur, err := sc.S.Cycles.Get(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sc.S.Cycles.Update(ctx, testutil.System, 2026, cur.Version, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ path, want string }{
			{"/actions?cycle=2026&lang=en", "The actions of 2026 are embargoed until the Paris Peace Forum: they appear in this list on 11 November 2026."},
			{"/actions?cycle=2026&lang=fr", "Les actions de 2026 sont sous embargo jusqu'au Forum de Paris sur la Paix\u00a0: elles apparaîtront dans cette liste le 11 novembre 2026."},
		} {
			r := anon.Do("GET", c.path, "")
			if body := html.UnescapeString(r.Body); r.Status != 200 || !strings.Contains(body, c.want) || strings.Contains(body, "Federal vendor register") {
				t.Errorf("%s: %d, want %q\n%s", c.path, r.Status, c.want, body)
			}
		}
		for _, path := range []string{"/actions?cycle=2025&lang=en", "/actions?lang=en"} {
			if r := anon.Do("GET", path, ""); strings.Contains(r.Body, "embargoed") {
				t.Errorf("%s speaks of an embargo", path)
			}
		}
	})
}

// withQuery adds a query parameter to a path, with ? or & as it needs.
func withQuery(path, param string) string {
	if strings.Contains(path, "?") {
		return path + "&" + param
	}
	return path + "?" + param
}

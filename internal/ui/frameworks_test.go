package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The secrets of the crosswalk's fixture: actions the public must not
// see, nor count.
const (
	draftTitle     = "Draft measure on vulnerability handling"
	secretTitle    = "Secretariat-only measure on vulnerability handling"
	embargoedTitle = "Embargoed measure on vulnerability handling"
)

// crosswalkFixture is the data of the crosswalk's page tests: the initial
// crosswalk, public actions of 2026 counting for provisions derived and
// declared (and one derived taken away), and three that must not count.
type crosswalkFixture struct {
	sc         *apptest.Scenario
	all        []framework.Framework
	shown      []action.Action              // the public actions of 2026
	declared   map[int64]map[string]bool    // action -> "framework|provision"
	removed    map[int64]map[string]bool    // derived links taken away
	hidden     []action.Action              // draft, secretariat-only, embargoed
	pubDeclare action.Action                // public, with declared links
	pubRemoved action.Action                // public, with a derived link taken away
	expected   map[string]map[string][2]int // framework -> provision -> actions, organisations
	frameworks map[string][2]int            // framework -> distinct actions, organisations
}

func newCrosswalkFixture(t *testing.T, db *store.DB) *crosswalkFixture {
	t.Helper()
	ctx := context.Background()
	sc := apptest.NewScenario(t, db)
	s := sc.S
	fx := &crosswalkFixture{sc: sc, all: s.Crosswalk(t), declared: map[int64]map[string]bool{}, removed: map[int64]map[string]bool{}}
	y2026, err := s.Cycles.Get(ctx, 2026)
	testutil.Must(t, err)
	third := s.Stakeholder(t, stakeholder.Company)
	with := func(title string, recs []int, vis action.Visibility) action.Input {
		in := testutil.ActionInput()
		in.Title, in.Recommendations, in.Visibility = title, recs, vis
		return in
	}
	declare := func(a action.Action, fw, p string) {
		t.Helper()
		if _, err := s.Frameworks.Add(ctx, testutil.System, a.ID, fw, p); err != nil {
			t.Fatalf("declare %s %s on %d: %v", fw, p, a.ID, err)
		}
		if fx.declared[a.ID] == nil {
			fx.declared[a.ID] = map[string]bool{}
		}
		fx.declared[a.ID][fw+"|"+p] = true
	}
	pubA := s.Accepted(t, sc.Org, y2026, with("Coordinated disclosure programme", []int{10}, action.Public))
	pubB := s.Accepted(t, sc.OtherOrg, y2026, with("Export licences and a bug bounty", []int{2, 10}, action.Public))
	fx.pubDeclare = s.Accepted(t, sc.Org, y2026, with("Export licensing of intrusion software", []int{2}, action.Public))
	declare(fx.pubDeclare, "un-gge-2015", "13(j)")
	declare(fx.pubDeclare, "pall-mall-states", "1") // a provision no recommendation evidences
	fx.pubRemoved = s.Accepted(t, third, y2026, with("Controls on surveillance equipment", []int{2}, action.Public))
	if err := s.Frameworks.Remove(ctx, testutil.System, fx.pubRemoved.ID, "wassenaar-intrusion-2013", "4.A.5", "Not about intrusion systems"); err != nil {
		t.Fatal(err)
	}
	fx.removed[fx.pubRemoved.ID] = map[string]bool{"wassenaar-intrusion-2013|4.A.5": true}
	fx.shown = []action.Action{pubA, pubB, fx.pubDeclare, fx.pubRemoved}

	// Never public: a draft, a secretariat-only action, and one of a
	// cycle whose embargo runs until its Forum, each declaring a provision
	// no public action counts for.
	draft, err := s.Actions.Create(ctx, testutil.System, sc.Org.ID, y2026.ID, with(draftTitle, []int{10}, action.Public))
	testutil.Must(t, err)
	secret := s.Accepted(t, sc.Org, y2026, with(secretTitle, []int{10}, action.SecretariatOnly))
	y2027, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2027, OpensAt: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
		Deadline: time.Date(2027, 10, 1, 0, 0, 0, 0, time.UTC), ForumDate: time.Date(2027, 11, 11, 0, 0, 0, 0, time.UTC),
		Embargo: cycle.UntilForum})
	testutil.Must(t, err)
	embargoed := s.Accepted(t, sc.OtherOrg, y2027, with(embargoedTitle, []int{10}, action.Public))
	fx.hidden = []action.Action{draft, secret, embargoed}
	for _, a := range fx.hidden {
		declare(a, "pall-mall-states", "2.a")
	}

	// The figures counted by hand: an action counts for a provision its
	// recommendations evidence, unless taken away, or that it declares.
	fx.expected, fx.frameworks = map[string]map[string][2]int{}, map[string][2]int{}
	for _, f := range fx.all {
		fx.expected[f.Key] = map[string][2]int{}
		fwActions, fwOrgs := map[int64]bool{}, map[int64]bool{}
		for _, p := range f.Provisions {
			actions, orgs := map[int64]bool{}, map[int64]bool{}
			for _, a := range fx.shown {
				link := f.Key + "|" + p.Key
				if (p.Derives(a.Recommendations) && !fx.removed[a.ID][link]) || fx.declared[a.ID][link] {
					actions[a.ID], orgs[a.StakeholderID] = true, true
					fwActions[a.ID], fwOrgs[a.StakeholderID] = true, true
				}
			}
			fx.expected[f.Key][p.Key] = [2]int{len(actions), len(orgs)}
		}
		fx.frameworks[f.Key] = [2]int{len(fwActions), len(fwOrgs)}
	}
	return fx
}

var (
	provisionRowRE = regexp.MustCompile(`(?s)<tr id="(p\d+)"[^>]*>\s*<th scope="row"><span class="mono">([^<]*)</span>.*?` +
		`<td class="num">(?:<strong class="gap-mark">[^<]*</strong> )?<a href="([^"]+)">(\d+)</a></td><td class="num">(\d+)</td></tr>`)
	listTotalRE = regexp.MustCompile(`<p role="status">(\d+) actions?</p>`)
)

// listTotal reads the total of a public list of actions.
func listTotal(t *testing.T, c apptest.APIClient, target string) (int, string) {
	t.Helper()
	r := c.Do("GET", target, "")
	if r.Status != 200 {
		t.Fatalf("%s: %d", target, r.Status)
	}
	m := listTotalRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s: no total", target)
	}
	n, _ := strconv.Atoi(m[1])
	return n, r.Body
}

// On /frameworks/KEY each provision's figures are those counted by hand
// on the same data: derived links, declared ones, a derived one taken
// away; each links to the list of actions whose total is that figure. A
// draft, a secretariat-only action and one of an embargoed cycle count
// nowhere and show nowhere.
func TestFrameworkFiguresByHand(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		fx := newCrosswalkFixture(t, db)
		anon := apptest.APIClient{T: t, Base: fx.sc.TS}
		requests, rows := 0, 0
		noSecrets := func(target, body string) {
			t.Helper()
			for _, secret := range []string{draftTitle, secretTitle, embargoedTitle} {
				if strings.Contains(body, secret) {
					t.Errorf("%s shows %q", target, secret)
				}
			}
		}

		// The list of frameworks: the newest cycle with public figures
		// (2027's are embargoed), each framework's distinct totals.
		r := anon.Do("GET", "/frameworks?lang=en", "")
		requests++
		if r.Status != 200 || !strings.Contains(r.Body, "<h1>Frameworks · 2026</h1>") {
			t.Fatalf("/frameworks: %d %.300s", r.Status, r.Body)
		}
		noSecrets("/frameworks", r.Body)
		for key, want := range fx.frameworks {
			target := provisionListURL(key, "", 2026)
			cell := fmt.Sprintf(`<td class="num"><a href="%s">%d</a></td><td class="num">%d</td>`, html.EscapeString(target), want[0], want[1])
			if !strings.Contains(r.Body, cell) {
				t.Errorf("/frameworks: framework %s should count %d actions of %d organisations", key, want[0], want[1])
			}
			got, body := listTotal(t, anon, target)
			requests++
			noSecrets(target, body)
			if got != want[0] {
				t.Errorf("%s lists %d actions, the framework counts %d", target, got, want[0])
			}
		}
		for _, want := range []string{`<h2 id="cw-unmatched">Recommendations with no counterpart in any framework</h2>`,
			`<a href="/recommendations/8">Recommendation 8 · Develop guardrails for former government employees</a>`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("/frameworks: no %q", want)
			}
		}

		for _, f := range fx.all {
			target := "/frameworks/" + url.PathEscape(f.Key) + "?cycle=2026&lang=en"
			r := anon.Do("GET", target, "")
			requests++
			if r.Status != 200 {
				t.Fatalf("%s: %d", target, r.Status)
			}
			noSecrets(target, r.Body)
			found := provisionRowRE.FindAllStringSubmatch(r.Body, -1)
			if len(found) != len(f.Provisions) {
				t.Fatalf("%s: %d provision rows, want %d", target, len(found), len(f.Provisions))
			}
			for i, m := range found {
				p := f.Provisions[i]
				key := html.UnescapeString(m[2])
				actions, _ := strconv.Atoi(m[4])
				orgs, _ := strconv.Atoi(m[5])
				want := fx.expected[f.Key][p.Key]
				if key != p.Key || actions != want[0] || orgs != want[1] {
					t.Errorf("%s row %d: provision %q counts %d actions of %d organisations, want %q: %d of %d",
						target, i+1, key, actions, orgs, p.Key, want[0], want[1])
				}
				if gap := strings.Contains(m[0], `class="gap"`); gap != (want[0] == 0) {
					t.Errorf("%s: provision %q marked a gap: %v, with %d actions", target, p.Key, gap, want[0])
				}
				link := html.UnescapeString(m[3])
				if link != provisionListURL(f.Key, p.Key, 2026) {
					t.Errorf("%s: provision %q links to %s", target, p.Key, link)
				}
				total, body := listTotal(t, anon, link)
				requests++
				noSecrets(link, body)
				if total != actions {
					t.Errorf("%s lists %d actions, the figure is %d", link, total, actions)
				}
				rows++
			}
		}
		if rows != 48 {
			t.Errorf("%d provision rows checked, want the initial crosswalk's 48", rows)
		}
		t.Logf("%d requests, %d provisions checked against the count by hand", requests, rows)

		// The embargoed cycle has no figures yet, and lists nothing.
		r = anon.Do("GET", "/frameworks?cycle=2027&lang=en", "")
		if r.Status != 200 || !strings.Contains(r.Body, "No public action counts for any framework provision in the 2027 cycle yet.") {
			t.Errorf("/frameworks?cycle=2027: %d", r.Status)
		}
		noSecrets("/frameworks?cycle=2027", r.Body)
		if n, body := listTotal(t, anon, provisionListURL("pall-mall-states", "2.a", 2027)); n != 0 {
			t.Errorf("the embargoed cycle lists %d actions for a provision", n)
		} else {
			noSecrets("the 2027 list", body)
		}
		if n, _ := listTotal(t, anon, "/actions?framework=pall-mall-states&provision=2.a"); n != 0 {
			t.Errorf("pall-mall-states 2.a, declared only by unpublished actions, lists %d", n)
		}
	})
}

// provisionListURL is the list of actions behind a provision's figure.
func provisionListURL(fw, p string, year int) string {
	q := url.Values{"framework": {fw}, "cycle": {strconv.Itoa(year)}}
	if p != "" {
		q.Set("provision", p)
	}
	return "/actions?" + q.Encode()
}

var (
	countsForGroupRE = regexp.MustCompile(`(?s)<li><a href="(/frameworks/[^"]+)">[^<]*</a>\s*<ul>(.*?)</ul></li>`)
	countsForRE      = regexp.MustCompile(`<li><a href="[^"]+"><span class="mono">([^<]*)</span>[^<]*</a> <span class="meta">· ([^·<]+) · ([^<]+)</span></li>`)
)

// countsForOf reads the "Counts for" section of an action's page:
// framework page, provision key, kind, confidence.
func countsForOf(body string) [][]string {
	var out [][]string
	for _, g := range countsForGroupRE.FindAllStringSubmatch(body, -1) {
		for _, m := range countsForRE.FindAllStringSubmatch(g[2], -1) {
			out = append(out, []string{html.UnescapeString(g[1]), html.UnescapeString(m[1]), m[2], m[3]})
		}
	}
	return out
}

// An action's public page lists each provision it counts for, derived or
// declared, with the provision's confidence; a derived one taken away is
// not there; an action counting for nothing has no such section; an
// unpublished action has no public page at all.
func TestActionCountsFor(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		fx := newCrosswalkFixture(t, db)
		anon := apptest.APIClient{T: t, Base: fx.sc.TS}
		page := func(id int64, lang string) string {
			r := anon.Do("GET", fmt.Sprintf("/actions/%d?lang=%s", id, lang), "")
			if r.Status != 200 {
				t.Fatalf("/actions/%d: %d", id, r.Status)
			}
			return r.Body
		}
		// What the page should say, from the crosswalk and the fixture.
		want := func(a action.Action) []string {
			var out []string
			for _, f := range fx.all {
				for _, p := range f.Provisions {
					link := f.Key + "|" + p.Key
					kind := ""
					switch {
					case fx.declared[a.ID][link]:
						kind = "declared"
					case p.Derives(a.Recommendations) && !fx.removed[a.ID][link]:
						kind = "derived from its recommendations"
					default:
						continue
					}
					out = append(out, fmt.Sprintf("/frameworks/%s?cycle=2026|%s|%s|confidence: %s", url.PathEscape(f.Key), p.Key, kind, p.Confidence))
				}
			}
			sort.Strings(out)
			return out
		}
		for _, a := range fx.shown {
			var got []string
			for _, l := range countsForOf(page(a.ID, "en")) {
				got = append(got, strings.Join(l, "|"))
			}
			sort.Strings(got)
			if w := want(a); strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Errorf("action %q counts for\n%s\nwant\n%s", a.Title, strings.Join(got, "\n"), strings.Join(w, "\n"))
			}
		}
		fr := countsForOf(page(fx.pubDeclare.ID, "fr"))
		kinds := map[string]string{}
		for _, l := range fr {
			kinds[l[1]] = l[2] + " · " + l[3]
		}
		if kinds["13(j)"] != "déclarée · confiance\u00a0: élevée" || !strings.HasPrefix(kinds["4.A.5"], "déduite de ses recommandations") {
			t.Errorf("the French page says: %q", kinds)
		}
		if body := page(fx.sc.LastYearAction.ID, "en"); !strings.Contains(body, `id="counts-for"`) {
			t.Errorf("last year's action (recommendations 1 and 4) counts for nothing")
		}
		// An action whose recommendation no provision is evidenced by.
		lone := fx.sc.S.Accepted(t, fx.sc.Org, mustCycle(t, fx.sc, 2026), func() action.Input {
			in := testutil.ActionInput()
			in.Title, in.Recommendations = "Cooling-off rules for former officials", []int{8}
			return in
		}())
		if body := page(lone.ID, "en"); strings.Contains(body, `id="counts-for"`) {
			t.Errorf("an action on recommendation 8 says it counts for a provision")
		}
		for _, a := range fx.hidden {
			// A visitor is asked to sign in, as for any action not public.
			if r := anon.Do("GET", fmt.Sprintf("/actions/%d", a.ID), ""); r.Status == 200 || strings.Contains(r.Body, a.Title) {
				t.Errorf("unpublished %q: %d", a.Title, r.Status)
			}
		}
	})
}

func mustCycle(t *testing.T, sc *apptest.Scenario, year int) cycle.Cycle {
	t.Helper()
	c, err := sc.S.Cycles.Get(context.Background(), year)
	testutil.Must(t, err)
	return c
}

// The list's framework and provision filters: the provisions offered are
// the chosen framework's; the heading says the filter; an unknown
// framework, a provision of another framework or one without its
// framework answer 422 saying which, as the list's other filters do; so
// do the frameworks' pages for a cycle that is not one.
func TestCrosswalkFilters(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		fx := newCrosswalkFixture(t, db)
		anon := apptest.APIClient{T: t, Base: fx.sc.TS}
		r := anon.Do("GET", "/actions?framework=un-gge-2015&provision=13(j)&cycle=2026&lang=en", "")
		if r.Status != 200 {
			t.Fatalf("filtered list: %d", r.Status)
		}
		for _, want := range []string{`<option value="un-gge-2015" selected>`, `<option value="13(j)" selected>13(j) · `,
			`<h2 class="results-heading">Actions counting for Report of the Group of Governmental Experts`, `provision 13(j) · `} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("filtered list: no %q", want)
			}
		}
		if strings.Contains(r.Body, `<optgroup`) || strings.Contains(r.Body, `value="4.A.5"`) {
			t.Errorf("the provisions offered are not the chosen framework's only")
		}
		r = anon.Do("GET", "/actions?lang=en", "")
		if n := strings.Count(r.Body, "<optgroup "); n != len(fx.all) || strings.Contains(r.Body, `class="results-heading"`) {
			t.Errorf("unfiltered list: %d groups of provisions, want %d, and no filter heading", n, len(fx.all))
		}
		for _, c := range []struct{ target, field, says string }{
			{"/actions?framework=nope&lang=en", "framework", "there is no such framework: choose one of the list."},
			{"/actions?framework=un-gge-2015&provision=4.A.5&lang=en", "provision", "choose a provision of the chosen framework, and the framework too."},
			{"/actions?provision=13(j)&lang=en", "provision", "choose a provision of the chosen framework"},
			{"/actions?framework=nope&lang=fr", "framework", "ce cadre n&#39;existe pas\u00a0: choisissez-en un dans la liste."},
			{"/frameworks?cycle=abc&lang=en", "", "The cycle asked is not one this page knows: choose a cycle of the list."},
			{"/frameworks?cycle=1999&lang=en", "", "The cycle asked is not one this page knows"},
			{"/frameworks/un-gge-2015?cycle=0&lang=fr", "", "Le cycle demandé n&#39;est pas de ceux que cette page connaît\u00a0: choisissez un cycle de la liste."},
		} {
			r := anon.Do("GET", c.target, "")
			if r.Status != 422 || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, c.says) ||
				(c.field != "" && !strings.Contains(r.Body, "<code>"+c.field+"</code>")) {
				t.Errorf("%s: %d, want 422 saying %q", c.target, r.Status, c.says)
			}
		}
		if r := anon.Do("GET", "/frameworks/nope", ""); r.Status != 404 {
			t.Errorf("/frameworks/nope: %d", r.Status)
		}
	})
}

// Keys hold spaces, brackets, colons, even a "%": every link escapes
// them, and the page's key reaches the handler as it was, however the
// browser escaped it.
func TestFrameworkKeysEscaped(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		file := `frameworks:
  - key: "Code (2025): part 1"
    title: {en: "A code with an awkward key", fr: "Un code à la clé malcommode"}
    provisions:
      - key: "4.E.1.c (2017 notes)"
        title: {en: "Disclosure carve-out", fr: "Exception pour la divulgation"}
        recommendations: [10]
        confidence: medium
  - key: "50% rule"
    title: {en: "A rule of half", fr: "Une règle de moitié"}
    provisions:
      - key: "pillar:accountability"
        title: {en: "Accountability", fr: "Responsabilité"}
        recommendations: [2]
        confidence: high
`
		if _, err := sc.S.Frameworks.Import(context.Background(), testutil.System, []byte(file)); err != nil {
			t.Fatal(err)
		}
		y, _ := sc.S.Cycles.Get(context.Background(), 2026)
		sc.S.Accepted(t, sc.Org, y, testutil.ActionInput()) // recommendations 1 and 4: counts for neither
		in := testutil.ActionInput()
		in.Recommendations = []int{2, 10}
		sc.S.Accepted(t, sc.Org, y, in)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		list := anon.Do("GET", "/frameworks?lang=en", "")
		for _, c := range []struct{ key, title string }{{"Code (2025): part 1", "A code with an awkward key"}, {"50% rule", "A rule of half"}} {
			link := "/frameworks/" + url.PathEscape(c.key)
			if !strings.Contains(list.Body, `href="`+link+`?cycle=2026"`) {
				t.Errorf("/frameworks does not link to %s", link)
			}
			for _, target := range []string{link, strings.NewReplacer("%28", "(", "%29", ")").Replace(link),
				strings.ReplaceAll(link, ":", "%3A") + "?lang=en"} {
				r := anon.Do("GET", target, "")
				if r.Status != 200 || !strings.Contains(r.Body, "<h1>"+c.title+"</h1>") {
					t.Errorf("%s: %d, want the page of %q", target, r.Status, c.key)
				}
			}
		}
		r := anon.Do("GET", "/frameworks/"+url.PathEscape("Code (2025): part 1")+"?cycle=2026", "")
		m := provisionRowRE.FindStringSubmatch(r.Body)
		if m == nil || html.UnescapeString(m[2]) != "4.E.1.c (2017 notes)" || m[4] != "1" {
			t.Fatalf("the provision's row: %v", m)
		}
		if n, _ := listTotal(t, anon, html.UnescapeString(m[3])); n != 1 {
			t.Errorf("%s lists %d actions, want 1", m[3], n)
		}
	})
}

// A French page of the crosswalk holds none of the English sentences its
// catalogue adds.
func TestCrosswalkPagesInFrench(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	fx := newCrosswalkFixture(t, db)
	raw, err := os.ReadFile("../../web/i18n/en.yaml")
	testutil.Must(t, err)
	frRaw, err := os.ReadFile("../../web/i18n/fr.yaml")
	testutil.Must(t, err)
	line := regexp.MustCompile(`(?m)^(cw_\w+): "(.*)"$`)
	fr := map[string]string{}
	for _, m := range line.FindAllStringSubmatch(string(frRaw), -1) {
		fr[m[1]] = m[2]
	}
	var english []string
	for _, m := range line.FindAllStringSubmatch(string(raw), -1) {
		if fr[m[1]] == m[2] {
			continue // the same word in both ("Actions")
		}
		for _, part := range regexp.MustCompile(`\{\{[^}]*\}\}`).Split(m[2], -1) {
			if part = strings.TrimSpace(part); strings.Count(part, " ") >= 2 { // words, not a class name
				english = append(english, part)
			}
		}
	}
	if len(english) < 40 {
		t.Fatalf("only %d English sentences read", len(english))
	}
	anon := apptest.APIClient{T: t, Base: fx.sc.TS}
	pages := []string{"/frameworks", "/frameworks/pall-mall-states", "/frameworks/wassenaar-intrusion-2013?cycle=2026",
		"/frameworks?cycle=2027", "/frameworks?cycle=x", "/about", "/about/crosswalk-sources",
		"/actions?framework=un-gge-2015&provision=13(j)", "/actions", "/actions?framework=nope",
		fmt.Sprintf("/actions/%d", fx.pubDeclare.ID)}
	for _, p := range pages {
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		r := anon.Do("GET", p+sep+"lang=fr", "")
		body := html.UnescapeString(r.Body)
		if p == "/about/crosswalk-sources" {
			// The list of sources is in English, said so and marked.
			if !strings.Contains(r.Body, `<div class="prose sources" lang="en">`) || !strings.Contains(body, "Cette liste est rédigée en anglais seulement.") {
				t.Errorf("%s: the English list is not marked", p)
			}
			body = body[:strings.Index(body, `<div class="prose sources"`)]
		}
		for _, s := range english {
			if strings.Contains(body, s) {
				t.Errorf("%s in French says %q", p, s)
			}
		}
		if strings.HasPrefix(p, "/frameworks/") {
			if !strings.Contains(r.Body, `<p class="note-text" lang="en">`) || !strings.Contains(body, "(traduction non officielle)") &&
				!strings.Contains(body, "Le titre français est une traduction non officielle.") {
				t.Errorf("%s: the note is not marked English, or the title not unofficial", p)
			}
		}
	}
	r := anon.Do("GET", "/frameworks?lang=fr", "")
	if !strings.Contains(r.Body, "(traduction non officielle)") || !strings.Contains(r.Body, "Publié le 4 avril 2025") {
		t.Errorf("/frameworks in French: no unofficial mark, or the date not written in French")
	}
	if r := anon.Do("GET", "/about?lang=fr", ""); !strings.Contains(html.UnescapeString(r.Body), "La table de correspondance avec d'autres cadres") ||
		!strings.Contains(r.Body, `href="/about/crosswalk-sources"`) {
		t.Errorf("/about has no section on the crosswalk")
	}
}

// The crosswalk emptied by the secretariat: /frameworks says so, and the
// list offers no framework filter.
func TestFrameworksEmpty(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		sc.S.Crosswalk(t)
		if _, err := sc.S.Frameworks.Import(context.Background(), testutil.System, []byte("frameworks: []\n")); err != nil {
			t.Fatal(err)
		}
		anon := apptest.APIClient{T: t, Base: sc.TS}
		r := anon.Do("GET", "/frameworks?lang=en", "")
		if r.Status != 200 || !strings.Contains(r.Body, "The crosswalk holds no framework at the moment.") ||
			!strings.Contains(r.Body, "Recommendation 1 · ") {
			t.Errorf("/frameworks emptied: %d", r.Status)
		}
		if r := anon.Do("GET", "/actions", ""); strings.Contains(r.Body, `id="f-framework"`) {
			t.Errorf("the list offers a framework filter with no framework")
		}
	})
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

type dashboardJSON struct {
	Cycle struct {
		Year int `json:"year"`
	} `json:"cycle"`
	Source  string `json:"source"`
	Figures *struct {
		Headline struct {
			Actions   int `json:"actions"`
			Withheld  int `json:"withheld_actions"`
			Reporting int `json:"organisations_reporting"`
		} `json:"headline"`
		Recommendations []recJSONCoverage `json:"recommendations"`
	} `json:"figures"`
	StatesGap *struct {
		Recommendation int     `json:"recommendation"`
		Title          string  `json:"title"`
		Percent        float64 `json:"percent"`
		Acting         int     `json:"states_acting"`
		States         int     `json:"states"`
	} `json:"states_gap"`
	Trend []struct {
		Cycle   int `json:"cycle"`
		Actions int `json:"actions"`
	} `json:"trend"`
}

type recJSONCoverage struct {
	Number   int `json:"number"`
	Acting   int `json:"organisations_acting"`
	Coverage struct {
		Percent float64 `json:"percent"`
	} `json:"coverage"`
}

// acceptIn files an action for an organisation in a cycle, submits and
// accepts it.
func acceptIn(t *testing.T, sc *scenario, orgID int64, year int, change func(*action.Input)) {
	t.Helper()
	ctx := context.Background()
	c, err := sc.s.Cycles.Get(ctx, year)
	if err != nil {
		t.Fatal(err)
	}
	in := testutil.ActionInput()
	change(&in)
	a, err := sc.s.Actions.Create(ctx, testutil.System, orgID, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = sc.s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
		t.Fatal(err)
	}
	if _, err = sc.s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, ""); err != nil {
		t.Fatal(err)
	}
}

// The public dashboard: its numbers are the API's, an action kept for the
// secretariat shows nowhere (not even as a count), and a cycle embargoed
// until its Forum shows nothing before that day.
func TestDashboard(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db) // 2025 (one accepted action of sc.org) and 2026
		anon := apiClient{t: t, base: sc.ts}
		acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) { in.Recommendations, in.Title = []int{2}, "Export licensing reform" })
		acceptIn(t, sc, sc.otherOrg.ID, 2026, func(in *action.Input) {
			in.Recommendations, in.Title, in.Visibility = []int{3}, "Confidential vendor register", action.SecretariatOnly
		})

		r := anon.do("GET", "/api/v1/dashboard?cycle=2026", "")
		var d dashboardJSON
		if err := json.Unmarshal([]byte(r.body), &d); err != nil || r.status != 200 || d.Figures == nil {
			t.Fatalf("dashboard JSON: %d %s", r.status, r.body)
		}
		h := d.Figures.Headline
		if d.Source != "live" || h.Actions != 1 || h.Withheld != 1 || h.Reporting != 1 {
			t.Errorf("headline: %+v (source %s)", h, d.Source)
		}
		if rec3 := d.Figures.Recommendations[2]; rec3.Acting != 0 {
			t.Errorf("the secretariat-only action counts on recommendation 3: %+v", rec3)
		}
		// The scenario's 2025 action was accepted in September 2026, after
		// that cycle's Forum: a past cycle's figures stop at its Forum.
		if len(d.Trend) != 2 || d.Trend[0].Cycle != 2025 || d.Trend[0].Actions != 0 || d.Trend[1].Actions != 1 {
			t.Errorf("trend: %+v", d.Trend)
		}
		page := anon.do("GET", "/?cycle=2026", "")
		if page.status != 200 {
			t.Fatalf("dashboard page: %d", page.status)
		}
		rec2 := d.Figures.Recommendations[1]
		// Where states lag: the API says what the page says.
		g := d.StatesGap
		if g == nil || g.States == 0 || g.Recommendation == 2 {
			t.Fatalf("states gap: %+v", g)
		}
		for _, want := range []string{
			fmt.Sprintf(`<a href="/actions?cycle=2026">%d</a></strong> accepted public actions</li>`, h.Actions),
			fmt.Sprintf("%.1f%%", rec2.Coverage.Percent),
			fmt.Sprintf("Among states, recommendation %d, “%s”, is the least covered: %d of %d states (%.1f%%)",
				g.Recommendation, g.Title, g.Acting, g.States, g.Percent),
		} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		// Public answers are revalidated: the same data, the same tag and a
		// 304; an acceptance changes both the tag and the figures.
		tag := r.header.Get("ETag")
		if tag == "" || anon.do("GET", "/api/v1/dashboard?cycle=2026", "", "If-None-Match", tag).status != 304 {
			t.Errorf("dashboard JSON not revalidated (ETag %q)", tag)
		}
		pageTag := page.header.Get("ETag")
		if pageTag == "" || anon.do("GET", "/?cycle=2026", "", "If-None-Match", pageTag).status != 304 {
			t.Errorf("dashboard page not revalidated (ETag %q)", pageTag)
		}
		if signed := sc.sec.do("GET", "/?cycle=2026", "", "If-None-Match", pageTag); signed.status != 200 {
			t.Errorf("a signed-in page is revalidated against the visitors' tag: %d", signed.status)
		}
		acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) { in.Recommendations, in.Title = []int{6}, "Vendor checks" })
		again := anon.do("GET", "/api/v1/dashboard?cycle=2026", "", "If-None-Match", tag)
		var d2 dashboardJSON
		_ = json.Unmarshal([]byte(again.body), &d2)
		if again.status != 200 || again.header.Get("ETag") == tag || d2.Figures == nil || d2.Figures.Headline.Actions != 2 {
			t.Errorf("after an acceptance: %d, %+v", again.status, d2.Figures)
		}

		// The recommendation's own page: its figures cycle by cycle and its
		// actions.
		rp := anon.do("GET", "/recommendations/2", "")
		if rp.status != 200 || !strings.Contains(rp.body, "Export licensing reform") ||
			!strings.Contains(rp.body, `<a href="/actions?cycle=2026&amp;recommendation=2">1</a>`) {
			t.Errorf("recommendation page: %d", rp.status)
		}
		// The directory's badge, and each profile's public actions only.
		dir := anon.do("GET", "/organisations", "")
		badge := fmt.Sprintf(`<a href="/organisations/%d">%s</a></th><td>States</td><td>FR</td>
    <td><span class="badge badge-accepted">reported in 2026</span>`, sc.org.ID, sc.org.Name)
		if dir.status != 200 || !strings.Contains(dir.body, badge) || strings.Count(dir.body, "reported in 2026</span>") != 1 {
			t.Errorf("directory: %d\n%s", dir.status, dir.body)
		}
		if p := anon.do("GET", fmt.Sprintf("/organisations/%d", sc.org.ID), ""); p.status != 200 || !strings.Contains(p.body, "Export licensing reform") {
			t.Errorf("profile: %d", p.status)
		}
		if p := anon.do("GET", fmt.Sprintf("/organisations/%d", sc.otherOrg.ID), ""); p.status != 200 ||
			strings.Contains(p.body, "Confidential") || !strings.Contains(p.body, "No public action yet") {
			t.Errorf("the other organisation's profile: %d", p.status)
		}
		for _, path := range []string{"/recommendations/99", "/recommendations/x", "/organisations/999999", "/organisations/x",
			"/?cycle=abc", "/?cycle=1999"} {
			if r := anon.do("GET", path, ""); r.status != 404 {
				t.Errorf("%s: %d", path, r.status)
			}
		}
		for _, body := range []string{page.body, r.body, rp.body, anon.do("GET", "/api/v1/dashboard?cycle=2026&lang=fr", "").body} {
			if strings.Contains(body, "Confidential vendor register") {
				t.Error("a secretariat-only action shows in public")
			}
		}

		// Embargoed until the Forum (11 November 2026; the clock reads 1 September).
		ctx := context.Background()
		c, _ := sc.s.Cycles.Get(ctx, 2026)
		if _, err := sc.s.Cycles.Update(ctx, testutil.System, 2026, c.Version, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		r = anon.do("GET", "/api/v1/dashboard?cycle=2026", "")
		d = dashboardJSON{}
		_ = json.Unmarshal([]byte(r.body), &d)
		if d.Source != "embargoed" || d.Figures != nil || d.StatesGap != nil || len(d.Trend) != 1 {
			t.Errorf("embargoed: %s", r.body)
		}
		page = anon.do("GET", "/?cycle=2026", "")
		if strings.Contains(page.body, "Export licensing reform") || !strings.Contains(page.body, "embargoed until the Paris Peace Forum") ||
			strings.Contains(page.body, "accepted public actions</li>") {
			t.Errorf("the embargoed cycle shows figures")
		}
		for _, path := range []string{"/api/v1/actions", "/api/v1/actions?cycle=2026", "/actions", "/actions?cycle=2026"} {
			if body := anon.do("GET", path, "").body; strings.Contains(body, "Export licensing reform") {
				t.Errorf("%s lists an embargoed action", path)
			}
		}
		if def := anon.do("GET", "/", ""); !strings.Contains(def.body, "Progress on the twelve recommendations · 2025") {
			t.Errorf("by default the latest cycle with figures")
		}
	})
}

// The dashboard in a real browser, with JavaScript turned off: the cycle is
// chosen with the form, and axe finds nothing in either language.
func TestDashboardInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) { in.Recommendations = []int{2, 3} })
	b := testutil.Browser(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	scripts := func(off bool) {
		t.Helper()
		_, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		must(err)
	}
	scripts(true)
	must(chromedp.Do(b, chromedp.Navigate(sc.ts+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); h1 != "Progress on the twelve recommendations · 2026" {
		t.Errorf("heading: %q", h1)
	}
	// The select and its button are a plain form: choosing a cycle needs no
	// script.
	must(chromedp.Do(b, chromedp.SetValue(chromedp.CSS("#d-cycle"), "2025"), chromedp.Submit(chromedp.CSS("#d-cycle")),
		chromedp.WaitVisible(chromedp.CSS(`h1`))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); !strings.HasSuffix(h1, "2025") {
		t.Errorf("after choosing 2025 without JavaScript: %q", h1)
	}
	// axe itself is a script.
	scripts(false)
	must(chromedp.Do(b, chromedp.Navigate(sc.ts+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	testutil.CheckAccessibility(t, b, "dashboard (en)")
	testutil.Screenshot(t, b, "30-dashboard")
	must(chromedp.Do(b, chromedp.Navigate(sc.ts+"/?lang=fr"), chromedp.WaitVisible(chromedp.CSS("svg.chart"))))
	if h1, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"))); !strings.HasPrefix(h1, "Progrès sur les douze recommandations") {
		t.Errorf("French heading: %q", h1)
	}
	testutil.CheckAccessibility(t, b, "dashboard (fr)")
	testutil.Screenshot(t, b, "31-dashboard-fr")
	for _, p := range []struct{ path, name string }{{"/recommendations/2?lang=en", "32-recommendation"}, {"/actions?cycle=2026", "33-actions"},
		{"/organisations", "36-supporters"}, {"/about?lang=fr", "38-about-fr"}, {"/search?q=intrusion", "39-search"},
		{fmt.Sprintf("/actions/%d?lang=fr", sc.lastYearAction.ID), "40-public-action-fr"}, {fmt.Sprintf("/organisations/%d", sc.org.ID), "37-profile"},
		{"/actions?stage=done", "34-actions-bad-filter"}, {"/recommendations/3?lang=fr", "35-recommendation-fr"}} {
		must(chromedp.Do(b, chromedp.Navigate(sc.ts+p.path), chromedp.WaitVisible(chromedp.CSS("h1"))))
		testutil.CheckAccessibility(t, b, p.path)
		testutil.Screenshot(t, b, p.name)
	}
}

// The public list of actions: filters, the total, field errors for a code
// it does not know, and never a draft, a secretariat-only action or one
// still under embargo.
func TestPublicActions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		anon := apiClient{t: t, base: sc.ts}
		acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) {
			in.Recommendations, in.Title, in.Stage = []int{2}, "Export licensing reform", action.Implemented
		})
		acceptIn(t, sc, sc.otherOrg.ID, 2026, func(in *action.Input) {
			in.Recommendations, in.Title, in.Visibility = []int{3}, "Confidential vendor register", action.SecretariatOnly
		})
		c, _ := sc.s.Cycles.Get(context.Background(), 2026)
		draft := testutil.ActionInput()
		draft.Title = "Unfinished draft idea"
		if _, err := sc.s.Actions.Create(context.Background(), testutil.System, sc.otherOrg.ID, c.ID, draft); err != nil {
			t.Fatal(err)
		}
		type list struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
			Total int `json:"total"`
		}
		get := func(q string) (list, response) {
			r := anon.do("GET", "/api/v1/actions"+q, "")
			var l list
			_ = json.Unmarshal([]byte(r.body), &l)
			return l, r
		}
		all, r := get("")
		// The scenario's 2025 action and the public 2026 one.
		if r.status != 200 || all.Total != 2 || strings.Contains(r.body, "Confidential") || strings.Contains(r.body, "Unfinished") ||
			strings.Contains(r.body, `"state":`) || strings.Contains(r.body, `"version":`) {
			t.Errorf("all: %d %s", r.status, r.body)
		}
		for q, want := range map[string]int{"?cycle=2026": 1, "?recommendation=2": 1, "?stage=implemented": 1, "?kind=company": 0,
			"?country=fr": 2, "?q=LICENSING": 1, "?q=100%25": 0, "?cycle=2026&recommendation=4": 0} {
			if l, r := get(q); r.status != 200 || l.Total != want {
				t.Errorf("%s: %d, total %d, want %d", q, r.status, l.Total, want)
			}
		}
		for q, field := range map[string]string{"?stage=done": "stage", "?kind=guild": "kind", "?cycle=x": "cycle", "?page=0": "page"} {
			if _, r := get(q); r.status != 422 || !strings.Contains(r.body, `"`+field+`"`) {
				t.Errorf("%s: %d %s", q, r.status, r.body)
			}
		}
		page := anon.do("GET", "/actions?cycle=2026", "")
		if page.status != 200 || !strings.Contains(page.body, "Export licensing reform") || strings.Contains(page.body, "Confidential") ||
			strings.Contains(page.body, "Unfinished") ||
			!strings.Contains(page.body, "1 actions") {
			t.Errorf("page: %d", page.status)
		}
		if bad := anon.do("GET", "/actions?stage=done&q=keep+me", ""); bad.status != 422 || !strings.Contains(bad.body, `value="keep me"`) {
			t.Errorf("a bad filter on the page: %d", bad.status)
		}
		// Lists, pages and downloads are revalidated too, until the data
		// changes.
		paths := []string{"/api/v1/actions?cycle=2026", "/actions?cycle=2026", "/recommendations/2", "/api/v1/open-data/actions.csv",
			"/feed.atom", fmt.Sprintf("/organisations/%d", sc.org.ID), "/search?q=export"}
		tags := map[string]string{}
		for _, p := range paths {
			r := anon.do("GET", p, "")
			tags[p] = r.header.Get("ETag")
			if tags[p] == "" || anon.do("GET", p, "", "If-None-Match", tags[p]).status != 304 {
				t.Errorf("%s: not revalidated (ETag %q)", p, tags[p])
			}
		}
		acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) { in.Title = "Export controls, second step" })
		for _, p := range paths {
			if r := anon.do("GET", p, "", "If-None-Match", tags[p]); r.status != 200 {
				t.Errorf("%s after an acceptance: %d", p, r.status)
			}
		}
	})
}

// The open data: every public action as CSV and JSON, streamed, with the
// licence, and an Atom feed of the latest; nothing else ever.
func TestOpenData(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		anon := apiClient{t: t, base: sc.ts}
		acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) { in.Title = "=HYPERLINK(\"x\") licensing reform" })
		acceptIn(t, sc, sc.otherOrg.ID, 2026, func(in *action.Input) {
			in.Title, in.Visibility = "Confidential vendor register", action.SecretariatOnly
		})
		csv := anon.do("GET", "/api/v1/open-data/actions.csv", "")
		if csv.status != 200 || !strings.HasPrefix(csv.body, "\ufeffid,cycle,") || strings.Count(csv.body, "\r\n") != 3 ||
			!strings.Contains(csv.body, `"'=HYPERLINK(""x"") licensing reform"`) || strings.Contains(csv.body, "Confidential") ||
			!strings.Contains(csv.header.Get("Link"), "licenses/by/4.0") {
			t.Errorf("CSV: %d %q", csv.status, csv.body)
		}
		js := anon.do("GET", "/api/v1/open-data/actions.json?cycle=2026", "")
		var doc struct {
			Licence string
			Actions []struct{ Title string }
		}
		if err := json.Unmarshal([]byte(js.body), &doc); err != nil || len(doc.Actions) != 1 || !strings.HasPrefix(doc.Licence, "CC BY 4.0") {
			t.Errorf("JSON: %v %s", err, js.body)
		}
		if bad := anon.do("GET", "/api/v1/open-data/actions.csv?stage=done", ""); bad.status != 422 {
			t.Errorf("a bad filter: %d", bad.status)
		}
		feed := anon.do("GET", "/feed.atom", "")
		if feed.status != 200 || !strings.Contains(feed.header.Get("Content-Type"), "atom+xml") || strings.Count(feed.body, "<entry>") != 2 ||
			strings.Contains(feed.body, "Confidential") || !strings.Contains(feed.body, "licensing reform") {
			t.Errorf("feed: %d %s", feed.status, feed.body)
		}
		s := anon.do("GET", "/search?q=licensing", "")
		if s.status != 200 || !strings.Contains(s.body, "licensing reform") || strings.Contains(s.body, "Confidential") {
			t.Errorf("search page: %d", s.status)
		}
		if long := anon.do("GET", "/search?q="+strings.Repeat("x", 201), ""); long.status != 422 || !strings.Contains(long.body, "at most 200") {
			t.Errorf("a long search: %d", long.status)
		}
		// Words: full-text on PostgreSQL, a plain match on SQLite; both find
		// a word whatever its case.
		if l := anon.do("GET", "/api/v1/actions?q=Licensing", ""); !strings.Contains(l.body, `"total":1`) {
			t.Errorf("search: %s", l.body)
		}
	})
}

// An action's public page: for anyone when it is public, with its earlier
// cycles; a draft or a secretariat-only action stays behind the sign-in (or
// not found), as before.
func TestPublicActionPage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		ctx := context.Background()
		c, _ := sc.s.Cycles.Get(ctx, 2026)
		in := testutil.ActionInput()
		in.Stage = action.Implemented
		cont, err := sc.s.Actions.CreateContinuation(ctx, testutil.System, sc.org.ID, c.ID, sc.lastYearAction.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		cont, _ = sc.s.Actions.Move(ctx, testutil.System, cont.ID, cont.Version, action.Submitted, "")
		if _, err := sc.s.Actions.Move(ctx, testutil.System, cont.ID, cont.Version, action.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		secret, err := sc.s.Actions.Create(ctx, testutil.System, sc.otherOrg.ID, c.ID, func() action.Input {
			in := testutil.ActionInput()
			in.Title, in.Visibility = "Confidential vendor register", action.SecretariatOnly
			return in
		}())
		if err != nil {
			t.Fatal(err)
		}
		anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		page := get(t, anon, fmt.Sprintf("%s/actions/%d", sc.ts, cont.ID))
		if page.status != 200 || !strings.Contains(page.body, "Over the years") ||
			!strings.Contains(page.body, fmt.Sprintf(`<a href="/actions/%d">2025</a>: Adopted`, sc.lastYearAction.ID)) ||
			!strings.Contains(page.body, "https://example.org/decree") {
			t.Errorf("public action page: %d\n%s", page.status, page.body)
		}
		if r := get(t, anon, fmt.Sprintf("%s/actions/%d", sc.ts, secret.ID)); r.status != 303 || strings.Contains(r.body, "Confidential") {
			t.Errorf("a draft kept for the secretariat, anonymously: %d", r.status)
		}
		// Another organisation's focal point sees the public page of a
		// public action, and not found for the draft.
		if r := sc.other.do("GET", fmt.Sprintf("/actions/%d", cont.ID), ""); r.status != 200 || !strings.Contains(r.body, "Over the years") {
			t.Errorf("another organisation on a public action: %d", r.status)
		}
		if r := sc.member.do("GET", fmt.Sprintf("/actions/%d", secret.ID), ""); r.status != 404 {
			t.Errorf("another organisation on a draft: %d", r.status)
		}
	})
}

// A secretariat-only action, and one of a cycle embargoed until its Forum,
// never show on any public surface: pages, lists, search, downloads, the
// feed, the dashboard and its JSON.
func TestNothingPrivateInPublic(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		ctx := context.Background()
		acceptIn(t, sc, sc.org.ID, 2025, func(in *action.Input) {
			in.Title, in.Visibility = "Secretive vendor register", action.SecretariatOnly
		})
		c, _ := sc.s.Cycles.Get(ctx, 2026)
		if _, err := sc.s.Cycles.Update(ctx, testutil.System, 2026, c.Version, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		acceptIn(t, sc, sc.otherOrg.ID, 2026, func(in *action.Input) { in.Title = "Embargoed licensing reform" })
		list, _, _ := sc.s.Actions.List(ctx, testutil.System, action.Filter{State: action.Accepted})
		var ids []int64
		for _, a := range list {
			ids = append(ids, a.ID)
		}
		anon := apiClient{t: t, base: sc.ts}
		paths := []string{"/", "/?cycle=2025", "/?cycle=2026", "/actions", "/actions?cycle=2026", "/recommendations/1", "/recommendations/4",
			"/organisations", fmt.Sprintf("/organisations/%d", sc.org.ID), fmt.Sprintf("/organisations/%d", sc.otherOrg.ID),
			"/search?q=vendor", "/search?q=licensing", "/feed.atom", "/api/v1/actions", "/api/v1/actions?q=licensing",
			"/api/v1/open-data/actions.csv", "/api/v1/open-data/actions.json", "/api/v1/dashboard", "/api/v1/dashboard?cycle=2025",
			"/api/v1/dashboard?cycle=2026", "/reports", "/about"}
		for _, id := range ids {
			paths = append(paths, fmt.Sprintf("/actions/%d", id))
		}
		for _, lang := range []string{"en", "fr"} {
			for _, p := range paths {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				r := anon.do("GET", p+sep+"lang="+lang, "")
				if r.status >= 500 {
					t.Errorf("%s: %d", p, r.status)
				}
				for _, secret := range []string{"Secretive vendor register", "Embargoed licensing reform"} {
					if strings.Contains(r.body, secret) {
						t.Errorf("%s (%s) shows %q", p, lang, secret)
					}
				}
			}
		}
		// The embargo lifts on the Forum day.
		sc.s.Clock.Set(time.Date(2026, 11, 11, 8, 0, 0, 0, time.UTC))
		if r := anon.do("GET", "/actions?cycle=2026", ""); !strings.Contains(r.body, "Embargoed licensing reform") {
			t.Errorf("after the Forum the action is public")
		}
	})
}

// A replica sees a change made through itself at once, and one made
// through another replica (or the command line) within
// http.public_freshness: between the two it answers from its cache without
// asking the database.
func TestPublicFreshness(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db) // sc.ts checks on every request
		replica, _ := startServerWith(t, db, sc.s.Clock.Now, nil, func(c *config.Config) { c.HTTP.PublicFreshness = time.Minute })
		sec, focal := sc.sec, sc.focal
		sec.base, focal.base = replica.URL, replica.URL
		actions := func() int {
			t.Helper()
			r := focal.do("GET", "/api/v1/dashboard?cycle=2026", "")
			d := decode[dashboardJSON](t, r)
			if r.status != 200 || d.Figures == nil {
				t.Fatalf("dashboard: %d", r.status)
			}
			return d.Figures.Headline.Actions
		}
		if n := actions(); n != 0 {
			t.Fatalf("%d actions before any", n)
		}

		// Through the other server: unseen here until the freshness passes.
		acceptIn(t, sc, sc.org.ID, 2026, func(in *action.Input) { in.Title = "Through another replica" })
		if n := actions(); n != 0 {
			t.Errorf("a change elsewhere seen before the freshness passed: %d actions", n)
		}
		sc.s.Clock.Add(time.Minute)
		if n := actions(); n != 1 {
			t.Errorf("a change elsewhere unseen after the freshness: %d actions", n)
		}

		// Through this one: seen by the very next request.
		a := decode[actionJSON](t, focal.do("POST", "/api/v1/actions", newActionBody))
		focal.do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), "")
		if r := sec.do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), `{"decision": "accept"}`); r.status != 200 {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
		if n := actions(); n != 2 {
			t.Errorf("a change through this replica unseen: %d actions", n)
		}

	})
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
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

// The public dashboard: its numbers are the API's, an action kept for the
// secretariat shows nowhere (not even as a count), and a cycle embargoed
// until its Forum shows nothing before that day.
func TestDashboard(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db) // 2025 (one accepted action of sc.org) and 2026
		anon := apptest.APIClient{T: t, Base: sc.TS}
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Recommendations, in.Title = []int{2}, "Export licensing reform" })
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) {
			in.Recommendations, in.Title, in.Visibility = []int{3}, "Confidential vendor register", action.SecretariatOnly
		})

		r := anon.Do("GET", "/api/v1/dashboard?cycle=2026", "")
		var d dashboardJSON
		if err := json.Unmarshal([]byte(r.Body), &d); err != nil || r.Status != 200 || d.Figures == nil {
			t.Fatalf("dashboard JSON: %d %s", r.Status, r.Body)
		}
		h := d.Figures.Headline
		if d.Source != "live" || h.Actions != 1 || h.Withheld != 1 || h.Reporting != 1 {
			t.Errorf("headline: %+v (source %s)", h, d.Source)
		}
		if rec3 := d.Figures.Recommendations[2]; rec3.Acting != 0 {
			t.Errorf("the secretariat-only action counts on recommendation 3: %+v", rec3)
		}
		// The Scenario's 2025 action was accepted in September 2026, after
		// that cycle's Forum: a past cycle's figures stop at its Forum.
		if len(d.Trend) != 2 || d.Trend[0].Cycle != 2025 || d.Trend[0].Actions != 0 || d.Trend[1].Actions != 1 {
			t.Errorf("trend: %+v", d.Trend)
		}
		page := anon.Do("GET", "/?cycle=2026", "")
		if page.Status != 200 {
			t.Fatalf("dashboard page: %d", page.Status)
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
			fmt.Sprintf("Among states, recommendation %d, “%s”, is the least covered: %d of the %d states (%.1f%%)",
				g.Recommendation, g.Title, g.Acting, g.States, g.Percent),
		} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		// Public answers are revalidated: the same data, the same tag and a
		// 304; an acceptance changes both the tag and the figures.
		tag := r.Header.Get("ETag")
		if tag == "" || anon.Do("GET", "/api/v1/dashboard?cycle=2026", "", "If-None-Match", tag).Status != 304 {
			t.Errorf("dashboard JSON not revalidated (ETag %q)", tag)
		}
		pageTag := page.Header.Get("ETag")
		if pageTag == "" || anon.Do("GET", "/?cycle=2026", "", "If-None-Match", pageTag).Status != 304 {
			t.Errorf("dashboard page not revalidated (ETag %q)", pageTag)
		}
		if signed := sc.Sec.Do("GET", "/?cycle=2026", "", "If-None-Match", pageTag); signed.Status != 200 {
			t.Errorf("a signed-in page is revalidated against the visitors' tag: %d", signed.Status)
		}
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Recommendations, in.Title = []int{6}, "Vendor checks" })
		again := anon.Do("GET", "/api/v1/dashboard?cycle=2026", "", "If-None-Match", tag)
		var d2 dashboardJSON
		_ = json.Unmarshal([]byte(again.Body), &d2)
		if again.Status != 200 || again.Header.Get("ETag") == tag || d2.Figures == nil || d2.Figures.Headline.Actions != 2 {
			t.Errorf("after an acceptance: %d, %+v", again.Status, d2.Figures)
		}

		// The recommendation's own page: its figures cycle by cycle and its
		// actions.
		rp := anon.Do("GET", "/recommendations/2", "")
		if rp.Status != 200 || !strings.Contains(rp.Body, "Export licensing reform") ||
			!strings.Contains(rp.Body, `1 <a class="listed" href="/actions?cycle=2026&amp;recommendation=2">(<span class="visually-hidden">public actions in the list: </span>1)</a>`) {
			t.Errorf("recommendation page: %d", rp.Status)
		}
		// The directory's badge, and each profile's public actions only.
		dir := anon.Do("GET", "/organisations", "")
		badge := fmt.Sprintf(`<a href="/organisations/%d">%s</a></th><td>State</td><td>FR</td>
    <td><span class="badge badge-accepted">reported in 2026</span>`, sc.Org.ID, sc.Org.Name)
		if dir.Status != 200 || !strings.Contains(dir.Body, badge) || strings.Count(dir.Body, "reported in 2026</span>") != 1 {
			t.Errorf("directory: %d\n%s", dir.Status, dir.Body)
		}
		if p := anon.Do("GET", fmt.Sprintf("/organisations/%d", sc.Org.ID), ""); p.Status != 200 || !strings.Contains(p.Body, "Export licensing reform") {
			t.Errorf("profile: %d", p.Status)
		}
		if p := anon.Do("GET", fmt.Sprintf("/organisations/%d", sc.OtherOrg.ID), ""); p.Status != 200 ||
			strings.Contains(p.Body, "Confidential") || !strings.Contains(p.Body, "No public action yet") {
			t.Errorf("the other organisation's profile: %d", p.Status)
		}
		for _, path := range []string{"/recommendations/99", "/recommendations/x", "/organisations/999999", "/organisations/x",
			"/?cycle=abc", "/?cycle=1999"} {
			if r := anon.Do("GET", path, ""); r.Status != 404 {
				t.Errorf("%s: %d", path, r.Status)
			}
		}
		for _, body := range []string{page.Body, r.Body, rp.Body, anon.Do("GET", "/api/v1/dashboard?cycle=2026&lang=fr", "").Body} {
			if strings.Contains(body, "Confidential vendor register") {
				t.Error("a secretariat-only action shows in public")
			}
		}

		// Embargoed until the Forum (11 November 2026; the clock reads 1 September).
		ctx := context.Background()
		c, _ := sc.S.Cycles.Get(ctx, 2026)
		if _, err := sc.S.Cycles.Update(ctx, testutil.System, 2026, c.Version, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		r = anon.Do("GET", "/api/v1/dashboard?cycle=2026", "")
		d = dashboardJSON{}
		_ = json.Unmarshal([]byte(r.Body), &d)
		if d.Source != "embargoed" || d.Figures != nil || d.StatesGap != nil || len(d.Trend) != 1 {
			t.Errorf("embargoed: %s", r.Body)
		}
		page = anon.Do("GET", "/?cycle=2026", "")
		if strings.Contains(page.Body, "Export licensing reform") || !strings.Contains(page.Body, "embargoed until the Paris Peace Forum") ||
			strings.Contains(page.Body, "accepted public actions</li>") {
			t.Errorf("the embargoed cycle shows figures")
		}
		for _, path := range []string{"/api/v1/actions", "/api/v1/actions?cycle=2026", "/actions", "/actions?cycle=2026"} {
			if body := anon.Do("GET", path, "").Body; strings.Contains(body, "Export licensing reform") {
				t.Errorf("%s lists an embargoed action", path)
			}
		}
		if def := anon.Do("GET", "/", ""); !strings.Contains(def.Body, "Progress on the twelve recommendations · 2025") {
			t.Errorf("by default the latest cycle with figures")
		}
	})
}

// The public list of actions: filters, the total, field errors for a code
// it does not know, and never a draft, a secretariat-only action or one
// still under embargo.
func TestPublicActions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) {
			in.Recommendations, in.Title, in.Stage = []int{2}, "Export licensing reform", action.Implemented
		})
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) {
			in.Recommendations, in.Title, in.Visibility = []int{3}, "Confidential vendor register", action.SecretariatOnly
		})
		c, _ := sc.S.Cycles.Get(context.Background(), 2026)
		draft := testutil.ActionInput()
		draft.Title = "Unfinished draft idea"
		if _, err := sc.S.Actions.Create(context.Background(), testutil.System, sc.OtherOrg.ID, c.ID, draft); err != nil {
			t.Fatal(err)
		}
		type list struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
			Total int `json:"total"`
		}
		get := func(q string) (list, apptest.Response) {
			r := anon.Do("GET", "/api/v1/actions"+q, "")
			var l list
			_ = json.Unmarshal([]byte(r.Body), &l)
			return l, r
		}
		all, r := get("")
		// The Scenario's 2025 action and the public 2026 one.
		if r.Status != 200 || all.Total != 2 || strings.Contains(r.Body, "Confidential") || strings.Contains(r.Body, "Unfinished") ||
			strings.Contains(r.Body, `"state":`) || strings.Contains(r.Body, `"version":`) {
			t.Errorf("all: %d %s", r.Status, r.Body)
		}
		for q, want := range map[string]int{"?cycle=2026": 1, "?recommendation=2": 1, "?stage=implemented": 1, "?kind=company": 0,
			"?country=fr": 2, "?q=LICENSING": 1, "?q=100%25": 0, "?cycle=2026&recommendation=4": 0} {
			if l, r := get(q); r.Status != 200 || l.Total != want {
				t.Errorf("%s: %d, total %d, want %d", q, r.Status, l.Total, want)
			}
		}
		for q, field := range map[string]string{"?stage=done": "stage", "?kind=guild": "kind", "?cycle=x": "cycle", "?page=0": "page"} {
			if _, r := get(q); r.Status != 422 || !strings.Contains(r.Body, `"`+field+`"`) {
				t.Errorf("%s: %d %s", q, r.Status, r.Body)
			}
		}
		page := anon.Do("GET", "/actions?cycle=2026", "")
		if page.Status != 200 || !strings.Contains(page.Body, "Export licensing reform") || strings.Contains(page.Body, "Confidential") ||
			strings.Contains(page.Body, "Unfinished") ||
			!strings.Contains(page.Body, `role="status">1 action<`) {
			t.Errorf("page: %d (one public action, said in the singular)", page.Status)
		}
		if bad := anon.Do("GET", "/actions?stage=done&q=keep+me", ""); bad.Status != 422 || !strings.Contains(bad.Body, `value="keep me"`) {
			t.Errorf("a bad filter on the page: %d", bad.Status)
		}
		// Lists, pages and downloads are revalidated too, until the data
		// changes.
		paths := []string{"/api/v1/actions?cycle=2026", "/actions?cycle=2026", "/recommendations/2", "/api/v1/open-data/actions.csv",
			"/feed.atom", fmt.Sprintf("/organisations/%d", sc.Org.ID), "/search?q=export"}
		tags := map[string]string{}
		for _, p := range paths {
			r := anon.Do("GET", p, "")
			tags[p] = r.Header.Get("ETag")
			if tags[p] == "" || anon.Do("GET", p, "", "If-None-Match", tags[p]).Status != 304 {
				t.Errorf("%s: not revalidated (ETag %q)", p, tags[p])
			}
		}
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "Export controls, second step" })
		for _, p := range paths {
			if r := anon.Do("GET", p, "", "If-None-Match", tags[p]); r.Status != 200 {
				t.Errorf("%s after an acceptance: %d", p, r.Status)
			}
		}
	})
}

// The open data: every public action as CSV and JSON, streamed, with the
// licence, and an Atom feed of the latest; nothing else ever.
func TestOpenData(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "=HYPERLINK(\"x\") licensing reform" })
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) {
			in.Title, in.Visibility = "Confidential vendor register", action.SecretariatOnly
		})
		csv := anon.Do("GET", "/api/v1/open-data/actions.csv", "")
		if csv.Status != 200 || !strings.HasPrefix(csv.Body, "\ufeffid,cycle,") || strings.Count(csv.Body, "\r\n") != 3 ||
			!strings.Contains(csv.Body, `"'=HYPERLINK(""x"") licensing reform"`) || strings.Contains(csv.Body, "Confidential") ||
			!strings.Contains(csv.Header.Get("Link"), "licenses/by/4.0") {
			t.Errorf("CSV: %d %q", csv.Status, csv.Body)
		}
		js := anon.Do("GET", "/api/v1/open-data/actions.json?cycle=2026", "")
		var doc struct {
			Licence string
			Actions []struct{ Title string }
		}
		if err := json.Unmarshal([]byte(js.Body), &doc); err != nil || len(doc.Actions) != 1 || !strings.HasPrefix(doc.Licence, "CC BY 4.0") {
			t.Errorf("JSON: %v %s", err, js.Body)
		}
		if bad := anon.Do("GET", "/api/v1/open-data/actions.csv?stage=done", ""); bad.Status != 422 {
			t.Errorf("a bad filter: %d", bad.Status)
		}
		feed := anon.Do("GET", "/feed.atom", "")
		if feed.Status != 200 || !strings.Contains(feed.Header.Get("Content-Type"), "atom+xml") || strings.Count(feed.Body, "<entry>") != 2 ||
			strings.Contains(feed.Body, "Confidential") || !strings.Contains(feed.Body, "licensing reform") {
			t.Errorf("feed: %d %s", feed.Status, feed.Body)
		}
		s := anon.Do("GET", "/search?q=licensing", "")
		if s.Status != 200 || !strings.Contains(s.Body, "<mark>licensing</mark> reform") || strings.Contains(s.Body, "Confidential") {
			t.Errorf("search page: %d", s.Status)
		}
		if long := anon.Do("GET", "/search?q="+strings.Repeat("x", 201), ""); long.Status != 422 || !strings.Contains(long.Body, "at most 200") {
			t.Errorf("a long search: %d", long.Status)
		}
		// Words: full-text on PostgreSQL, a plain match on SQLite; both find
		// a word whatever its case.
		if l := anon.Do("GET", "/api/v1/actions?q=Licensing", ""); !strings.Contains(l.Body, `"total":1`) {
			t.Errorf("search: %s", l.Body)
		}
	})
}

// A secretariat-only action, and one of a cycle embargoed until its Forum,
// never show on any public surface: pages, lists, search, downloads, the
// feed, the dashboard and its JSON.
func TestNothingPrivateInPublic(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		apptest.AcceptIn(t, sc, sc.Org.ID, 2025, func(in *action.Input) {
			in.Title, in.Visibility = "Secretive vendor register", action.SecretariatOnly
		})
		c, _ := sc.S.Cycles.Get(ctx, 2026)
		if _, err := sc.S.Cycles.Update(ctx, testutil.System, 2026, c.Version, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Title = "Embargoed licensing reform" })
		list, _, _ := sc.S.Actions.List(ctx, testutil.System, action.Filter{State: action.Accepted})
		var ids []int64
		for _, a := range list {
			ids = append(ids, a.ID)
		}
		anon := apptest.APIClient{T: t, Base: sc.TS}
		paths := []string{"/", "/?cycle=2025", "/?cycle=2026", "/actions", "/actions?cycle=2026", "/recommendations/1", "/recommendations/4",
			"/organisations", fmt.Sprintf("/organisations/%d", sc.Org.ID), fmt.Sprintf("/organisations/%d", sc.OtherOrg.ID),
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
				r := anon.Do("GET", p+sep+"lang="+lang, "")
				if r.Status >= 500 {
					t.Errorf("%s: %d", p, r.Status)
				}
				for _, secret := range []string{"Secretive vendor register", "Embargoed licensing reform"} {
					if strings.Contains(r.Body, secret) {
						t.Errorf("%s (%s) shows %q", p, lang, secret)
					}
				}
			}
		}
		// The embargo lifts on the Forum day.
		sc.S.Clock.Set(time.Date(2026, 11, 11, 8, 0, 0, 0, time.UTC))
		if r := anon.Do("GET", "/actions?cycle=2026", ""); !strings.Contains(r.Body, "Embargoed licensing reform") {
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
		sc := apptest.NewScenario(t, db) // sc.ts checks on every request
		replica, _ := apptest.StartServerWith(t, db, sc.S.Clock.Now, nil, func(c *config.Config) { c.HTTP.PublicFreshness = time.Minute })
		sec, focal := sc.Sec, sc.Focal
		sec.Base, focal.Base = replica.URL, replica.URL
		actions := func() int {
			t.Helper()
			r := focal.Do("GET", "/api/v1/dashboard?cycle=2026", "")
			d := apptest.Decode[dashboardJSON](t, r)
			if r.Status != 200 || d.Figures == nil {
				t.Fatalf("dashboard: %d", r.Status)
			}
			return d.Figures.Headline.Actions
		}
		if n := actions(); n != 0 {
			t.Fatalf("%d actions before any", n)
		}

		// Through the other server: unseen here until the freshness passes.
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "Through another replica" })
		if n := actions(); n != 0 {
			t.Errorf("a change elsewhere seen before the freshness passed: %d actions", n)
		}
		sc.S.Clock.Add(time.Minute)
		if n := actions(); n != 1 {
			t.Errorf("a change elsewhere unseen after the freshness: %d actions", n)
		}

		// Through this one: seen by the very next request.
		a := apptest.Decode[apptest.ActionJSON](t, focal.Do("POST", "/api/v1/actions", apptest.NewActionBody))
		focal.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), "")
		if r := sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), `{"decision": "accept"}`); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		if n := actions(); n != 2 {
			t.Errorf("a change through this replica unseen: %d actions", n)
		}

	})
}

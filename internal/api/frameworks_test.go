package api_test

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// crosswalkWorld is the fixture of the crosswalk's tests: the initial
// crosswalk, and actions of 2026 whose links to the UN GGE 2015 norms are
// known by hand: 13(j) <- rec 10, 13(i) <- recs 2 and 3, 13(e) <- rec 1,
// 13(c) <- rec 6.
type crosswalkWorld struct {
	sc *apptest.Scenario
	// Public, 2026: A1 (own, rec 2), A2 (own, recs 1 and 10), A3 (other,
	// rec 3), A4 (other, rec 5, 13(c) declared), A5 (own, rec 1, 13(e)
	// taken away for a reason).
	A1, A2, A3, A4, A5 action.Action
	// Never public, each linked to every norm: a draft (which also
	// declares 13(c)), an accepted action kept for the secretariat, and an
	// accepted public one of 2027, embargoed until its Forum.
	Draft, Withheld, Embargoed action.Action
}

const gge = "un-gge-2015"

func newCrosswalkWorld(t *testing.T, db *store.DB) *crosswalkWorld {
	t.Helper()
	ctx := context.Background()
	sc := apptest.NewScenario(t, db)
	sc.S.Crosswalk(t)
	w := &crosswalkWorld{sc: sc}
	c2026, err := sc.S.Cycles.Get(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	c2027, err := sc.S.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2027, OpensAt: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
		Deadline: time.Date(2027, 10, 1, 0, 0, 0, 0, time.UTC), ForumDate: time.Date(2027, 11, 11, 0, 0, 0, 0, time.UTC), Embargo: cycle.UntilForum})
	if err != nil {
		t.Fatal(err)
	}
	in := func(title string, recs ...int) action.Input {
		i := testutil.ActionInput()
		i.Title, i.Recommendations = title, recs
		return i
	}
	w.A1 = sc.S.Accepted(t, sc.Org, c2026, in("Crosswalk A1 export licensing", 2))
	w.A2 = sc.S.Accepted(t, sc.Org, c2026, in("Crosswalk A2 guidelines and disclosure", 1, 10))
	w.A3 = sc.S.Accepted(t, sc.OtherOrg, c2026, in("Crosswalk A3 purchase controls", 3))
	w.A4 = sc.S.Accepted(t, sc.OtherOrg, c2026, in("Crosswalk A4 transparent procurement", 5))
	w.A5 = sc.S.Accepted(t, sc.Org, c2026, in("Crosswalk A5 guidelines withdrawn from a norm", 1))
	all := []int{1, 2, 3, 6, 10}
	var err2 error
	w.Draft, err2 = sc.S.Actions.Create(ctx, testutil.System, sc.Org.ID, c2026.ID, in("Crosswalk hidden draft", all...))
	if err2 != nil {
		t.Fatal(err2)
	}
	withheld := in("Crosswalk hidden secretariat-only", all...)
	withheld.Visibility = action.SecretariatOnly
	w.Withheld = sc.S.Accepted(t, sc.OtherOrg, c2026, withheld)
	w.Embargoed = sc.S.Accepted(t, sc.OtherOrg, c2027, in("Crosswalk hidden embargoed", all...))

	// Declared and taken away through the API, by the actions' people.
	for _, step := range []struct {
		c      apptest.APIClient
		path   string
		body   string
		status int
	}{
		{sc.Other, fmt.Sprintf("/api/v1/actions/%d/provisions", w.A4.ID), `{"framework": "un-gge-2015", "provision": "13(c)"}`, 201},
		{sc.Member, fmt.Sprintf("/api/v1/actions/%d/provisions", w.Draft.ID), `{"framework": "un-gge-2015", "provision": "13(c)"}`, 409}, // derived already
		{sc.Member, fmt.Sprintf("/api/v1/actions/%d/provisions/remove", w.A5.ID),
			`{"framework": "un-gge-2015", "provision": "13(e)", "reason": "The guidelines do not touch on privacy."}`, 200},
	} {
		if r := step.c.Do("POST", step.path, step.body); r.Status != step.status {
			t.Fatalf("POST %s: %d %s", step.path, r.Status, r.Body)
		}
	}
	return w
}

func (w *crosswalkWorld) hidden() []int64 { return []int64{w.Draft.ID, w.Withheld.ID, w.Embargoed.ID} }

type figuresJSON struct {
	Key           string `json:"key"`
	Cycle         *int   `json:"cycle"`
	Actions       int    `json:"actions"`
	Organisations int    `json:"organisations"`
	Version       int    `json:"version"`
	Issued        *string
	Provisions    []struct {
		Key             string `json:"key"`
		Recommendations []int  `json:"recommendations"`
		Confidence      string `json:"confidence"`
		Actions         int    `json:"actions"`
		Organisations   int    `json:"organisations"`
	} `json:"provisions"`
}

// figures reads a framework's figures as "key actions/organisations".
func figures(f figuresJSON) []string {
	var out []string
	for _, p := range f.Provisions {
		out = append(out, fmt.Sprintf("%s %d/%d", p.Key, p.Actions, p.Organisations))
	}
	return out
}

// The figures of a framework are those counted by hand on the fixture:
// derived and declared links count, a derived one taken away does not, and
// neither does a draft, an action kept for the secretariat or one of a
// cycle under embargo. By default the latest cycle with figures; cycle=
// asks another; a year no cycle has, or no year, is refused naming cycle.
func TestFrameworkFigures(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newCrosswalkWorld(t, db)
		anon := apptest.APIClient{T: t, Base: w.sc.TS}
		_, router := openAPIRouter(t)
		get := func(path string, header ...string) apptest.Response {
			t.Helper()
			r := anon.Do("GET", path, "", header...)
			req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
			if err := documented(router, req, r); err != nil {
				t.Errorf("GET %s answered %d, not as documented: %v", path, r.Status, err)
			}
			return r
		}

		list := apptest.Decode[struct {
			Items []struct {
				Key          string
				Title        struct{ EN, FR string }
				FRUnofficial bool `json:"fr_unofficial"`
				Issued       *string
				Provisions   int
				Version      int
			}
		}](t, get("/api/v1/frameworks"))
		n := 0
		for _, f := range list.Items {
			n += f.Provisions
			if f.Key == "wassenaar-intrusion-2013" && (!f.FRUnofficial || f.Issued == nil || *f.Issued != "2013-12-04" || f.Provisions != 5) {
				t.Errorf("wassenaar: %+v", f)
			}
		}
		if len(list.Items) != 7 || n != 48 || list.Items[0].Key != "pall-mall-states" {
			t.Errorf("%d frameworks, %d provisions, first %q; want 7, 48, pall-mall-states", len(list.Items), n, list.Items[0].Key)
		}

		for _, c := range []struct {
			query         string
			cycle         int
			want          []string
			actions, orgs int
		}{
			// A1 and A3 for 13(i); A2 for 13(j) and 13(e) (A5 taken away);
			// A4 declared for 13(c). Four actions, two organisations.
			{"", 2026, []string{"13(j) 1/1", "13(i) 2/2", "13(e) 1/1", "13(c) 1/1"}, 4, 2},
			{"?cycle=2026", 2026, []string{"13(j) 1/1", "13(i) 2/2", "13(e) 1/1", "13(c) 1/1"}, 4, 2},
			// Last year's action has recommendations 1 and 4.
			{"?cycle=2025", 2025, []string{"13(j) 0/0", "13(i) 0/0", "13(e) 1/1", "13(c) 0/0"}, 1, 1},
			// Under embargo: nothing yet.
			{"?cycle=2027", 2027, []string{"13(j) 0/0", "13(i) 0/0", "13(e) 0/0", "13(c) 0/0"}, 0, 0},
		} {
			r := get("/api/v1/frameworks/" + gge + c.query)
			f := apptest.Decode[figuresJSON](t, r)
			if got := figures(f); !slices.Equal(got, c.want) || f.Cycle == nil || *f.Cycle != c.cycle || f.Actions != c.actions || f.Organisations != c.orgs {
				t.Errorf("%s: cycle %v, %d/%d, %q; want %d, %d/%d, %q", c.query, f.Cycle, f.Actions, f.Organisations, got, c.cycle, c.actions, c.orgs, c.want)
			}
		}
		f := apptest.Decode[figuresJSON](t, get("/api/v1/frameworks/"+gge))
		if f.Issued == nil || *f.Issued != "2015-07-22" || f.Provisions[1].Confidence != "medium" || !slices.Equal(f.Provisions[1].Recommendations, []int{2, 3}) {
			t.Errorf("framework: %+v", f)
		}
		// Wassenaar's "4.E.1.c (2017 notes)" counts A2 through rec 10.
		wa := apptest.Decode[figuresJSON](t, get("/api/v1/frameworks/wassenaar-intrusion-2013"))
		if got := figures(wa); !slices.Contains(got, "4.E.1.c (2017 notes) 1/1") || !slices.Contains(got, "4.A.5 1/1") {
			t.Errorf("wassenaar: %q", got)
		}

		for path, field := range map[string]string{"/api/v1/frameworks/" + gge + "?cycle=20x6": "cycle",
			"/api/v1/frameworks/" + gge + "?cycle=2019": "cycle"} {
			if r := get(path); r.Status != 422 || !strings.Contains(r.Body, `"`+field+`"`) {
				t.Errorf("%s: %d %s", path, r.Status, r.Body)
			}
		}
		if r := get("/api/v1/frameworks/no-such-framework"); r.Status != 404 {
			t.Errorf("unknown framework: %d", r.Status)
		}

		// Cached like the other public answers; a change of links moves it.
		r := get("/api/v1/frameworks/" + gge)
		tag := r.Header.Get("ETag")
		if tag == "" || get("/api/v1/frameworks/"+gge, "If-None-Match", tag).Status != 304 {
			t.Errorf("no 304 for the ETag %q", tag)
		}
		listTag := get("/api/v1/frameworks").Header.Get("ETag")
		if listTag == "" || get("/api/v1/frameworks", "If-None-Match", listTag).Status != 304 {
			t.Errorf("no 304 for the list's ETag %q", listTag)
		}
		if r := w.sc.Member.Do("POST", fmt.Sprintf("/api/v1/actions/%d/provisions", w.A1.ID), `{"framework": "un-gge-2015", "provision": "13(j)"}`); r.Status != 201 {
			t.Fatalf("declare: %d %s", r.Status, r.Body)
		}
		if r := get("/api/v1/frameworks/"+gge, "If-None-Match", tag); r.Status != 200 || !slices.Contains(figures(apptest.Decode[figuresJSON](t, r)), "13(j) 2/1") {
			t.Errorf("after a declaration: %d %s", r.Status, r.Body)
		}
	})
}

// openLinks reads the crosswalk's open data, CSV and JSON, checks that
// both say the same, and returns the rows as "action cycle framework
// provision kind".
func openLinks(t *testing.T, c apptest.APIClient, query string) []string {
	t.Helper()
	r := c.Do("GET", "/api/v1/open-data/crosswalk.csv"+query, "")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Link"), "licenses/by/4.0") {
		t.Fatalf("crosswalk.csv%s: %d %v %.300s", query, r.Status, r.Header, r.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"action_id", "cycle", "framework", "provision", "kind"}) {
		t.Errorf("header %q", rows[0])
	}
	var fromCSV []string
	for _, row := range rows[1:] {
		fromCSV = append(fromCSV, strings.Join(row, " "))
	}
	j := c.Do("GET", "/api/v1/open-data/crosswalk.json"+query, "")
	doc := apptest.Decode[struct {
		Licence     string `json:"licence"`
		GeneratedAt string `json:"generated_at"`
		Links       []struct {
			ActionID  int64  `json:"action_id"`
			Cycle     int    `json:"cycle"`
			Framework string `json:"framework"`
			Provision string `json:"provision"`
			Kind      string `json:"kind"`
		} `json:"links"`
	}](t, j)
	var fromJSON []string
	for _, l := range doc.Links {
		fromJSON = append(fromJSON, fmt.Sprintf("%d %d %s %s %s", l.ActionID, l.Cycle, l.Framework, l.Provision, l.Kind))
	}
	if !strings.Contains(doc.Licence, "CC BY 4.0") || doc.GeneratedAt == "" || j.Header.Get("ETag") == "" || r.Header.Get("ETag") == "" {
		t.Errorf("crosswalk.json%s: licence %q, generated %q, ETags %q %q", query, doc.Licence, doc.GeneratedAt, j.Header.Get("ETag"), r.Header.Get("ETag"))
	}
	if !slices.Equal(fromCSV, fromJSON) {
		t.Errorf("crosswalk%s: the CSV says %q, the JSON %q", query, fromCSV, fromJSON)
	}
	return fromCSV
}

// The filters give exactly the actions that count, on the list, the open
// data and the feed, and the crosswalk's open data exactly the links; no
// draft, action kept for the secretariat or action under embargo shows in
// any of them. Keys that name nothing are refused, naming the field.
func TestCrosswalkFiltersAndOpenData(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newCrosswalkWorld(t, db)
		anon := apptest.APIClient{T: t, Base: w.sc.TS}
		last := w.sc.LastYearAction
		ids := func(as ...action.Action) []int64 {
			out := []int64{}
			for _, a := range as {
				out = append(out, a.ID)
			}
			slices.Sort(out)
			return out
		}
		_, router := openAPIRouter(t)
		for _, c := range []struct {
			query string
			want  []int64
		}{
			{"framework=" + gge, ids(w.A1, w.A2, w.A3, w.A4, last)},
			{"framework=" + gge + "&cycle=2026", ids(w.A1, w.A2, w.A3, w.A4)},
			{"framework=" + gge + "&provision=13(i)", ids(w.A1, w.A3)},
			{"framework=" + gge + "&provision=13(c)", ids(w.A4)},
			{"framework=" + gge + "&provision=13(e)", ids(w.A2, last)}, // not A5: taken away
			{"framework=" + gge + "&provision=13(e)&cycle=2027", ids()},
			{"framework=wassenaar-intrusion-2013&provision=" + url.QueryEscape("4.E.1.c (2017 notes)"), ids(w.A2)},
		} {
			t.Run(c.query, func(t *testing.T) {
				anon := anon.For(t)
				path := "/api/v1/actions?" + c.query
				r := anon.Do("GET", path, "")
				req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
				if err := documented(router, req, r); err != nil {
					t.Errorf("GET %s answered %d, not as documented: %v", path, r.Status, err)
				}
				l := apptest.Decode[struct {
					Items []struct {
						ID         int64
						Provisions []struct{ Framework, Provision, Kind, Confidence string }
					}
					Total int
				}](t, r)
				got := []int64{}
				for _, a := range l.Items {
					got = append(got, a.ID)
					if a.ID == w.A4.ID && !slices.Contains(a.Provisions, struct{ Framework, Provision, Kind, Confidence string }{gge, "13(c)", "declared", "medium"}) {
						t.Errorf("A4 counts for %+v", a.Provisions)
					}
					if a.ID == w.A2.ID && !slices.Contains(a.Provisions, struct{ Framework, Provision, Kind, Confidence string }{gge, "13(e)", "derived", "medium"}) {
						t.Errorf("A2 counts for %+v", a.Provisions)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, c.want) || l.Total != len(c.want) {
					t.Errorf("listed %v (total %d), want %v", got, l.Total, c.want)
				}
				doc := apptest.Decode[struct{ Actions []struct{ ID int64 } }](t, anon.Do("GET", "/api/v1/open-data/actions.json?"+c.query, ""))
				got = []int64{}
				for _, a := range doc.Actions {
					got = append(got, a.ID)
				}
				slices.Sort(got)
				if !slices.Equal(got, c.want) {
					t.Errorf("actions.json: %v, want %v", got, c.want)
				}
				rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(anon.Do("GET", "/api/v1/open-data/actions.csv?"+c.query, "").Body, "\ufeff"))).ReadAll()
				got = []int64{}
				for _, row := range rows[1:] {
					var id int64
					fmt.Sscan(row[0], &id)
					got = append(got, id)
				}
				slices.Sort(got)
				if err != nil || !slices.Equal(got, c.want) {
					t.Errorf("actions.csv: %v, want %v (%v)", got, c.want, err)
				}
				if strings.Contains(c.query, "cycle=") {
					return // the feed takes framework= and provision= only
				}
				var feed struct {
					Entries []struct {
						ID string `xml:"id"`
					} `xml:"entry"`
				}
				fr := anon.Do("GET", "/feed.atom?"+c.query, "")
				if err := xml.Unmarshal([]byte(fr.Body), &feed); err != nil || fr.Status != 200 {
					t.Fatalf("feed: %d %v", fr.Status, err)
				}
				got = []int64{}
				for _, e := range feed.Entries {
					var id int64
					if _, err := fmt.Sscanf(e.ID, "http://pct.test/actions/%d", &id); err != nil || strings.Contains(e.ID, "#") {
						t.Errorf("feed entry %q is not an action's", e.ID)
					}
					got = append(got, id)
				}
				slices.Sort(got)
				if !slices.Equal(got, c.want) {
					t.Errorf("feed: %v, want %v", got, c.want)
				}
			})
		}

		// The links, by hand: the actions' recommendations against the
		// norms', A4's declaration, A5's removal; none of the hidden ones.
		a := func(x action.Action) string { return fmt.Sprint(x.ID) }
		want := []string{
			a(last) + " 2025 un-gge-2015 13(e) derived",
			a(w.A1) + " 2026 un-gge-2015 13(i) derived",
			a(w.A2) + " 2026 un-gge-2015 13(j) derived",
			a(w.A2) + " 2026 un-gge-2015 13(e) derived",
			a(w.A3) + " 2026 un-gge-2015 13(i) derived",
			a(w.A4) + " 2026 un-gge-2015 13(c) declared",
		}
		if got := openLinks(t, anon, "?framework="+gge); !slices.Equal(got, want) {
			t.Errorf("crosswalk of %s:\n got %q\nwant %q", gge, got, want)
		}
		if got := openLinks(t, anon, "?framework="+gge+"&provision=13(i)&cycle=2026"); !slices.Equal(got, []string{want[1], want[4]}) {
			t.Errorf("crosswalk of 13(i): %q", got)
		}
		if got := openLinks(t, anon, "?cycle=2027"); len(got) != 0 {
			t.Errorf("crosswalk of the embargoed cycle: %q", got)
		}
		everything := openLinks(t, anon, "")
		for _, row := range everything {
			var id int64
			fmt.Sscan(row, &id)
			if slices.Contains(w.hidden(), id) {
				t.Errorf("the crosswalk's open data shows a hidden action: %q", row)
			}
		}
		// Every link of a public action is there, each kind as made.
		if !slices.Contains(everything, a(w.A2)+" 2026 wassenaar-intrusion-2013 4.E.1.c (2017 notes) derived") || len(everything) < len(want) {
			t.Errorf("crosswalk: %d rows %q", len(everything), everything)
		}
		byAction := map[string]int{}
		for _, row := range everything {
			byAction[strings.Fields(row)[0]]++
		}
		if byAction[a(w.A5)] == 0 { // rec 1 counts elsewhere (Pall Mall, the Joint Statement...)
			t.Errorf("A5 lost every link, not only 13(e)")
		}
		for _, row := range everything {
			if strings.HasPrefix(row, a(w.A5)+" ") && strings.Contains(row, "13(e)") {
				t.Errorf("A5's taken-away link shows: %q", row)
			}
		}
		// Cached like the other open data.
		r := anon.Do("GET", "/api/v1/open-data/crosswalk.csv", "")
		if tag := r.Header.Get("ETag"); tag == "" || anon.Do("GET", "/api/v1/open-data/crosswalk.csv", "", "If-None-Match", tag).Status != 304 {
			t.Errorf("no 304 for the ETag %q", tag)
		}

		for _, path := range []string{"/api/v1/actions", "/api/v1/open-data/actions.csv", "/api/v1/open-data/actions.json", "/feed.atom",
			"/api/v1/open-data/crosswalk.csv", "/api/v1/open-data/crosswalk.json"} {
			for query, field := range map[string]string{"framework=no-such": "framework", "framework=" + gge + "&provision=13(z)": "provision",
				"provision=13(j)": "provision"} {
				r := anon.Do("GET", path+"?"+query, "")
				if r.Status != 422 || (path != "/feed.atom" && !strings.Contains(r.Body, `"`+field+`"`)) { // the feed's refusal is a page
					t.Errorf("%s?%s: %d %.300s", path, query, r.Status, r.Body)
				}
				if strings.HasPrefix(path, "/api/") {
					req, _ := http.NewRequest("GET", "http://localhost"+path+"?"+query, nil)
					if err := documented(router, req, r); err != nil {
						t.Errorf("GET %s?%s answered %d, not as documented: %v", path, query, r.Status, err)
					}
				}
			}
		}
	})
}

type linksJSON struct {
	Items []struct {
		Framework, Provision, Kind, Confidence string
		Title                                  struct{ EN, FR string }
	}
	Removed []struct{ Framework, Provision string }
	History []struct {
		Change, Kind, Framework, Provision, Reason string
		At                                         time.Time
	}
}

func (l linksJSON) has(framework, provision, kind string) bool {
	for _, i := range l.Items {
		if i.Framework == framework && i.Provision == provision && i.Kind == kind {
			return true
		}
	}
	return false
}

// An action's provisions through the API: derived and declared, the
// derived ones taken away and brought back, and the history of it, for the
// action's people and the secretariat only. A removal needs a reason:
// without one nothing is written. A retry with the same Idempotency-Key is
// the same answer; a withdrawn action counts for nothing.
func TestActionProvisions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newCrosswalkWorld(t, db)
		sc := w.sc
		_, router := openAPIRouter(t)
		do := func(c apptest.APIClient, method, path, body string, header ...string) apptest.Response {
			t.Helper()
			r := c.Do(method, path, body, header...)
			req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if err := documented(router, req, r); err != nil {
				t.Errorf("%s %s answered %d, not as documented: %v", method, path, r.Status, err)
			}
			return r
		}
		path := func(a action.Action, tail string) string {
			return fmt.Sprintf("/api/v1/actions/%d/provisions%s", a.ID, tail)
		}

		// A5: 13(e) taken away, with its reason; the rest derived.
		l := apptest.Decode[linksJSON](t, do(sc.Member, "GET", path(w.A5, ""), ""))
		if l.has(gge, "13(e)", "derived") || len(l.Removed) != 1 || l.Removed[0].Provision != "13(e)" || len(l.History) != 1 ||
			l.History[0].Change != "removed" || l.History[0].Kind != "derived" || l.History[0].Reason != "The guidelines do not touch on privacy." {
			t.Errorf("A5: %+v", l)
		}
		if len(l.Items) == 0 || l.Items[0].Kind != "derived" || l.Items[0].Title.EN == "" {
			t.Errorf("A5's other provisions: %+v", l.Items)
		}
		// A4: 13(c) declared by its organisation.
		l = apptest.Decode[linksJSON](t, do(sc.Sec, "GET", path(w.A4, ""), ""))
		if !l.has(gge, "13(c)", "declared") || len(l.History) != 1 || l.History[0].Change != "added" || l.History[0].Kind != "declared" {
			t.Errorf("A4: %+v", l)
		}
		// The signed-in answer of the action says so too.
		one := apptest.Decode[struct {
			Provisions []struct{ Framework, Provision, Kind, Confidence string }
		}](t, do(sc.Other, "GET", fmt.Sprintf("/api/v1/actions/%d", w.A4.ID), ""))
		if !slices.Contains(one.Provisions, struct{ Framework, Provision, Kind, Confidence string }{gge, "13(c)", "declared", "medium"}) {
			t.Errorf("GET /actions/A4: %+v", one.Provisions)
		}
		// Other organisations do not find them, public or not.
		for _, c := range []struct {
			who apptest.APIClient
			a   action.Action
		}{{sc.Other, w.A5}, {sc.Member, w.A4}, {sc.Other, w.Draft}} {
			if r := do(c.who, "GET", path(c.a, ""), ""); r.Status != 404 {
				t.Errorf("GET %s by another organisation: %d", path(c.a, ""), r.Status)
			}
			if r := do(c.who, "POST", path(c.a, ""), `{"framework": "un-gge-2015", "provision": "13(j)"}`); r.Status != 404 {
				t.Errorf("POST %s by another organisation: %d", path(c.a, ""), r.Status)
			}
			// Refused before the body is read: a wrong body says nothing.
			for _, tail := range []string{"", "/remove"} {
				if r := c.who.Do("POST", path(c.a, tail), `{"version": 1}`); r.Status != 404 {
					t.Errorf("POST %s by another organisation, with a wrong body: %d", path(c.a, tail), r.Status)
				}
			}
		}
		if r := (apptest.APIClient{T: t, Base: sc.TS}).Do("GET", path(w.A5, ""), ""); r.Status != 401 {
			t.Errorf("anonymous: %d", r.Status)
		}

		rows := func() string {
			t.Helper()
			return fmt.Sprint(apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM action_provisions"),
				apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM provision_link_events"),
				apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM audit_log"))
		}
		before := rows()
		for _, c := range []struct {
			body   string
			status int
			field  string
		}{
			{`{"framework": "un-gge-2015", "provision": "13(j)"}`, 422, "reason"},
			{`{"framework": "un-gge-2015", "provision": "13(j)", "reason": "   "}`, 422, "reason"},
			{`{"framework": "un-gge-2015", "provision": "13(z)", "reason": "No."}`, 422, "provision"},
			{`{"framework": "nope", "provision": "13(j)", "reason": "No."}`, 422, "framework"},
			{`{"framework": "un-gge-2015", "provision": "13(c)", "reason": "Not so."}`, 409, "provision"}, // A2 does not count for it
			{`{"framework": "un-gge-2015", "provision": "13(j)", "reason": "No.", "extra": 1}`, 400, "extra"},
		} {
			r := do(sc.Member, "POST", path(w.A2, "/remove"), c.body)
			if r.Status != c.status || !strings.Contains(r.Body, `"`+c.field+`"`) {
				t.Errorf("remove %s: %d %s", c.body, r.Status, r.Body)
			}
		}
		for _, c := range []struct {
			body   string
			status int
		}{
			{`{"framework": "un-gge-2015", "provision": "13(j)"}`, 409}, // derived already
			{`{"framework": "un-gge-2015", "provision": "nope"}`, 422},
			{`{"framework": "un-gge-2015"}`, 422},
			{`{"framework": "un-gge-2015", "provision": "13(c)", "reason": "Because."}`, 400}, // a reason is for a removal
		} {
			if r := do(sc.Member, "POST", path(w.A2, ""), c.body); r.Status != c.status {
				t.Errorf("add %s: %d %s", c.body, r.Status, r.Body)
			}
		}
		if after := rows(); after != before {
			t.Errorf("refused changes wrote rows: %s, then %s", before, after)
		}

		// A derived link taken away comes back as derived, once, however
		// often the request is retried with its key.
		key := []string{"Idempotency-Key", "bring-back-13e"}
		r := do(sc.Focal, "POST", path(w.A5, ""), `{"framework": "un-gge-2015", "provision": "13(e)"}`, key...)
		again := do(sc.Focal, "POST", path(w.A5, ""), `{"framework": "un-gge-2015", "provision": "13(e)"}`, key...)
		if r.Status != 201 || again.Status != 201 || again.Body != r.Body || again.Header.Get("Idempotent-Replayed") != "true" ||
			!strings.Contains(r.Body, `"kind":"derived"`) {
			t.Errorf("bring back: %d %s; again %d %s", r.Status, r.Body, again.Status, again.Body)
		}
		l = apptest.Decode[linksJSON](t, do(sc.Focal, "GET", path(w.A5, ""), ""))
		if !l.has(gge, "13(e)", "derived") || len(l.Removed) != 0 || len(l.History) != 2 || l.History[1].Change != "added" {
			t.Errorf("A5 after: %+v", l)
		}
		// The secretariat takes a declared one away; the answer is the
		// action's provisions now.
		r = do(sc.Sec, "POST", path(w.A4, "/remove"), `{"framework": "un-gge-2015", "provision": "13(c)", "reason": "Procurement is not due diligence."}`)
		l = apptest.Decode[linksJSON](t, r)
		if r.Status != 200 || l.has(gge, "13(c)", "declared") || len(l.Removed) != 0 || len(l.History) != 2 ||
			l.History[1].Change != "removed" || l.History[1].Kind != "declared" {
			t.Errorf("A4 after removal: %d %+v", r.Status, l)
		}

		// A withdrawn action counts for nothing: refused.
		if _, err := sc.S.Actions.Move(context.Background(), testutil.System, w.A3.ID, 0, action.Withdrawn, ""); err != nil {
			t.Fatal(err)
		}
		if r := do(sc.Other, "POST", path(w.A3, ""), `{"framework": "un-gge-2015", "provision": "13(j)"}`); r.Status != 409 {
			t.Errorf("withdrawn: %d %s", r.Status, r.Body)
		}
		if r := do(sc.Other, "POST", path(w.A3, "/remove"), `{"framework": "un-gge-2015", "provision": "13(i)", "reason": "x"}`); r.Status != 409 {
			t.Errorf("withdrawn, removal: %d %s", r.Status, r.Body)
		}
	})
}

// The secretariat edits frameworks and provisions in part: what the body
// leaves out stays. Keys with spaces, brackets and colons come escaped in
// the path. A stale version is refused with the current one and nothing
// written; supporters are refused, anonymous callers asked to sign in.
func TestFrameworkEdits(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := newCrosswalkWorld(t, db)
		sc := w.sc
		_, router := openAPIRouter(t)
		do := func(c apptest.APIClient, method, path, body string) apptest.Response {
			t.Helper()
			r := c.Do(method, path, body)
			req, _ := http.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if err := documented(router, req, r); err != nil {
				t.Errorf("%s %s answered %d, not as documented: %v", method, path, r.Status, err)
			}
			return r
		}
		audit := func() int { return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM audit_log") }
		type fw struct {
			Title struct {
				EN string `json:"en"`
				FR string `json:"fr"`
			}
			FRUnofficial bool    `json:"fr_unofficial"`
			Issued       *string `json:"issued"`
			Source, Note string
			Version      int
		}
		type errJSON struct {
			Error struct {
				Code   string
				Fields map[string]string
			}
			Current struct{ Version int }
		}

		f := "/api/v1/frameworks/" + gge
		r := do(sc.Sec, "PATCH", f, `{"version": 1, "title": {"fr": "Rapport du GGE (2015)"}, "issued": null}`)
		got := apptest.Decode[fw](t, r)
		if r.Status != 200 || got.Version != 2 || got.Title.FR != "Rapport du GGE (2015)" || !strings.HasPrefix(got.Title.EN, "Report of the Group") ||
			got.Issued != nil || got.Source != "https://dig.watch/cyber-norms/report-ict-vulnerabilities" {
			t.Errorf("patch: %d %s", r.Status, r.Body)
		}
		n := audit()
		r = do(sc.Sec, "PATCH", f, `{"version": 1, "note": "A late note."}`)
		e := apptest.Decode[errJSON](t, r)
		if r.Status != 409 || e.Error.Fields["version"] == "" || e.Current.Version != 2 {
			t.Errorf("stale: %d %s", r.Status, r.Body)
		}
		now := apptest.Decode[fw](t, do(sc.Sec, "GET", f, ""))
		if now.Version != 2 || now.Note == "A late note." || audit() != n {
			t.Errorf("a stale save wrote: version %d, note %q, audit %d then %d", now.Version, now.Note, n, audit())
		}
		for _, c := range []struct {
			body   string
			status int
			field  string
		}{
			{`{"version": 2, "title": {"en": ""}}`, 422, "title.en"},
			{`{"version": 2, "issued": "2015-13-01"}`, 422, "issued"},
			{`{"version": 2, "source": "ftp://x"}`, 422, "source"},
			{`{"note": "no version"}`, 422, "version"},
			{`{"version": 2, "issued": 2015}`, 400, "issued"},
			{`{"version": 2, "title": {"de": "Titel"}}`, 400, "de"},
		} {
			r := do(sc.Sec, "PATCH", f, c.body)
			if r.Status != c.status || apptest.Decode[errJSON](t, r).Error.Fields[c.field] == "" {
				t.Errorf("%s: %d %s", c.body, r.Status, r.Body)
			}
		}
		if audit() != n {
			t.Errorf("refused edits were audited")
		}
		for _, c := range []struct {
			who    apptest.APIClient
			status int
		}{{sc.Focal, 403}, {sc.Member, 403}, {apptest.APIClient{T: t, Base: sc.TS}, 401}} {
			if r := do(c.who, "PATCH", f, `{"version": 2, "note": "x"}`); r.Status != c.status {
				t.Errorf("PATCH by a non-secretariat caller: %d, want %d", r.Status, c.status)
			}
			if r := do(c.who, "PATCH", f+"/provisions/13(j)", `{"version": 1, "note": "x"}`); r.Status != c.status {
				t.Errorf("PATCH of a provision by a non-secretariat caller: %d, want %d", r.Status, c.status)
			}
		}
		if r := do(sc.Sec, "PATCH", "/api/v1/frameworks/no-such", `{"version": 1}`); r.Status != 404 {
			t.Errorf("unknown framework: %d", r.Status)
		}

		// Provisions, by keys that need escaping.
		type prov struct {
			Key             string
			Recommendations []int
			Confidence      string
			Note            string
			Version         int
			Title           struct{ EN, FR string }
		}
		notes := "/api/v1/frameworks/wassenaar-intrusion-2013/provisions/" + url.PathEscape("4.E.1.c (2017 notes)")
		if !strings.Contains(notes, "%20") {
			t.Fatalf("not escaped: %s", notes)
		}
		r = do(sc.Sec, "PATCH", notes, `{"version": 1, "confidence": "high"}`)
		p := apptest.Decode[prov](t, r)
		if r.Status != 200 || p.Key != "4.E.1.c (2017 notes)" || p.Confidence != "high" || !slices.Equal(p.Recommendations, []int{10}) || p.Version != 2 {
			t.Errorf("patch %s: %d %s", notes, r.Status, r.Body)
		}
		pillar := "/api/v1/frameworks/pall-mall-states/provisions/pillar%3Aaccountability"
		r = do(sc.Sec, "PATCH", pillar, `{"version": 1, "recommendations": [3, 2], "title": {"en": "Accountability pillar"}}`)
		p = apptest.Decode[prov](t, r)
		if r.Status != 200 || p.Key != "pillar:accountability" || !slices.Equal(p.Recommendations, []int{2, 3}) || p.Title.EN != "Accountability pillar" ||
			p.Title.FR != "Pilier responsabilité (contenu non lu)" || p.Confidence != "medium" {
			t.Errorf("patch %s: %d %s", pillar, r.Status, r.Body)
		}
		if r := do(sc.Sec, "PATCH", "/api/v1/frameworks/pall-mall-states/provisions/pillar:accountability", `{"version": 2, "note": "Read at last."}`); r.Status != 200 {
			t.Errorf("unescaped colon: %d %s", r.Status, r.Body)
		}
		n = audit()
		r = do(sc.Sec, "PATCH", pillar, `{"version": 2, "confidence": "high"}`)
		e = apptest.Decode[errJSON](t, r)
		if r.Status != 409 || e.Current.Version != 3 || !strings.Contains(e.Error.Fields["version"], "3") {
			t.Errorf("stale provision: %d %s", r.Status, r.Body)
		}
		for body, field := range map[string]string{`{"version": 3, "recommendations": [99]}`: "recommendations",
			`{"version": 3, "confidence": "low"}`: "confidence", `{"version": 3, "title": {"fr": ""}}`: "title.fr"} {
			if r := do(sc.Sec, "PATCH", pillar, body); r.Status != 422 || apptest.Decode[errJSON](t, r).Error.Fields[field] == "" {
				t.Errorf("%s: %d %s", body, r.Status, r.Body)
			}
		}
		if audit() != n || apptest.QueryInt(t, db.SQL(), "SELECT version FROM provisions WHERE key = 'pillar:accountability'") != 3 {
			t.Errorf("a refused provision edit wrote")
		}
		if r := do(sc.Sec, "PATCH", "/api/v1/frameworks/pall-mall-states/provisions/no%20such", `{"version": 1}`); r.Status != 404 {
			t.Errorf("unknown provision: %d", r.Status)
		}
		// The edit moves the figures: rec 3 now evidences the pillar, and A3 has it.
		figs := apptest.Decode[figuresJSON](t, do(sc.Sec, "GET", "/api/v1/frameworks/pall-mall-states?cycle=2026", ""))
		for _, fp := range figs.Provisions {
			if fp.Key == "pillar:accountability" && (fp.Actions != 2 || fp.Organisations != 2) { // A1 (rec 2), A3 (rec 3)
				t.Errorf("pillar:accountability: %d/%d, want 2/2", fp.Actions, fp.Organisations)
			}
		}
	})
}

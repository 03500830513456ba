package api_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// langFeed is what a reader takes from the feed.
type langFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Entries []struct {
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

// strictAtom parses a feed strictly, as XML must parse.
func strictAtom(t *testing.T, body string) langFeed {
	t.Helper()
	var f langFeed
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = true
	if err := d.Decode(&f); err != nil {
		t.Fatalf("the feed is not well-formed Atom: %v\n%s", err, body)
	}
	return f
}

// feedparser reads the feed with Python's feedparser when a python3 has it,
// and answers whether it found the feed well-formed, with its title and
// language as it read them; ok is false when no such parser is here.
func feedparser(t *testing.T, body string) (out string, ok bool) {
	t.Helper()
	const script = `import sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(d.bozo, d.version, d.feed.get("language", ""), len(d.entries), d.feed.get("updated", ""), sep="|")`
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		cmd := exec.Command(py, "-c", script)
		cmd.Stdin = strings.NewReader(body)
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		if cmd.Run() == nil {
			return strings.TrimSpace(stdout.String()), true
		}
	}
	return "", false
}

// The feed comes in each language; its bytes depend on the public data and
// its query only, its updated is its newest entry's time, and its ETag
// changes exactly when its bytes do.
func TestFeedLanguagesAndValidators(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		accepted := time.Date(2026, 9, 3, 10, 30, 0, 0, time.UTC)
		sc.S.Clock.Set(accepted)
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "Licensing reform"; in.Stage = action.Adopted })

		en1 := anon.Do("GET", "/feed.atom", "")
		sc.S.Clock.Set(accepted.Add(48 * time.Hour)) // a later request, nothing new
		en2 := anon.Do("GET", "/feed.atom", "")
		if en1.Status != 200 || en1.Body != en2.Body || en1.Header.Get("ETag") == "" || en1.Header.Get("ETag") != en2.Header.Get("ETag") {
			t.Errorf("the same request twice: %q %q, bodies alike %v", en1.Header.Get("ETag"), en2.Header.Get("ETag"), en1.Body == en2.Body)
		}
		if again := anon.Do("GET", "/feed.atom", "", "If-None-Match", en1.Header.Get("ETag")); again.Status != 304 {
			t.Errorf("revalidation: %d", again.Status)
		}
		fr := anon.Do("GET", "/feed.atom?lang=fr", "")
		if fr.Status != 200 || fr.Header.Get("ETag") == en1.Header.Get("ETag") || fr.Body == en1.Body {
			t.Errorf("two languages: %d %q %q", fr.Status, fr.Header.Get("ETag"), en1.Header.Get("ETag"))
		}
		if bad := anon.Do("GET", "/feed.atom?lang=de", ""); bad.Status != 422 {
			t.Errorf("an unknown language: %d", bad.Status)
		}

		en, frDoc := strictAtom(t, en1.Body), strictAtom(t, fr.Body)
		want := accepted.Format(time.RFC3339)
		if en.Lang != "en" || !strings.HasPrefix(en.Title, "Paris Call progress tracker:") || en.Updated != want {
			t.Errorf("English feed: %q %q updated %s, want %s", en.Lang, en.Title, en.Updated, want)
		}
		if frDoc.Lang != "fr" || !strings.HasPrefix(frDoc.Title, "Suivi de l'Appel de Paris\u00a0:") || frDoc.Updated != want {
			t.Errorf("French feed: %q %q updated %s", frDoc.Lang, frDoc.Title, frDoc.Updated)
		}
		// The actions' titles stay as written; the wording around them is French.
		var found bool
		for _, e := range frDoc.Entries {
			if e.Title == "Licensing reform" {
				found = true
				if !strings.Contains(e.Summary, "Licensing reform (Adoptée)") {
					t.Errorf("French summary: %q", e.Summary)
				}
			}
		}
		if !found {
			t.Errorf("no French entry of the action: %+v", frDoc.Entries)
		}
		for _, english := range []string{"newly accepted", "Adopted", "challenged"} {
			if strings.Contains(fr.Body, english) {
				t.Errorf("the French feed says %q", english)
			}
		}
		for _, body := range []string{en1.Body, fr.Body} {
			if got, ok := feedparser(t, body); ok {
				if !strings.HasPrefix(got, "False|atom10|") {
					t.Errorf("feedparser: %s", got)
				}
				t.Logf("feedparser read it: %s", got)
			} else if os.Getenv("CI") == "true" {
				t.Error("no python3 with feedparser here: .ci/run installs python3-feedparser")
			} else {
				t.Log("no python3 with feedparser here: strict encoding/xml parse only")
			}
		}

		// A new acceptance moves updated to its time, and the ETag with it.
		later := accepted.Add(72 * time.Hour)
		sc.S.Clock.Set(later)
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Title = "Vendor register" })
		sc.S.Clock.Set(later.Add(time.Hour))
		en3 := anon.Do("GET", "/feed.atom", "")
		if got := strictAtom(t, en3.Body).Updated; got != later.Format(time.RFC3339) {
			t.Errorf("after a new acceptance updated is %s, want %s", got, later.Format(time.RFC3339))
		}
		if en3.Header.Get("ETag") == en1.Header.Get("ETag") {
			t.Error("a new entry kept the ETag")
		}

		// Every page advertises the feed in its language.
		for lang, href := range map[string]string{"en": "/feed.atom?lang=en", "fr": "/feed.atom?lang=fr"} {
			page := anon.Do("GET", "/actions?lang="+lang, "")
			if !strings.Contains(page.Body, `<link rel="alternate" type="application/atom+xml" title="`) || !strings.Contains(page.Body, `href="`+href+`"`) {
				t.Errorf("the %s page does not advertise its feed", lang)
			}
		}
	})
}

// An empty feed says the same bytes at any hour: its updated is the
// Unix epoch, not the time of the request.
func TestFeedEmptyIsStable(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
		ts := apptest.StartServerAt(t, db, func() time.Time { return now })
		anon := apptest.APIClient{T: t, Base: ts.URL}
		one := anon.Do("GET", "/feed.atom?lang=fr", "")
		now = now.Add(36 * time.Hour)
		two := anon.Do("GET", "/feed.atom?lang=fr", "")
		if one.Status != 200 || one.Body != two.Body || one.Header.Get("ETag") != two.Header.Get("ETag") {
			t.Errorf("%d: bodies alike %v, ETags %q %q", one.Status, one.Body == two.Body, one.Header.Get("ETag"), two.Header.Get("ETag"))
		}
		if f := strictAtom(t, one.Body); len(f.Entries) != 0 || f.Updated != "1970-01-01T00:00:00Z" {
			t.Errorf("empty feed: %d entries, updated %s", len(f.Entries), f.Updated)
		}
	})
}

// The feed is narrowed as the actions list is (issue 20.2): by
// recommendation, country, organisation and kind, each of which may be
// given several times; the challenges follow the actions kept, published
// reports are in every feed, and each filtered page advertises its feed.
func TestFeedFiltered(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		sc.S.Clock.Set(time.Date(2026, 9, 3, 10, 0, 0, 0, time.UTC))
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "Blacklist of vendors"; in.Recommendations = []int{7} })
		sc.S.Clock.Set(time.Date(2026, 9, 4, 10, 0, 0, 0, time.UTC))
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Title = "Procurement register"; in.Recommendations = []int{5} })
		sc.S.Clock.Set(time.Date(2026, 9, 5, 10, 0, 0, 0, time.UTC))
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Title = "Export screening"; in.Recommendations = []int{2} })

		titles := func(query string) []string {
			t.Helper()
			r := anon.Do("GET", "/feed.atom?"+query, "")
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", query, r.Status, r.Body)
			}
			if got, ok := feedparser(t, r.Body); ok && !strings.HasPrefix(got, "False|atom10|") {
				t.Errorf("feedparser on %s: %s", query, got)
			}
			var out []string
			for _, e := range strictAtom(t, r.Body).Entries {
				out = append(out, e.Title)
			}
			return out
		}
		org, other := fmt.Sprint(sc.Org.ID), fmt.Sprint(sc.OtherOrg.ID)
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"recommendation=7", []string{"Blacklist of vendors"}},
			{"recommendation=7&recommendation=2&lang=fr", []string{"Export screening", "Blacklist of vendors"}},
			{"organisation=" + other, []string{"Export screening", "Procurement register"}},
			{"organisation=" + other + "&recommendation=5", []string{"Procurement register"}},
			{"organisation=" + org + "&organisation=" + other + "&recommendation=5&recommendation=7", []string{"Procurement register", "Blacklist of vendors"}},
			{"kind=company", nil},
			{"kind=state&recommendation=2", []string{"Export screening"}},
			{"country=" + sc.OtherOrg.Country + "&recommendation=5", []string{"Procurement register"}},
		} {
			if got := titles(c.query); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("%s: %q, want %q", c.query, got, c.want)
			}
		}
		if all := titles(""); len(all) < 4 {
			t.Errorf("the whole feed: %q", all)
		}
		// The feed's title names the organisation it follows, as its public
		// page does, not by its number; one that does not exist keeps it.
		for _, c := range []struct{ query, want string }{
			{"organisation=" + other + "&lang=fr", sc.OtherOrg.Name},
			{"organisation=999999", "999999"},
		} {
			r := anon.Do("GET", "/feed.atom?"+c.query, "")
			if feed := strictAtom(t, r.Body); !strings.Contains(feed.Title, c.want) {
				t.Errorf("%s: the title %q does not say %q", c.query, feed.Title, c.want)
			}
		}
		for _, bad := range []string{"recommendation=x", "organisation=0", "recommendation=7&recommendation=x"} {
			if r := anon.Do("GET", "/feed.atom?"+bad, ""); r.Status != 422 {
				t.Errorf("%s: %d", bad, r.Status)
			}
		}
		r := anon.Do("GET", "/feed.atom?recommendation=7&lang=fr", "")
		if f := strictAtom(t, r.Body); !strings.Contains(f.Title, "recommandation 7") {
			t.Errorf("French filtered title: %q", f.Title)
		}
		// A published report is news to every reader, whatever they follow.
		compiled := sc.Sec.Do("POST", "/api/v1/cycles/2026/reports", "")
		if compiled.Status != 201 {
			t.Fatalf("compile: %d %s", compiled.Status, compiled.Body)
		}
		if p := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", apptest.Decode[apptest.ReportJSON](t, compiled).ID), ""); p.Status != 200 {
			t.Fatalf("publish: %d %s", p.Status, p.Body)
		}
		// So is the data release it made.
		got := titles("kind=company&lang=fr")
		slices.Sort(got)
		if want := []string{"Le rapport d'étape 2026 est publié", "Version des données 2026.1"}; !slices.Equal(got, want) {
			t.Errorf("the report and its release in a feed of nothing else: %q, want %q", got, want)
		}

		// Each filtered page advertises its own feed, in the head and in
		// a visible link.
		for page, feed := range map[string]string{
			"/actions?recommendation=7&recommendation=2&lang=fr": "/feed.atom?lang=fr&amp;recommendation=7&amp;recommendation=2",
			"/recommendations/7?lang=en":                         "/feed.atom?lang=en&amp;recommendation=7",
			"/organisations/" + other + "?lang=en":               "/feed.atom?lang=en&amp;organisation=" + other,
		} {
			body := anon.Do("GET", page, "").Body
			if !strings.Contains(body, `<link rel="alternate" type="application/atom+xml" title="`) || strings.Count(body, `href="`+feed+`"`) != 2 {
				t.Errorf("%s does not advertise %s in its head and its body", page, feed)
			}
		}
	})
}

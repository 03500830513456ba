package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// contested=true keeps, on every public list that takes the filters, the
// actions with a published challenge: not one whose challenge is still
// open, nor one without. Any other value than true or false is refused,
// naming the field.
func TestContestedFilter(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ch := sc.Challenges(t)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		contested := []string{ch.Dismissed.Title, ch.Upheld.Title}
		others := []string{ch.Pending.Title, ch.Plain.Title, sc.LastYearAction.Title}
		type list struct {
			Items []struct{ Title string }
			Total int
		}
		for _, c := range []struct {
			name  string
			query string
			want  []string // the titles listed, by title
		}{
			{"contested", "contested=true", contested},
			{"contested, of an organisation", fmt.Sprintf("contested=true&organisation=%d", sc.OtherOrg.ID), contested[:1]},
			{"contested, on a recommendation", "contested=true&recommendation=2", contested[1:]},
			{"every action", "contested=false&cycle=2026", []string{ch.Dismissed.Title, ch.Plain.Title, ch.Pending.Title, ch.Upheld.Title}},
		} {
			t.Run(c.name, func(t *testing.T) {
				anon := anon.For(t)
				l := apptest.Decode[list](t, anon.Do("GET", "/api/v1/actions?"+c.query, ""))
				var got []string
				for _, a := range l.Items {
					got = append(got, a.Title)
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(c.want))
				if !slices.Equal(got, want) || l.Total != len(want) {
					t.Errorf("listed %q (total %d), want %q", got, l.Total, want)
				}
				doc := apptest.Decode[struct{ Actions []struct{ Title string } }](t, anon.Do("GET", "/api/v1/open-data/actions.json?"+c.query, ""))
				if len(doc.Actions) != len(want) {
					t.Errorf("the JSON download has %d actions, want %d", len(doc.Actions), len(want))
				}
				rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(anon.Do("GET", "/api/v1/open-data/actions.csv?"+c.query, "").Body, "\ufeff"))).ReadAll()
				if err != nil || len(rows) != len(want)+1 {
					t.Errorf("the CSV download has %d rows, want a header and %d: %v", len(rows), len(want), err)
				}
				page := anon.Do("GET", "/actions?"+c.query, "")
				for _, title := range append(slices.Clone(contested), others...) {
					if shown := strings.Contains(page.Body, strings.ReplaceAll(title, `"`, "&#34;")); shown != slices.Contains(want, title) && !strings.Contains(title, "<") {
						t.Errorf("the page shows %q: %t", title, shown)
					}
				}
				if checked := strings.Contains(page.Body, `value="true" aria-describedby="h-f-contested" checked`); checked != strings.Contains(c.query, "contested=true") {
					t.Errorf("the box is checked: %t", checked)
				}
			})
		}
		for _, path := range []string{"/api/v1/actions", "/api/v1/open-data/actions.csv", "/api/v1/open-data/actions.json", "/actions"} {
			if r := anon.Do("GET", path+"?contested=yes", ""); r.Status != 422 || !strings.Contains(r.Body, "contested") {
				t.Errorf("%s?contested=yes: %d %.300s", path, r.Status, r.Body)
			}
		}
	})
}

// openChallengeJSON is a challenge of the open data as the tests read it.
type openChallengeJSON struct {
	ID             int64    `json:"id"`
	ActionID       int64    `json:"action_id"`
	Cycle          int      `json:"cycle"`
	OrganisationID int64    `json:"organisation_id"`
	Reviewer       *string  `json:"reviewer"`
	ReviewerKind   string   `json:"reviewer_kind"`
	Pseudonymous   bool     `json:"pseudonymous"`
	Statement      string   `json:"statement"`
	EvidenceURLs   []string `json:"evidence_urls"`
	Reply          *string  `json:"reply"`
	ReplyDue       string   `json:"reply_due"`
	Outcome        string   `json:"outcome"`
	StageSet       *string  `json:"stage_set"`
	AssuranceSet   *string  `json:"assurance_set"`
	PublishedAt    string   `json:"published_at"`
}

// The challenges' open data: every published challenge, by id, with the
// reply and the decision, in CSV (formula-safe) and JSON as documented,
// under the licence; a pseudonymous reviewer unnamed, an open challenge
// absent; revalidated until a challenge is published, and not before.
func TestOpenDataChallenges(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ch := sc.Challenges(t)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		_, router := openAPIRouter(t)
		get := func(path string) apptest.Response {
			t.Helper()
			r := anon.Do("GET", path, "")
			req, _ := http.NewRequest("GET", "http://localhost"+path, nil)
			if err := documented(router, req, r); err != nil {
				t.Errorf("GET %s answered %d, not as documented: %v", path, r.Status, err)
			}
			if r.Status != 200 || !strings.Contains(r.Header.Get("Link"), "licenses/by/4.0") || r.Header.Get("ETag") == "" {
				t.Errorf("GET %s: %d, Link %q, ETag %q", path, r.Status, r.Header.Get("Link"), r.Header.Get("ETag"))
			}
			for _, secret := range []string{ch.Anonymous.Name, ch.PendingStatement, "wombat"} {
				if strings.Contains(r.Body, secret) {
					t.Errorf("GET %s shows %q", path, secret)
				}
			}
			return r
		}

		js := get("/api/v1/open-data/challenges.json")
		var doc struct {
			Licence    string
			Challenges []openChallengeJSON
		}
		if err := json.Unmarshal([]byte(js.Body), &doc); err != nil || !strings.HasPrefix(doc.Licence, "CC BY 4.0") || len(doc.Challenges) != 2 {
			t.Fatalf("JSON: %v %.500s", err, js.Body)
		}
		up, dis := doc.Challenges[0], doc.Challenges[1]
		if up.ID != ch.UpheldChallenge.ID || up.ActionID != ch.Upheld.ID || up.Cycle != 2026 || up.OrganisationID != sc.Org.ID ||
			up.Reviewer != nil || !up.Pseudonymous || up.ReviewerKind != "" || up.Outcome != "upheld" ||
			up.StageSet == nil || *up.StageSet != "planned" || up.AssuranceSet != nil || up.Reply == nil || up.ReplyDue != "2026-10-01" ||
			!slices.Equal(up.EvidenceURLs, []string{"https://lab.example.org/forensics"}) || up.PublishedAt == "" {
			t.Errorf("the upheld challenge: %+v", up)
		}
		if dis.ID != ch.DismissedChallenge.ID || dis.Reviewer == nil || *dis.Reviewer != ch.Named.Name || dis.Pseudonymous ||
			dis.Reply != nil || dis.Outcome != "dismissed" || dis.StageSet != nil {
			t.Errorf("the dismissed challenge: %+v", dis)
		}

		csvDoc := get("/api/v1/open-data/challenges.csv")
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix([]byte(csvDoc.Body), []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 3 {
			t.Fatalf("CSV: %v %q", err, csvDoc.Body)
		}
		wantHeader := []string{"id", "action_id", "cycle", "organisation_id", "organisation", "reviewer", "reviewer_kind", "pseudonymous",
			"grounds", "statement", "evidence_urls", "filed_at", "reply", "reply_evidence_urls", "replied_at", "reply_due", "outcome",
			"reasons", "stage_set", "assurance_set", "decided_at", "published_at"}
		if !slices.Equal(rows[0], wantHeader) {
			t.Errorf("CSV header %q", rows[0])
		}
		cell := func(row []string, name string) string { return row[slices.Index(wantHeader, name)] }
		if r := rows[1]; cell(r, "id") != fmt.Sprint(ch.UpheldChallenge.ID) || cell(r, "reviewer") != "" || cell(r, "pseudonymous") != "true" ||
			!strings.HasPrefix(cell(r, "statement"), `'=HYPERLINK(`) || cell(r, "stage_set") != "planned" || cell(r, "assurance_set") != "" ||
			cell(r, "reply") != "The sales predate the ban." || cell(r, "reasons") != "The findings stand.\n\nThe sales continued after the ban." {
			t.Errorf("the upheld challenge's row: %q", r)
		}
		if r := rows[2]; cell(r, "reviewer") != ch.Named.Name || cell(r, "reply") != "" || cell(r, "replied_at") != "" ||
			cell(r, "outcome") != "dismissed" {
			t.Errorf("the dismissed challenge's row: %q", r)
		}

		// Filing, opening and deciding a challenge (a dismissal, which
		// leaves the action as it was) move no validator; its publication
		// moves them all. (The validators name the day: each step is
		// checked against those of its own day.)
		paths := map[string]string{"/api/v1/open-data/challenges.csv": "The guidelines were withdrawn.",
			"/api/v1/open-data/challenges.json": "The guidelines were withdrawn.", "/feed.atom": "Challenge of «" + ch.Plain.Title + "»: dismissed"}
		tags := map[string]string{}
		snapshot := func() {
			for p := range paths {
				tags[p] = anon.Do("GET", p, "").Header.Get("ETag")
			}
		}
		unchanged := func(step string) {
			t.Helper()
			for p := range paths {
				if r := anon.Do("GET", p, "", "If-None-Match", tags[p]); r.Status != 304 {
					t.Errorf("%s after %s: %d", p, step, r.Status)
				}
			}
		}
		snapshot()
		c := sc.S.OpenChallenge(t, ch.Named, ch.Plain, openInput("The guidelines were withdrawn."))
		unchanged("a challenge was filed and opened")
		sc.S.Clock.Add(40 * 24 * time.Hour) // the time to reply is over
		snapshot()
		if _, err := sc.S.Challenges.Decide(t.Context(), testutil.System, c.ID, 0, dismissal()); err != nil {
			t.Fatal(err)
		}
		unchanged("a challenge was decided, unpublished")
		if _, err := sc.S.Challenges.Publish(t.Context(), testutil.System, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		for p, shown := range paths {
			if r := anon.Do("GET", p, "", "If-None-Match", tags[p]); r.Status != 200 || !strings.Contains(r.Body, shown) {
				t.Errorf("%s after a challenge was published: %d", p, r.Status)
			}
		}
	})
}

// atomDoc is the part of an Atom feed the tests read.
type atomDoc struct {
	Entries []struct {
		Title   string `xml:"title"`
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Author  string `xml:"author>name"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

// The feed has an entry for each published challenge among those of the
// accepted actions, all in date order: its title says the action and the
// outcome, it links to the action's page, and it is dated its publication.
func TestFeedOfChallenges(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ch := sc.Challenges(t)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		r := anon.Do("GET", "/feed.atom", "")
		var feed atomDoc
		if err := xml.Unmarshal([]byte(r.Body), &feed); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		for _, secret := range []string{ch.Anonymous.Name, ch.PendingStatement} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("the feed shows %q", secret)
			}
		}
		var titles []string
		for i, e := range feed.Entries {
			titles = append(titles, e.Title)
			if i > 0 && e.Updated > feed.Entries[i-1].Updated {
				t.Errorf("entry %d (%s) is newer than the one before it (%s)", i, e.Updated, feed.Entries[i-1].Updated)
			}
		}
		if n := len(feed.Entries); n != 7 { // five accepted actions, two published challenges
			t.Errorf("%d entries: %q", n, titles)
		}
		for _, c := range []struct {
			title, author string
			actionID      int64
			published     *time.Time
		}{
			{"Challenge of «" + ch.Upheld.Title + "»: upheld", "a reviewer organisation", ch.Upheld.ID, ch.UpheldChallenge.PublishedAt},
			{"Challenge of «" + ch.Dismissed.Title + "»: dismissed", ch.Named.Name, ch.Dismissed.ID, ch.DismissedChallenge.PublishedAt},
		} {
			i := slices.Index(titles, c.title)
			if i < 0 {
				t.Errorf("no entry %q in %q", c.title, titles)
				continue
			}
			e := feed.Entries[i]
			if !strings.Contains(e.Link.Href, fmt.Sprintf("/actions/%d#challenge-", c.actionID)) || e.Author != c.author ||
				e.Updated != c.published.UTC().Format(time.RFC3339) {
				t.Errorf("entry %q: %+v", c.title, e)
			}
		}
		if feed.Entries[0].Title != "Challenge of «"+ch.Dismissed.Title+"»: dismissed" {
			t.Errorf("the newest entry is %q", feed.Entries[0].Title)
		}
	})
}

func openInput(statement string) challenge.Input {
	return challenge.Input{Grounds: challenge.Outdated, Statement: statement}
}

func dismissal() challenge.Decision {
	return challenge.Decision{Outcome: challenge.Dismissed, Reasons: "The guidelines stand."}
}

package ui_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// auditScenario is the log of a few days' work: France's focal point
// drafts and submits, Camille Martin of the secretariat reviews, compiles,
// publishes and extends a deadline, the scheduler runs a job.
type auditScenario struct {
	*apptest.Scenario
	camille, elodie apptest.APIClient
	camilleID       int64
	france          stakeholder.Stakeholder
	accepted        int64 // "Export rule"
	sentBack        int64 // "Vendor checks"
	deleted         int64 // "Old draft"
	report          int64
}

func newAuditScenario(t *testing.T, db *store.DB) *auditScenario {
	t.Helper()
	ctx := context.Background()
	sc := &auditScenario{Scenario: apptest.NewScenario(t, db)}
	var err error
	sc.france, err = sc.S.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "France", Kind: stakeholder.State, Country: "FR", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	person := func(email, name string, in user.Input) (apptest.APIClient, int64) {
		in.Email, in.Name = email, name
		u, err := sc.S.Users.Create(ctx, testutil.System, in)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := sc.S.Users.CreateToken(ctx, testutil.System, email, "test")
		if err != nil {
			t.Fatal(err)
		}
		return apptest.APIClient{T: t, Base: sc.TS, Token: secret}, u.ID
	}
	// Their emails hold neither name: the search must find them by name.
	sc.camille, sc.camilleID = person("sec-1@pc.example", "Camille Martin", user.Input{Role: user.Secretariat})
	sc.elodie, _ = person("focal-fr@quai.example", "Élodie Durand", user.Input{Role: user.Supporter, StakeholderID: sc.france.ID, OrgRole: user.FocalPoint})
	draft := func(title string) apptest.ActionJSON {
		r := sc.elodie.Do("POST", "/api/v1/actions", strings.Replace(apptest.NewActionBody, "Export licensing for intrusion software", title, 1))
		if r.Status != 201 {
			t.Fatalf("create %q: %d %s", title, r.Status, r.Body)
		}
		return apptest.Decode[apptest.ActionJSON](t, r)
	}
	submit := func(a apptest.ActionJSON) apptest.ActionJSON {
		r := sc.elodie.Do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), fmt.Sprintf(`{"version": %d}`, a.Version))
		if r.Status != 200 {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		return apptest.Decode[apptest.ActionJSON](t, r)
	}
	review := func(a apptest.ActionJSON, body string) {
		if r := sc.camille.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), fmt.Sprintf(body, a.Version)); r.Status != 200 {
			t.Fatalf("review: %d %s", r.Status, r.Body)
		}
	}
	a := submit(draft("Export rule"))
	review(a, `{"decision": "accept", "version": %d}`)
	b := submit(draft("Vendor checks"))
	review(b, `{"decision": "request_changes", "comment": "Please link the published decree.", "version": %d}`)
	c := draft("Old draft")
	if r := sc.elodie.Do("DELETE", fmt.Sprintf("/api/v1/actions/%d", c.ID), ""); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	sc.accepted, sc.sentBack, sc.deleted = a.ID, b.ID, c.ID
	r := sc.camille.Do("POST", "/api/v1/cycles/2026/reports", "")
	if r.Status != 201 {
		t.Fatalf("compile: %d %s", r.Status, r.Body)
	}
	sc.report = apptest.Decode[struct {
		ID int64 `json:"id"`
	}](t, r).ID
	if r := sc.camille.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", sc.report), ""); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	if r := sc.camille.Do("POST", "/api/v1/cycles/2026/extensions",
		fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.france.ID)); r.Status/100 != 2 {
		t.Fatalf("extend: %d %s", r.Status, r.Body)
	}
	// A verb with no sentence of its own, and another verb about a report.
	now := sc.S.Clock.Now()
	for _, e := range []audit.Entry{
		audit.New(0, "scheduler", "job.run", "job", "housekeeping", nil, now),
		audit.New(sc.camilleID, "sec-1@pc.example", "document.download", "report", sc.report, nil, now),
	} {
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return sc
}

var (
	inlineTags = regexp.MustCompile(`</?(a|strong|span|code|time)\b[^>]*>`)
	tags       = regexp.MustCompile(`<[^>]*>`)
)

// pageText is what a reader of the page reads: no tags, one space between
// words (no-break spaces included).
func pageText(body string) string {
	body = tags.ReplaceAllString(inlineTags.ReplaceAllString(body, ""), " ")
	return strings.Join(strings.Fields(strings.ReplaceAll(html.UnescapeString(body), "\u00a0", " ")), " ")
}

// links returns the text of each link of body to href.
func links(body, href string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<a href="`+regexp.QuoteMeta(href)+`">(.*?)</a>`).FindAllStringSubmatch(body, -1) {
		out = append(out, pageText(m[1]))
	}
	return out
}

func TestAuditLogReadsAsSentences(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newAuditScenario(t, db)
		org := fmt.Sprintf("/admin/organisations/%d", sc.france.ID)
		pages := map[string]struct {
			sentences []string
			links     map[string]string // href -> its text
		}{
			"en": {[]string{
				fmt.Sprintf("Camille Martin accepted action #%d “Export rule” of France", sc.accepted),
				fmt.Sprintf("Élodie Durand submitted action #%d “Export rule” of France to the secretariat", sc.accepted),
				fmt.Sprintf("Camille Martin asked France for changes to action #%d “Vendor checks” Comment: Please link the published decree.", sc.sentBack),
				fmt.Sprintf("Élodie Durand deleted the draft #%d “Old draft” of France", sc.deleted),
				fmt.Sprintf("Élodie Durand created action #%d “Old draft” of France", sc.deleted), // named after its deletion
				fmt.Sprintf("Camille Martin compiled draft report #%d of the 2026 cycle; actions counted: 1", sc.report),
				fmt.Sprintf("Camille Martin published report #%d of the 2026 cycle", sc.report),
				"Camille Martin extended the 2026 deadline of France to 15 October 2026",
				"The scheduler recorded “job run” on job housekeeping",
				fmt.Sprintf("Camille Martin recorded “document download” on report #%d", sc.report),
				"test added the organisation France",
			}, map[string]string{
				fmt.Sprintf("/actions/%d", sc.accepted): fmt.Sprintf("#%d “Export rule”", sc.accepted),
				fmt.Sprintf("/reports/%d", sc.report):   fmt.Sprintf("#%d", sc.report),
				"/admin/cycles/2026":                    "2026",
				org:                                     "France",
			}},
			"fr": {[]string{
				fmt.Sprintf("Camille Martin a accepté l'action n° %d « Export rule » de France", sc.accepted),
				fmt.Sprintf("Camille Martin a demandé à France de modifier l'action n° %d « Vendor checks » Commentaire : Please link the published decree.", sc.sentBack),
				fmt.Sprintf("Élodie Durand a supprimé le brouillon n° %d « Old draft » de France", sc.deleted),
				fmt.Sprintf("Camille Martin a publié le rapport n° %d du cycle 2026", sc.report),
				"Camille Martin a prolongé jusqu'au 15 octobre 2026 le délai de France pour le cycle 2026",
				"Le planificateur a enregistré « job run » sur job housekeeping",
			}, map[string]string{
				fmt.Sprintf("/actions/%d", sc.accepted): fmt.Sprintf("n° %d « Export rule »", sc.accepted),
				fmt.Sprintf("/reports/%d", sc.report):   fmt.Sprintf("n° %d", sc.report),
			}},
		}
		for lang, want := range pages {
			r := sc.camille.Do("GET", "/admin/audit?lang="+lang, "")
			if r.Status != 200 {
				t.Fatalf("%s: %d", lang, r.Status)
			}
			text := pageText(r.Body)
			for _, s := range want.sentences {
				if !strings.Contains(text, s) {
					t.Errorf("%s: missing %q", lang, s)
				}
			}
			for href, label := range want.links {
				if got := links(r.Body, href); len(got) == 0 || got[0] != label {
					t.Errorf("%s: links to %s: %q, want %q", lang, href, got, label)
				}
			}
		}
		r := sc.camille.Do("GET", "/admin/audit", "")
		// A supporter's name leads to their organisation's page, which
		// lists its people; a deleted draft has no page to lead to.
		if got := links(r.Body, org); !contains(got, "Élodie Durand") {
			t.Errorf("Élodie's name is not a link to France's page: %q", got)
		}
		if got := links(r.Body, fmt.Sprintf("/actions/%d", sc.deleted)); len(got) != 0 {
			t.Errorf("a deleted draft is linked: %q", got)
		}
		if !strings.Contains(r.Body, "<details>") || !strings.Contains(r.Body, "<code>action.accepted</code>") {
			t.Errorf("the raw entry is not at hand under each sentence")
		}
		if strings.Contains(r.Body, "\ue000") || strings.Contains(r.Body, "no value") {
			t.Errorf("a sentence kept a mark")
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAuditLogFilters(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newAuditScenario(t, db)
		get := func(query string) (apptest.Response, string) {
			t.Helper()
			r := sc.camille.Do("GET", "/admin/audit?lang=en&"+query, "")
			if r.Status != 200 {
				t.Fatalf("%s: %d", query, r.Status)
			}
			return r, pageText(r.Body)
		}
		_, text := get("verb=report.")
		for _, s := range []string{"compiled draft report", "published report", "recorded “document download” on report", "3 entries."} {
			if !strings.Contains(text, s) {
				t.Errorf("report events: missing %q", s)
			}
		}
		if strings.Contains(text, "accepted action") || strings.Contains(text, "job run") {
			t.Errorf("report events show others: %s", text)
		}
		// By name (the entries' labels hold emails), in any case, and by
		// part of the email.
		for _, q := range []string{"martin", "CAMILLE", "sec-1@PC"} {
			_, text := get("actor=" + q)
			if !strings.Contains(text, "Camille Martin accepted action") || strings.Contains(text, "Élodie Durand submitted") {
				t.Errorf("search %q: %s", q, text)
			}
		}
		for _, q := range []string{"%C3%A9lodie", "%C3%89LODIE", "quai.example"} { // élodie, ÉLODIE
			_, text := get("actor=" + q)
			if !strings.Contains(text, "Élodie Durand submitted action") || strings.Contains(text, "Camille Martin accepted") {
				t.Errorf("search %q: %s", q, text)
			}
		}
		r, text := get("actor=nobody&verb=report.")
		if !strings.Contains(text, "0 entries. No entry matches these filters. Clear the filters") || strings.Contains(r.Body, "<table") {
			t.Errorf("empty state: %s", text)
		}
		if !strings.Contains(r.Body, `value="nobody"`) || !strings.Contains(r.Body, `<option value="report." selected>`) {
			t.Errorf("the filters are not kept in the form")
		}
	})
}

// A page holds 100 entries; the pages after it keep the filters.
func TestAuditLogPages(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newAuditScenario(t, db)
	for i := 0; i < 100; i++ {
		if err := db.AppendAudit(context.Background(), audit.New(sc.camilleID, "sec-1@pc.example", "document.download", "report",
			sc.report, nil, sc.S.Clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	r := sc.camille.Do("GET", "/admin/audit?lang=en&verb=report.&actor=Martin", "")
	text := pageText(r.Body)
	if !strings.Contains(text, "103 entries.") || strings.Count(text, "recorded “document download”") != 100 ||
		!strings.Contains(r.Body, `href="/admin/audit?actor=Martin&amp;object=&amp;page=2&amp;verb=report."`) || strings.Contains(r.Body, `rel="prev"`) {
		t.Fatalf("first page: %s", text)
	}
	r = sc.camille.Do("GET", "/admin/audit?lang=en&actor=Martin&object=&page=2&verb=report.", "")
	text = pageText(r.Body)
	if !strings.Contains(text, "Page 2") || !strings.Contains(text, "compiled draft report") || strings.Contains(r.Body, `rel="next"`) ||
		!strings.Contains(r.Body, `href="/admin/audit?actor=Martin&amp;object=&amp;page=1&amp;verb=report."`) {
		t.Errorf("second page: %s", text)
	}
}

// Only the secretariat reads the log.
func TestAuditLogIsTheSecretariats(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newAuditScenario(t, db)
	for name, c := range map[string]apptest.APIClient{"focal point": sc.elodie, "member": sc.Member} {
		if r := c.Do("GET", "/admin/audit", ""); r.Status != 403 || strings.Contains(r.Body, "Camille Martin") {
			t.Errorf("%s reads the audit log: %d", name, r.Status)
		}
	}
	if r := (apptest.APIClient{T: t, Base: sc.TS}).Do("GET", "/admin/audit", ""); r.Status != 303 {
		t.Errorf("a visitor: %d", r.Status)
	}
}

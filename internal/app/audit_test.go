package app

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

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
	*scenario
	camille, elodie apiClient
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
	sc := &auditScenario{scenario: newScenario(t, db)}
	var err error
	sc.france, err = sc.s.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "France", Kind: stakeholder.State, Country: "FR", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	person := func(email, name string, in user.Input) (apiClient, int64) {
		in.Email, in.Name = email, name
		u, err := sc.s.Users.Create(ctx, testutil.System, in)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := sc.s.Users.CreateToken(ctx, testutil.System, email, "test")
		if err != nil {
			t.Fatal(err)
		}
		return apiClient{t: t, base: sc.ts, token: secret}, u.ID
	}
	// Their emails hold neither name: the search must find them by name.
	sc.camille, sc.camilleID = person("sec-1@pc.example", "Camille Martin", user.Input{Role: user.Secretariat})
	sc.elodie, _ = person("focal-fr@quai.example", "Élodie Durand", user.Input{Role: user.Supporter, StakeholderID: sc.france.ID, OrgRole: user.FocalPoint})
	draft := func(title string) actionJSON {
		r := sc.elodie.do("POST", "/api/v1/actions", strings.Replace(newActionBody, "Export licensing for intrusion software", title, 1))
		if r.status != 201 {
			t.Fatalf("create %q: %d %s", title, r.status, r.body)
		}
		return decode[actionJSON](t, r)
	}
	submit := func(a actionJSON) actionJSON {
		r := sc.elodie.do("POST", fmt.Sprintf("/api/v1/actions/%d/submit", a.ID), fmt.Sprintf(`{"version": %d}`, a.Version))
		if r.status != 200 {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		return decode[actionJSON](t, r)
	}
	review := func(a actionJSON, body string) {
		if r := sc.camille.do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), fmt.Sprintf(body, a.Version)); r.status != 200 {
			t.Fatalf("review: %d %s", r.status, r.body)
		}
	}
	a := submit(draft("Export rule"))
	review(a, `{"decision": "accept", "version": %d}`)
	b := submit(draft("Vendor checks"))
	review(b, `{"decision": "request_changes", "comment": "Please link the published decree.", "version": %d}`)
	c := draft("Old draft")
	if r := sc.elodie.do("DELETE", fmt.Sprintf("/api/v1/actions/%d", c.ID), ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	sc.accepted, sc.sentBack, sc.deleted = a.ID, b.ID, c.ID
	r := sc.camille.do("POST", "/api/v1/cycles/2026/reports", "")
	if r.status != 201 {
		t.Fatalf("compile: %d %s", r.status, r.body)
	}
	sc.report = decode[struct {
		ID int64 `json:"id"`
	}](t, r).ID
	if r := sc.camille.do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", sc.report), ""); r.status != 200 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	if r := sc.camille.do("POST", "/api/v1/cycles/2026/extensions",
		fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.france.ID)); r.status/100 != 2 {
		t.Fatalf("extend: %d %s", r.status, r.body)
	}
	// A verb with no sentence of its own, and another verb about a report.
	now := sc.s.Clock.Now()
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
				fmt.Sprintf("Camille Martin compiled draft report #%d of the 2026 cycle, with 1 action(s)", sc.report),
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
			r := sc.camille.do("GET", "/admin/audit?lang="+lang, "")
			if r.status != 200 {
				t.Fatalf("%s: %d", lang, r.status)
			}
			text := pageText(r.body)
			for _, s := range want.sentences {
				if !strings.Contains(text, s) {
					t.Errorf("%s: missing %q", lang, s)
				}
			}
			for href, label := range want.links {
				if got := links(r.body, href); len(got) == 0 || got[0] != label {
					t.Errorf("%s: links to %s: %q, want %q", lang, href, got, label)
				}
			}
		}
		r := sc.camille.do("GET", "/admin/audit", "")
		// A supporter's name leads to their organisation's page, which
		// lists its people; a deleted draft has no page to lead to.
		if got := links(r.body, org); !contains(got, "Élodie Durand") {
			t.Errorf("Élodie's name is not a link to France's page: %q", got)
		}
		if got := links(r.body, fmt.Sprintf("/actions/%d", sc.deleted)); len(got) != 0 {
			t.Errorf("a deleted draft is linked: %q", got)
		}
		if !strings.Contains(r.body, "<details>") || !strings.Contains(r.body, "<code>action.accepted</code>") {
			t.Errorf("the raw entry is not at hand under each sentence")
		}
		if strings.Contains(r.body, "\ue000") || strings.Contains(r.body, "no value") {
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
		get := func(query string) (response, string) {
			t.Helper()
			r := sc.camille.do("GET", "/admin/audit?lang=en&"+query, "")
			if r.status != 200 {
				t.Fatalf("%s: %d", query, r.status)
			}
			return r, pageText(r.body)
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
		if !strings.Contains(text, "0 entries. No entry matches these filters. Clear the filters") || strings.Contains(r.body, "<table") {
			t.Errorf("empty state: %s", text)
		}
		if !strings.Contains(r.body, `value="nobody"`) || !strings.Contains(r.body, `<option value="report." selected>`) {
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
			sc.report, nil, sc.s.Clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	r := sc.camille.do("GET", "/admin/audit?lang=en&verb=report.&actor=Martin", "")
	text := pageText(r.body)
	if !strings.Contains(text, "103 entries.") || strings.Count(text, "recorded “document download”") != 100 ||
		!strings.Contains(r.body, `href="/admin/audit?actor=Martin&amp;object=&amp;page=2&amp;verb=report."`) || strings.Contains(r.body, `rel="prev"`) {
		t.Fatalf("first page: %s", text)
	}
	r = sc.camille.do("GET", "/admin/audit?lang=en&actor=Martin&object=&page=2&verb=report.", "")
	text = pageText(r.body)
	if !strings.Contains(text, "Page 2") || !strings.Contains(text, "compiled draft report") || strings.Contains(r.body, `rel="next"`) ||
		!strings.Contains(r.body, `href="/admin/audit?actor=Martin&amp;object=&amp;page=1&amp;verb=report."`) {
		t.Errorf("second page: %s", text)
	}
}

// Only the secretariat reads the log.
func TestAuditLogIsTheSecretariats(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newAuditScenario(t, db)
	for name, c := range map[string]apiClient{"focal point": sc.elodie, "member": sc.member} {
		if r := c.do("GET", "/admin/audit", ""); r.status != 403 || strings.Contains(r.body, "Camille Martin") {
			t.Errorf("%s reads the audit log: %d", name, r.status)
		}
	}
	if r := (apiClient{t: t, base: sc.ts}).do("GET", "/admin/audit", ""); r.status != 303 {
		t.Errorf("a visitor: %d", r.status)
	}
}

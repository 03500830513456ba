package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// jsonText puts v into a JSON string as a client could send it: escaped
// when it is UTF-8 (a raw control character is not JSON at all), and as
// raw bytes when it is not, which encoding/json would otherwise replace.
func jsonText(v string) string {
	if !utf8.ValidString(v) {
		return v
	}
	b, _ := json.Marshal(v)
	return string(b[1 : len(b)-1])
}

// apiField returns the message of field in an API error answer.
func apiField(t *testing.T, r apptest.Response, field string) string {
	t.Helper()
	var body struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Error.Code != "invalid" {
		return ""
	}
	return body.Error.Fields[field]
}

// The text rule over HTTP: a hostile value in any text field of the API's
// action body (raw when it is not UTF-8, escaped otherwise, and an escaped
// lone surrogate), of an organisation, of a review, in the action editor's
// form and in a CSV import is answered 422 with the field named, and
// nothing is written.
func TestTextRuleOverHTTP(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		open, err := db.Cycle(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		draft := sc.S.Action(t, sc.Org, open)
		focal := apptest.MustUser(t, sc, "focal@own.example").Actor()
		submitted, err := sc.S.Actions.Move(ctx, focal, sc.S.Action(t, sc.Org, open).ID, 1, action.Submitted, "")
		if err != nil {
			t.Fatal(err)
		}
		before := testutil.Writes(t, db)
		wrote := func(what string) {
			t.Helper()
			if after := testutil.Writes(t, db); after != before {
				t.Fatalf("%s wrote: %s, then %s", what, before, after)
			}
		}
		// An action's body with its four text fields as given, JSON-ready.
		actionBody := func(head, title, description, url, evidenceTitle string) string {
			return `{` + head + `, "title": "` + title + `", "description": "` + description + `", "recommendations": [2],
				"stage": "adopted", "measure": "export_controls", "scope": "national", "visibility": "public",
				"evidence": [{"kind": "regulation", "url": "` + url + `", "title": "` + evidenceTitle + `"}]}`
		}
		apiFields := map[string]func(head, v string) string{
			"title": func(head, v string) string {
				return actionBody(head, "Export "+v+" licensing", "Under it.", "https://example.org/r", "Reg")
			},
			"description": func(head, v string) string {
				return actionBody(head, "Export", "Under "+v+" it.", "https://example.org/r", "Reg")
			},
			"evidence.0.url": func(head, v string) string {
				return actionBody(head, "Export", "Under it.", "https://example.org/"+v, "Reg")
			},
			"evidence.0.title": func(head, v string) string {
				return actionBody(head, "Export", "Under it.", "https://example.org/r", "Reg "+v)
			},
		}
		for _, h := range testutil.HostileText {
			for field, body := range apiFields {
				r := sc.Member.Do("POST", "/api/v1/actions", body(`"cycle": 2026`, jsonText(h.Value)))
				if r.Status != 422 || apiField(t, r, field) == "" {
					t.Errorf("API, %s in %s: %d %s", h.Name, field, r.Status, r.Body)
				}
				r = sc.Member.Do("PATCH", fmt.Sprintf("/api/v1/actions/%d", draft.ID), body(`"version": 1`, jsonText(h.Value)))
				if r.Status != 422 || apiField(t, r, field) == "" {
					t.Errorf("API PATCH, %s in %s: %d %s", h.Name, field, r.Status, r.Body)
				}
			}
			for field, b := range map[string]string{
				"name":    `{"name": "Acme ` + jsonText(h.Value) + `", "kind": "company", "country": "US"}`,
				"website": `{"name": "Acme", "kind": "company", "country": "US", "website": "https://acme.example/` + jsonText(h.Value) + `"}`,
			} {
				if r := sc.Sec.Do("POST", "/api/v1/stakeholders", b); r.Status != 422 || apiField(t, r, field) == "" {
					t.Errorf("API organisation, %s in %s: %d %s", h.Name, field, r.Status, r.Body)
				}
			}
			r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", submitted.ID),
				`{"decision": "request_changes", "version": 1, "comment": "Add `+jsonText(h.Value)+` the decree"}`)
			if r.Status != 422 || apiField(t, r, "comment") == "" {
				t.Errorf("API review, %s: %d %s", h.Name, r.Status, r.Body)
			}
			wrote("API, " + h.Name)

			// The action editor's form, as a browser posts it.
			for field, anchor := range map[string]string{"title": "f-title", "description": "f-description",
				"evidence_url_0": "eu0", "evidence_title_0": "et0"} {
				form := url.Values{"cycle": {"2026"}, "title": {"Export licensing"}, "description": {"Under the regulation."},
					"recommendations": {"2"}, "stage": {"adopted"}, "measure": {"export_controls"}, "scope": {"national"},
					"visibility": {"public"}, "evidence_kind_0": {"law"}, "evidence_url_0": {"https://example.org/law"},
					"evidence_title_0": {"Law"}, "op": {"save"}}
				form.Set(field, map[string]string{"title": "Export " + h.Value + " licensing", "description": "Under " + h.Value + " it.",
					"evidence_url_0": "https://example.org/" + h.Value, "evidence_title_0": "Law " + h.Value}[field])
				r := sc.Member.Form("/actions", form)
				if r.Status != 422 || !strings.Contains(r.Body, `href="#`+anchor+`"`) {
					t.Errorf("form, %s in %s: %d", h.Name, field, r.Status)
				}
			}
			wrote("form, " + h.Name)

			// The same in a cell of a CSV import.
			for _, col := range []string{"title", "description", "evidence_url", "evidence_title"} {
				cells := map[string]string{"title": "Imported", "description": "Done", "evidence_url": "https://example.org/d", "evidence_title": "Decree"}
				cells[col] += h.Value
				file := apptest.CSVHeader + fmt.Sprintf("%s,%s,1,planned,advocacy,national,public,,,law,%s,%s\n",
					cells["title"], cells["description"], cells["evidence_url"], cells["evidence_title"])
				r := sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", file, "Content-Type", "text/csv")
				got := apptest.Decode[struct {
					Errors []struct {
						Line   int    `json:"line"`
						Column string `json:"column"`
					} `json:"errors"`
				}](t, r)
				if r.Status != 422 || len(got.Errors) != 1 || got.Errors[0].Line != 2 || got.Errors[0].Column != col {
					t.Errorf("CSV, %s in %s: %d %s", h.Name, col, r.Status, r.Body)
				}
			}
			wrote("CSV, " + h.Name)
		}

		// An escaped lone surrogate, which encoding/json turns into U+FFFD.
		for field, surrogate := range map[string]string{"description": `\ud800`, "evidence.0.title": `\udc00`} {
			r := sc.Member.Do("POST", "/api/v1/actions", apiFields[field](`"cycle": 2026`, surrogate))
			if r.Status != 422 || apiField(t, r, field) == "" {
				t.Errorf("API, a lone surrogate in %s: %d %s", field, r.Status, r.Body)
			}
		}
		wrote("API, lone surrogates")

		// What the rule allows goes through untouched: accents, scripts,
		// right-to-left marks, U+FFFD written as such, an escaped pair.
		r := sc.Member.Do("POST", "/api/v1/actions", apiFields["title"](`"cycle": 2026`, `Décret · 出口管制 · \u200fمرسوم \ufffd \ud83d\udd12`))
		if a := apptest.Decode[apptest.ActionJSON](t, r); r.Status != 201 || a.Title != "Export Décret · 出口管制 · \u200fمرسوم \ufffd 🔒 licensing" {
			t.Errorf("valid text: %d %s", r.Status, r.Body)
		}
	})
}

// Dates before 1900 or after 2200 are refused with the years allowed on
// every surface: the API (action, cycle, extension, cut-off and
// organisation dates), the forms (the action editor, a new cycle, an
// extension, a cut-off) and the CSV import; nothing is written.
func TestDateYearsOverHTTP(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		open, err := db.Cycle(context.Background(), 2026)
		if err != nil {
			t.Fatal(err)
		}
		before := testutil.Writes(t, db)
		for _, c := range []struct {
			client     apptest.APIClient
			path, body string
			field      string
		}{
			{sc.Member, "/api/v1/actions", strings.Replace(apptest.NewActionBody, `"2026-03-01"`, `"1899-12-31"`, 1), "starts_on"},
			{sc.Member, "/api/v1/actions", strings.Replace(apptest.NewActionBody, `"starts_on"`, `"ends_on": "2201-01-01", "starts_on"`, 1), "ends_on"},
			{sc.Sec, "/api/v1/cycles", `{"year": 2027, "opens_at": "0001-06-01", "deadline": "2027-10-01", "forum_date": "2027-11-11"}`, "opens_at"},
			{sc.Sec, "/api/v1/cycles/2026/extensions", fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "1800-10-15"}`, sc.Org.ID), "deadline"},
			{sc.Sec, "/api/v1/cycles/2026/reports", `{"cutoff_at": "1899-12-31T23:00:00Z"}`, "cutoff_at"},
			{sc.Sec, "/api/v1/stakeholders", `{"name": "Late", "kind": "company", "country": "US", "supporter_since": "2201-01-01"}`, "supporter_since"},
		} {
			r := c.client.Do("POST", c.path, c.body)
			if msg := apiField(t, r, c.field); r.Status != 422 || !strings.Contains(msg, "1900 and 2200") {
				t.Errorf("POST %s, %s: %d %s", c.path, c.field, r.Status, r.Body)
			}
		}
		r := sc.Sec.Do("PATCH", "/api/v1/cycles/2026", fmt.Sprintf(`{"version": %d, "report_at": "1850-10-20"}`, open.Version))
		if msg := apiField(t, r, "report_at"); r.Status != 422 || !strings.Contains(msg, "1900 and 2200") {
			t.Errorf("PATCH a cycle: %d %s", r.Status, r.Body)
		}

		// The forms say which years are allowed, at the field.
		for _, c := range []struct {
			client   apptest.APIClient
			path     string
			form     url.Values
			at, says string
		}{
			{sc.Member, "/actions", url.Values{"cycle": {"2026"}, "title": {"Dated"}, "recommendations": {"2"}, "stage": {"adopted"},
				"measure": {"export_controls"}, "scope": {"national"}, "visibility": {"public"}, "starts_on": {"1899-12-31"}, "op": {"save"}},
				`href="#f-starts_on"`, "between 1900 and 2200"},
			{sc.Sec, "/admin/cycles", url.Values{"year": {"2027"}, "opens_at": {"1027-06-01"}, "deadline": {"2027-10-01"},
				"forum_date": {"2027-11-11"}, "embargo": {"immediate"}}, `id="e-opens_at"`, "between 1900 and 2200"},
			{sc.Sec, "/admin/cycles/2026/extensions", url.Values{"stakeholder_id": {fmt.Sprint(sc.Org.ID)}, "deadline": {"1800-10-15"}},
				`id="e-x-date"`, "no later than the report date"},
			{sc.Sec, "/admin/cycles/2026/reports", url.Values{"cutoff_at": {"1899-12-31"}}, `id="e-cutoff"`, "from 1900 on"},
		} {
			r := c.client.Form(c.path, c.form)
			if r.Status != 422 || !strings.Contains(r.Body, c.at) || !strings.Contains(r.Body, c.says) {
				t.Errorf("form %s: %d, want %s saying %q", c.path, r.Status, c.at, c.says)
			}
		}

		// A CSV import names the line and the column.
		for col, cells := range map[string]string{"starts_on": "1899-12-31,", "ends_on": ",2201-01-01"} {
			r := sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", apptest.CSVHeader+"Dated,,1,planned,advocacy,national,public,"+cells+",,,\n",
				"Content-Type", "text/csv")
			if r.Status != 422 || !strings.Contains(r.Body, `"line":2,"column":"`+col+`"`) || !strings.Contains(r.Body, "1900 and 2200") {
				t.Errorf("CSV, %s: %d %s", col, r.Status, r.Body)
			}
		}
		if after := testutil.Writes(t, db); after != before {
			t.Fatalf("refused dates wrote: %s, then %s", before, after)
		}
	})
}

package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The compile form of a past cycle's page: it says what an empty cut-off
// means, refuses a day to come at the field with what was typed, and the
// report's page, the list of reports and its documents say the cut-off.
func TestCompileFormCutoff(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db) // 1 September 2026; 2025's Forum was on 11 November 2025
		page := sc.Sec.Do("GET", "/admin/cycles/2025", "")
		if page.Status != 200 || !strings.Contains(page.Body, `name="cutoff_at"`) || !strings.Contains(page.Body, "by the end of the Forum day, 11 November 2025") ||
			!strings.Contains(page.Body, `max="2026-09-01"`) {
			t.Fatalf("cycle page: %d %s", page.Status, page.Body)
		}
		if open := sc.Sec.Do("GET", "/admin/cycles/2026", ""); !strings.Contains(open.Body, "up to the moment you compile") {
			t.Errorf("a running cycle's page does not say the default is now")
		}

		for lang, want := range map[string]string{"en": "1 September 2026 at the latest", "fr": "le 1er septembre 2026 au plus tard"} {
			r := sc.Sec.FormIn(lang, "/admin/cycles/2025/reports", url.Values{"cutoff_at": {"2026-09-02"}})
			if r.Status != 422 || !strings.Contains(r.Body, `id="e-cutoff"`) || !strings.Contains(r.Body, want) ||
				!strings.Contains(r.Body, `value="2026-09-02" max="2026-09-01" aria-describedby="e-cutoff h-cutoff" aria-invalid="true"`) {
				t.Errorf("a cut-off to come (%s): %d %s", lang, r.Status, r.Body)
			}
		}
		if r := sc.Sec.Form("/admin/cycles/2025/reports", url.Values{"cutoff_at": {"November"}}); r.Status != 422 || !strings.Contains(r.Body, "YYYY-MM-DD") {
			t.Errorf("an unreadable cut-off: %d", r.Status)
		}

		for typed, want := range map[string][2]string{"": {"11 November 2025 at 23:59 UTC", "11\u00a0November\u00a02025 at 23:59 UTC"},
			"2025-11-01": {"1 November 2025 at 23:59 UTC", "1\u00a0November\u00a02025 at 23:59 UTC"}} {
			r := sc.Sec.Form("/admin/cycles/2025/reports", url.Values{"cutoff_at": {typed}})
			loc := r.Header.Get("Location")
			if r.Status != 303 || !strings.HasPrefix(loc, "/reports/") {
				t.Fatalf("compile with %q: %d %s", typed, r.Status, r.Body)
			}
			if p := sc.Sec.Do("GET", loc, ""); !strings.Contains(p.Body, "<dd>"+want[0]+"</dd>") {
				t.Errorf("the report's page does not say its cut-off, %s", want[0])
			}
			if list := sc.Sec.Do("GET", "/reports", ""); !strings.Contains(list.Body, "<td>"+want[0]+"</td>") {
				t.Errorf("the list of reports does not say the cut-off, %s", want[0])
			}
			if list := sc.Sec.Do("GET", "/admin/cycles/2025", ""); !strings.Contains(list.Body, "<td>"+want[0]+"</td>") {
				t.Errorf("the cycle's list of reports does not say the cut-off, %s", want[0])
			}
			for _, format := range []string{"md", "html"} {
				if doc := sc.Sec.Do("GET", "/api/v1"+loc+"/"+format, ""); !strings.Contains(doc.Body, "Cut-off") || !strings.Contains(doc.Body, want[1]) {
					t.Errorf("the %s report does not print its cut-off, %s", format, want[1])
				}
			}
		}
	})
}

// Deadline extensions on the cycle's page: a refused date comes back at
// its field with the dates allowed and what was typed; the list says who
// granted each and when; Revoke asks first, on a page that says what will
// happen, and only the confirmed POST revokes.
func TestExtensionPages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db) // 1 September 2026; the 2026 deadline is 1 October, the report date 21 October
		ctx := context.Background()
		org := fmt.Sprint(sc.Org.ID)
		grant := func(lang, deadline string) apptest.Response {
			return sc.Sec.FormIn(lang, "/admin/cycles/2026/extensions", url.Values{"stakeholder_id": {org}, "deadline": {deadline}})
		}
		for lang, want := range map[string]string{
			"en": "Choose a date after the deadline, 1 October 2026, and no later than the report date, 21 October 2026.",
			"fr": "Choisissez une date postérieure à la date limite, le 1er octobre 2026, et au plus tard la date du rapport, le 21 octobre 2026.",
		} {
			r := grant(lang, "2026-10-25")
			if r.Status != 422 || !strings.Contains(r.Body, `<p class="field-error" id="e-x-date">`+html.EscapeString(want)+`</p>`) ||
				!strings.Contains(r.Body, `value="2026-10-25" min="2026-10-02" max="2026-10-21" aria-describedby="e-x-date h-x-date" aria-invalid="true"`) ||
				!strings.Contains(r.Body, `<option value="`+org+`" selected>`) {
				t.Errorf("a date out of bounds (%s): %d %s", lang, r.Status, r.Body)
			}
		}
		if r := grant("en", "2026-10-15"); r.Status != 303 {
			t.Fatalf("grant: %d %s", r.Status, r.Body)
		}

		page := sc.Sec.Do("GET", "/admin/cycles/2026", "")
		revoke := fmt.Sprintf("/admin/cycles/2026/extensions/%d/revoke", sc.Org.ID)
		for _, want := range []string{"<th scope=\"row\">" + sc.Org.Name + "</th><td>15 October 2026</td>", "<td>sec@pc.example</td><td>1 September 2026 at 09:00 UTC</td>",
			`<form method="post" action="` + revoke + `" class="inline-form">`, `<input type="hidden" name="csrf_token"`,
			"Revoke<span class=\"visually-hidden\"> the extension of " + sc.Org.Name} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the cycle's page lacks %s", want)
			}
		}

		// The Revoke button asks first; so does its page's own address.
		for _, r := range []apptest.Response{sc.Sec.Form(revoke, url.Values{}), sc.Sec.Do("GET", revoke, "")} {
			for _, want := range []string{"Revoke this deadline extension?", ">" + sc.Org.Name + "</a> <span class=\"meta\">2026 cycle · until 15 October 2026 · granted by sec@pc.example on 1 September 2026 at 09:00 UTC</span>",
				"Its deadline goes back from 15 October 2026 to the cycle&#39;s deadline, 1 October 2026.",
				"can start and submit actions until 1 October 2026", "The audit log records the revocation", "does not tell the organisation",
				`<input type="hidden" name="confirm" value="yes">`, `<input type="hidden" name="csrf_token"`, `<form method="post" action="` + revoke + `"`,
				`class="button danger">Revoke the extension</button>`} {
				if r.Status != 200 || !strings.Contains(r.Body, want) {
					t.Errorf("the confirmation page (%d) lacks %s", r.Status, want)
				}
			}
		}
		cy, _ := sc.S.Cycles.Get(ctx, 2026)
		if _, ok, _ := db.DeadlineExtension(ctx, cy.ID, sc.Org.ID); !ok {
			t.Fatal("asking revoked the extension")
		}
		if fr := sc.Sec.Do("GET", revoke+"?lang=fr", ""); !strings.Contains(fr.Body, "Sa date limite revient du 15 octobre 2026 à celle du cycle, le 1er octobre 2026.") {
			t.Errorf("the confirmation page in French: %d", fr.Status)
		}
		sc.S.Clock.Set(time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)) // the cycle's deadline has passed
		if r := sc.Sec.Do("GET", revoke, ""); !strings.Contains(r.Body, "That day has passed: from now on its people can no longer start or submit actions for 2026") {
			t.Errorf("after the cycle's deadline the page does not say reporting closes at once")
		}
		for _, c := range []apptest.APIClient{sc.Focal, sc.Other} {
			if r := c.Form(revoke, url.Values{"confirm": {"yes"}}); r.Status != 403 {
				t.Errorf("a supporter revokes: %d", r.Status)
			}
		}
		if r := sc.Sec.Form(fmt.Sprintf("/admin/cycles/2026/extensions/%d/revoke", sc.OtherOrg.ID), url.Values{}); r.Status != 404 {
			t.Errorf("asking to revoke what was never granted: %d", r.Status)
		}

		r := sc.Sec.Form(revoke, url.Values{"confirm": {"yes"}})
		if r.Status != 303 || r.Header.Get("Location") != "/admin/cycles/2026#extensions" {
			t.Fatalf("revoke: %d %s", r.Status, r.Header.Get("Location"))
		}
		if _, ok, _ := db.DeadlineExtension(ctx, cy.ID, sc.Org.ID); ok {
			t.Error("the extension is still stored")
		}
		after := sc.Sec.Do("GET", "/admin/cycles/2026", "", "Cookie", r.Header.Get("Set-Cookie"))
		if !strings.Contains(after.Body, "The extension is revoked") || !strings.Contains(after.Body, "No organisation has an extension in this cycle.") {
			t.Errorf("after revoking: %s", after.Body)
		}
		// A second click finds nothing to revoke, and says so.
		again := sc.Sec.Form(revoke, url.Values{"confirm": {"yes"}})
		if page := sc.Sec.Do("GET", "/admin/cycles/2026", "", "Cookie", again.Header.Get("Set-Cookie")); again.Status != 303 ||
			!strings.Contains(page.Body, "someone revoked it already") {
			t.Errorf("revoking twice: %d", again.Status)
		}
		if entries, _, _ := db.AuditEntries(ctx, audit.Filter{Verb: "cycle.revoke_extension"}); len(entries) != 1 {
			t.Errorf("revocations audited: %d, want 1", len(entries))
		}
	})
}

// The cycle's page sets its evidence rule, in English and French: a new
// cycle requires evidence; the secretariat turns it off (changing only
// that), the change is audited, and an unknown value is a field error.
func TestCycleEvidenceRulePage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		for lang, want := range map[string]string{"en": "Only actions that cite at least one evidence link are accepted", "fr": "Seules les actions qui citent au moins un justificatif sont acceptées"} {
			page := sc.Sec.Do("GET", "/admin/cycles/2026", "", "Accept-Language", lang)
			if page.Status != 200 || !strings.Contains(page.Body, `name="evidence" value="required" checked`) || !strings.Contains(page.Body, want) {
				t.Errorf("%s: the cycle's page does not show the rule: %d", lang, page.Status)
			}
		}
		if page := sc.Sec.Do("GET", "/admin/cycles", ""); !strings.Contains(page.Body, `name="evidence" value="required" checked`) {
			t.Errorf("the new cycle's form does not start with evidence required")
		}
		before, _ := sc.S.Cycles.Get(ctx, 2026)
		form := url.Values{"version": {fmt.Sprint(before.Version)}}
		for k, v := range map[string]string{"opens_at": "2026-06-01", "deadline": "2026-10-01", "report_at": "2026-10-21", "forum_date": "2026-11-11", "embargo": string(before.Embargo)} {
			form.Set(k, v)
			form.Set("orig_"+k, v)
		}
		form.Set("orig_evidence", "required")
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("evidence", "sometimes")
		if r := sc.Sec.FormIn("fr", "/admin/cycles/2026", bad); r.Status != 422 || !strings.Contains(r.Body, "indiquez si l&#39;acceptation exige un justificatif") {
			t.Errorf("an unknown rule: %d", r.Status)
		}
		form.Set("evidence", "optional")
		if r := sc.Sec.Form("/admin/cycles/2026", form); r.Status != 303 {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		after, _ := sc.S.Cycles.Get(ctx, 2026)
		if after.Evidence != "optional" || after.ForumDate != before.ForumDate || after.Deadline != before.Deadline {
			t.Errorf("after the save: %+v, before %+v", after, before)
		}
		entries, _, _ := db.AuditEntries(ctx, audit.Filter{Verb: "cycle.update"})
		if len(entries) != 1 || entries[0].Details["evidence"] != "optional" {
			t.Errorf("the change is not audited: %+v", entries)
		}
	})
}

package ui_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The secretariat sets a level from the action's page: a refusal comes
// back with the note typed and the problem named, in the page's language;
// the public page then shows the level, its date and its note, and the
// public list filters by it.
func TestAssurancePages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		a := sc.LastYearAction
		page := fmt.Sprintf("/actions/%d", a.ID)
		form := sc.Sec.Do("GET", page, "").Body
		if !strings.Contains(form, `action="/actions/`+fmt.Sprint(a.ID)+`/assurance"`) || strings.Contains(form, `value="independently_verified"`) {
			t.Fatalf("the secretariat's page has no assurance form, or offers verification without a reviewer")
		}
		if own := sc.Focal.Do("GET", page, "").Body; strings.Contains(own, "/assurance\"") || !strings.Contains(own, "Self-declared") {
			t.Errorf("the organisation's page: a form, or no level")
		}
		r := sc.Sec.FormIn("fr", page+"/assurance", url.Values{"version": {fmt.Sprint(a.Version)}, "level": {"evidence_checked"}, "note": {""}})
		if r.Status != 422 || !strings.Contains(r.Body, "Indiquez ce qui a été vérifié") || !strings.Contains(r.Body, `id="as-level-evidence_checked" name="level" value="evidence_checked" checked`) {
			t.Errorf("refused without a note: %d", r.Status)
		}
		const note = "Le décret est publié au Journal officiel <b>du 3 mars</b>."
		r = sc.Sec.Form(page+"/assurance", url.Values{"version": {fmt.Sprint(a.Version - 1)}, "level": {"evidence_checked"}, "note": {note}})
		if r.Status != 422 || !strings.Contains(r.Body, "This action changed meanwhile") || !strings.Contains(r.Body, "du 3 mars&lt;/b&gt;") {
			t.Errorf("a stale version: %d, the note kept and escaped?", r.Status)
		}
		r = sc.Sec.Form(page+"/assurance", url.Values{"version": {fmt.Sprint(a.Version)}, "level": {"evidence_checked"}, "note": {note}})
		if r.Status != 303 || apptest.FlashOf(r) != "flash_assurance_set" {
			t.Fatalf("set: %d %s", r.Status, r.Body)
		}
		anon := apptest.APIClient{T: t, Base: sc.TS}
		public := anon.Do("GET", page, "")
		for _, want := range []string{"Evidence checked", "since 1 September 2026", "The secretariat checked that the evidence supports the claim.", "du 3 mars&lt;/b&gt;"} {
			if !strings.Contains(public.Body, want) {
				t.Errorf("the public page lacks %q", want)
			}
		}
		if fr := anon.Do("GET", page, "", "Accept-Language", "fr").Body; !strings.Contains(fr, "Justificatifs vérifiés") {
			t.Errorf("the French public page lacks the level")
		}
		list := anon.Do("GET", "/actions?assurance=evidence_checked", "").Body
		if !strings.Contains(list, a.Title) || !strings.Contains(list, `<option value="evidence_checked" selected>`) {
			t.Errorf("the public list filtered by level")
		}
		if r := anon.Do("GET", "/actions?assurance=maybe", ""); r.Status != 422 || !strings.Contains(r.Body, "assurance") {
			t.Errorf("an unknown level in the list's filter: %d", r.Status)
		}
	})
}

// A reviewer organisation's person confirms an action from its public
// page: the form refuses a confirmation without its own evidence, keeping
// the note, then the action is independently verified and the public
// page names the reviewer. Nobody else is offered the form.
func TestConfirmationPages(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		lab, labOrg := sc.Reviewer(t, stakeholder.Academia, "analyst@lab.example")
		a := sc.LastYearAction
		page := fmt.Sprintf("/actions/%d", a.ID)
		if p := lab.Do("GET", page, "").Body; !strings.Contains(p, `href="`+page+`/confirm"`) {
			t.Errorf("the reviewer is not offered to confirm")
		}
		for name, c := range map[string]apptest.APIClient{"the organisation": sc.Focal, "another supporter": sc.Other, "the secretariat": sc.Sec} {
			if p := c.Do("GET", page, "").Body; strings.Contains(p, page+"/confirm") {
				t.Errorf("%s is offered to confirm", name)
			}
			if r := c.Do("GET", page+"/confirm", ""); r.Status != 403 {
				t.Errorf("%s opens the form: %d", name, r.Status)
			}
		}
		if r := lab.Do("GET", page+"/confirm", ""); r.Status != 200 || !strings.Contains(r.Body, `name="version" value="`+fmt.Sprint(a.Version)+`"`) {
			t.Fatalf("the form: %d", r.Status)
		}
		r := lab.FormIn("fr", page+"/confirm", url.Values{"version": {fmt.Sprint(a.Version)}, "note": {"Notre audit du registre <b>le confirme</b>."}})
		if r.Status != 422 || !strings.Contains(r.Body, "Donnez au moins un lien à vous") || !strings.Contains(r.Body, "le confirme&lt;/b&gt;") {
			t.Errorf("without evidence: %d", r.Status)
		}
		r = lab.Form(page+"/confirm", url.Values{"version": {fmt.Sprint(a.Version)}, "note": {"Our audit of the register confirms it."},
			"evidence_kind_0": {"report"}, "evidence_url_0": {"https://lab.example.org/audit"}, "evidence_title_0": {"Audit"}})
		if r.Status != 303 || apptest.FlashOf(r) != "flash_action_confirmed" {
			t.Fatalf("confirm: %d %s", r.Status, r.Body)
		}
		public := apptest.APIClient{T: t, Base: sc.TS}.Do("GET", page, "").Body
		for _, want := range []string{"Independently verified", labOrg.Name, "Our audit of the register confirms it."} {
			if !strings.Contains(public, want) {
				t.Errorf("the public page lacks %q", want)
			}
		}
	})
}

package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/web"
)

// One entry for each sentence the log can tell.
func sampleEntries() []audit.Entry {
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	e := func(actorID int64, verb, typ string, id any, details map[string]any) audit.Entry {
		return audit.New(actorID, "sec@pc.example", verb, typ, id, details, at)
	}
	org := map[string]any{"stakeholder_id": 3.0}
	var out []audit.Entry
	for _, v := range []string{"create", "update", "submitted", "reconfirmed", "accepted", "changes_requested", "withdrawn", "reopened", "delete", "assurance", "verified", "challenge"} {
		out = append(out, e(7, "action."+v, "action", 335, map[string]any{"stakeholder_id": 3.0, "comment": "Link it.", "title": "Export rule"}))
	}
	out = append(out,
		e(8, "action.import", "cycle", 2026, map[string]any{"stakeholder_id": 3.0, "imported": 12.0}),
		e(7, "user.create", "user", 8, map[string]any{"stakeholder_id": 3.0, "org_role": "focal_point"}),
		e(0, "user.create", "user", 7, map[string]any{"stakeholder_id": 0.0}),
		e(7, "user.invite", "user", 8, map[string]any{"stakeholder_id": 3.0, "org_role": "member"}),
		e(7, "user.invite", "user", 9, map[string]any{"stakeholder_id": 0.0}),
		e(7, "user.invite.existing", "user", 8, map[string]any{"stakeholder_id": 3.0, "org_role": "member"}),
		e(7, "user.invite.existing", "user", 9, map[string]any{"stakeholder_id": 0.0}),
		e(8, "user.invite.password", "user", 8, nil),
		e(8, "user.reset.password", "user", 8, nil),
		e(8, "user.reset.request", "user", 8, nil),
		e(7, "user.two_step.wrong_code", "user", 7, map[string]any{"ip": "192.0.2.1"}),
		e(7, "user.two_step.wrong_code", "user", 7, nil),
		e(7, "user.two_step.enrol", "user", 7, nil),
		e(7, "user.two_step.recovery_code", "user", 7, map[string]any{"left": 9.0}),
		e(7, "user.two_step.recovery_codes", "user", 7, nil),
		e(8, "user.preferences", "user", 8, map[string]any{"lang": "fr"}),
		e(0, "user.two_step.reset", "user", 7, nil),
		e(8, "token.create", "user", 8, map[string]any{"name": "CI"}),
		e(0, "token.create", "user", 8, map[string]any{"name": "CI"}),
		e(8, "token.revoke", "user", 8, map[string]any{"token_id": 4.0}),
		e(7, "stakeholder.create", "stakeholder", 3, org),
		e(8, "challenge.filed", "challenge", 4, map[string]any{"action_id": 335.0, "stakeholder_id": 3.0, "reviewer_id": 3.0}),
		e(7, "challenge.inadmissible", "challenge", 4, map[string]any{"action_id": 335.0, "stakeholder_id": 3.0, "reviewer_id": 3.0, "reason": "No finding named."}),
		e(7, "challenge.opened", "challenge", 4, map[string]any{"action_id": 335.0, "stakeholder_id": 3.0, "reviewer_id": 3.0}),
		e(8, "challenge.replied", "challenge", 4, map[string]any{"action_id": 335.0, "stakeholder_id": 3.0, "reviewer_id": 3.0}),
		e(7, "challenge.decided", "challenge", 4, map[string]any{"action_id": 335.0, "stakeholder_id": 3.0, "reviewer_id": 3.0}),
		e(7, "challenge.published", "challenge", 4, map[string]any{"action_id": 335.0, "stakeholder_id": 3.0, "reviewer_id": 3.0}),
		e(7, "stakeholder.update", "stakeholder", 3, org),
		e(7, "stakeholder.reviewer", "stakeholder", 3, map[string]any{"reviewer": true, "since": "2026-09-01T00:00:00Z", "until": "2027-06-30T00:00:00Z"}),
		e(7, "stakeholder.reviewer", "stakeholder", 3, map[string]any{"reviewer": true, "since": "2026-09-01T00:00:00Z", "until": nil}),
		e(7, "stakeholder.reviewer", "stakeholder", 3, map[string]any{"reviewer": false, "since": nil, "until": nil}),
		e(8, "action.provision_added", "action", 335, map[string]any{"framework": "pall-mall-states", "provision": "2.a.i", "kind": "declared"}),
		e(7, "action.provision_removed", "action", 335, map[string]any{"framework": "un-gge-2015", "provision": "13(j)", "kind": "derived", "reason": "Not about reporting."}),
		e(7, "framework.update", "framework", "un-gge-2015", map[string]any{"version": 2.0}),
		e(7, "provision.update", "provision", "un-gge-2015 13(c)", map[string]any{"version": 3.0}),
		e(0, "crosswalk.import", "crosswalk", "5f9e6f816878", map[string]any{"frameworks": 7.0, "provisions": 48.0}),
		e(7, "cycle.create", "cycle", 2026, nil),
		e(7, "cycle.update", "cycle", 2026, nil),
		e(7, "reminder.resend", "stakeholder", 3, map[string]any{"organisation": "France", "cycle": 2026.0}),
		e(7, "cycle.extend", "cycle", 2026, map[string]any{"stakeholder_id": 3.0, "deadline": "2026-10-15T00:00:00Z"}),
		e(7, "cycle.revoke_extension", "cycle", 2026, map[string]any{"stakeholder_id": 3.0, "deadline": "2026-10-15T00:00:00Z"}),
		e(0, "report.compile", "report", 12, map[string]any{"cycle": 2026.0, "actions": 41.0}),
		e(7, "report.publish", "report", 12, map[string]any{"cycle": 2026.0}),
		e(7, "release.publish", "release", 4, map[string]any{"version": "2026.1", "report": 12.0, "actions": 41.0}),
		e(7, "release.doi", "release", 4, map[string]any{"version": "2026.1", "doi": "10.12345/pct.2026.1", "was": ""}),
		e(0, "job.run", "job", "housekeeping", nil),
		e(7, "note.add", "action", 335, nil),
		e(7, "note.add", "report", 12, nil),
		e(7, "note.add", "cycle", 2026, nil),
		e(7, "note.add", "stakeholder", 3, nil),
		e(7, "note.add", "user", 8, nil),
		e(0, "test.effect", "", "", nil),
	)
	return out
}

// Every sentence exists in both languages, names each of its parts, and
// the catalogues hold no sentence the log cannot tell.
func TestAuditSentencesInBothLanguages(t *testing.T) {
	r, err := newRenderer(web.Templates(), web.I18n(), nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{renderer: r}
	names := audit.Names{People: map[int64]audit.PersonName{7: {Name: "Camille Martin"}, 8: {Name: "Élodie Durand", OrgID: 3}},
		Organisations: map[int64]string{3: "France"}, Actions: map[int64]audit.ActionName{335: {Title: "Export rule", OrgID: 3}},
		Reports: map[int64]audit.ReportName{12: {Year: 2026}}}
	told := map[string]bool{}
	for _, lang := range []string{"en", "fr"} {
		for _, l := range audit.Describes(sampleEntries(), names) {
			told["audit_s_"+strings.ReplaceAll(l.Sentence.Key, ".", "_")] = true
			var text strings.Builder
			parts := 0
			for _, s := range h.tell(lang, l) {
				text.WriteString(s.Text)
				if s.Part {
					parts++
				}
			}
			got := text.String()
			if r.tr[lang]("audit_s_"+strings.ReplaceAll(l.Sentence.Key, ".", "_")) == "audit_s_"+strings.ReplaceAll(l.Sentence.Key, ".", "_") ||
				strings.Contains(got, "no value") || strings.ContainsAny(got, partOpen+partClose) || strings.Contains(got, "audit_") {
				t.Errorf("%s %s: %q", lang, l.Verb, got)
			}
			if parts != len(l.Sentence.Slots) {
				t.Errorf("%s %s: %d parts shown of %d: %q", lang, l.Verb, parts, len(l.Sentence.Slots), got)
			}
		}
	}
	for key := range keys(t, "en") {
		if strings.HasPrefix(key, "audit_s_") && !told[key] {
			t.Errorf("%s is in the catalogue, but no entry tells it", key)
		}
	}
}

// The words and the parts of a sentence come apart again wherever the
// language puts them, and a part's own text is never read as a mark.
func TestTellLinks(t *testing.T) {
	r, err := newRenderer(web.Templates(), web.I18n(), nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{renderer: r}
	names := audit.Names{People: map[int64]audit.PersonName{7: {Name: "Camille Martin"}},
		Organisations: map[int64]string{3: "France"}, Actions: map[int64]audit.ActionName{335: {Title: "Export " + partOpen + "Org" + partClose + " <rule>", OrgID: 3}}}
	l := audit.Describes([]audit.Entry{audit.New(7, "sec@pc.example", "action.accepted", "action", 335,
		map[string]any{"stakeholder_id": 3.0}, time.Now())}, names)[0]
	want := map[string][]segment{
		"en": {{Text: "Camille Martin", Part: true, Record: true}, {Text: " accepted action "},
			{Text: "#335 “Export \ue000Org\ue001 <rule>”", Href: "/actions/335", Part: true, Record: true}, {Text: " of "},
			{Text: "France", Href: "/admin/organisations/3", Part: true, Record: true}},
		"fr": {{Text: "Camille Martin", Part: true, Record: true}, {Text: " a accepté l'action "},
			{Text: "n°\u00a0335 «\u00a0Export \ue000Org\ue001 <rule>\u00a0»", Href: "/actions/335", Part: true, Record: true}, {Text: " de "},
			{Text: "France", Href: "/admin/organisations/3", Part: true, Record: true}},
	}
	for lang, w := range want {
		got := h.tell(lang, l)
		if len(got) != len(w) {
			t.Fatalf("%s: %+v", lang, got)
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s %d: %+v, want %+v", lang, i, got[i], w[i])
			}
		}
	}
}

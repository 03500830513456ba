package app

import (
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// formIn posts a page's form as form does, asking for the page in lang.
func (c apiClient) formIn(lang, path string, v url.Values) response {
	c.t.Helper()
	return c.do("POST", path, v.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Accept-Language", lang)
}

// The compile form of a past cycle's page: it says what an empty cut-off
// means, refuses a day to come at the field with what was typed, and the
// report's page, the list of reports and its documents say the cut-off.
func TestCompileFormCutoff(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db) // 1 September 2026; 2025's Forum was on 11 November 2025
		page := sc.sec.do("GET", "/admin/cycles/2025", "")
		if page.status != 200 || !strings.Contains(page.body, `name="cutoff_at"`) || !strings.Contains(page.body, "by the end of the Forum day, 11 November 2025") ||
			!strings.Contains(page.body, `max="2026-09-01"`) {
			t.Fatalf("cycle page: %d %s", page.status, page.body)
		}
		if open := sc.sec.do("GET", "/admin/cycles/2026", ""); !strings.Contains(open.body, "up to the moment you compile") {
			t.Errorf("a running cycle's page does not say the default is now")
		}

		for lang, want := range map[string]string{"en": "1 September 2026 at the latest", "fr": "le 1er septembre 2026 au plus tard"} {
			r := sc.sec.formIn(lang, "/admin/cycles/2025/reports", url.Values{"cutoff_at": {"2026-09-02"}})
			if r.status != 422 || !strings.Contains(r.body, `id="e-cutoff"`) || !strings.Contains(r.body, want) ||
				!strings.Contains(r.body, `value="2026-09-02" max="2026-09-01" aria-describedby="e-cutoff h-cutoff" aria-invalid="true"`) {
				t.Errorf("a cut-off to come (%s): %d %s", lang, r.status, r.body)
			}
		}
		if r := sc.sec.form("/admin/cycles/2025/reports", url.Values{"cutoff_at": {"November"}}); r.status != 422 || !strings.Contains(r.body, "YYYY-MM-DD") {
			t.Errorf("an unreadable cut-off: %d", r.status)
		}

		for typed, want := range map[string][2]string{"": {"11 November 2025 at 23:59 UTC", "2025-11-11 23:59 UTC"},
			"2025-11-01": {"1 November 2025 at 23:59 UTC", "2025-11-01 23:59 UTC"}} {
			r := sc.sec.form("/admin/cycles/2025/reports", url.Values{"cutoff_at": {typed}})
			loc := r.header.Get("Location")
			if r.status != 303 || !strings.HasPrefix(loc, "/reports/") {
				t.Fatalf("compile with %q: %d %s", typed, r.status, r.body)
			}
			if p := sc.sec.do("GET", loc, ""); !strings.Contains(p.body, "<dd>"+want[0]+"</dd>") {
				t.Errorf("the report's page does not say its cut-off, %s", want[0])
			}
			if list := sc.sec.do("GET", "/reports", ""); !strings.Contains(list.body, "<td>"+want[0]+"</td>") {
				t.Errorf("the list of reports does not say the cut-off, %s", want[0])
			}
			if list := sc.sec.do("GET", "/admin/cycles/2025", ""); !strings.Contains(list.body, "<td>"+want[0]+"</td>") {
				t.Errorf("the cycle's list of reports does not say the cut-off, %s", want[0])
			}
			for _, format := range []string{"md", "html"} {
				if doc := sc.sec.do("GET", "/api/v1"+loc+"/"+format, ""); !strings.Contains(doc.body, "Cut-off") || !strings.Contains(doc.body, want[1]) {
					t.Errorf("the %s report does not print its cut-off, %s", format, want[1])
				}
			}
		}
	})
}

package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

type reportJSON struct {
	ID        int64
	Cycle     int
	Status    string
	Page      string
	Documents []struct {
		Format, Lang, URL, SHA256 string
		Size                      int
	}
}

// The report over the API: the secretariat compiles a draft that only it
// can read, publishes it, and then everyone downloads the stored documents,
// whose SHA-256 is what the API said.
func TestReportsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		anon := apiClient{t: t, base: sc.ts}

		for _, c := range []struct {
			client apiClient
			body   string
			status int
			want   string
		}{
			{anon, "", 401, "sign in"},
			{sc.focal, "", 403, "secretariat"},
			{sc.sec, `{"cutoff_at": "yesterday"}`, 422, `"cutoff_at"`},
			{sc.sec, `{"cutoff_at": "2030-01-01T00:00:00Z"}`, 422, "future"},
			{sc.sec, `{"cut_off": "2026-01-01T00:00:00Z"}`, 400, `"cut_off"`},
		} {
			if r := c.client.do("POST", "/api/v1/cycles/2025/reports", c.body); r.status != c.status || !strings.Contains(r.body, c.want) {
				t.Errorf("compile %q: %d %s, want %d %q", c.body, r.status, r.body, c.status, c.want)
			}
		}
		if r := sc.sec.do("POST", "/api/v1/cycles/2031/reports", ""); r.status != 404 {
			t.Errorf("a cycle that does not exist: %d %s", r.status, r.body)
		}
		r := sc.sec.do("POST", "/api/v1/cycles/2025/reports", `{"cutoff_at": "2026-09-01T09:00:00Z"}`)
		draft := decode[reportJSON](t, r)
		if r.status != 201 || draft.Status != "draft" || draft.Cycle != 2025 || len(draft.Documents) != 12 || r.header.Get("Location") == "" {
			t.Fatalf("compile: %d %s", r.status, r.body)
		}
		path := fmt.Sprintf("/api/v1/reports/%d", draft.ID)

		// A draft is the secretariat's alone.
		for _, c := range []apiClient{anon, sc.focal} {
			if r := c.do("GET", path, ""); r.status != 404 {
				t.Errorf("a draft seen by a non-secretariat caller: %d", r.status)
			}
			if r := c.do("GET", path+"/csv", ""); r.status != 404 {
				t.Errorf("a draft downloaded by a non-secretariat caller: %d", r.status)
			}
			if r := c.do("GET", "/api/v1/reports?cycle=2025", ""); !strings.Contains(r.body, `"total":0`) {
				t.Errorf("a draft listed for a non-secretariat caller: %s", r.body)
			}
		}
		if r := sc.sec.do("GET", "/api/v1/reports?cycle=2025", ""); !strings.Contains(r.body, `"total":1`) {
			t.Errorf("the secretariat's list: %s", r.body)
		}
		r = sc.sec.do("GET", path+"/csv?lang=fr", "")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.body, "Organisation") ||
			!strings.Contains(r.header.Get("Content-Disposition"), "paris-call-progress-report-2025-fr.csv") || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("draft CSV: %d %v %.200s", r.status, r.header, r.body)
		}
		// The HTML report is served with a policy that allows its own
		// stylesheet, by hash, and nothing else.
		if r := sc.sec.do("GET", path+"/html", ""); !strings.Contains(r.header.Get("Content-Security-Policy"), "style-src 'sha256-") ||
			strings.Contains(r.header.Get("Content-Security-Policy"), "unsafe") || !strings.Contains(r.body, "<style>") {
			t.Errorf("HTML report policy: %q", r.header.Get("Content-Security-Policy"))
		}
		if r := sc.sec.do("GET", path+"/pdf", ""); r.status != 503 || !strings.Contains(r.body, "report.chromium") {
			t.Errorf("PDF without Chromium: %d %s", r.status, r.body)
		}
		if r := sc.sec.do("GET", path+"/docx", ""); r.status != 422 || !strings.Contains(r.body, `"format"`) {
			t.Errorf("unknown format: %d %s", r.status, r.body)
		}
		if r := sc.sec.do("GET", path+"/csv?lang=de", ""); r.status != 422 || !strings.Contains(r.body, `"lang"`) {
			t.Errorf("unknown language: %d %s", r.status, r.body)
		}

		// Publishing is the secretariat's; then the report is public.
		if r := sc.focal.do("POST", path+"/publish", ""); r.status != 403 {
			t.Errorf("a focal point publishes: %d", r.status)
		}
		r = sc.sec.do("POST", path+"/publish", "")
		pub := decode[reportJSON](t, r)
		if r.status != 200 || pub.Status != "published" {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		stored := 0
		for _, d := range pub.Documents {
			if d.SHA256 == "" {
				if d.Format != "pdf" {
					t.Errorf("document without checksum: %+v", d)
				}
				continue
			}
			stored++
			got := anon.do("GET", strings.TrimPrefix(d.URL, sc.ts), "")
			sum := sha256.Sum256([]byte(got.body))
			if got.status != 200 || hex.EncodeToString(sum[:]) != d.SHA256 || got.header.Get("ETag") != `"`+d.SHA256+`"` {
				t.Errorf("%s %s: %d, sha256 %x, want %s", d.Format, d.Lang, got.status, sum, d.SHA256)
			}
			if again := anon.do("GET", d.URL, "", "If-None-Match", `"`+d.SHA256+`"`); again.status != 304 {
				t.Errorf("%s %s revalidated: %d", d.Format, d.Lang, again.status)
			}
		}
		if stored != 10 {
			t.Errorf("stored documents: %d, want 10", stored)
		}
		if r := anon.do("GET", "/api/v1/reports?cycle=2025", ""); !strings.Contains(r.body, `"total":1`) {
			t.Errorf("the published report is listed for everyone: %s", r.body)
		}
		if r := sc.sec.do("POST", path+"/publish", ""); r.status != 409 {
			t.Errorf("publish twice: %d %s", r.status, r.body)
		}
		if r := anon.do("GET", "/api/v1/schemas/report.json", ""); r.status != 200 || !strings.Contains(r.body, "2020-12") {
			t.Errorf("schema: %d", r.status)
		}
	})
}

// The cut-off of a draft over the API: by default the end of the Forum day
// for a past cycle and now for a running one; a date counts to its end
// (today's, to now); a cut-off in the future is a field error.
func TestReportCutoffAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db) // 1 September 2026, 09:00; 2025's Forum was on 11 November 2025
		type cutJSON struct {
			ID       int64  `json:"id"`
			CutoffAt string `json:"cutoff_at"`
		}
		for _, c := range []struct {
			year       int
			body, want string
		}{
			{2025, "", "2025-11-11T23:59:59Z"},
			{2025, `{}`, "2025-11-11T23:59:59Z"},
			{2025, `{"cutoff_at": "2025-11-01"}`, "2025-11-01T23:59:59Z"},
			{2025, `{"cutoff_at": "2026-09-01"}`, "2026-09-01T09:00:00Z"},
			{2025, `{"cutoff_at": "2026-08-31T12:00:00.9+02:00"}`, "2026-08-31T10:00:00Z"},
			{2026, "", "2026-09-01T09:00:00Z"},
		} {
			r := sc.sec.do("POST", fmt.Sprintf("/api/v1/cycles/%d/reports", c.year), c.body)
			got := decode[cutJSON](t, r)
			if r.status != 201 || got.CutoffAt != c.want {
				t.Errorf("%d %s: %d %s, want the cut-off %s", c.year, c.body, r.status, r.body, c.want)
				continue
			}
			if r := sc.sec.do("GET", fmt.Sprintf("/api/v1/reports/%d", got.ID), ""); !strings.Contains(r.body, `"cutoff_at":"`+c.want+`"`) {
				t.Errorf("the report read back: %s", r.body)
			}
		}
		for _, body := range []string{`{"cutoff_at": "2026-09-02"}`, `{"cutoff_at": "2026-09-01T09:00:01Z"}`} {
			r := sc.sec.do("POST", "/api/v1/cycles/2025/reports", body)
			if r.status != 422 || !strings.Contains(fieldErrors(t, r)["cutoff_at"], "future") {
				t.Errorf("%s: %d %s", body, r.status, r.body)
			}
		}
	})
}

// errorJSON is the error answer of the API.
type errorJSON struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// fieldErrors reads the field errors of an API answer.
func fieldErrors(t *testing.T, r response) map[string]string {
	return decode[errorJSON](t, r).Error.Fields
}

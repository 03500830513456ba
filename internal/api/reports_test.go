package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The report over the API: the secretariat compiles a draft that only it
// can read, publishes it, and then everyone downloads the stored documents,
// whose SHA-256 is what the API said.
func TestReportsAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}

		for _, c := range []struct {
			client apptest.APIClient
			body   string
			status int
			want   string
		}{
			{anon, "", 401, "sign in"},
			{sc.Focal, "", 403, "secretariat"},
			{sc.Sec, `{"cutoff_at": "yesterday"}`, 422, `"cutoff_at"`},
			{sc.Sec, `{"cutoff_at": "2030-01-01T00:00:00Z"}`, 422, "future"},
			{sc.Sec, `{"cut_off": "2026-01-01T00:00:00Z"}`, 400, `"cut_off"`},
		} {
			if r := c.client.Do("POST", "/api/v1/cycles/2025/reports", c.body); r.Status != c.status || !strings.Contains(r.Body, c.want) {
				t.Errorf("compile %q: %d %s, want %d %q", c.body, r.Status, r.Body, c.status, c.want)
			}
		}
		if r := sc.Sec.Do("POST", "/api/v1/cycles/2031/reports", ""); r.Status != 404 {
			t.Errorf("a cycle that does not exist: %d %s", r.Status, r.Body)
		}
		r := sc.Sec.Do("POST", "/api/v1/cycles/2025/reports", `{"cutoff_at": "2026-09-01T09:00:00Z"}`)
		draft := apptest.Decode[apptest.ReportJSON](t, r)
		if r.Status != 201 || draft.Status != "draft" || draft.Cycle != 2025 || len(draft.Documents) != 12 || r.Header.Get("Location") == "" {
			t.Fatalf("compile: %d %s", r.Status, r.Body)
		}
		path := fmt.Sprintf("/api/v1/reports/%d", draft.ID)

		// A draft is the secretariat's alone.
		for _, c := range []apptest.APIClient{anon, sc.Focal} {
			if r := c.Do("GET", path, ""); r.Status != 404 {
				t.Errorf("a draft seen by a non-secretariat caller: %d", r.Status)
			}
			if r := c.Do("GET", path+"/csv", ""); r.Status != 404 {
				t.Errorf("a draft downloaded by a non-secretariat caller: %d", r.Status)
			}
			if r := c.Do("GET", "/api/v1/reports?cycle=2025", ""); !strings.Contains(r.Body, `"total":0`) {
				t.Errorf("a draft listed for a non-secretariat caller: %s", r.Body)
			}
		}
		if r := sc.Sec.Do("GET", "/api/v1/reports?cycle=2025", ""); !strings.Contains(r.Body, `"total":1`) {
			t.Errorf("the secretariat's list: %s", r.Body)
		}
		r = sc.Sec.Do("GET", path+"/csv?lang=fr", "")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Body, "Organisation") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "paris-call-progress-report-2025-fr.csv") || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("draft CSV: %d %v %.200s", r.Status, r.Header, r.Body)
		}
		// The HTML report is served with a policy that allows its own
		// stylesheet, by hash, and nothing else.
		if r := sc.Sec.Do("GET", path+"/html", ""); !strings.Contains(r.Header.Get("Content-Security-Policy"), "style-src 'sha256-") ||
			strings.Contains(r.Header.Get("Content-Security-Policy"), "unsafe") || !strings.Contains(r.Body, "<style>") {
			t.Errorf("HTML report policy: %q", r.Header.Get("Content-Security-Policy"))
		}
		// Documents the draft cannot be had as: each answer says why.
		for _, c := range []struct {
			name, doc string
			status    int
			want      string
		}{
			{"PDF without Chromium", "/pdf", 503, "report.chromium"},
			{"unknown format", "/docx", 422, `"format"`},
			{"unknown language", "/csv?lang=de", 422, `"lang"`},
		} {
			t.Run(c.name, func(t *testing.T) {
				if r := sc.Sec.For(t).Do("GET", path+c.doc, ""); r.Status != c.status || !strings.Contains(r.Body, c.want) {
					t.Errorf("GET %s: %d %s, want %d %q", c.doc, r.Status, r.Body, c.status, c.want)
				}
			})
		}

		// Publishing is the secretariat's; then the report is public.
		if r := sc.Focal.Do("POST", path+"/publish", ""); r.Status != 403 {
			t.Errorf("a focal point publishes: %d", r.Status)
		}
		r = sc.Sec.Do("POST", path+"/publish", "")
		pub := apptest.Decode[apptest.ReportJSON](t, r)
		if r.Status != 200 || pub.Status != "published" {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
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
			got := anon.Do("GET", strings.TrimPrefix(d.URL, sc.TS), "")
			sum := sha256.Sum256([]byte(got.Body))
			if got.Status != 200 || hex.EncodeToString(sum[:]) != d.SHA256 || got.Header.Get("ETag") != `"`+d.SHA256+`"` {
				t.Errorf("%s %s: %d, sha256 %x, want %s", d.Format, d.Lang, got.Status, sum, d.SHA256)
			}
			if again := anon.Do("GET", d.URL, "", "If-None-Match", `"`+d.SHA256+`"`); again.Status != 304 {
				t.Errorf("%s %s revalidated: %d", d.Format, d.Lang, again.Status)
			}
		}
		if stored != 10 {
			t.Errorf("stored documents: %d, want 10", stored)
		}
		if r := anon.Do("GET", "/api/v1/reports?cycle=2025", ""); !strings.Contains(r.Body, `"total":1`) {
			t.Errorf("the published report is listed for everyone: %s", r.Body)
		}
		if r := sc.Sec.Do("POST", path+"/publish", ""); r.Status != 409 {
			t.Errorf("publish twice: %d %s", r.Status, r.Body)
		}
		if r := anon.Do("GET", "/api/v1/schemas/report.json", ""); r.Status != 200 || !strings.Contains(r.Body, "2020-12") {
			t.Errorf("schema: %d", r.Status)
		}
	})
}

// The cut-off of a draft over the API: by default the end of the Forum day
// for a past cycle and now for a running one; a date counts to its end
// (today's, to now); a cut-off in the future is a field error.
func TestReportCutoffAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db) // 1 September 2026, 09:00; 2025's Forum was on 11 November 2025
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
			r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/cycles/%d/reports", c.year), c.body)
			got := apptest.Decode[cutJSON](t, r)
			if r.Status != 201 || got.CutoffAt != c.want {
				t.Errorf("%d %s: %d %s, want the cut-off %s", c.year, c.body, r.Status, r.Body, c.want)
				continue
			}
			if r := sc.Sec.Do("GET", fmt.Sprintf("/api/v1/reports/%d", got.ID), ""); !strings.Contains(r.Body, `"cutoff_at":"`+c.want+`"`) {
				t.Errorf("the report read back: %s", r.Body)
			}
		}
		for _, body := range []string{`{"cutoff_at": "2026-09-02"}`, `{"cutoff_at": "2026-09-01T09:00:01Z"}`} {
			r := sc.Sec.Do("POST", "/api/v1/cycles/2025/reports", body)
			if r.Status != 422 || !strings.Contains(fieldErrors(t, r)["cutoff_at"], "future") {
				t.Errorf("%s: %d %s", body, r.Status, r.Body)
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
func fieldErrors(t *testing.T, r apptest.Response) map[string]string {
	return apptest.Decode[errorJSON](t, r).Error.Fields
}

package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/api"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// publishedRelease compiles and publishes the 2025 report of a scenario
// over the API, which makes release 2025.1; it returns the report's id.
func publishedRelease(t *testing.T, sc *apptest.Scenario) int64 {
	t.Helper()
	r := sc.Sec.Do("POST", "/api/v1/cycles/2025/reports", `{"cutoff_at": "2026-09-01T09:00:00Z"}`)
	draft := apptest.Decode[apptest.ReportJSON](t, r)
	if r.Status != 201 {
		t.Fatalf("compile: %d %s", r.Status, r.Body)
	}
	if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", draft.ID), ""); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	return draft.ID
}

// Issue 20: the releases over the API. Anyone lists and reads them and
// downloads the zip whose SHA-256 the API gives; only the secretariat
// records a DOI (valid, under the prefix) and publishes a correction,
// which supersedes the earlier release without removing it.
func TestReleasesAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		if r := anon.Do("GET", "/api/v1/releases", ""); r.Status != 200 || !strings.Contains(r.Body, `"releases":[]`) {
			t.Errorf("no release yet: %d %s", r.Status, r.Body)
		}
		reportID := publishedRelease(t, sc)

		r := anon.Do("GET", "/api/v1/releases/2025.1", "")
		rel := apptest.Decode[api.ReleaseDTO](t, r)
		if r.Status != 200 || rel.ID != "2025.1" || rel.ReportID != reportID || rel.Actions != 1 || rel.SupersededBy != nil || rel.DOI != nil ||
			!strings.Contains(rel.Citation.APA, "(Version 2025.1) [Data set]. http://pct.test/releases/2025.1") ||
			!strings.HasPrefix(rel.Citation.BibTeX, "@dataset{pariscall_data_2025_1,") {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		zip := anon.Do("GET", "/releases/2025.1.zip", "")
		sum := sha256.Sum256([]byte(zip.Body))
		if zip.Status != 200 || zip.Header.Get("Content-Type") != "application/zip" || hex.EncodeToString(sum[:]) != rel.SHA256 ||
			int64(len(zip.Body)) != rel.Size || !strings.Contains(zip.Header.Get("Content-Disposition"), "paris-call-data-release-2025.1.zip") {
			t.Errorf("zip: %d %v, SHA-256 %x, want %s", zip.Status, zip.Header, sum, rel.SHA256)
		}
		if r := anon.Do("GET", "/releases/2025.1.zip", "", "If-None-Match", zip.Header.Get("ETag")); r.Status != 304 || zip.Header.Get("ETag") == "" {
			t.Errorf("the zip revalidated: %d, ETag %q", r.Status, zip.Header.Get("ETag"))
		}
		for _, c := range []struct{ path string }{{"/api/v1/releases/2025.2"}, {"/api/v1/releases/2025.01"}, {"/api/v1/releases/x"}} {
			if r := anon.Do("GET", c.path, ""); r.Status != 404 {
				t.Errorf("%s: %d", c.path, r.Status)
			}
		}
		if r := anon.Do("GET", "/releases/2025.9.zip", ""); r.Status != 404 {
			t.Errorf("a zip of no release: %d", r.Status)
		}

		// The DOI: the secretariat's, valid.
		for _, c := range []struct {
			client apptest.APIClient
			body   string
			status int
			want   string
		}{
			{anon, `{"doi": "10.12345/x"}`, 401, "sign in"},
			{sc.Focal, `{"doi": "10.12345/x"}`, 403, "secretariat"},
			{sc.Sec, `{"doi": "12.345/x"}`, 422, `"doi"`},
			{sc.Sec, `{"doi": ""}`, 422, `"doi"`},
			{sc.Sec, `{"doi": "https://doi.org/10.12345/pc-2025.1"}`, 200, `"doi":"10.12345/pc-2025.1"`},
		} {
			if r := c.client.Do("PATCH", "/api/v1/releases/2025.1", c.body); r.Status != c.status || !strings.Contains(r.Body, c.want) {
				t.Errorf("DOI %s: %d %s, want %d %q", c.body, r.Status, r.Body, c.status, c.want)
			}
		}

		// Corrections.
		path := fmt.Sprintf("/api/v1/reports/%d/corrections", reportID)
		for _, c := range []struct {
			client apptest.APIClient
			path   string
			body   string
			status int
			want   string
		}{
			{anon, path, `{"changelog": "x"}`, 401, "sign in"},
			{sc.Focal, path, `{"changelog": "x"}`, 403, "secretariat"},
			{sc.Sec, path, `{"changelog": "  "}`, 422, `"changelog"`},
			{sc.Sec, path, `{"changelog": "` + strings.Repeat("x", 5001) + `"}`, 422, `"changelog"`},
			{sc.Sec, "/api/v1/reports/999/corrections", `{"changelog": "x"}`, 404, ""},
		} {
			if r := c.client.Do("POST", c.path, c.body); r.Status != c.status || !strings.Contains(r.Body, c.want) {
				t.Errorf("correction %.40s: %d %.300s, want %d %q", c.body, r.Status, r.Body, c.status, c.want)
			}
		}
		r = sc.Sec.Do("POST", path, `{"changelog": "The stage of one action was corrected after a challenge."}`)
		next := apptest.Decode[api.ReleaseDTO](t, r)
		if r.Status != 201 || next.ID != "2025.2" || next.Changelog != "The stage of one action was corrected after a challenge." ||
			r.Header.Get("Location") != "/api/v1/releases/2025.2" {
			t.Fatalf("correction: %d %s", r.Status, r.Body)
		}
		r = anon.Do("GET", "/api/v1/releases", "")
		list := apptest.Decode[struct{ Releases []api.ReleaseDTO }](t, r)
		if len(list.Releases) != 2 || list.Releases[0].ID != "2025.2" || list.Releases[1].SupersededBy == nil ||
			*list.Releases[1].SupersededBy != "2025.2" || list.Releases[1].SHA256 != rel.SHA256 {
			t.Errorf("after the correction: %s", r.Body)
		}
		if z := anon.Do("GET", "/releases/2025.1.zip", ""); z.Body != zip.Body {
			t.Error("the superseded release's zip changed")
		}
	})
}

// The release's actions CSV has the open data's columns, in its order.
func TestReleaseCSVHasOpenDataColumns(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	anon := apptest.APIClient{T: t, Base: sc.TS}
	r := anon.Do("GET", "/api/v1/open-data/actions.csv", "")
	header, _, _ := strings.Cut(strings.TrimPrefix(r.Body, "\ufeff"), "\r\n")
	if want := strings.Join(release.Header, ","); header != want {
		t.Errorf("open data %q, release %q", header, want)
	}
}

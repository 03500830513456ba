package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The issue's own check, over HTTP: one bad row among 50 imports nothing
// and names the line; a good file imports all 50.
func TestImportAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		r := sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", apptest.CSVRows(50, 31), "Content-Type", "text/csv")
		var refused struct {
			Errors []struct {
				Line    int    `json:"line"`
				Column  string `json:"column"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		refused = apptest.Decode[struct {
			Errors []struct {
				Line    int    `json:"line"`
				Column  string `json:"column"`
				Message string `json:"message"`
			} `json:"errors"`
		}](t, r)
		if r.Status != 422 || len(refused.Errors) != 1 || refused.Errors[0].Line != 31 || refused.Errors[0].Column != "stage" {
			t.Fatalf("bad row: %d %s", r.Status, r.Body)
		}
		if mine := apptest.Decode[struct{ Total int }](t, sc.Member.Do("GET", "/api/v1/my/actions?cycle=2026", "")); mine.Total != 0 {
			t.Fatalf("%d actions imported from a refused file", mine.Total)
		}
		r = sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", apptest.CSVRows(50, 0), "Content-Type", "text/csv")
		if r.Status != 201 || !strings.Contains(r.Body, `"imported":50`) {
			t.Fatalf("good file: %d %s", r.Status, r.Body)
		}
		if mine := apptest.Decode[struct{ Total int }](t, sc.Member.Do("GET", "/api/v1/my/actions?cycle=2026&per_page=100", "")); mine.Total != 50 {
			t.Errorf("imported: %d", mine.Total)
		}
		if r := sc.Sec.Do("POST", "/api/v1/actions/import?cycle=2026", apptest.CSVRows(1, 0), "Content-Type", "text/csv"); r.Status != 403 {
			t.Errorf("secretariat import: %d", r.Status)
		}
	})
}

// A workbook posted with the XLSX media type, over HTTP: its first sheet
// imports as a CSV file would, a bad row refuses it all with the row named
// in the API's own error list, and what is not a workbook is a 422 that
// says so, never a 500. The page's own template imports as it stands.
func TestImportAPIXLSX(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		book := func(stages ...string) string {
			x := excelize.NewFile()
			defer x.Close()
			header := make([]any, len(action.CSVHeader))
			for i, h := range action.CSVHeader {
				header[i] = h
			}
			x.SetSheetRow("Sheet1", "A1", &header)
			for i, stage := range stages {
				row := []any{fmt.Sprintf("Action %d", i+1), "", 2, stage, "export_controls", "national", "public",
					time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), "", "law", "https://example.org/l", "Law"}
				x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row)
			}
			var b bytes.Buffer
			x.WriteTo(&b)
			return b.String()
		}
		type refusal struct {
			Errors []struct {
				Line   int    `json:"line"`
				Column string `json:"column"`
			} `json:"errors"`
		}
		post := func(body string) apptest.Response {
			return sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", body, "Content-Type", action.XLSXType)
		}
		total := func() int {
			return apptest.Decode[struct{ Total int }](t, sc.Member.Do("GET", "/api/v1/my/actions?cycle=2026&per_page=100", "")).Total
		}

		r := post(book("adopted", "adopted", "done", "planned"))
		got := apptest.Decode[refusal](t, r)
		if r.Status != 422 || len(got.Errors) != 1 || got.Errors[0].Line != 4 || got.Errors[0].Column != "stage" || total() != 0 {
			t.Fatalf("bad row: %d %s", r.Status, r.Body)
		}
		for name, body := range map[string]string{"not a zip": "title,description\n", "a broken zip": "PK\x03\x04" + strings.Repeat("x", 100), "empty": ""} {
			r := post(body)
			got := apptest.Decode[refusal](t, r)
			if r.Status != 422 || len(got.Errors) != 1 || got.Errors[0].Line != 1 || !strings.Contains(r.Body, "not an XLSX workbook") {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if r := post(book("adopted", "planned", "implemented")); r.Status != 201 || !strings.Contains(r.Body, `"imported":3`) || total() != 3 {
			t.Fatalf("good workbook: %d %s", r.Status, r.Body)
		}
		template := sc.Member.Do("GET", "/actions/import/template.xlsx", "")
		if r := post(template.Body); r.Status != 201 || !strings.Contains(r.Body, `"imported":1`) {
			t.Errorf("the template: %d %s", r.Status, r.Body)
		}
		// A semicolon file keeps its text/csv type.
		semi := strings.ReplaceAll(strings.TrimSuffix(apptest.CSVHeader, "\n"), ",", ";") + "\nA;;\"2;4\";planned;advocacy;national;public;;;;;\n"
		if r := sc.Member.Do("POST", "/api/v1/actions/import?cycle=2026", semi, "Content-Type", "text/csv; charset=utf-8"); r.Status != 201 || total() != 5 {
			t.Errorf("semicolon CSV: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("POST", "/api/v1/actions/import?cycle=2026", book("adopted"), "Content-Type", action.XLSXType); r.Status != 403 {
			t.Errorf("secretariat import: %d", r.Status)
		}
	})
}

package api_test

import (
	"strings"
	"testing"

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

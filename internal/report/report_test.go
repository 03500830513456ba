package report_test

import (
	"fmt"
	"testing"

	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// Pages and API list the same documents: every format in each language,
// each at its address, and a stored one with its SHA-256 and size.
func TestDocuments(t *testing.T) {
	r := report.Report{ID: 7, Artifacts: []report.Artifact{{Format: report.Format("csv"), Lang: "fr", SHA256: "ab12", Size: 2048}}}
	docs := r.Documents()
	if want := 2 * len(report.Formats); len(docs) != want {
		t.Fatalf("%d documents, want %d", len(docs), want)
	}
	seen := map[string]bool{}
	for _, d := range docs {
		key := string(d.Format) + "/" + d.Lang
		t.Run(key, func(t *testing.T) {
			if seen[key] {
				t.Errorf("listed twice")
			}
			seen[key] = true
			if want := fmt.Sprintf("/api/v1/reports/7/%s?lang=%s", d.Format, d.Lang); d.URL != want {
				t.Errorf("URL %q, want %q", d.URL, want)
			}
			stored := key == "csv/fr"
			if stored != (d.SHA256 == "ab12" && d.Size == 2048) || (!stored && (d.SHA256 != "" || d.Size != 0)) {
				t.Errorf("stored %t, but SHA-256 %q and size %d", stored, d.SHA256, d.Size)
			}
		})
	}
	if docs[0].Lang != "en" || docs[len(docs)-1].Lang != "fr" {
		t.Errorf("English first, then French: %s … %s", docs[0].Lang, docs[len(docs)-1].Lang)
	}
}

// Where states lag most: the addressed recommendation the smallest share
// of counted states acts on, the first in number among equals; none when
// no state is counted or none is addressed.
func TestStatesGap(t *testing.T) {
	state := func(addressed bool, acting, states int, percent float64) report.Cell {
		return report.Cell{Kind: stakeholder.State, Addressed: addressed, Organisations: acting, Supporters: states, Percent: percent}
	}
	company := report.Cell{Kind: stakeholder.Company, Addressed: true, Organisations: 0, Supporters: 9, Percent: 0}
	rec := func(n int, cells ...report.Cell) report.RecFigures {
		return report.RecFigures{Number: n, HeatMap: cells}
	}
	for _, c := range []struct {
		name   string
		recs   []report.RecFigures
		number int // 0: none found
		acting int
	}{
		{"none", nil, 0, 0},
		{"no state counted", []report.RecFigures{rec(1, state(true, 0, 0, 0), company)}, 0, 0},
		{"not addressed to states", []report.RecFigures{rec(1, state(false, 0, 10, 0), company)}, 0, 0},
		{"the smallest share", []report.RecFigures{rec(1, state(true, 6, 10, 60)), rec(2, state(true, 2, 10, 20)), rec(3, state(true, 5, 10, 50))}, 2, 2},
		{"companies do not count", []report.RecFigures{rec(1, state(true, 6, 10, 60), company), rec(2, state(true, 8, 10, 80))}, 1, 6},
		{"the first among equals", []report.RecFigures{rec(4, state(true, 1, 10, 10)), rec(5, state(true, 1, 10, 10))}, 4, 1},
		{"an unaddressed one lagging more is skipped", []report.RecFigures{rec(1, state(false, 0, 10, 0)), rec(2, state(true, 3, 10, 30))}, 2, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			gap, ok := report.Figures{Recommendations: c.recs}.StatesGap()
			if ok != (c.number != 0) || gap.Number != c.number || gap.Acting != c.acting {
				t.Errorf("%+v %t, want recommendation %d with %d acting", gap, ok, c.number, c.acting)
			}
		})
	}
}

// A document downloads under a name that says what it is, with the media
// type its format has.
func TestFormatsAndFilenames(t *testing.T) {
	for _, c := range []struct {
		f    report.Format
		kind string
	}{
		{report.HTML, "text/html; charset=utf-8"},
		{report.PDF, "application/pdf"},
		{report.Markdown, "text/markdown; charset=utf-8"},
		{report.CSV, "text/csv; charset=utf-8"},
		{report.JSON, "application/json"},
		{report.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{report.Format("exe"), "application/octet-stream"},
	} {
		t.Run(string(c.f), func(t *testing.T) {
			if got := c.f.ContentType(); got != c.kind {
				t.Errorf("content type %q, want %q", got, c.kind)
			}
			if got, want := report.Filename(2026, "fr", c.f), "paris-call-progress-report-2026-fr."+string(c.f); got != want {
				t.Errorf("file name %q, want %q", got, want)
			}
			if c.f.Valid() != (c.f != "exe") {
				t.Errorf("valid: %t", c.f.Valid())
			}
		})
	}
}

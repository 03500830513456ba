package document_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// A pipe in any table cell of the Markdown report is escaped, in names,
// titles and links' addresses alike: read as GitHub-flavoured Markdown,
// each row keeps its cells, and each link its address.
func TestMarkdownEscapesPipesInCells(t *testing.T) {
	day := time.Date(2027, 10, 21, 0, 0, 0, 0, time.UTC)
	in := report.Inputs{Cycle: report.Period{Year: 2027, Deadline: day}, CutoffAt: day, CompiledAt: day,
		Recommendations: []report.Recommendation{{Number: 1, Slug: "use-guidelines",
			Title: recommendation.Text{EN: "Guidelines | use", FR: "Lignes | directrices"}, Addressees: []stakeholder.Kind{"state"}}},
		Organisations: []report.Organisation{{ID: 1, Name: "Org | A", Kind: "state", Active: true}}}
	url := `https://example.org/a|b\c(d) e?q=1|2`
	as := []report.Action{{ID: 1, OrganisationID: 1, Public: true, Title: "Title | with pipe", Stage: action.Planned,
		MeasureType: "legal_framework", Scope: "national", Recommendations: []int{1}, AcceptedAt: day,
		Evidence: []report.Evidence{{Kind: "law", URL: url, Title: "Law | text"}, {Kind: "report", URL: `https://example.org/r\`, Title: "Report"}}}}
	c, err := report.Compile(in, report.Slice(as))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := newRenderer(t).Render(context.Background(), c, report.Markdown, "en")
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert(doc, &html); err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?s)<tr>\s*<td>Org \| A</td>.*?</tr>`).FindString(html.String())
	cells := regexp.MustCompile(`<td>(.*?)</td>`).FindAllStringSubmatch(row, -1)
	want := []string{"Org | A", "Title | with pipe", "Planned", "Legal framework",
		`<a href="https://example.org/a%7Cb%5Cc%28d%29%20e?q=1%7C2">Law | text</a>, <a href="https://example.org/r%5C">Report</a>`}
	if len(cells) != len(want) {
		t.Fatalf("the listed action's row has %d cells, want %d: %s\n%s", len(cells), len(want), row, doc)
	}
	for i, c := range cells {
		if c[1] != want[i] {
			t.Errorf("cell %d: %s, want %s", i+1, c[1], want[i])
		}
	}
	if !strings.Contains(html.String(), "<td>1. Guidelines | use</td>") {
		t.Errorf("the coverage table lost the recommendation's title:\n%s", html.String())
	}
	// The address itself names the pipe, not only the cell's escape.
	if !strings.Contains(string(doc), "(https://example.org/a%7Cb%5Cc%28d%29%20e?q=1%7C2)") {
		t.Errorf("the link's address is not percent-encoded in the Markdown:\n%s", doc)
	}
}

// Each escape on its own: a cell escapes every pipe that is not escaped
// yet, whoever wrote it, and keeps to one line; an address percent-encodes
// what would end the link or the cell.
func TestMarkdownEscapes(t *testing.T) {
	for _, c := range []struct {
		name     string
		escape   func(string) string
		in, want string
	}{
		{"cell with a pipe", document.MDCell, "a|b", `a\|b`},
		{"cell with an escaped pipe", document.MDCell, `a\|b`, `a\|b`},
		{"cell with bold and a pipe", document.MDCell, "**12** | 3", `**12** \| 3`},
		{"cell on two lines", document.MDCell, "line\n  next", "line next"},
		{"cell ending with a backslash", document.MDCell, `ends\`, `ends\`},
		{"address with a pipe", document.MDURL, "https://x.example/a|b", "https://x.example/a%7Cb"},
		{"address ending with a backslash", document.MDURL, `https://x.example/a\`, "https://x.example/a%5C"},
		{"address with parentheses and a space", document.MDURL, "https://x.example/(a b)", "https://x.example/%28a%20b%29"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.escape(c.in); got != c.want {
				t.Errorf("%q: %q, want %q", c.in, got, c.want)
			}
		})
	}
}

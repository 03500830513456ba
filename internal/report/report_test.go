package report_test

import (
	"fmt"
	"testing"

	"github.com/pctracker/pctracker/internal/report"
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

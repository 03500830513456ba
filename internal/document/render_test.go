package document_test

import (
	"context"
	"io"
	"testing"

	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/web"
)

// newRenderer is the renderer of the embedded template and catalogues,
// without a printer: every format but PDF.
func newRenderer(t testing.TB) *document.Renderer {
	t.Helper()
	cat, err := locale.Load(web.I18n())
	if err != nil {
		t.Fatal(err)
	}
	r, err := document.NewRenderer(web.Templates(), cat, nil, "report.chromium")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// BenchmarkDocuments measures the documents of a cycle of 10,000 actions
// (PDF aside: Chromium prints it), each written from the figures and a
// second read of the actions, then all of them side by side.
func BenchmarkDocuments(b *testing.B) {
	in, actions := testutil.ReportCycle(10000)
	c, err := report.Compile(in, actions)
	if err != nil {
		b.Fatal(err)
	}
	r := newRenderer(b)
	for _, f := range report.Formats {
		if f == report.PDF {
			continue
		}
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Write(context.Background(), io.Discard, c, f, "fr"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("all-side-by-side", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var outs []report.Output
			for _, f := range report.Formats {
				if f != report.PDF {
					outs = append(outs, report.Output{Format: f, Lang: "en", W: io.Discard}, report.Output{Format: f, Lang: "fr", W: io.Discard})
				}
			}
			if err := r.WriteAll(context.Background(), c, outs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

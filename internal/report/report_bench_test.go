package report_test

import (
	"testing"

	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/testutil"
)

// BenchmarkReport measures the report of a cycle of 10,000 actions: the
// figures compiled from the actions, and the inputs packed for storage.
// Its documents are measured beside their writers (package document).
func BenchmarkReport(b *testing.B) {
	const n = 10000
	in, actions := testutil.ReportCycle(n)
	b.Run("figures", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := report.Compile(in, actions); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(n, "actions/op")
	})
	b.Run("pack", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := report.Pack(in, actions, func(int, []byte) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

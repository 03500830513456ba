package report_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// synthetic is a cycle of n accepted actions over 1,200 organisations and
// the twelve recommendations, nine in ten public, most with evidence: the
// shape of the generator's data, without a database.
func synthetic(n int) (report.Inputs, report.ActionSource) {
	day := time.Date(2027, 10, 21, 0, 0, 0, 0, time.UTC)
	in := report.Inputs{Cycle: report.Period{Year: 2027, Deadline: day, ForumDate: day.AddDate(0, 0, 21)}, CutoffAt: day, CompiledAt: day}
	kinds := []stakeholder.Kind{"state", "company", "company", "civil_society", "company", "academia"}
	for r := 1; r <= 12; r++ {
		in.Recommendations = append(in.Recommendations, report.Recommendation{Number: r, Slug: fmt.Sprintf("rec-%d", r),
			Addressees: []stakeholder.Kind{kinds[r%len(kinds)]}})
	}
	for o := 1; o <= 1200; o++ {
		in.Organisations = append(in.Organisations, report.Organisation{ID: int64(o), Name: fmt.Sprintf("Organisation %04d", o),
			Kind: kinds[o%len(kinds)], Country: "FR", Active: true})
	}
	stages := []action.Stage{action.Planned, action.InProgress, action.Adopted, action.Implemented, action.Discontinued}
	actions := func(fn func(report.Action) error) error {
		for i := 1; i <= n; i++ {
			a := report.Action{ID: int64(i), OrganisationID: int64(i%1200 + 1), Public: i%10 != 0, Stage: stages[i%len(stages)],
				MeasureType: "export_controls", Scope: "national", CarriedForward: i%3 == 0,
				Recommendations: []int{i%12 + 1, (i+5)%12 + 1}, AcceptedAt: day}
			if a.Public {
				a.Title = fmt.Sprintf("Public measure %d on cyber mercenaries", i)
				a.Evidence = []report.Evidence{{Kind: "law", URL: fmt.Sprintf("https://example.org/%d", i), Title: "The text"}}
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}
	return in, actions
}

// BenchmarkReport measures the report of a cycle of 10,000 actions: the
// figures compiled from the actions, the inputs packed for storage, and
// each document (PDF aside: Chromium prints it) written from the figures
// and a second read of the actions.
func BenchmarkReport(b *testing.B) {
	const n = 10000
	in, actions := synthetic(n)
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

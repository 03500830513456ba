package testutil

import (
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// ReportCycle is a cycle of n accepted actions over 1,200 organisations and
// the twelve recommendations, nine in ten public, most with evidence: the
// shape of the generator's data, without a database. The report's
// benchmarks compile it, and the documents' write it.
func ReportCycle(n int) (report.Inputs, report.ActionSource) {
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

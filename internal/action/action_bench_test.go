package action_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// benchMember returns a supporter of org, the actor that drafts actions
// through the pages and the API, so that the benchmarks take the path of a
// real request (deadline checks included) rather than the system's.
func benchMember(b *testing.B, s *testutil.Services, org stakeholder.Stakeholder) user.Actor {
	b.Helper()
	u, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: fmt.Sprintf("member%d@org.example", org.ID),
		Name: "Member", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
	if err != nil {
		b.Fatal(err)
	}
	return u.Actor()
}

// BenchmarkActionSave measures saving a draft: each save writes the action,
// its recommendations and evidence, a version snapshot and an audit entry
// in one transaction.
//
//   - create: a new draft in the cycle.
//   - update: a partial edit of one draft at its current version, as a
//     PATCH makes it; the draft's history grows by one version per save.
func BenchmarkActionSave(b *testing.B) {
	testutil.ForEachDBBench(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(b, stakeholder.State)
		c := s.Cycle(b, 2026)
		member := benchMember(b, s, org)

		b.Run("create", func(b *testing.B) {
			b.ReportAllocs()
			in := testutil.ActionInput()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Actions.Create(ctx, member, org.ID, c.ID, in); err != nil {
					b.Fatal(err)
				}
			}
		})

		b.Run("update", func(b *testing.B) {
			b.ReportAllocs()
			a, err := s.Actions.Create(ctx, member, org.ID, c.ID, testutil.ActionInput())
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			i := 0
			for b.Loop() {
				i++
				title := fmt.Sprintf("National guidelines, revision %d", i)
				a, err = s.Actions.Update(ctx, member, a.ID, a.Version, func(in *action.Input) { in.Title = title })
				if err != nil {
					b.Fatal(err)
				}
			}
			if a.Version != i+1 {
				b.Fatalf("after %d saves the draft is at version %d", i, a.Version)
			}
		})
	})
}

// importRows is the size of one benchmarked import: half of the most an
// import takes (action.MaxImportRows).
const importRows = 500

// benchCSV is an import file of n valid lines, in the template's columns.
func benchCSV(n int) string {
	var sb strings.Builder
	sb.WriteString("\ufeff" + strings.Join(action.CSVHeader, ",") + "\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "\"Action %d, imported\",\"What was done,\nby whom and with what effect.\",1;4,adopted,legal_framework,national,public,"+
			"2026-01-%02d,,law,https://example.org/law/%d,Law %d\n", i, 1+i%28, i, i)
	}
	return sb.String()
}

// BenchmarkImportCSV measures importing a file of 500 actions through the
// service, parse and validation included, all in one transaction. Imports
// have no uniqueness to collide on, so every iteration imports the same
// file into the same organisation and cycle.
func BenchmarkImportCSV(b *testing.B) {
	file := benchCSV(importRows)
	testutil.ForEachDBBench(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		org := s.Stakeholder(b, stakeholder.State)
		s.Cycle(b, 2026)
		member := benchMember(b, s, org)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			created, err := s.Actions.Import(ctx, member, 2026, strings.NewReader(file))
			if err != nil {
				b.Fatal(err)
			}
			if len(created) != importRows {
				b.Fatalf("%d of %d rows imported", len(created), importRows)
			}
		}
		b.ReportMetric(float64(importRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkPublicList measures the public list of actions over a generated
// cycle of 10,000 actions by 1,200 organisations (about 6,500 of them
// accepted and public), as the public pages and the open API ask for it:
//
//   - page1: the first page, newest acceptance first, with its total.
//   - query: the first page of a search for a word in about a fifth of the
//     titles (full text on PostgreSQL, a substring match on SQLite).
//   - query_none: a search that matches nothing, the whole scan for no rows.
func BenchmarkPublicList(b *testing.B) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	testutil.ForEachDBBench(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		testutil.Generate(b, db, store.GenerateOptions{Organisations: 1200, Cycles: 1, ActionsPerCycle: 10000, Seed: 1, Now: now})
		actions := action.NewService(db, func() time.Time { return now }, nil)
		for _, bc := range []struct {
			name   string
			filter action.Filter
		}{
			{"page1", action.Filter{}},
			{"query", action.Filter{Query: "pilot"}},
			{"query_none", action.Filter{Query: "spyware"}},
		} {
			b.Run(bc.name, func(b *testing.B) {
				b.ReportAllocs()
				b.ResetTimer()
				var rows, total int
				for b.Loop() {
					page, n, err := actions.Public(ctx, bc.filter)
					if err != nil {
						b.Fatal(err)
					}
					rows, total = len(page), n
				}
				b.ReportMetric(float64(rows), "rows/op")
				b.ReportMetric(float64(total), "matches")
			})
		}
	})
}

package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The status board counts every accepted action; a report, the public ones
// accepted by its cut-off as they stood when it was compiled. Each action
// they count differently is named with its case, per organisation, and
// the board's count is always the report's plus the differences; a cycle
// where they agree has no difference at all.
func TestBoardDifference(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db) // 1 September 2026
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		agreed := s.Cycle(t, 2025)
		cur := s.Cycle(t, 2026)
		state, company, ngo := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.CivilSociety)
		kept := func(in *action.Input) { in.Visibility = action.SecretariatOnly }

		s.Clock.Set(time.Date(2025, 8, 1, 9, 0, 0, 0, time.UTC))
		accepted(t, s, state, agreed, nil)
		s.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
		accepted(t, s, state, cur, nil)
		accepted(t, s, state, cur, nil)
		accepted(t, s, state, cur, kept)
		accepted(t, s, company, cur, kept) // all the company's accepted actions are kept: it does not count as reporting
		gone := accepted(t, s, ngo, cur, nil)

		check := func(name string, d report.Difference, want map[int64]report.Diff) {
			t.Helper()
			for id, w := range want {
				if got := d.Organisations[id]; got != w {
					t.Errorf("%s: organisation %d: %+v, want %+v", name, id, got, w)
				}
				if n := d.Organisations[id]; n.Board != n.Counted+n.Kept+n.After-n.Withdrawn {
					t.Errorf("%s: organisation %d: the cases do not add up: %+v", name, id, n)
				}
			}
			if len(d.Organisations) != len(want) {
				t.Errorf("%s: %d organisations, want %d: %+v", name, len(d.Organisations), len(want), d.Organisations)
			}
		}
		// No report yet: the board is compared with the live dashboard,
		// public actions accepted so far, and at once (no embargo).
		live, err := svc.BoardDifference(ctx, testutil.System, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if live.ReportID != 0 || !live.PublicFrom.IsZero() {
			t.Errorf("live: %+v", live)
		}
		check("live", live, map[int64]report.Diff{
			state.ID:   {Board: 3, Counted: 2, Kept: 1},
			company.ID: {Board: 1, Kept: 1, Unreported: 1},
			ngo.ID:     {Board: 1, Counted: 1},
		})
		if sum := live.Of([]int64{state.ID, company.ID, ngo.ID}); !sum.Differs() || sum.More() != 2 || sum.Kept != 2 || sum.Unreported != 1 {
			t.Errorf("live, in all: %+v", sum)
		}

		// A draft at the cut-off; then one more public action is accepted
		// and the NGO's is withdrawn.
		draft, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s.Clock.Add(time.Hour)
		accepted(t, s, state, cur, nil)
		if _, err := s.Actions.Move(ctx, testutil.System, gone.ID, 0, action.Withdrawn, ""); err != nil {
			t.Fatal(err)
		}
		afterDraft := map[int64]report.Diff{
			state.ID:   {Board: 4, Counted: 2, Kept: 1, After: 1},
			company.ID: {Board: 1, Kept: 1, Unreported: 1},
			ngo.ID:     {Counted: 1, Withdrawn: 1},
		}
		d, err := svc.DifferenceOf(ctx, testutil.System, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.ReportID != draft.ID || d.Published || !d.CutoffAt.Equal(draft.CutoffAt) {
			t.Errorf("against the draft: %+v", d)
		}
		check("draft", d, afterDraft)
		if sum := d.Of([]int64{state.ID, company.ID, ngo.ID}); sum.More() != 2 || sum.Board != 5 || sum.Counted != 3 || sum != d.Total() {
			t.Errorf("draft, in all: %+v (total %+v)", sum, d.Total())
		}
		// The board still compares with the live figures, not with a
		// draft the public never sees.
		live, _ = svc.BoardDifference(ctx, testutil.System, 2026)
		check("live after the draft", live, map[int64]report.Diff{
			state.ID:   {Board: 4, Counted: 3, Kept: 1},
			company.ID: {Board: 1, Kept: 1, Unreported: 1},
		})

		// Published, under the Forum embargo: the board compares with it,
		// and says when the public sees it.
		if _, err := s.Cycles.Update(ctx, testutil.System, 2026, cur.Version, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(ctx, testutil.System, draft.ID); err != nil {
			t.Fatal(err)
		}
		pub, err := svc.BoardDifference(ctx, testutil.System, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if pub.ReportID != draft.ID || !pub.Published || !pub.PublicFrom.Equal(cur.ForumDate) {
			t.Errorf("against the published report: %+v", pub)
		}
		check("published", pub, afterDraft)

		// 2025: every accepted action is public and counted.
		same, err := svc.BoardDifference(ctx, testutil.System, 2025)
		if err != nil {
			t.Fatal(err)
		}
		check("agreed", same, map[int64]report.Diff{state.ID: {Board: 1, Counted: 1}})
		if same.Of([]int64{state.ID, company.ID}).Differs() {
			t.Errorf("2025 differs: %+v", same)
		}

		// Only the secretariat compares.
		supporter := user.Actor{UserID: 1, Role: user.Supporter, StakeholderID: state.ID}
		if _, err := svc.BoardDifference(ctx, supporter, 2026); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter reads the difference: %v", err)
		}
		if _, err := svc.DifferenceOf(ctx, supporter, draft.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("a supporter reads the difference of a report: %v", err)
		}
	})
}

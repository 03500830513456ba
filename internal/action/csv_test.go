package action_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

const header = "title,description,recommendations,stage,measure,scope,visibility,starts_on,ends_on,evidence_kind,evidence_url,evidence_title\n"

func goodRows(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\"Action %d, with a comma\",\"Line one\nline two\",2;4,adopted,export_controls,national,public,2026-01-0%d,,law,https://example.org/%d,Law %d\n", i, 1+i%9, i, i)
	}
	return b.String()
}

func TestImportCSV(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.State)
		s.Cycle(t, 2026)
		u, _ := s.Users.Create(ctx, testutil.System, user.Input{Email: "m@org.example", Name: "M", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
		member := u.Actor()
		count := func() int {
			_, n, _ := s.Actions.List(ctx, member, action.Filter{})
			return n
		}

		// One bad row among 50: nothing is imported, and the line is named.
		rows := strings.Split(strings.TrimSuffix(goodRows(50), "\n"), "\n")
		bad := goodRows(50)
		bad = strings.Replace(bad, "\"Action 30, with a comma\",\"Line one\nline two\",2;4,adopted", "\"Action 30, with a comma\",\"Line one\nline two\",2;13,done", 1)
		_, err := s.Actions.Import(ctx, member, 2026, strings.NewReader("\ufeff"+header+bad))
		var ie *action.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("bad row: %v", err)
		}
		// Each record spans two lines (a quoted line break): action 30 starts on line 2+29*2.
		want := map[string]bool{"recommendations": false, "stage": false}
		for _, p := range ie.Problems {
			if p.Line == 60 {
				want[p.Column] = true
			} else {
				t.Errorf("problem on line %d: %+v", p.Line, p)
			}
		}
		for col, seen := range want {
			if !seen {
				t.Errorf("no problem named in column %s: %+v", col, ie.Problems)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("%d actions imported from a refused file", n)
		}
		_ = rows

		// A good file imports all 50, with a BOM or without.
		created, err := s.Actions.Import(ctx, member, 2026, strings.NewReader("\ufeff"+header+goodRows(50)))
		if err != nil || len(created) != 50 || count() != 50 {
			t.Fatalf("good file: %d created, %v", len(created), err)
		}
		a := created[0]
		if a.Title != "Action 1, with a comma" || a.Description != "Line one\nline two" || len(a.Recommendations) != 2 || len(a.Evidence) != 1 || a.State != action.Draft {
			t.Errorf("imported: %+v", a)
		}
		if _, err := s.Actions.Import(ctx, member, 2026, strings.NewReader(header+"Short,,1,planned,advocacy,organisation,public,,,,,\n")); err != nil {
			t.Errorf("empty optional cells: %v", err)
		}

		for name, file := range map[string]string{
			"empty":          "",
			"header only":    header,
			"missing column": "title,stage\nX,planned\n",
			"bad quotes":     header + "\"unclosed,,1,planned,advocacy,national,public,,,,,\n",
			"not UTF-8":      header + "Caf\xe9,,1,planned,advocacy,national,public,,,,,\n",
			"bad date":       header + "X,,1,planned,advocacy,national,public,2026-02-30,,,,\n",
			"bad url":        header + "X,,1,planned,advocacy,national,public,,,law,javascript:alert(1),Law\n",
		} {
			_, err := s.Actions.Import(ctx, member, 2026, strings.NewReader(file))
			if !errors.As(err, &ie) || len(ie.Problems) == 0 || ie.Problems[0].Message == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if count() != 51 {
			t.Errorf("refused files imported something: %d", count())
		}
		if _, err := s.Actions.Import(ctx, testutil.System, 2026, strings.NewReader(header+goodRows(1))); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the secretariat imports: %v", err)
		}
	})
}

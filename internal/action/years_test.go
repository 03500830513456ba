package action_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Action dates outside the years 1900 to 2200 are refused, by the service
// and in an import, with the years allowed.
func TestActionDateYears(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "m@org.example", Name: "M", Role: user.Supporter,
			StakeholderID: org.ID, OrgRole: user.Member})
		if err != nil {
			t.Fatal(err)
		}
		before := testutil.Writes(t, db)
		day := func(y, m, d int) *time.Time { t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); return &t }
		for _, tc := range []struct {
			field      string
			start, end *time.Time
		}{
			{"start_date", day(1899, 12, 31), nil},
			{"start_date", day(1, 1, 1), day(2026, 1, 1)},
			{"end_date", day(2026, 1, 1), day(2201, 1, 1)},
			{"end_date", nil, day(9999, 12, 31)},
		} {
			in := testutil.ActionInput()
			in.StartDate, in.EndDate = tc.start, tc.end
			_, err := s.Actions.Create(ctx, u.Actor(), org.ID, c.ID, in)
			if msg := errs.FieldsOf(err)[tc.field]; !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "1900 and 2200") {
				t.Errorf("%v to %v: %v", tc.start, tc.end, err)
			}
		}
		for col, cells := range map[string]string{"starts_on": "1899-12-31,", "ends_on": ",2201-01-01"} {
			_, err := s.Actions.Import(ctx, u.Actor(), 2026, strings.NewReader(header+"Dated,,1,planned,advocacy,national,public,"+cells+",,,\n"))
			var ie *action.ImportError
			if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Column != col || !strings.Contains(ie.Problems[0].Message, "1900 and 2200") {
				t.Errorf("import, %s: %v %+v", col, err, ie)
			}
		}
		if after := testutil.Writes(t, db); after != before {
			t.Fatalf("refused dates wrote: %s, then %s", before, after)
		}
		in := testutil.ActionInput()
		in.StartDate, in.EndDate = day(1900, 1, 1), day(2200, 12, 31)
		if _, err := s.Actions.Create(ctx, u.Actor(), org.ID, c.ID, in); err != nil {
			t.Errorf("the first and last days allowed: %v", err)
		}
	})
}

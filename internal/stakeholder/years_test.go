package stakeholder_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The day an organisation joined is a date like any other: after 2200 it
// is refused with the years allowed (before the Paris Call it already was).
func TestSupporterSinceYears(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		before := testutil.Writes(t, db)
		late := time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err := s.Stakeholders.Create(context.Background(), testutil.System, stakeholder.Input{Name: "Late", Kind: stakeholder.Company,
			Country: "US", SupporterSince: &late})
		if msg := errs.FieldsOf(err)["supporter_since"]; !errs.Is(err, errs.Invalid) || !strings.Contains(msg, "1900 and 2200") {
			t.Errorf("joined in 2201: %v", err)
		}
		if after := testutil.Writes(t, db); after != before {
			t.Fatalf("a refused date wrote: %s, then %s", before, after)
		}
	})
}

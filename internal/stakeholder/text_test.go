package stakeholder_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Every text field of an organisation follows the text rule, on create and
// on update: a hostile value is refused with its field named, and nothing
// is written. The country, a code, is refused as one.
func TestTextRule(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		existing := s.Stakeholder(t, stakeholder.Company)
		before := testutil.Writes(t, db)
		fields := map[string]func(in *stakeholder.Input, v string){
			"name":    func(in *stakeholder.Input, v string) { in.Name = "Acme " + v + " Ltd" },
			"website": func(in *stakeholder.Input, v string) { in.Website = "https://acme.example/" + v },
			"country": func(in *stakeholder.Input, v string) { in.Country = "F" + v },
		}
		for _, h := range testutil.HostileText {
			for field, set := range fields {
				in := stakeholder.Input{Name: "Acme", Kind: stakeholder.Company, Country: "US", Website: "https://acme.example/", Active: true}
				set(&in, h.Value)
				_, err := s.Stakeholders.Create(ctx, testutil.System, in)
				_, err2 := s.Stakeholders.Update(ctx, testutil.System, existing.ID, existing.Version, func(cur *stakeholder.Input) { *cur = in })
				for _, e := range []error{err, err2} {
					got := errs.FieldsOf(e)
					if !errs.Is(e, errs.Invalid) || len(got) != 1 || got[field] == "" {
						t.Errorf("%s in %s: %v", h.Name, field, e)
					}
					if msg := got[field]; field != "country" && !strings.Contains(msg, "UTF-8") && !strings.Contains(msg, "character") {
						t.Errorf("%s in %s: %q is not the text rule", h.Name, field, msg)
					}
					// The code is refused as it was given: upper-casing must
					// not turn its bad bytes into U+FFFD first.
					if msg := got[field]; strings.Contains(msg, "\ufffd") {
						t.Errorf("%s in %s: %q speaks of a replaced character", h.Name, field, msg)
					}
				}
			}
		}
		if after := testutil.Writes(t, db); after != before {
			t.Fatalf("refused inputs wrote: %s, then %s", before, after)
		}
	})
}

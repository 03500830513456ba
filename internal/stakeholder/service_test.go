package stakeholder_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestCreateValidates(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc := testutil.NewServices(db).Stakeholders
		ctx := context.Background()
		cases := []struct {
			name  string
			in    stakeholder.Input
			field string // expected field error, "" for success
		}{
			{"valid state", stakeholder.Input{Name: "France", Kind: stakeholder.State, Country: "fr"}, ""},
			{"international org without country", stakeholder.Input{Name: "OECD", Kind: stakeholder.InternationalOrg}, ""},
			{"unknown kind", stakeholder.Input{Name: "Acme", Kind: "corporation", Country: "US"}, "kind"},
			{"invalid country", stakeholder.Input{Name: "Acme", Kind: stakeholder.Company, Country: "ZZ"}, "country"},
			{"three-letter country", stakeholder.Input{Name: "Acme", Kind: stakeholder.Company, Country: "FRA"}, "country"},
			{"grouping is no country", stakeholder.Input{Name: "Acme", Kind: stakeholder.Company, Country: "EU"}, "country"},
			{"missing country", stakeholder.Input{Name: "Acme", Kind: stakeholder.Company}, "country"},
			{"empty name", stakeholder.Input{Name: "  ", Kind: stakeholder.Company, Country: "US"}, "name"},
			{"bad website", stakeholder.Input{Name: "Acme", Kind: stakeholder.Company, Country: "US", Website: "javascript:alert(1)"}, "website"},
			{"same name, other case", stakeholder.Input{Name: "FRANCE", Kind: stakeholder.State, Country: "FR"}, "name"},
			{"NUL byte", stakeholder.Input{Name: "Acme\x00", Kind: stakeholder.Company, Country: "US"}, "name"},
			{"invalid UTF-8", stakeholder.Input{Name: "Acme \xff", Kind: stakeholder.Company, Country: "US"}, "name"},
			{"before the Paris Call", stakeholder.Input{Name: "Early", Kind: stakeholder.Company, Country: "US", SupporterSince: ptr(time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC))}, "supporter_since"},
		}
		for _, c := range cases {
			st, err := svc.Create(ctx, testutil.System, c.in)
			if c.field == "" {
				if err != nil || st.ID == 0 {
					t.Errorf("%s: got %v", c.name, err)
				}
				continue
			}
			if errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: want a field error on %s, got %v", c.name, c.field, err)
			}
		}
		list, total, err := svc.List(ctx, stakeholder.Filter{})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("only the two valid ones are stored: %d %v", total, err)
		}
		if list[0].Country != "FR" || list[0].Name != "France" {
			t.Errorf("country code is stored upper-case: %+v", list[0])
		}
	})
}

func ptr[T any](v T) *T { return &v }

// Names compare alike on both engines, whatever the script.
func TestNonASCIINames(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc := testutil.NewServices(db).Stakeholders
		ctx := context.Background()
		since := time.Date(2020, 3, 5, 23, 30, 0, 0, time.FixedZone("", -5*3600)) // 6 March in UTC
		if _, err := svc.Create(ctx, testutil.System, stakeholder.Input{Name: "École Polytechnique", Kind: stakeholder.Academia, Country: "FR", SupporterSince: &since}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ctx, testutil.System, stakeholder.Input{Name: "ÉCOLE POLYTECHNIQUE", Kind: stakeholder.Academia, Country: "FR"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("the same name in capitals: %v", err)
		}
		list, total, err := svc.List(ctx, stakeholder.Filter{Query: "école"})
		if err != nil || total != 1 {
			t.Fatalf("search école: %d %v", total, err)
		}
		if d := list[0].SupporterSince; d == nil || !d.Equal(time.Date(2020, 3, 6, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("supporter since is kept as its UTC day: %v", d)
		}
	})
}

func TestListFiltersAndUpdate(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		a := s.Stakeholder(t, stakeholder.Company)
		s.Stakeholder(t, stakeholder.Academia)
		if _, err := s.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: "100% Privacy_Lab", Kind: stakeholder.CivilSociety, Country: "DE"}); err != nil {
			t.Fatal(err)
		}
		list, total, _ := s.Stakeholders.List(ctx, stakeholder.Filter{Kind: stakeholder.Company})
		if total != 1 || list[0].ID != a.ID {
			t.Errorf("filter by kind: %d", total)
		}
		_, total, _ = s.Stakeholders.List(ctx, stakeholder.Filter{Query: "%"})
		if total != 1 {
			t.Errorf("%% is matched literally, got %d", total)
		}
		_, total, _ = s.Stakeholders.List(ctx, stakeholder.Filter{Country: "de"})
		if total != 1 {
			t.Errorf("filter by country: %d", total)
		}
		s.Clock.Add(time.Hour)
		upd, err := s.Stakeholders.Update(ctx, testutil.System, a.ID, a.Version, func(cur *stakeholder.Input) {
			*cur = stakeholder.Input{Name: a.Name, Kind: a.Kind, Country: "US", Verified: true, Active: true}
		})
		if err != nil || !upd.Verified || upd.Country != "US" || upd.Version != 2 {
			t.Fatalf("update: %+v %v", upd, err)
		}
		got, _ := s.Stakeholders.Get(ctx, a.ID)
		if !got.Verified || got.Country != "US" || !got.CreatedAt.Equal(a.CreatedAt) || !got.UpdatedAt.Equal(s.Clock.Now()) {
			t.Errorf("stored: %+v (clock %v)", got, s.Clock.Now())
		}
		// A second editor who read version 1 is refused; nothing changes.
		if _, err := s.Stakeholders.Update(ctx, testutil.System, a.ID, a.Version, func(cur *stakeholder.Input) {
			*cur = stakeholder.Input{Name: "Overwrite", Kind: a.Kind, Country: "DE", Active: true}
		}); !errs.Is(err, errs.Conflict) {
			t.Errorf("stale update: %v", err)
		}
		if got, _ := s.Stakeholders.Get(ctx, a.ID); got.Name != a.Name || got.Version != 2 {
			t.Errorf("after the stale update: %+v", got)
		}
		if _, err := s.Stakeholders.Get(ctx, 999999); !errs.Is(err, errs.NotFound) {
			t.Errorf("missing organisation: %v", err)
		}
	})
}

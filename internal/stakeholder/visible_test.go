package stakeholder_test

import (
	"context"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// An inactive organisation is the secretariat's to see; to anyone else,
// its own people included, it does not exist, as one that never did.
func TestVisible(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		active, inactive := s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.Company)
		if _, err := s.Stakeholders.Update(ctx, testutil.System, inactive.ID, 0, func(in *stakeholder.Input) { in.Active = false }); err != nil {
			t.Fatal(err)
		}
		secretariat := user.Actor{UserID: 1, Role: user.Secretariat}
		own := user.Actor{UserID: 2, Role: user.Supporter, StakeholderID: inactive.ID, OrgRole: user.FocalPoint}
		for _, c := range []struct {
			name string
			by   user.Actor
			id   int64
			want errs.Kind
		}{
			{"anyone, an active one", user.Actor{}, active.ID, ""},
			{"the secretariat, an inactive one", secretariat, inactive.ID, ""},
			{"the program, an inactive one", testutil.System, inactive.ID, ""},
			{"anyone, an inactive one", user.Actor{}, inactive.ID, errs.NotFound},
			{"its own focal point, an inactive one", own, inactive.ID, errs.NotFound},
			{"the secretariat, none", secretariat, 999999, errs.NotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				st, err := s.Stakeholders.Visible(ctx, c.by, c.id)
				if got := errs.KindOf(err); got != c.want {
					t.Fatalf("%v, want %q", err, c.want)
				}
				if err == nil && st.ID != c.id {
					t.Errorf("organisation %d, want %d", st.ID, c.id)
				}
				if err != nil && errs.MessageOf(err) == errs.MessageOf(nil) {
					t.Errorf("no message: %v", err)
				}
			})
		}
	})
}

// The names the public may read, by the same rule: an active organisation
// asked for named; an inactive one, one that does not exist and one not
// asked for left out.
func TestPublicNames(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		active, inactive := s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.State)
		s.Stakeholder(t, stakeholder.State) // active, not asked for
		if _, err := s.Stakeholders.Update(ctx, testutil.System, inactive.ID, 0, func(in *stakeholder.Input) { in.Active = false }); err != nil {
			t.Fatal(err)
		}
		names, err := s.Stakeholders.PublicNames(ctx, []int64{active.ID, inactive.ID, 999999})
		if err != nil || len(names) != 1 || names[active.ID] != active.Name {
			t.Errorf("public names: %v, %v; want only %d: %q", names, err, active.ID, active.Name)
		}
		if none, err := s.Stakeholders.PublicNames(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("no ids: %v, %v", none, err)
		}
	})
}

package user_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Every text field of a person follows the text rule (email, name and
// password), and so does the name of an API token: a hostile value is
// refused with its field named, and nothing is written.
func TestTextRule(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.Company)
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "ana@example.org", Name: "Ana",
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member}); err != nil {
			t.Fatal(err)
		}
		before := testutil.Writes(t, db)
		fields := map[string]func(in *user.Input, v string){
			"email":    func(in *user.Input, v string) { in.Email = "Bo" + v + "@Example.org" },
			"name":     func(in *user.Input, v string) { in.Name = "Bo " + v + " Lind" },
			"password": func(in *user.Input, v string) { in.Password = "correct horse " + v + " battery" },
		}
		for _, h := range testutil.HostileText {
			for field, set := range fields {
				in := user.Input{Email: "bo@example.org", Name: "Bo", Role: user.Supporter, StakeholderID: org.ID,
					OrgRole: user.Member, Password: "correct horse battery"}
				set(&in, h.Value)
				_, err := s.Users.Create(ctx, testutil.System, in)
				msg := errs.FieldsOf(err)[field]
				if !errs.Is(err, errs.Invalid) || len(errs.FieldsOf(err)) != 1 || !(strings.Contains(msg, "UTF-8") || strings.Contains(msg, "character")) {
					t.Errorf("%s in %s: %v", h.Name, field, err)
				}
			}
			_, _, err := s.Users.CreateToken(ctx, testutil.System, "ana@example.org", "ci "+h.Value)
			if msg := errs.FieldsOf(err)["name"]; !errs.Is(err, errs.Invalid) || !(strings.Contains(msg, "UTF-8") || strings.Contains(msg, "character")) {
				t.Errorf("%s in a token's name: %v", h.Name, err)
			}
		}
		if after := testutil.Writes(t, db); after != before {
			t.Fatalf("refused inputs wrote: %s, then %s", before, after)
		}
		// A token's name is counted in characters, not bytes.
		if _, _, err := s.Users.CreateToken(ctx, testutil.System, "ana@example.org", strings.Repeat("é", 100)); err != nil {
			t.Errorf("100 accented letters: %v", err)
		}
	})
}

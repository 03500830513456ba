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

func TestCreateUserAndToken(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org := s.Stakeholder(t, stakeholder.Company)
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: " Ana@Example.ORG ", Name: "Ana",
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ana@example.org" || !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("stored: %q %q", u.Email, u.PasswordHash)
		}
		if !user.CheckPassword("correct horse battery", u.PasswordHash) || user.CheckPassword("wrong horse battery", u.PasswordHash) {
			t.Error("password check")
		}
		got, err := s.Users.GetByEmail(ctx, "ANA@example.org")
		if err != nil || got.ID != u.ID {
			t.Fatalf("email is case-insensitive: %v", err)
		}
		bad := []struct {
			in    user.Input
			field string
		}{
			{user.Input{Email: "ana@EXAMPLE.org", Name: "Twin", Role: user.Secretariat}, "email"},
			{user.Input{Email: "not-an-email", Name: "X", Role: user.Secretariat}, "email"},
			{user.Input{Email: "x@example.org", Name: "X", Role: "admin"}, "role"},
			{user.Input{Email: "x@example.org", Name: "X", Role: user.Supporter, OrgRole: user.Member}, "stakeholder"},
			{user.Input{Email: "x@example.org", Name: "X", Role: user.Supporter, StakeholderID: org.ID}, "org_role"},
			{user.Input{Email: "x@example.org", Name: "X", Role: user.Supporter, StakeholderID: 999999, OrgRole: user.Member}, "stakeholder"},
			{user.Input{Email: "x@example.org", Name: "X", Role: user.Secretariat, Password: "short"}, "password"},
		}
		for _, b := range bad {
			if _, err := s.Users.Create(ctx, testutil.System, b.in); errs.FieldsOf(err)[b.field] == "" {
				t.Errorf("%+v: want field %s, got %v", b.in, b.field, err)
			}
		}
		if _, total, _ := s.Users.List(ctx, user.Filter{}); total != 1 {
			t.Errorf("refused input wrote users: %d", total)
		}

		tok, secret, err := s.Users.CreateToken(ctx, testutil.System, "ana@example.org", "ci")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "pct_") || tok.Hash != user.HashToken(secret) || strings.Contains(tok.Hash, secret) {
			t.Errorf("token %q hash %q", secret, tok.Hash)
		}
		var stored int
		if err := db.SQL().QueryRow("SELECT count(*) FROM api_tokens WHERE token_hash = $1", user.HashToken(secret)).Scan(&stored); err != nil || stored != 1 {
			t.Errorf("only the hash is stored: %d %v", stored, err)
		}
		if _, _, err := s.Users.CreateToken(ctx, testutil.System, "nobody@example.org", ""); !errs.Is(err, errs.NotFound) {
			t.Errorf("token for nobody: %v", err)
		}
	})
}

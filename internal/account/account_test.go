package account_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

var linkRe = regexp.MustCompile(`https://pct\.example/(invite|reset/new)\?token=([A-Za-z0-9_-]+)`)

// lastLink reads the newest message the file backend wrote.
func lastLink(t *testing.T, dir string) string {
	t.Helper()
	mails := testutil.Mails(t, dir, "")
	if len(mails) == 0 {
		t.Fatal("no mail written")
	}
	m := linkRe.FindStringSubmatch(mails[len(mails)-1].Text)
	if m == nil {
		t.Fatalf("no link in %s", mails[len(mails)-1].Text)
	}
	return m[2]
}

const pw = "correct horse battery staple"

// newAccounts is the account service over db on the clock of s, mailing
// into a folder of its own, which it returns.
func newAccounts(t *testing.T, db *store.DB, s *testutil.Services) (*account.Service, string) {
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return account.NewService(db, mail.NewFiles(dir, "pctracker <no-reply@pct.example>", logger), logger,
		s.Clock.Now, "https://pct.example/"), dir
}

func TestInviteAndReset(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc, dir := newAccounts(t, db, s)
		org, other := s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.Company)
		focalU, _ := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@org.example", Name: "F", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: pw})
		memberU, _ := s.Users.Create(ctx, testutil.System, user.Input{Email: "member@org.example", Name: "M", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member, Password: pw})
		focal, member := focalU.Actor(), memberU.Actor()

		// Who may invite whom.
		for _, c := range []struct {
			by   user.Actor
			in   user.Input
			want errs.Kind
		}{
			{member, user.Input{Email: "x1@org.example", Name: "X", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member}, errs.Forbidden},
			{focal, user.Input{Email: "x2@org.example", Name: "X", Role: user.Supporter, StakeholderID: other.ID, OrgRole: user.Member}, errs.Forbidden},
			{focal, user.Input{Email: "x3@org.example", Name: "X", Role: user.Secretariat}, errs.Forbidden},
			{user.Actor{}, user.Input{Email: "x4@org.example", Name: "X", Role: user.Secretariat}, errs.Unauthorized},
		} {
			if _, err := svc.Invite(ctx, c.by, c.in); errs.KindOf(err) != c.want {
				t.Errorf("%s invites %+v: %v", c.by.Name, c.in, err)
			}
		}
		invited, err := svc.Invite(ctx, focal, user.Input{Email: "New@Org.example", Name: "Nadia", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
		if err != nil || invited.Email != "new@org.example" {
			t.Fatalf("invite: %+v %v", invited, err)
		}
		if u, err := s.Users.GetByEmail(ctx, "new@org.example"); err != nil || u.PasswordHash != "" || u.StakeholderID != org.ID {
			t.Fatalf("the invited account: %+v %v", u, err)
		}
		token := lastLink(t, dir)
		if err := svc.Check(ctx, account.Invite, token); err != nil {
			t.Fatalf("fresh link: %v", err)
		}
		if err := svc.Check(ctx, account.Reset, token); !errs.Is(err, errs.Invalid) {
			t.Errorf("an invitation is no reset link: %v", err)
		}
		if _, err := svc.SetPassword(ctx, account.Invite, token, "short"); errs.FieldsOf(err)["password"] == "" {
			t.Errorf("short password: %v", err)
		}
		if _, err := svc.SetPassword(ctx, account.Invite, token, pw); err != nil {
			t.Fatalf("accept: %v", err)
		}
		if _, err := svc.SetPassword(ctx, account.Invite, token, pw+"!"); !errs.Is(err, errs.Invalid) {
			t.Errorf("a link works once: %v", err)
		}
		got, _ := s.Users.GetByEmail(ctx, "new@org.example")
		if !user.CheckPassword(pw, got.PasswordHash) {
			t.Error("password not set")
		}

		// An invitation expires after 7 days.
		if _, err := svc.Invite(ctx, testutil.System, user.Input{Email: "late@pc.example", Name: "L", Role: user.Secretariat}); err != nil {
			t.Fatal(err)
		}
		late := lastLink(t, dir)
		s.Clock.Add(7*24*time.Hour + time.Minute)
		if _, err := svc.SetPassword(ctx, account.Invite, late, pw); !errs.Is(err, errs.Invalid) {
			t.Errorf("expired invitation: %v", err)
		}

		// A reset: the same answer for unknown accounts, a working link for
		// known ones, and every session ended.
		before, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		if err := svc.RequestReset(ctx, "nobody@org.example"); err != nil {
			t.Fatal(err)
		}
		if after, _ := filepath.Glob(filepath.Join(dir, "*.eml")); len(after) != len(before) {
			t.Error("a reset mail went to an unknown address")
		}
		sessions := session.NewService(db, s.Clock.Now, 30*time.Minute, 12*time.Hour)
		live, _, _ := sessions.Start(ctx, got.ID, "", "")
		_, apiToken, err := s.Users.CreateToken(ctx, testutil.System, "new@org.example", "ci")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.RequestReset(ctx, "NEW@org.example"); err != nil {
			t.Fatal(err)
		}
		reset := lastLink(t, dir)
		if _, err := svc.SetPassword(ctx, account.Reset, reset, "a brand new passphrase"); err != nil {
			t.Fatalf("reset: %v", err)
		}
		if _, err := sessions.Resume(ctx, live); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("sessions survive a reset: %v", err)
		}
		if _, err := s.Users.ByToken(ctx, apiToken); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("an API token survives a reset: %v", err)
		}
		// The owner is told, in case someone else read the link, and that
		// their tokens are revoked.
		if m := testutil.Mails(t, dir, "new@org.example"); !strings.HasPrefix(m[len(m)-1].Subject, "pctracker: your password was changed") ||
			!strings.Contains(m[len(m)-1].Text, "https://pct.example/reset") || !strings.Contains(m[len(m)-1].Text, "every API token of it\nrevoked") ||
			!strings.Contains(m[len(m)-1].Text, "jetons\nd'API révoqués") {
			t.Errorf("no notice of the changed password and revoked tokens: %+v", m[len(m)-1])
		}
		// A reset link lasts an hour.
		s.Clock.Add(2 * time.Hour)
		svc.RequestReset(ctx, "new@org.example")
		old := lastLink(t, dir)
		s.Clock.Add(61 * time.Minute)
		if err := svc.Check(ctx, account.Reset, old); !errs.Is(err, errs.Invalid) {
			t.Errorf("an hour-old reset link: %v", err)
		}
		// Using one link retires the others still in the mailbox.
		svc.RequestReset(ctx, "new@org.example")
		first := lastLink(t, dir)
		s.Clock.Add(time.Second)
		svc.RequestReset(ctx, "new@org.example")
		second := lastLink(t, dir)
		if _, err := svc.SetPassword(ctx, account.Reset, second, "yet another passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetPassword(ctx, account.Reset, first, "an attacker's passphrase"); !errs.Is(err, errs.Invalid) {
			t.Errorf("an older link still works after a newer one was used: %v", err)
		}
		// At most three reset mails an hour.
		s.Clock.Add(2 * time.Hour)
		before, _ = filepath.Glob(filepath.Join(dir, "*.eml"))
		for i := 0; i < 5; i++ {
			if err := svc.RequestReset(ctx, "new@org.example"); err != nil {
				t.Fatal(err)
			}
		}
		if after, _ := filepath.Glob(filepath.Join(dir, "*.eml")); len(after)-len(before) != account.MaxResetsPerHour {
			t.Errorf("%d reset mails in an hour", len(after)-len(before))
		}
	})
}

// An invitation to an address that has an account answers as any other
// does, so that inviting does not tell who has one; no second account is
// made, and the owner is mailed that they have one and how to reset their
// password (unless the account is disabled).
func TestInviteAnAddressWithAnAccount(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc, dir := newAccounts(t, db, s)
		org := s.Stakeholder(t, stakeholder.Company)
		focalU, _ := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@org.example", Name: "F", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: pw})
		sec, _ := s.Users.Create(ctx, testutil.System, user.Input{Email: "sec@pc.example", Name: "Camille", Role: user.Secretariat, Password: pw})
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "gone@pc.example", Name: "G", Role: user.Secretariat}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec("UPDATE users SET disabled = $1 WHERE email = 'gone@pc.example'", true); err != nil {
			t.Fatal(err)
		}
		invite := func(email string) account.Invitation {
			t.Helper()
			inv, err := svc.Invite(ctx, focalU.Actor(), user.Input{Email: email, Name: "Someone", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
			if err != nil {
				t.Fatalf("invite %s: %v", email, err)
			}
			return inv
		}
		fresh, existing, disabled := invite("fresh@org.example"), invite("SEC@pc.example"), invite("gone@pc.example")
		for _, inv := range []account.Invitation{existing, disabled} {
			if inv.Name != fresh.Name || inv.Role != fresh.Role || inv.StakeholderID != fresh.StakeholderID || inv.OrgRole != fresh.OrgRole {
				t.Errorf("the answers differ: %+v and %+v", fresh, inv)
			}
		}
		// No second account, and the one there is unchanged.
		if u, err := s.Users.GetByEmail(ctx, "sec@pc.example"); err != nil || u.ID != sec.ID || u.Role != user.Secretariat || u.StakeholderID != 0 {
			t.Errorf("the existing account after an invitation: %+v %v", u, err)
		}
		var n int
		db.SQL().QueryRow("SELECT count(*) FROM users WHERE email IN ('sec@pc.example', 'gone@pc.example')").Scan(&n)
		if n != 2 {
			t.Errorf("%d accounts for two addresses", n)
		}
		m := testutil.Mails(t, dir, "sec@pc.example")
		if len(m) != 1 || !strings.Contains(m[0].Text, "You already have an account") || !strings.Contains(m[0].Text, "https://pct.example/reset") ||
			!strings.Contains(m[0].Text, "Vous avez déjà un compte") || linkRe.MatchString(m[0].Text) || !strings.Contains(m[0].Text, "Hello Camille") {
			t.Errorf("the mail to an address with an account: %+v", m)
		}
		if m := testutil.Mails(t, dir, "gone@pc.example"); len(m) != 0 {
			t.Errorf("a disabled account was mailed: %+v", m)
		}
		if m := testutil.Mails(t, dir, "fresh@org.example"); len(m) != 1 || !linkRe.MatchString(m[0].Text) {
			t.Errorf("the mail to a new address: %+v", m)
		}

		// The organisation's list shows the three invitations alike, once
		// each, even after a second invitation to the same address.
		invite("sec@pc.example")
		people, err := svc.People(ctx, focalU.Actor(), org.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range people {
			got = append(got, fmt.Sprintf("%s %s %s invited=%t disabled=%t", p.Email, p.Name, p.OrgRole, p.Invited, p.Disabled))
		}
		want := []string{
			"focal@org.example F focal_point invited=false disabled=false",
			"fresh@org.example Someone member invited=true disabled=false",
			"gone@pc.example Someone member invited=true disabled=false",
			"sec@pc.example Someone member invited=true disabled=false",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("the organisation's people:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := svc.People(ctx, sec.Actor(), org.ID); err != nil {
			t.Errorf("the secretariat reads an organisation's people: %v", err)
		}

		// Each is sent again the same way; what the organisation did not
		// invite is not found, whether or not it has an account.
		other := s.Stakeholder(t, stakeholder.Company)
		otherFocal, _ := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@other.example", Name: "O", Role: user.Supporter, StakeholderID: other.ID, OrgRole: user.FocalPoint, Password: pw})
		if _, err := svc.People(ctx, otherFocal.Actor(), org.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("another organisation's list: %v", err)
		}
		for _, c := range []struct {
			by    user.Actor
			email string
			want  errs.Kind
		}{
			{focalU.Actor(), "fresh@org.example", ""},
			{focalU.Actor(), " SEC@pc.example", ""},
			{focalU.Actor(), "gone@pc.example", ""},
			{focalU.Actor(), "nobody@pc.example", errs.NotFound},
			{focalU.Actor(), "focal@other.example", errs.NotFound},
			{otherFocal.Actor(), "sec@pc.example", errs.NotFound},
			{otherFocal.Actor(), "fresh@org.example", errs.NotFound},
		} {
			err := svc.ResendInvite(ctx, c.by, c.email)
			if c.want == "" && err != nil || c.want != "" && !errs.Is(err, c.want) {
				t.Errorf("resend to %q by %s: %v, want %q", c.email, c.by.Label(), err, c.want)
			}
		}
		if m := testutil.Mails(t, dir, "sec@pc.example"); len(m) != 3 || !strings.Contains(m[2].Text, "You already have an account") {
			t.Errorf("%d mails to the address with an account, want 3 (two invitations, one resent)", len(m))
		}
		if m := testutil.Mails(t, dir, "fresh@org.example"); len(m) != 2 || !linkRe.MatchString(m[1].Text) {
			t.Errorf("%d mails to the new address, want 2 with a link", len(m))
		}
	})
}

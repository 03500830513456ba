package app

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The forms before a session (sign in, reset and set a password) take a
// token that their page sets in a cookie: another site can make a browser
// post them, but not with the token, so it can neither sign a victim in to
// its own account nor spend a reset link in the victim's name.
func TestFormsBeforeASessionNeedTheirToken(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.Company)
		if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "focal@token.example", Name: "Focal",
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		ts := startServer(t, db)
		form := url.Values{"email": {"focal@token.example"}, "password": {testPassword}}

		// Another visitor's token, taken from their own form page.
		attacker := browserClient()
		token := csrfOf(t, get(t, attacker, ts.URL+"/signin").body)

		victim := browserClient()
		for name, r := range map[string]response{
			"no cookie, no token": postForm(t, victim, ts.URL+"/signin", form),
			"no cookie, another visitor's token": postForm(t, victim, ts.URL+"/signin",
				url.Values{"email": form["email"], "password": form["password"], "csrf_token": {token}}),
		} {
			if r.status != 403 || signedIn(r) {
				t.Errorf("%s: %d, signed in %v", name, r.status, signedIn(r))
			}
		}
		get(t, victim, ts.URL+"/signin") // the victim now has a token of their own
		for name, r := range map[string]response{
			"a forged token": postForm(t, victim, ts.URL+"/signin",
				url.Values{"email": form["email"], "password": form["password"], "csrf_token": {strings.Repeat("0", 64)}}),
			"another visitor's token": postForm(t, victim, ts.URL+"/signin",
				url.Values{"email": form["email"], "password": form["password"], "csrf_token": {token}}),
			"a reset without its token": postForm(t, victim, ts.URL+"/reset", url.Values{"email": form["email"]}),
			"a new password without its token": postForm(t, victim, ts.URL+"/reset/new",
				url.Values{"token": {"x"}, "password": {"a new passphrase"}, "confirm": {"a new passphrase"}}),
		} {
			if r.status != 403 || signedIn(r) {
				t.Errorf("%s: %d, signed in %v", name, r.status, signedIn(r))
			}
		}
		if r := postAnonForm(t, victim, ts.URL+"/signin", form); r.status != 303 || !signedIn(r) {
			t.Errorf("with the form's own token: %d, signed in %v", r.status, signedIn(r))
		}
	})
}

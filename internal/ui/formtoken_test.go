package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
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
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		ts := apptest.StartServer(t, db)
		form := url.Values{"email": {"focal@token.example"}, "password": {apptest.Password}}

		// Another visitor's token, taken from their own form page.
		attacker := apptest.BrowserClient()
		token := apptest.CSRFOf(t, apptest.Get(t, attacker, ts.URL+"/signin").Body)

		victim := apptest.BrowserClient()
		for name, r := range map[string]apptest.Response{
			"no cookie, no token": apptest.PostForm(t, victim, ts.URL+"/signin", form),
			"no cookie, another visitor's token": apptest.PostForm(t, victim, ts.URL+"/signin",
				url.Values{"email": form["email"], "password": form["password"], "csrf_token": {token}}),
		} {
			if r.Status != 403 || signedIn(r) {
				t.Errorf("%s: %d, signed in %v", name, r.Status, signedIn(r))
			}
		}
		apptest.Get(t, victim, ts.URL+"/signin") // the victim now has a token of their own
		for name, r := range map[string]apptest.Response{
			"a forged token": apptest.PostForm(t, victim, ts.URL+"/signin",
				url.Values{"email": form["email"], "password": form["password"], "csrf_token": {strings.Repeat("0", 64)}}),
			"another visitor's token": apptest.PostForm(t, victim, ts.URL+"/signin",
				url.Values{"email": form["email"], "password": form["password"], "csrf_token": {token}}),
			"a reset without its token": apptest.PostForm(t, victim, ts.URL+"/reset", url.Values{"email": form["email"]}),
			"a new password without its token": apptest.PostForm(t, victim, ts.URL+"/reset/new",
				url.Values{"token": {"x"}, "password": {"a new passphrase"}, "confirm": {"a new passphrase"}}),
		} {
			if r.Status != 403 || signedIn(r) {
				t.Errorf("%s: %d, signed in %v", name, r.Status, signedIn(r))
			}
		}
		if r := apptest.PostAnonForm(t, victim, ts.URL+"/signin", form); r.Status != 303 || !signedIn(r) {
			t.Errorf("with the form's own token: %d, signed in %v", r.Status, signedIn(r))
		}
	})
}

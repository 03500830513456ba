package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// toHeader matches a message's To header naming one address.
func toHeader(addr string) *regexp.Regexp {
	return regexp.MustCompile(`(?im)^To:.*<?` + regexp.QuoteMeta(addr) + `>?\s*$`)
}

// A focal point invites a colleague from the people page; the colleague
// follows the emailed link, chooses a password and signs in. Then a
// forgotten password is reset the same way.
func TestInvitationAndResetByMail(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	focal := sc.SignIn(t, "kadri@own.example", "Kadri", user.FocalPoint)
	token := apptest.CSRFOf(t, apptest.Get(t, focal, sc.TS+"/people").Body)
	r := apptest.PostForm(t, focal, sc.TS+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Nadia"}, "email": {"nadia@own.example"}, "org_role": {"member"}})
	if r.Status != 303 {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	if page := apptest.Get(t, focal, sc.TS+"/people"); !strings.Contains(page.Body, "nadia@own.example") || !strings.Contains(page.Body, "Invited") {
		t.Errorf("people page after the invitation")
	}
	link := apptest.NewestLink(t, 1, "nadia@own.example", "/invite")
	// A signed-in person can use the forgotten-password form too (its
	// CSRF token is there), and the invitation can be sent again.
	if r := apptest.PostAnonForm(t, focal, sc.TS+"/reset", url.Values{"csrf_token": {token}, "email": {"kadri@own.example"}}); r.Status != 200 {
		t.Errorf("reset form while signed in: %d", r.Status)
	}
	people := apptest.Get(t, focal, sc.TS+"/people").Body
	// Nadia's row: other invited people are listed too.
	if !regexp.MustCompile(`action="/people/resend"[^>]*>\s*<input type="hidden" name="csrf_token" value="[^"]+"><input type="hidden" name="email" value="nadia@own.example">`).MatchString(people) {
		t.Fatal("no resend button for the invited person")
	}
	if r := apptest.PostForm(t, focal, sc.TS+"/people/resend", url.Values{"csrf_token": {token}, "email": {"nadia@own.example"}}); r.Status != 303 {
		t.Errorf("resend: %d", r.Status)
	}
	if sc.Member.Do("POST", "/people/resend", "email=nadia%40own.example", "Content-Type", "application/x-www-form-urlencoded").Status != 403 {
		t.Error("a member resends invitations")
	}
	link = apptest.NewestLink(t, 2, "nadia@own.example", "/invite") // the resent invitation; the first link is retired only once one is used

	nadia := apptest.BrowserClient()
	if r := apptest.Get(t, nadia, sc.TS+link); r.Status != 200 || !strings.Contains(r.Body, `name="token"`) {
		t.Fatalf("invitation page: %d", r.Status)
	}
	secret := strings.SplitN(link, "token=", 2)[1]
	if r := apptest.PostAnonForm(t, nadia, sc.TS+"/invite", url.Values{"token": {secret}, "password": {"a fine new passphrase"}, "confirm": {"a different one"}}); r.Status != 422 {
		t.Errorf("mismatched passwords: %d", r.Status)
	}
	// Choosing the password signs her in, on to her workspace: no second
	// sign-in with what she just typed.
	if r := apptest.PostAnonForm(t, nadia, sc.TS+"/invite", url.Values{"token": {secret}, "password": {"a fine new passphrase"}, "confirm": {"a fine new passphrase"}}); r.Status != 303 || r.Header.Get("Location") != "/workspace" {
		t.Fatalf("set password: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := apptest.Get(t, nadia, sc.TS+"/api/v1/me"); r.Status != 200 || !strings.Contains(r.Body, "nadia@own.example") {
		t.Errorf("signed in after choosing a password: %d %s", r.Status, r.Body)
	}
	if r := apptest.Get(t, nadia, sc.TS+link); r.Status != 410 {
		t.Errorf("a used link: %d", r.Status)
	}
	if r := apptest.PostAnonForm(t, apptest.BrowserClient(), sc.TS+"/signin", url.Values{"email": {"nadia@own.example"}, "password": {"a fine new passphrase"}}); r.Status != 303 {
		t.Fatalf("sign in with the new password: %d", r.Status)
	}

	// Forgotten password: the same answer for any address.
	anon := apptest.BrowserClient()
	known := apptest.PostAnonForm(t, anon, sc.TS+"/reset", url.Values{"email": {"nadia@own.example"}})
	unknown := apptest.PostAnonForm(t, anon, sc.TS+"/reset", url.Values{"email": {"nobody@own.example"}})
	if known.Status != 200 || unknown.Status != 200 || !strings.Contains(unknown.Body, "If an account has this address") {
		t.Fatalf("reset request: %d %d", known.Status, unknown.Status)
	}
	reset := apptest.NewestLink(t, 1, "nadia@own.example", "/reset/new")
	secret = strings.SplitN(reset, "token=", 2)[1]
	if r := apptest.PostAnonForm(t, anon, sc.TS+"/reset/new", url.Values{"token": {secret}, "password": {"another good passphrase"}, "confirm": {"another good passphrase"}}); r.Status != 303 || r.Header.Get("Location") != "/workspace" {
		t.Fatalf("reset: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	// The old session is over; the one who reset is signed in, and the new
	// password works.
	if r := apptest.Get(t, nadia, sc.TS+"/api/v1/me"); r.Status != 401 {
		t.Errorf("a session outlived the reset: %d", r.Status)
	}
	if r := apptest.Get(t, anon, sc.TS+"/api/v1/me"); r.Status != 200 {
		t.Errorf("signed in after the reset: %d", r.Status)
	}
	if r := apptest.PostAnonForm(t, apptest.BrowserClient(), sc.TS+"/signin", url.Values{"email": {"nadia@own.example"}, "password": {"another good passphrase"}}); r.Status != 303 {
		t.Errorf("sign in after reset: %d", r.Status)
	}

	// The API: a member may not invite; the secretariat may.
	if r := sc.Member.Do("POST", "/api/v1/invitations", `{"email": "x@own.example", "name": "X"}`); r.Status != 403 {
		t.Errorf("member invites: %d %s", r.Status, r.Body)
	}
	if r := sc.Sec.Do("POST", "/api/v1/invitations", `{"email": "new.sec@pc.example", "name": "S", "role": "secretariat"}`); r.Status != 202 {
		t.Errorf("secretariat invites: %d %s", r.Status, r.Body)
	}
	// A new member of the secretariat choosing a password goes on to the
	// second step, not straight into a session: the password alone never
	// opens a secretariat account.
	link = apptest.NewestLink(t, 1, "new.sec@pc.example", "/invite")
	newSec := apptest.BrowserClient()
	secret = strings.SplitN(link, "token=", 2)[1]
	if r := apptest.PostAnonForm(t, newSec, sc.TS+"/invite", url.Values{"token": {secret}, "password": {"a secretariat passphrase"}, "confirm": {"a secretariat passphrase"}}); r.Status != 303 || r.Header.Get("Location") != "/signin/code" {
		t.Errorf("a secretariat password chosen: %d %q", r.Status, r.Header.Get("Location"))
	}
	if r := apptest.Get(t, newSec, sc.TS+"/api/v1/me"); r.Status != 401 {
		t.Errorf("signed in before the second step: %d", r.Status)
	}
}

// An invitation does not tell who has an account, through the API or the
// people page: an address that has one (the secretariat's, another
// organisation's person) gets the answer a new address gets, no second
// account is made, and its owner is mailed that they have one and how to
// reset their password.
func TestInvitationsDoNotTellWhoHasAnAccount(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		if _, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
			Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		accounts := func(email string) int {
			var n int
			if err := db.SQL().QueryRow("SELECT count(*) FROM users WHERE email = $1", email).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// The API: 202 and the same body, the address aside.
		answers := map[string]string{}
		for _, email := range []string{"fresh@own.example", "sec@pc.example", "focal@other.example"} {
			r := sc.Focal.Do("POST", "/api/v1/invitations", fmt.Sprintf(`{"email": %q, "name": "Someone", "org_role": "member"}`, email))
			if r.Status != http.StatusAccepted {
				t.Errorf("invitation to %s: %d %s", email, r.Status, r.Body)
			}
			answers[email] = strings.Replace(r.Body, email, "ADDRESS", 1)
		}
		if answers["sec@pc.example"] != answers["fresh@own.example"] || answers["focal@other.example"] != answers["fresh@own.example"] {
			t.Errorf("the answers tell the addresses apart: %v", answers)
		}
		inv := fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.Org.ID)
		if r := sc.Focal.Do("POST", inv, `{"email": "sec@pc.example", "name": "Someone", "org_role": "member"}`); r.Status != http.StatusAccepted {
			t.Errorf("an invitation into the organisation, to an address with an account: %d %s", r.Status, r.Body)
		}

		// The people page: the same flash for both.
		focal := apptest.BrowserClient()
		apptest.PostAnonForm(t, focal, sc.TS+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}})
		token := apptest.CSRFOf(t, apptest.Get(t, focal, sc.TS+"/people").Body)
		var pages []string
		for _, email := range []string{"fresh2@own.example", "focal@other.example"} {
			r := apptest.PostForm(t, focal, sc.TS+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Someone"}, "email": {email}, "org_role": {"member"}})
			if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/people" {
				t.Errorf("the invite form, to %s: %d %q", email, r.Status, r.Header.Get("Location"))
			}
			page := apptest.Get(t, focal, sc.TS+"/people")
			if !strings.Contains(page.Body, "The invitation is on its way.") {
				t.Errorf("no word that the invitation to %s is on its way", email)
			}
			pages = append(pages, page.Body)
		}
		// And the same row for both: the list does not tell which address
		// had an account.
		rowOf := func(page, email string) string {
			m := regexp.MustCompile(`<tr><td>[^<]*</td><td>` + regexp.QuoteMeta(email) + `</td>(?s:.*?)</tr>`).FindString(page)
			return strings.ReplaceAll(m, email, "ADDRESS")
		}
		if fresh, had := rowOf(pages[1], "fresh2@own.example"), rowOf(pages[1], "focal@other.example"); fresh == "" || fresh != had {
			t.Errorf("the people page tells the invitations apart:\n%s\n%s", fresh, had)
		}

		// No second account; the one there is untouched.
		for _, email := range []string{"sec@pc.example", "focal@other.example"} {
			if n := accounts(email); n != 1 {
				t.Errorf("%d accounts for %s", n, email)
			}
		}
		if u, err := sc.S.Users.GetByEmail(ctx, "sec@pc.example"); err != nil || u.Role != user.Secretariat {
			t.Errorf("the secretariat's account after the invitations: %+v %v", u, err)
		}
		// Each owner is told, with how to reset the password, and no link
		// that would make an account.
		for _, email := range []string{"sec@pc.example", "focal@other.example"} {
			mails := testutil.Mails(t, apptest.MailDir(t), email)
			if len(mails) == 0 {
				t.Fatalf("no mail to %s", email)
			}
			for _, m := range mails {
				if !strings.Contains(m.Text, "You already have an account") || !strings.Contains(m.Text, "http://pct.test/reset") || apptest.MailLink.MatchString(m.Text) {
					t.Errorf("the mail to %s: %s", email, m.Text)
				}
			}
		}
		if link := apptest.NewestLink(t, 1, "fresh@own.example", "/invite"); link == "" {
			t.Error("no link to the new address")
		}
	})
}

package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

var mailLink = regexp.MustCompile(`http://pct\.test(/(?:invite|reset/new)\?token=[A-Za-z0-9_-]+)`)

// toHeader matches a message's To header naming one address.
func toHeader(addr string) *regexp.Regexp {
	return regexp.MustCompile(`(?im)^To:.*<?` + regexp.QuoteMeta(addr) + `>?\s*$`)
}

// newestLink returns the link of the newest message to one address with a
// link of a kind ("/invite" or "/reset/new"), waiting until at least n
// such messages have arrived. Messages are told apart by recipient, not
// by count: a reset request sends its mail after the answer, so mail to
// another person can arrive in any order.
func newestLink(t *testing.T, n int, to, kind string) string {
	t.Helper()
	var links []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(30 * time.Millisecond) {
		links = links[:0]
		for _, m := range testutil.Mails(t, mailDir(t), to) {
			if l := mailLink.FindStringSubmatch(m.Text); l != nil && strings.HasPrefix(l[1], kind+"?") {
				links = append(links, l[1])
			}
		}
		if len(links) >= n || time.Now().After(deadline) {
			break
		}
	}
	if len(links) < n {
		t.Fatalf("%d messages to %s with a %s link, want %d", len(links), to, kind, n)
	}
	return links[len(links)-1]
}

// A focal point invites a colleague from the people page; the colleague
// follows the emailed link, chooses a password and signs in. Then a
// forgotten password is reset the same way.
func TestInvitationAndResetByMail(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	if _, err := sc.s.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	focal := browserClient()
	postAnonForm(t, focal, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
	token := csrfOf(t, get(t, focal, sc.ts+"/people").body)
	r := postForm(t, focal, sc.ts+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Nadia"}, "email": {"nadia@own.example"}, "org_role": {"member"}})
	if r.status != 303 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	if page := get(t, focal, sc.ts+"/people"); !strings.Contains(page.body, "nadia@own.example") || !strings.Contains(page.body, "Invited") {
		t.Errorf("people page after the invitation")
	}
	link := newestLink(t, 1, "nadia@own.example", "/invite")
	// A signed-in person can use the forgotten-password form too (its
	// CSRF token is there), and the invitation can be sent again.
	if r := postAnonForm(t, focal, sc.ts+"/reset", url.Values{"csrf_token": {token}, "email": {"kadri@own.example"}}); r.status != 200 {
		t.Errorf("reset form while signed in: %d", r.status)
	}
	people := get(t, focal, sc.ts+"/people").body
	// Nadia's row: other invited people are listed too.
	if !regexp.MustCompile(`action="/people/resend"[^>]*>\s*<input type="hidden" name="csrf_token" value="[^"]+"><input type="hidden" name="email" value="nadia@own.example">`).MatchString(people) {
		t.Fatal("no resend button for the invited person")
	}
	if r := postForm(t, focal, sc.ts+"/people/resend", url.Values{"csrf_token": {token}, "email": {"nadia@own.example"}}); r.status != 303 {
		t.Errorf("resend: %d", r.status)
	}
	if sc.member.do("POST", "/people/resend", "email=nadia%40own.example", "Content-Type", "application/x-www-form-urlencoded").status != 403 {
		t.Error("a member resends invitations")
	}
	link = newestLink(t, 2, "nadia@own.example", "/invite") // the resent invitation; the first link is retired only once one is used

	nadia := browserClient()
	if r := get(t, nadia, sc.ts+link); r.status != 200 || !strings.Contains(r.body, `name="token"`) {
		t.Fatalf("invitation page: %d", r.status)
	}
	secret := strings.SplitN(link, "token=", 2)[1]
	if r := postAnonForm(t, nadia, sc.ts+"/invite", url.Values{"token": {secret}, "password": {"a fine new passphrase"}, "confirm": {"a different one"}}); r.status != 422 {
		t.Errorf("mismatched passwords: %d", r.status)
	}
	// Choosing the password signs her in, on to her workspace: no second
	// sign-in with what she just typed.
	if r := postAnonForm(t, nadia, sc.ts+"/invite", url.Values{"token": {secret}, "password": {"a fine new passphrase"}, "confirm": {"a fine new passphrase"}}); r.status != 303 || r.header.Get("Location") != "/workspace" {
		t.Fatalf("set password: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if r := get(t, nadia, sc.ts+"/api/v1/me"); r.status != 200 || !strings.Contains(r.body, "nadia@own.example") {
		t.Errorf("signed in after choosing a password: %d %s", r.status, r.body)
	}
	if r := get(t, nadia, sc.ts+link); r.status != 410 {
		t.Errorf("a used link: %d", r.status)
	}
	if r := postAnonForm(t, browserClient(), sc.ts+"/signin", url.Values{"email": {"nadia@own.example"}, "password": {"a fine new passphrase"}}); r.status != 303 {
		t.Fatalf("sign in with the new password: %d", r.status)
	}

	// Forgotten password: the same answer for any address.
	anon := browserClient()
	known := postAnonForm(t, anon, sc.ts+"/reset", url.Values{"email": {"nadia@own.example"}})
	unknown := postAnonForm(t, anon, sc.ts+"/reset", url.Values{"email": {"nobody@own.example"}})
	if known.status != 200 || unknown.status != 200 || !strings.Contains(unknown.body, "If an account has this address") {
		t.Fatalf("reset request: %d %d", known.status, unknown.status)
	}
	reset := newestLink(t, 1, "nadia@own.example", "/reset/new")
	secret = strings.SplitN(reset, "token=", 2)[1]
	if r := postAnonForm(t, anon, sc.ts+"/reset/new", url.Values{"token": {secret}, "password": {"another good passphrase"}, "confirm": {"another good passphrase"}}); r.status != 303 || r.header.Get("Location") != "/workspace" {
		t.Fatalf("reset: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	// The old session is over; the one who reset is signed in, and the new
	// password works.
	if r := get(t, nadia, sc.ts+"/api/v1/me"); r.status != 401 {
		t.Errorf("a session outlived the reset: %d", r.status)
	}
	if r := get(t, anon, sc.ts+"/api/v1/me"); r.status != 200 {
		t.Errorf("signed in after the reset: %d", r.status)
	}
	if r := postAnonForm(t, browserClient(), sc.ts+"/signin", url.Values{"email": {"nadia@own.example"}, "password": {"another good passphrase"}}); r.status != 303 {
		t.Errorf("sign in after reset: %d", r.status)
	}

	// The API: a member may not invite; the secretariat may.
	if r := sc.member.do("POST", "/api/v1/invitations", `{"email": "x@own.example", "name": "X"}`); r.status != 403 {
		t.Errorf("member invites: %d %s", r.status, r.body)
	}
	if r := sc.sec.do("POST", "/api/v1/invitations", `{"email": "new.sec@pc.example", "name": "S", "role": "secretariat"}`); r.status != 202 {
		t.Errorf("secretariat invites: %d %s", r.status, r.body)
	}
	// A new member of the secretariat choosing a password goes on to the
	// second step, not straight into a session: the password alone never
	// opens a secretariat account.
	link = newestLink(t, 1, "new.sec@pc.example", "/invite")
	newSec := browserClient()
	secret = strings.SplitN(link, "token=", 2)[1]
	if r := postAnonForm(t, newSec, sc.ts+"/invite", url.Values{"token": {secret}, "password": {"a secretariat passphrase"}, "confirm": {"a secretariat passphrase"}}); r.status != 303 || r.header.Get("Location") != "/signin/code" {
		t.Errorf("a secretariat password chosen: %d %q", r.status, r.header.Get("Location"))
	}
	if r := get(t, newSec, sc.ts+"/api/v1/me"); r.status != 401 {
		t.Errorf("signed in before the second step: %d", r.status)
	}
}

// An invitation does not tell who has an account, through the API or the
// people page: an address that has one (the secretariat's, another
// organisation's person) gets the answer a new address gets, no second
// account is made, and its owner is mailed that they have one and how to
// reset their password.
func TestInvitationsDoNotTellWhoHasAnAccount(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		ctx := context.Background()
		if _, err := sc.s.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
			Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint, Password: testPassword}); err != nil {
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
			r := sc.focal.do("POST", "/api/v1/invitations", fmt.Sprintf(`{"email": %q, "name": "Someone", "org_role": "member"}`, email))
			if r.status != http.StatusAccepted {
				t.Errorf("invitation to %s: %d %s", email, r.status, r.body)
			}
			answers[email] = strings.Replace(r.body, email, "ADDRESS", 1)
		}
		if answers["sec@pc.example"] != answers["fresh@own.example"] || answers["focal@other.example"] != answers["fresh@own.example"] {
			t.Errorf("the answers tell the addresses apart: %v", answers)
		}
		inv := fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.org.ID)
		if r := sc.focal.do("POST", inv, `{"email": "sec@pc.example", "name": "Someone", "org_role": "member"}`); r.status != http.StatusAccepted {
			t.Errorf("an invitation into the organisation, to an address with an account: %d %s", r.status, r.body)
		}

		// The people page: the same flash for both.
		focal := browserClient()
		postAnonForm(t, focal, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
		token := csrfOf(t, get(t, focal, sc.ts+"/people").body)
		var pages []string
		for _, email := range []string{"fresh2@own.example", "focal@other.example"} {
			r := postForm(t, focal, sc.ts+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Someone"}, "email": {email}, "org_role": {"member"}})
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/people" {
				t.Errorf("the invite form, to %s: %d %q", email, r.status, r.header.Get("Location"))
			}
			page := get(t, focal, sc.ts+"/people")
			if !strings.Contains(page.body, "The invitation is on its way.") {
				t.Errorf("no word that the invitation to %s is on its way", email)
			}
			pages = append(pages, page.body)
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
		if u, err := sc.s.Users.GetByEmail(ctx, "sec@pc.example"); err != nil || u.Role != user.Secretariat {
			t.Errorf("the secretariat's account after the invitations: %+v %v", u, err)
		}
		// Each owner is told, with how to reset the password, and no link
		// that would make an account.
		for _, email := range []string{"sec@pc.example", "focal@other.example"} {
			mails := testutil.Mails(t, mailDir(t), email)
			if len(mails) == 0 {
				t.Fatalf("no mail to %s", email)
			}
			for _, m := range mails {
				if !strings.Contains(m.Text, "You already have an account") || !strings.Contains(m.Text, "http://pct.test/reset") || mailLink.MatchString(m.Text) {
					t.Errorf("the mail to %s: %s", email, m.Text)
				}
			}
		}
		if link := newestLink(t, 1, "fresh@own.example", "/invite"); link == "" {
			t.Error("no link to the new address")
		}
	})
}

package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Nobody can lock an account's owner out, through a trusted proxy that
// names each client's address (X-Forwarded-For), at the default limits
// (100 failures an hour per account, 30 a minute per address). 500 wrong
// passwords from one address: only those judged count, so the owner signs
// in as usual. 500 from 20 addresses: the account's limit is reached and
// strangers stay refused, even with the right password, while the owner's
// browser, which signed in before, is let through. A password reset then
// clears the account's failures.
func TestStrangersCannotLockTheOwnerOut(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		org := s.Stakeholder(t, stakeholder.Company)
		const owner = "owner@lockout.example"
		if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: owner, Name: "Owner",
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		ts, _ := apptest.StartServerWith(t, db, s.Clock.Now, nil, func(cfg *config.Config) {
			cfg.HTTP.TrustedProxies = []string{"127.0.0.1/32"}
		})

		// The owner's browser signs in once: it is given a device cookie.
		ownerBrowser := apptest.BrowserClient()
		r := apptest.PostAnonForm(t, ownerBrowser, ts.URL+"/signin", url.Values{"email": {owner}, "password": {apptest.Password}},
			"X-Forwarded-For", "198.51.100.1")
		device := ""
		for _, ck := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(ck, "pct_device=") {
				device = ck
			}
		}
		if r.Status != http.StatusSeeOther || !strings.Contains(device, "HttpOnly") || !strings.Contains(device, "SameSite=Strict") ||
			!strings.Contains(device, "Path=/") || !strings.Contains(device, "Max-Age=") {
			t.Fatalf("the owner's first sign-in: %d, device cookie %q", r.Status, device)
		}
		// ... and signs out: the device cookie stays.
		if r := apptest.PostForm(t, ownerBrowser, ts.URL+"/signout", url.Values{"csrf_token": {apptest.CSRFOf(t, apptest.Get(t, ownerBrowser, ts.URL+"/").Body)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", r.Status)
		}

		// The attacker: one form token for every attempt, as a script does.
		page := apptest.Get(t, nil, ts.URL+"/signin")
		var token string
		for _, ck := range (&http.Response{Header: page.Header}).Cookies() {
			if ck.Name == "pct_form" {
				token = ck.Value
			}
		}
		attacker := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		attack := func(password, from string) int {
			t.Helper()
			r := apptest.PostForm(t, attacker, ts.URL+"/signin", url.Values{"email": {owner}, "password": {password}, "csrf_token": {token}},
				"Cookie", "pct_form="+token, "X-Forwarded-For", from)
			if r.Status == http.StatusTooManyRequests && r.Header.Get("Retry-After") == "" {
				t.Fatalf("429 without Retry-After")
			}
			return r.Status
		}
		count := func(statuses map[int]int, status int) { statuses[status]++ }
		// signIn is the owner, in a browser of their own, from an address.
		signIn := func(b *http.Client, from string) apptest.Response {
			t.Helper()
			return apptest.PostAnonForm(t, b, ts.URL+"/signin", url.Values{"email": {owner}, "password": {apptest.Password}}, "X-Forwarded-For", from)
		}

		// 500 wrong passwords from one address: 30 judged, 470 refused.
		got := map[int]int{}
		for range 500 {
			count(got, attack("wrong password", "203.0.113.1"))
		}
		if got[http.StatusUnauthorized] != 30 || got[http.StatusTooManyRequests] != 470 {
			t.Errorf("500 from one address: %v, want 30 judged and 470 refused", got)
		}
		if r := signIn(apptest.BrowserClient(), "198.51.100.2"); r.Status != http.StatusSeeOther {
			t.Fatalf("after 500 attempts from one address, the owner in a new browser: %d, want 303", r.Status)
		}

		// 500 from 20 addresses, 25 each: the account reaches its limit.
		got = map[int]int{}
		for i := range 500 {
			count(got, attack("wrong password", fmt.Sprintf("192.0.2.%d", i%20+1)))
		}
		if got[http.StatusUnauthorized] != 100-30 || got[http.StatusTooManyRequests] != 500-(100-30) {
			t.Errorf("500 from 20 addresses: %v, want the 70 left to the limit judged and 430 refused", got)
		}
		if st := attack(apptest.Password, "192.0.2.1"); st != http.StatusTooManyRequests {
			t.Errorf("the attacker with the right password: %d, want 429", st)
		}
		if r := signIn(apptest.BrowserClient(), "198.51.100.3"); r.Status != http.StatusTooManyRequests {
			t.Errorf("a browser that never signed in, with the right password: %d, want 429", r.Status)
		}
		// The owner's browser, from an address never seen, signs in.
		if r := signIn(ownerBrowser, "198.51.100.4"); r.Status != http.StatusSeeOther || !signedIn(r) {
			t.Fatalf("the owner's browser after the attack: %d, want 303 with a session", r.Status)
		}
		for _, from := range []string{"192.0.2.7", "203.0.113.99"} {
			if st := attack(apptest.Password, from); st != http.StatusTooManyRequests {
				t.Errorf("the attacker from %s after the owner signed in: %d, want 429", from, st)
			}
		}

		// A reset by the link mailed to the owner clears the failures: any
		// browser signs in again.
		anon := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, anon, ts.URL+"/reset", url.Values{"email": {owner}}, "X-Forwarded-For", "198.51.100.5"); r.Status != http.StatusOK {
			t.Fatalf("reset request: %d", r.Status)
		}
		link := apptest.NewestLink(t, 1, owner, "/reset/new")
		secret := strings.SplitN(link, "token=", 2)[1]
		if r := apptest.PostAnonForm(t, anon, ts.URL+"/reset/new", url.Values{"token": {secret}, "password": {"a new owner passphrase"},
			"confirm": {"a new owner passphrase"}}, "X-Forwarded-For", "198.51.100.5"); r.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		b := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, b, ts.URL+"/signin", url.Values{"email": {owner}, "password": {"a new owner passphrase"}},
			"X-Forwarded-For", "198.51.100.6"); r.Status != http.StatusSeeOther {
			t.Errorf("a new browser after the reset: %d, want 303", r.Status)
		}
	})
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Deactivating an organisation keeps its people out at once: their
// sessions and API tokens end in the deactivation's transaction, their
// sign-in is refused with a word why (once the password is right: a
// stranger learns nothing), and nothing they held lets them create, submit
// or invite. Reactivation lets them sign in again; their tokens stay
// revoked.
func TestDeactivatedOrganisation(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sc := newScenario(t, db)
		const pat = "pat@own.example"
		patU, err := sc.s.Users.Create(ctx, testutil.System, user.Input{Email: pat, Name: "Pat", Role: user.Supporter,
			StakeholderID: sc.org.ID, OrgRole: user.FocalPoint, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		browser := browserClient()
		if r := postAnonForm(t, browser, sc.ts+"/signin", url.Values{"email": {pat}, "password": {testPassword}}); !signedIn(r) {
			t.Fatalf("sign-in before: %d", r.status)
		}
		draft := decode[actionJSON](t, sc.focal.do("POST", "/api/v1/actions", newActionBody))
		if draft.ID == 0 {
			t.Fatal("no draft before the deactivation")
		}
		count := func(q string) int {
			var n int
			if err := db.SQL().QueryRow(q, sc.org.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		const liveSessions = "SELECT count(*) FROM sessions WHERE user_id IN (SELECT id FROM users WHERE stakeholder_id = $1)"
		const liveTokens = "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE stakeholder_id = $1)"
		if count(liveSessions) != 1 || count(liveTokens) != 2 {
			t.Fatalf("before: %d sessions, %d tokens", count(liveSessions), count(liveTokens))
		}
		setActive := func(active bool) {
			t.Helper()
			path := fmt.Sprintf("/api/v1/stakeholders/%d", sc.org.ID)
			var st struct{ Version int }
			json.Unmarshal([]byte(sc.sec.do("GET", path, "").body), &st)
			if r := sc.sec.do("PATCH", path, fmt.Sprintf(`{"version": %d, "active": %t}`, st.Version, active)); r.status != 200 {
				t.Fatalf("active %t: %d %s", active, r.status, r.body)
			}
		}
		setActive(false)

		// Sessions and tokens ended with the deactivation.
		if count(liveSessions) != 0 || count(liveTokens) != 0 {
			t.Errorf("after: %d sessions, %d tokens left", count(liveSessions), count(liveTokens))
		}
		if r := get(t, browser, sc.ts+"/api/v1/me"); r.status != http.StatusUnauthorized {
			t.Errorf("the session after the deactivation: %d", r.status)
		}
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/me", ""},
			{"POST", "/api/v1/actions", newActionBody},
			{"POST", fmt.Sprintf("/api/v1/actions/%d/submit", draft.ID), fmt.Sprintf(`{"version": %d}`, draft.Version)},
			{"POST", "/api/v1/invitations", `{"email": "new@own.example", "name": "New", "org_role": "member"}`},
		} {
			if r := sc.focal.do(c.method, c.path, c.body); r.status != http.StatusUnauthorized {
				t.Errorf("%s %s with a token of before: %d %s", c.method, c.path, r.status, r.body)
			}
		}
		// A session or token made since (a sign-in racing the
		// deactivation, a token added by hand) opens nothing either.
		sessions := session.NewService(db, time.Now, time.Hour, time.Hour)
		late, _, err := sessions.Start(ctx, patU.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if r := get(t, nil, sc.ts+"/api/v1/me", "Cookie", "pct_session="+late); r.status != http.StatusUnauthorized {
			t.Errorf("a session started after the deactivation: %d", r.status)
		}
		if _, _, err := sc.s.Users.CreateToken(ctx, testutil.System, pat, "late"); !errs.Is(err, errs.Invalid) {
			t.Errorf("a token for a person of a deactivated organisation: %v", err)
		}
		// A revoked token put back by hand is judged on each use too.
		if _, err := db.SQL().Exec("UPDATE api_tokens SET revoked_at = NULL WHERE user_id IN (SELECT id FROM users WHERE stakeholder_id = $1)", sc.org.ID); err != nil {
			t.Fatal(err)
		}
		if r := sc.focal.do("GET", "/api/v1/me", ""); r.status != http.StatusUnauthorized {
			t.Errorf("a token put back by hand: %d", r.status)
		}
		if _, err := db.SQL().Exec("UPDATE api_tokens SET revoked_at = $2 WHERE user_id IN (SELECT id FROM users WHERE stakeholder_id = $1)", sc.org.ID, time.Now()); err != nil {
			t.Fatal(err)
		}

		// Sign-in: the right password is told why, in the page's language;
		// a wrong one is only wrong.
		for lang, want := range map[string]string{"en": "the secretariat has deactivated it", "fr": "le secrétariat l&#39;a désactivée"} {
			r := postAnonForm(t, browserClient(), sc.ts+"/signin?lang="+lang, url.Values{"email": {pat}, "password": {testPassword}})
			if r.status != http.StatusForbidden || signedIn(r) || !strings.Contains(r.body, want) {
				t.Errorf("sign-in in %s: %d, session %t, %q said: %t", lang, r.status, signedIn(r), want, strings.Contains(r.body, want))
			}
		}
		if r := postAnonForm(t, browserClient(), sc.ts+"/signin", url.Values{"email": {pat}, "password": {"wrong password"}}); r.status != http.StatusUnauthorized || strings.Contains(r.body, "deactivated") {
			t.Errorf("a wrong password: %d", r.status)
		}
		// Nobody is invited into it meanwhile.
		inv := fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.org.ID)
		if r := sc.sec.do("POST", inv, `{"email": "new@own.example", "name": "New", "org_role": "member"}`); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"stakeholder"`) {
			t.Errorf("an invitation into a deactivated organisation: %d %s", r.status, r.body)
		}
		if _, err := sc.s.Users.Create(ctx, testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille", Role: user.Secretariat, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		withAuthenticator(t, db, "camille@pc.example")
		secBrowser := browserClient()
		if r := signInForm(t, secBrowser, sc.ts, "camille@pc.example", testPassword, totpCode(t, testAuthenticator, sc.s.Clock.Now())); !signedIn(r) {
			t.Fatalf("the secretariat's sign-in: %d", r.status)
		}
		orgPage := fmt.Sprintf("%s/admin/organisations/%d", sc.ts, sc.org.ID)
		if r := postForm(t, secBrowser, orgPage+"/invite", url.Values{"csrf_token": {csrfOf(t, get(t, secBrowser, orgPage).body)},
			"name": {"New"}, "email": {"new@own.example"}, "org_role": {"member"}}); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "This organisation is deactivated") {
			t.Errorf("the invite form of a deactivated organisation: %d", r.status)
		}

		// Reactivated: the password signs in again; old tokens stay revoked.
		setActive(true)
		if r := postAnonForm(t, browserClient(), sc.ts+"/signin", url.Values{"email": {pat}, "password": {testPassword}}); r.status != http.StatusSeeOther || !signedIn(r) {
			t.Errorf("sign-in after reactivation: %d", r.status)
		}
		if r := sc.focal.do("GET", "/api/v1/me", ""); r.status != http.StatusUnauthorized {
			t.Errorf("a token revoked at the deactivation, after reactivation: %d", r.status)
		}
	})
}

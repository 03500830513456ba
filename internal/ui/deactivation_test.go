package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
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
		sc := apptest.NewScenario(t, db)
		const pat = "pat@own.example"
		patU, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: pat, Name: "Pat", Role: user.Supporter,
			StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint, Password: apptest.Password})
		if err != nil {
			t.Fatal(err)
		}
		browser := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, browser, sc.TS+"/signin", url.Values{"email": {pat}, "password": {apptest.Password}}); !signedIn(r) {
			t.Fatalf("sign-in before: %d", r.Status)
		}
		draft := apptest.Decode[apptest.ActionJSON](t, sc.Focal.Do("POST", "/api/v1/actions", apptest.NewActionBody))
		if draft.ID == 0 {
			t.Fatal("no draft before the deactivation")
		}
		count := func(q string) int {
			var n int
			if err := db.SQL().QueryRow(q, sc.Org.ID).Scan(&n); err != nil {
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
			path := fmt.Sprintf("/api/v1/stakeholders/%d", sc.Org.ID)
			var st struct{ Version int }
			json.Unmarshal([]byte(sc.Sec.Do("GET", path, "").Body), &st)
			if r := sc.Sec.Do("PATCH", path, fmt.Sprintf(`{"version": %d, "active": %t}`, st.Version, active)); r.Status != 200 {
				t.Fatalf("active %t: %d %s", active, r.Status, r.Body)
			}
		}
		setActive(false)

		// Sessions and tokens ended with the deactivation.
		if count(liveSessions) != 0 || count(liveTokens) != 0 {
			t.Errorf("after: %d sessions, %d tokens left", count(liveSessions), count(liveTokens))
		}
		if r := apptest.Get(t, browser, sc.TS+"/api/v1/me"); r.Status != http.StatusUnauthorized {
			t.Errorf("the session after the deactivation: %d", r.Status)
		}
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/me", ""},
			{"POST", "/api/v1/actions", apptest.NewActionBody},
			{"POST", fmt.Sprintf("/api/v1/actions/%d/submit", draft.ID), fmt.Sprintf(`{"version": %d}`, draft.Version)},
			{"POST", "/api/v1/invitations", `{"email": "new@own.example", "name": "New", "org_role": "member"}`},
		} {
			if r := sc.Focal.Do(c.method, c.path, c.body); r.Status != http.StatusUnauthorized {
				t.Errorf("%s %s with a token of before: %d %s", c.method, c.path, r.Status, r.Body)
			}
		}
		// A session or token made since (a sign-in racing the
		// deactivation, a token added by hand) opens nothing either.
		sessions := session.NewService(db, time.Now, time.Hour, time.Hour)
		late, _, err := sessions.Start(ctx, patU.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if r := apptest.Get(t, nil, sc.TS+"/api/v1/me", "Cookie", "pct_session="+late); r.Status != http.StatusUnauthorized {
			t.Errorf("a session started after the deactivation: %d", r.Status)
		}
		if _, _, err := sc.S.Users.CreateToken(ctx, testutil.System, pat, "late"); !errs.Is(err, errs.Invalid) {
			t.Errorf("a token for a person of a deactivated organisation: %v", err)
		}
		// A revoked token put back by hand is judged on each use too.
		if _, err := db.SQL().Exec("UPDATE api_tokens SET revoked_at = NULL WHERE user_id IN (SELECT id FROM users WHERE stakeholder_id = $1)", sc.Org.ID); err != nil {
			t.Fatal(err)
		}
		if r := sc.Focal.Do("GET", "/api/v1/me", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("a token put back by hand: %d", r.Status)
		}
		if _, err := db.SQL().Exec("UPDATE api_tokens SET revoked_at = $2 WHERE user_id IN (SELECT id FROM users WHERE stakeholder_id = $1)", sc.Org.ID, time.Now()); err != nil {
			t.Fatal(err)
		}

		// Sign-in: the right password is told why, in the page's language;
		// a wrong one is only wrong.
		for lang, want := range map[string]string{"en": "the secretariat has deactivated it", "fr": "le secrétariat l&#39;a désactivée"} {
			r := apptest.PostAnonForm(t, apptest.BrowserClient(), sc.TS+"/signin?lang="+lang, url.Values{"email": {pat}, "password": {apptest.Password}})
			if r.Status != http.StatusForbidden || signedIn(r) || !strings.Contains(r.Body, want) {
				t.Errorf("sign-in in %s: %d, session %t, %q said: %t", lang, r.Status, signedIn(r), want, strings.Contains(r.Body, want))
			}
		}
		if r := apptest.PostAnonForm(t, apptest.BrowserClient(), sc.TS+"/signin", url.Values{"email": {pat}, "password": {"wrong password"}}); r.Status != http.StatusUnauthorized || strings.Contains(r.Body, "deactivated") {
			t.Errorf("a wrong password: %d", r.Status)
		}
		// Nobody is invited into it meanwhile.
		inv := fmt.Sprintf("/api/v1/stakeholders/%d/invitations", sc.Org.ID)
		if r := sc.Sec.Do("POST", inv, `{"email": "new@own.example", "name": "New", "org_role": "member"}`); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `"stakeholder"`) {
			t.Errorf("an invitation into a deactivated organisation: %d %s", r.Status, r.Body)
		}
		if _, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille", Role: user.Secretariat, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		apptest.WithAuthenticator(t, db, "camille@pc.example")
		secBrowser := apptest.BrowserClient()
		if r := apptest.SignInForm(t, secBrowser, sc.TS, "camille@pc.example", apptest.Password, apptest.TOTPCode(t, apptest.AuthenticatorSecret, sc.S.Clock.Now())); !signedIn(r) {
			t.Fatalf("the secretariat's sign-in: %d", r.Status)
		}
		orgPage := fmt.Sprintf("%s/admin/organisations/%d", sc.TS, sc.Org.ID)
		if r := apptest.PostForm(t, secBrowser, orgPage+"/invite", url.Values{"csrf_token": {apptest.CSRFOf(t, apptest.Get(t, secBrowser, orgPage).Body)},
			"name": {"New"}, "email": {"new@own.example"}, "org_role": {"member"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "This organisation is deactivated") {
			t.Errorf("the invite form of a deactivated organisation: %d", r.Status)
		}

		// Reactivated: the password signs in again; old tokens stay revoked.
		setActive(true)
		if r := apptest.PostAnonForm(t, apptest.BrowserClient(), sc.TS+"/signin", url.Values{"email": {pat}, "password": {apptest.Password}}); r.Status != http.StatusSeeOther || !signedIn(r) {
			t.Errorf("sign-in after reactivation: %d", r.Status)
		}
		if r := sc.Focal.Do("GET", "/api/v1/me", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("a token revoked at the deactivation, after reactivation: %d", r.Status)
		}
	})
}

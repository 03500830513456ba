package app

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

var mailLink = regexp.MustCompile(`http://pct\.test(/(?:invite|reset/new)\?token=[A-Za-z0-9_-]+)`)

// newestLink reads the link of the newest message the server wrote.
func newestLink(t *testing.T) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(mailDir(t), "*.eml"))
	if len(files) == 0 {
		t.Fatal("no mail was written")
	}
	sort.Strings(files)
	b, _ := os.ReadFile(files[len(files)-1])
	m := mailLink.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("no link in %s", b)
	}
	return m[1]
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
	postForm(t, focal, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
	token := csrfOf(t, get(t, focal, sc.ts+"/people").body)
	r := postForm(t, focal, sc.ts+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Nadia"}, "email": {"nadia@own.example"}, "org_role": {"member"}})
	if r.status != 303 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	if page := get(t, focal, sc.ts+"/people"); !strings.Contains(page.body, "nadia@own.example") || !strings.Contains(page.body, "Invited") {
		t.Errorf("people page after the invitation")
	}
	link := newestLink(t)

	nadia := browserClient()
	if r := get(t, nadia, sc.ts+link); r.status != 200 || !strings.Contains(r.body, `name="token"`) {
		t.Fatalf("invitation page: %d", r.status)
	}
	secret := strings.SplitN(link, "token=", 2)[1]
	if r := postForm(t, nadia, sc.ts+"/invite", url.Values{"token": {secret}, "password": {"a fine new passphrase"}, "confirm": {"a different one"}}); r.status != 422 {
		t.Errorf("mismatched passwords: %d", r.status)
	}
	if r := postForm(t, nadia, sc.ts+"/invite", url.Values{"token": {secret}, "password": {"a fine new passphrase"}, "confirm": {"a fine new passphrase"}}); r.status != 303 {
		t.Fatalf("set password: %d %s", r.status, r.body)
	}
	if r := get(t, nadia, sc.ts+link); r.status != 410 {
		t.Errorf("a used link: %d", r.status)
	}
	if r := postForm(t, nadia, sc.ts+"/signin", url.Values{"email": {"nadia@own.example"}, "password": {"a fine new passphrase"}}); r.status != 303 {
		t.Fatalf("sign in with the new password: %d", r.status)
	}

	// Forgotten password: the same answer for any address.
	anon := browserClient()
	known := postForm(t, anon, sc.ts+"/reset", url.Values{"email": {"nadia@own.example"}})
	unknown := postForm(t, anon, sc.ts+"/reset", url.Values{"email": {"nobody@own.example"}})
	if known.status != 200 || unknown.status != 200 || !strings.Contains(unknown.body, "If an account has this address") {
		t.Fatalf("reset request: %d %d", known.status, unknown.status)
	}
	reset := newestLink(t)
	secret = strings.SplitN(reset, "token=", 2)[1]
	if r := postForm(t, anon, sc.ts+"/reset/new", url.Values{"token": {secret}, "password": {"another good passphrase"}, "confirm": {"another good passphrase"}}); r.status != 303 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	// The old session is over and the new password works.
	if r := get(t, nadia, sc.ts+"/api/v1/me"); r.status != 401 {
		t.Errorf("a session outlived the reset: %d", r.status)
	}
	if r := postForm(t, anon, sc.ts+"/signin", url.Values{"email": {"nadia@own.example"}, "password": {"another good passphrase"}}); r.status != 303 {
		t.Errorf("sign in after reset: %d", r.status)
	}

	// The API: a member may not invite; the secretariat may.
	if r := sc.member.do("POST", "/api/v1/invitations", `{"email": "x@own.example", "name": "X"}`); r.status != 403 {
		t.Errorf("member invites: %d %s", r.status, r.body)
	}
	if r := sc.sec.do("POST", "/api/v1/invitations", `{"email": "new.sec@pc.example", "name": "S", "role": "secretariat"}`); r.status != 201 {
		t.Errorf("secretariat invites: %d %s", r.status, r.body)
	}
}

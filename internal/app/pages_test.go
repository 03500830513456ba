package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

func TestActionPagesAreInvisibleToOthers(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := newScenario(t, db)
		ctx := context.Background()
		for _, u := range []user.Input{
			{Email: "kadri@own.example", Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint},
			{Email: "spy@other.example", Role: user.Supporter, StakeholderID: sc.otherOrg.ID, OrgRole: user.FocalPoint},
		} {
			u.Name, u.Password = u.Email, testPassword
			if _, err := sc.s.Users.Create(ctx, testutil.System, u); err != nil {
				t.Fatal(err)
			}
		}
		own := browserClient()
		postAnonForm(t, own, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
		ownToken := csrfOf(t, get(t, own, sc.ts+"/workspace").body)
		// A draft made through the page.
		r := postForm(t, own, sc.ts+"/actions", url.Values{"csrf_token": {ownToken}, "cycle": {"2026"}, "op": {"save"},
			"title": {"Vendor register"}, "recommendations": {"6"}, "stage": {"planned"}, "measure": {"mandatory_due_diligence"},
			"scope": {"national"}, "visibility": {"public"}})
		if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/actions/") {
			t.Fatalf("create through the page: %d %s", r.status, r.body)
		}
		path := r.header.Get("Location")

		spy := browserClient()
		postAnonForm(t, spy, sc.ts+"/signin", url.Values{"email": {"spy@other.example"}, "password": {testPassword}})
		spyToken := csrfOf(t, get(t, spy, sc.ts+"/workspace").body)
		public := fmt.Sprintf("/actions/%d", sc.lastYearAction.ID) // accepted and public: its public page is anyone's
		if r := get(t, spy, sc.ts+public); r.status != 200 || !strings.Contains(r.body, "Over the years") || strings.Contains(r.body, `action="`+public) {
			t.Errorf("GET %s by another organisation: %d, want the public page without forms", public, r.status)
		}
		for _, id := range []string{path, public} {
			for _, p := range []string{"", "/edit", "/history"} {
				if id == public && p == "" {
					continue
				}
				if r := get(t, spy, sc.ts+id+p); r.status != 404 {
					t.Errorf("GET %s%s by another organisation: %d", id, p, r.status)
				}
			}
			for _, p := range []string{"", "/submit", "/withdraw", "/delete"} {
				r := postForm(t, spy, sc.ts+id+p, url.Values{"csrf_token": {spyToken}, "version": {"1"}, "title": {"Hijack"}, "cycle": {"2026"}, "op": {"save"}})
				if r.status != 404 {
					t.Errorf("POST %s%s by another organisation: %d", id, p, r.status)
				}
			}
		}
		if w := get(t, spy, sc.ts+"/workspace?cycle=2026"); strings.Contains(w.body, "Vendor register") {
			t.Error("another organisation's workspace lists the draft")
		}
		// The owner still sees it unchanged.
		if r := get(t, own, sc.ts+path); r.status != 200 || !strings.Contains(r.body, "Vendor register") {
			t.Errorf("owner: %d", r.status)
		}
		// Anonymous visitors are sent to sign in.
		if r := get(t, browserClient(), sc.ts+path); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/signin?next=") {
			t.Errorf("anonymous: %d %q", r.status, r.header.Get("Location"))
		}
	})
}

// The import page takes a real multipart upload: a refused file lists its
// problems by line, a good one lands as drafts.
func TestImportPage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	if _, err := sc.s.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.Member, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	c := browserClient()
	postAnonForm(t, c, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
	token := csrfOf(t, get(t, c, sc.ts+"/actions/import?cycle=2026").body)
	upload := func(content string) response {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("csrf_token", token)
		w.WriteField("cycle", "2026")
		f, _ := w.CreateFormFile("file", "actions.csv")
		f.Write([]byte(content))
		w.Close()
		req, _ := http.NewRequest("POST", sc.ts+"/actions/import", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return response{res.StatusCode, res.Header, string(b)}
	}
	r := upload(csvRows(5, 4))
	if r.status != 422 || !strings.Contains(r.body, "<td>4</td>") || !strings.Contains(r.body, "<code>stage</code>") {
		t.Fatalf("refused file: %d", r.status)
	}
	r = upload(csvRows(5, 0))
	if r.status != 303 {
		t.Fatalf("good file: %d %s", r.status, r.body)
	}
	if w := get(t, c, sc.ts+r.header.Get("Location")); !strings.Contains(w.body, "5 action(s) imported") || strings.Count(w.body, "Action ") < 5 {
		t.Errorf("workspace after the import")
	}
	if tpl := get(t, c, sc.ts+"/actions/import/template.csv"); tpl.status != 200 || !strings.HasPrefix(tpl.body, "\ufefftitle,description,recommendations") {
		t.Errorf("template: %d %q", tpl.status, tpl.body)
	}
}

// A token created on the account page is shown once, works on the API,
// and stops working when revoked.
func TestAccountTokens(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	if _, err := sc.s.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	c := browserClient()
	postAnonForm(t, c, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
	token := csrfOf(t, get(t, c, sc.ts+"/account").body)
	r := postForm(t, c, sc.ts+"/account/tokens", url.Values{"csrf_token": {token}, "name": {"reporting script"}})
	m := regexp.MustCompile(`id="new-token" type="text" readonly value="(pct_[A-Za-z0-9_-]+)"`).FindStringSubmatch(r.body)
	if r.status != 201 || m == nil || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d", r.status)
	}
	api := apiClient{t: t, base: sc.ts, token: m[1]}
	if r := api.do("GET", "/api/v1/me", ""); r.status != 200 || !strings.Contains(r.body, "kadri@own.example") {
		t.Fatalf("the new token: %d", r.status)
	}
	page := get(t, c, sc.ts+"/account")
	if strings.Contains(page.body, m[1]) {
		t.Error("the token is shown again")
	}
	id := regexp.MustCompile(`/account/tokens/(\d+)/revoke`).FindStringSubmatch(page.body)
	if id == nil {
		t.Fatal("no revoke button")
	}
	// Another person cannot revoke it while it is live: not found, and it
	// still works.
	if r := sc.member.do("POST", "/account/tokens/"+id[1]+"/revoke", "", "Content-Type", "application/x-www-form-urlencoded"); r.status != 404 {
		t.Errorf("revoking another's token: %d", r.status)
	}
	if r := api.do("GET", "/api/v1/me", ""); r.status != 200 {
		t.Fatalf("the token after another's revoke attempt: %d", r.status)
	}
	if r := postForm(t, c, sc.ts+"/account/tokens/"+id[1]+"/revoke", url.Values{"csrf_token": {token}}); r.status != 303 {
		t.Fatalf("revoke: %d", r.status)
	}
	if r := api.do("GET", "/api/v1/me", ""); r.status != 401 {
		t.Errorf("a revoked token still works: %d", r.status)
	}
	// A CSRF token in the query string is not taken.
	if r := postForm(t, c, sc.ts+"/account/tokens?csrf_token="+url.QueryEscape(token), url.Values{"name": {"x"}}); r.status != 403 {
		t.Errorf("CSRF token from the query string: %d", r.status)
	}
}

// A refused invitation keeps what was typed and says why, in French too.
func TestInviteFormErrors(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := newScenario(t, db)
	if _, err := sc.s.Users.Create(context.Background(), testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
		Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	c := browserClient()
	postAnonForm(t, c, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
	token := csrfOf(t, get(t, c, sc.ts+"/people?lang=fr").body)
	r := postForm(t, c, sc.ts+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Nadia"}, "email": {"not an address"}, "org_role": {"member"}})
	if r.status != 422 || !strings.Contains(r.body, "Indiquez une adresse électronique valide") || !strings.Contains(r.body, `value="not an address"`) {
		t.Errorf("bad email: %d", r.status)
	}
	// An address that has an account is answered as any other (see
	// TestInvitationsDoNotTellWhoHasAnAccount).
	r = postForm(t, c, sc.ts+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Again"}, "email": {"member@own.example"}, "org_role": {"member"}})
	if r.status != http.StatusSeeOther {
		t.Errorf("an address with an account: %d", r.status)
	}
}

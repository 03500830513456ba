package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
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

func TestActionPagesAreInvisibleToOthers(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		for _, u := range []user.Input{
			{Email: "kadri@own.example", Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint},
			{Email: "spy@other.example", Role: user.Supporter, StakeholderID: sc.OtherOrg.ID, OrgRole: user.FocalPoint},
		} {
			u.Name, u.Password = u.Email, apptest.Password
			if _, err := sc.S.Users.Create(ctx, testutil.System, u); err != nil {
				t.Fatal(err)
			}
		}
		own := apptest.BrowserClient()
		apptest.PostAnonForm(t, own, sc.TS+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}})
		ownToken := apptest.CSRFOf(t, apptest.Get(t, own, sc.TS+"/workspace").Body)
		// A draft made through the page.
		r := apptest.PostForm(t, own, sc.TS+"/actions", url.Values{"csrf_token": {ownToken}, "cycle": {"2026"}, "op": {"save"},
			"title": {"Vendor register"}, "recommendations": {"6"}, "stage": {"planned"}, "measure": {"mandatory_due_diligence"},
			"scope": {"national"}, "visibility": {"public"}})
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/actions/") {
			t.Fatalf("create through the page: %d %s", r.Status, r.Body)
		}
		path := r.Header.Get("Location")

		spy := apptest.BrowserClient()
		apptest.PostAnonForm(t, spy, sc.TS+"/signin", url.Values{"email": {"spy@other.example"}, "password": {apptest.Password}})
		spyToken := apptest.CSRFOf(t, apptest.Get(t, spy, sc.TS+"/workspace").Body)
		public := fmt.Sprintf("/actions/%d", sc.LastYearAction.ID) // accepted and public: its public page is anyone's
		if r := apptest.Get(t, spy, sc.TS+public); r.Status != 200 || !strings.Contains(r.Body, "Over the years") || strings.Contains(r.Body, `action="`+public) {
			t.Errorf("GET %s by another organisation: %d, want the public page without forms", public, r.Status)
		}
		for _, id := range []string{path, public} {
			for _, p := range []string{"", "/edit", "/history"} {
				if id == public && p == "" {
					continue
				}
				if r := apptest.Get(t, spy, sc.TS+id+p); r.Status != 404 {
					t.Errorf("GET %s%s by another organisation: %d", id, p, r.Status)
				}
			}
			for _, p := range []string{"", "/submit", "/withdraw", "/delete"} {
				r := apptest.PostForm(t, spy, sc.TS+id+p, url.Values{"csrf_token": {spyToken}, "version": {"1"}, "title": {"Hijack"}, "cycle": {"2026"}, "op": {"save"}})
				if r.Status != 404 {
					t.Errorf("POST %s%s by another organisation: %d", id, p, r.Status)
				}
			}
		}
		if w := apptest.Get(t, spy, sc.TS+"/workspace?cycle=2026"); strings.Contains(w.Body, "Vendor register") {
			t.Error("another organisation's workspace lists the draft")
		}
		// The owner still sees it unchanged.
		if r := apptest.Get(t, own, sc.TS+path); r.Status != 200 || !strings.Contains(r.Body, "Vendor register") {
			t.Errorf("owner: %d", r.Status)
		}
		// Anonymous visitors are told it is not found or not public, as
		// everyone is, rather than sent to sign in.
		if r := apptest.Get(t, apptest.BrowserClient(), sc.TS+path); r.Status != 404 || strings.Contains(r.Body, "Vendor register") {
			t.Errorf("anonymous: %d %q", r.Status, r.Header.Get("Location"))
		}
	})
}

// The import page takes a real multipart upload: a refused file lists its
// problems by line, a good one lands as drafts.
func TestImportPage(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	c := sc.SignIn(t, "kadri@own.example", "Kadri", user.Member)
	token := apptest.CSRFOf(t, apptest.Get(t, c, sc.TS+"/actions/import?cycle=2026").Body)
	upload := func(content string) apptest.Response {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("csrf_token", token)
		w.WriteField("cycle", "2026")
		f, _ := w.CreateFormFile("file", "actions.csv")
		f.Write([]byte(content))
		w.Close()
		req, _ := http.NewRequest("POST", sc.TS+"/actions/import", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		return apptest.Send(t, c, req)
	}
	r := upload(apptest.CSVRows(5, 4))
	if r.Status != 422 || !strings.Contains(r.Body, "<td>4</td>") || !strings.Contains(r.Body, "<code>stage</code>") {
		t.Fatalf("refused file: %d", r.Status)
	}
	r = upload(apptest.CSVRows(5, 0))
	if r.Status != 303 {
		t.Fatalf("good file: %d %s", r.Status, r.Body)
	}
	if w := apptest.Get(t, c, sc.TS+r.Header.Get("Location")); !strings.Contains(w.Body, "5 actions imported as drafts") || strings.Count(w.Body, "Action ") < 5 {
		t.Errorf("workspace after the import")
	}
	if tpl := apptest.Get(t, c, sc.TS+"/actions/import/template.csv"); tpl.Status != 200 || !strings.HasPrefix(tpl.Body, "\ufefftitle,description,recommendations") {
		t.Errorf("template: %d %q", tpl.Status, tpl.Body)
	}
}

// A token created on the account page is shown once, works on the API,
// and stops working when revoked.
func TestAccountTokens(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	c := sc.SignIn(t, "kadri@own.example", "Kadri", user.FocalPoint)
	token := apptest.CSRFOf(t, apptest.Get(t, c, sc.TS+"/account").Body)
	r := apptest.PostForm(t, c, sc.TS+"/account/tokens", url.Values{"csrf_token": {token}, "name": {"reporting script"}})
	m := regexp.MustCompile(`id="new-token" type="text" readonly value="(pct_[A-Za-z0-9_-]+)"`).FindStringSubmatch(r.Body)
	if r.Status != 201 || m == nil || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d", r.Status)
	}
	api := apptest.APIClient{T: t, Base: sc.TS, Token: m[1]}
	if r := api.Do("GET", "/api/v1/me", ""); r.Status != 200 || !strings.Contains(r.Body, "kadri@own.example") {
		t.Fatalf("the new token: %d", r.Status)
	}
	page := apptest.Get(t, c, sc.TS+"/account")
	if strings.Contains(page.Body, m[1]) {
		t.Error("the token is shown again")
	}
	id := regexp.MustCompile(`/account/tokens/(\d+)/revoke`).FindStringSubmatch(page.Body)
	if id == nil {
		t.Fatal("no revoke button")
	}
	// Another person cannot revoke it while it is live: not found, and it
	// still works.
	if r := sc.Member.Do("POST", "/account/tokens/"+id[1]+"/revoke", "", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 404 {
		t.Errorf("revoking another's token: %d", r.Status)
	}
	if r := api.Do("GET", "/api/v1/me", ""); r.Status != 200 {
		t.Fatalf("the token after another's revoke attempt: %d", r.Status)
	}
	if r := apptest.PostForm(t, c, sc.TS+"/account/tokens/"+id[1]+"/revoke", url.Values{"csrf_token": {token}}); r.Status != 303 {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := api.Do("GET", "/api/v1/me", ""); r.Status != 401 {
		t.Errorf("a revoked token still works: %d", r.Status)
	}
	// A CSRF token in the query string is not taken.
	if r := apptest.PostForm(t, c, sc.TS+"/account/tokens?csrf_token="+url.QueryEscape(token), url.Values{"name": {"x"}}); r.Status != 403 {
		t.Errorf("CSRF token from the query string: %d", r.Status)
	}
}

// A refused invitation keeps what was typed and says why, in French too.
func TestInviteFormErrors(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	c := sc.SignIn(t, "kadri@own.example", "Kadri", user.FocalPoint)
	token := apptest.CSRFOf(t, apptest.Get(t, c, sc.TS+"/people?lang=fr").Body)
	r := apptest.PostForm(t, c, sc.TS+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Nadia"}, "email": {"not an address"}, "org_role": {"member"}})
	if r.Status != 422 || !strings.Contains(r.Body, "Indiquez une adresse électronique valide") || !strings.Contains(r.Body, `value="not an address"`) {
		t.Errorf("bad email: %d", r.Status)
	}
	// An address that has an account is answered as any other (see
	// TestInvitationsDoNotTellWhoHasAnAccount).
	r = apptest.PostForm(t, c, sc.TS+"/people/invite", url.Values{"csrf_token": {token}, "name": {"Again"}, "email": {"member@own.example"}, "org_role": {"member"}})
	if r.Status != http.StatusSeeOther {
		t.Errorf("an address with an account: %d", r.Status)
	}
}

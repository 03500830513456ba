package app

import (
	"context"
	"fmt"
	"net/url"
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
		postForm(t, own, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}})
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
		postForm(t, spy, sc.ts+"/signin", url.Values{"email": {"spy@other.example"}, "password": {testPassword}})
		spyToken := csrfOf(t, get(t, spy, sc.ts+"/workspace").body)
		for _, id := range []string{path, fmt.Sprintf("/actions/%d", sc.lastYearAction.ID)} {
			for _, p := range []string{"", "/edit", "/history"} {
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

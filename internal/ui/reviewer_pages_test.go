package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The secretariat designates a reviewer on the organisation's page: a
// refusal comes back with what was typed and the reason, in the page's
// language; a designation is saved and the list shows its badge.
func TestReviewerDesignationPage(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		if _, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: "camille@pc.example", Name: "Camille",
			Role: user.Secretariat, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		apptest.WithAuthenticator(t, db, "camille@pc.example")
		browser := apptest.BrowserClient()
		if r := apptest.SignInForm(t, browser, sc.TS, "camille@pc.example", apptest.Password,
			apptest.TOTPCode(t, apptest.AuthenticatorSecret, sc.S.Clock.Now())); !signedIn(r) {
			t.Fatalf("the secretariat's sign-in: %d", r.Status)
		}
		verified := func(name string, kind stakeholder.Kind) stakeholder.Stakeholder {
			t.Helper()
			s, err := sc.S.Stakeholders.Create(ctx, testutil.System, stakeholder.Input{Name: name, Kind: kind, Country: "CA", Verified: true, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		company, lab := verified("Example Software", stakeholder.Company), verified("Cyber Policy Lab", stakeholder.Academia)
		// form is the page's form as the browser sends it, with the
		// reviewer box ticked and the end date typed.
		form := func(s stakeholder.Stakeholder, page, until string) url.Values {
			return url.Values{"csrf_token": {apptest.CSRFOf(t, page)}, "version": {fmt.Sprint(s.Version)}, "orig": {"1"},
				"name": {s.Name}, "kind": {string(s.Kind)}, "country": {s.Country}, "website": {s.Website},
				"verified": {"1"}, "active": {"1"}, "reviewer": {"1"}, "reviewer_until": {until},
				"orig_name": {s.Name}, "orig_kind": {string(s.Kind)}, "orig_country": {s.Country}, "orig_website": {s.Website},
				"orig_verified": {"1"}, "orig_active": {"1"}, "orig_reviewer": {""}, "orig_reviewer_until": {""}}
		}
		for _, c := range []struct {
			name, lang string
			org        stakeholder.Stakeholder
			until      string
			says       string // the reason shown
		}{
			{"a company", "en", company, "2027-06-30", "Only verified civil-society or academic organisations can be reviewers"},
			{"a company, in French", "fr", company, "2027-06-30", "Seules les organisations vérifiées de la société civile ou du monde universitaire peuvent être évaluatrices"},
			{"a day that does not exist", "en", lab, "2027-02-30", "Give the last day of the designation as a day (YYYY-MM-DD)"},
			{"a day past", "en", lab, "2026-08-31", "Give the last day of the designation as a day (YYYY-MM-DD)"},
		} {
			t.Run(c.name, func(t *testing.T) {
				path := fmt.Sprintf("%s/admin/organisations/%d?lang=%s", sc.TS, c.org.ID, c.lang)
				r := apptest.PostForm(t, browser, path, form(c.org, apptest.Get(t, browser, path).Body, c.until))
				if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.says) {
					t.Errorf("%d; says %q: %t", r.Status, c.says, strings.Contains(r.Body, c.says))
				}
				if !strings.Contains(r.Body, `name="reviewer" value="1" checked`) || !strings.Contains(r.Body, `name="reviewer_until" type="date" value="`+c.until+`"`) {
					t.Errorf("what was typed is not shown again")
				}
				if got, _ := sc.S.Stakeholders.Get(ctx, c.org.ID); got.Reviewer || got.Version != c.org.Version {
					t.Errorf("refused, but saved: %+v", got)
				}
			})
		}

		// An academic organisation is designated: saved, shown, badged.
		path := fmt.Sprintf("%s/admin/organisations/%d", sc.TS, lab.ID)
		if r := apptest.PostForm(t, browser, path, form(lab, apptest.Get(t, browser, path).Body, "2027-06-30")); r.Status != http.StatusSeeOther {
			t.Fatalf("designating %s: %d", lab.Name, r.Status)
		}
		got, _ := sc.S.Stakeholders.Get(ctx, lab.ID)
		if !got.Reviewer || got.ReviewerSince == nil || got.ReviewerSince.Format(time.DateOnly) != "2026-09-01" ||
			got.ReviewerUntil == nil || got.ReviewerUntil.Format(time.DateOnly) != "2027-06-30" {
			t.Errorf("stored: %+v", got)
		}
		if page := apptest.Get(t, browser, path).Body; !strings.Contains(page, `name="reviewer" value="1" checked`) ||
			!strings.Contains(page, `name="reviewer_until" type="date" value="2027-06-30"`) || !strings.Contains(page, `name="orig_reviewer" value="1"`) {
			t.Errorf("the page does not show the designation")
		}
		for lang, badge := range map[string]string{"en": "Reviewer", "fr": "Évaluatrice"} {
			list := apptest.Get(t, browser, sc.TS+"/admin/organisations?lang="+lang).Body
			if n := strings.Count(list, `<span class="badge">`+badge+`</span>`); n != 1 || !strings.Contains(list, `>`+lab.Name+`</a>`) {
				t.Errorf("%s: %d reviewer badges in the list, want 1 (%s's)", lang, n, lab.Name)
			}
		}
	})
}

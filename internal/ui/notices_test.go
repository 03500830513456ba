package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Every decision is mailed over SMTP to the people it concerns, each in
// their language, once: running the mail job again sends nothing twice.
func TestNoticesOverSMTP(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		server := apptest.StartSMTP(t)
		sc := apptest.NewScenario(t, db)
		ts, _ := apptest.StartServerWith(t, db, sc.S.Clock.Now, nil, func(cfg *config.Config) {
			cfg.HTTP.PublicFreshness = 0
			cfg.Mail.Backend, cfg.Mail.SMTP.Host, cfg.Mail.SMTP.Port, cfg.Mail.SMTP.TLS = "smtp", "127.0.0.1", server.PortNumber(), "none"
		})
		for _, c := range []*apptest.APIClient{&sc.Member, &sc.Focal, &sc.Other, &sc.Sec} {
			c.Base = ts.URL
		}
		ctx := context.Background()
		// The focal point reads French; the member's language is the one
		// they last used (English, by default).
		if _, err := sc.S.Users.SetPreferences(ctx, apptest.MustUser(t, sc, "focal@own.example").Actor(), user.Preferences{Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, title := range []string{"Export licensing rule", "Oversight board"} {
			r := sc.Member.Do("POST", "/api/v1/actions", strings.Replace(apptest.NewActionBody, "Export licensing for intrusion software", title, 1))
			ids = append(ids, apptest.Decode[apptest.ActionJSON](t, r).ID)
		}
		if r := sc.Focal.Do("POST", "/api/v1/cycles/2026/submit-all", ""); r.Status != 200 {
			t.Fatalf("submit all: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", ids[0]), `{"decision": "request_changes", "comment": "Link the published regulation."}`); r.Status != 200 {
			t.Fatalf("request changes: %d %s", r.Status, r.Body)
		}
		if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", ids[1]), `{"decision": "accept"}`); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		run := func(job string) {
			t.Helper()
			if r := sc.Sec.Form("/admin/jobs/"+job+"/run", url.Values{}); r.Status != 303 {
				t.Fatalf("run %s: %d", job, r.Status)
			}
		}
		ext := fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.Org.ID)
		for i := 0; i < 2; i++ { // the same deadline twice is told once
			if r := sc.Sec.Do("POST", "/api/v1/cycles/2026/extensions", ext); r.Status >= 300 {
				t.Fatalf("extension: %d %s", r.Status, r.Body)
			}
		}
		run("digests")
		run("digests") // its slot is done: nothing more
		r := sc.Sec.Do("POST", "/api/v1/cycles/2026/reports", "")
		if r.Status != 201 {
			t.Fatalf("compile: %d %s", r.Status, r.Body)
		}
		rep := apptest.Decode[apptest.ReportJSON](t, r)
		if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", rep.ID), ""); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		for i := 0; i < 3; i++ {
			run("mail")
		}
		// The Scenario's own history counts too: last year's action was
		// submitted (a receipt, written in English then) and accepted (in
		// this digest).
		want := []string{
			"focal@other.example | pctracker: the 2026 progress report is published",
			"focal@own.example | pctracker : 2 actions acceptées pour " + sc.Org.Name,
			"focal@own.example | pctracker : accusé de réception, 2 actions soumises pour " + sc.Org.Name,
			"focal@own.example | pctracker : le rapport d'étape 2026 est publié",
			"focal@own.example | pctracker : modifications demandées sur « Export licensing rule »",
			"focal@own.example | pctracker : nouvelle date limite pour " + sc.Org.Name + ", le 15 octobre 2026",
			"focal@own.example | pctracker: receipt, 1 action submitted for " + sc.Org.Name,
			"member@own.example | pctracker: changes requested on \"Export licensing rule\"",
		}
		if _, err := server.WaitForMessages(len(want), 10*time.Second); err != nil {
			t.Fatalf("messages: %v", err)
		}
		run("mail") // once more: what was sent stays sent
		got, mails := apptest.Received(t, server)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		checks := map[string][]string{
			want[1]: {"Bonjour focal@own.example,", "Oversight board", fmt.Sprintf("http://pct.test/actions/%d", ids[1])},
			want[2]: {"a soumis au secrétariat", "Export licensing rule", "Oversight board"},
			want[3]: {fmt.Sprintf("http://pct.test/reports/%d", rep.ID), fmt.Sprintf("http://pct.test/actions?cycle=2026&organisation=%d", sc.Org.ID)},
			want[4]: {"Link the published regulation.", fmt.Sprintf("http://pct.test/actions/%d", ids[0]), "http://pct.test/account"},
			want[5]: {"jusqu'au 15 octobre 2026 inclus", "http://pct.test/workspace?cycle=2026"},
			want[7]: {"Hello member@own.example,", "Link the published regulation.", "Edit the action and submit it again"},
		}
		for line, words := range checks {
			for _, w := range words {
				if !strings.Contains(mails[line].Text, w) {
					t.Errorf("%s lacks %q:\n%s", line, w, mails[line].Text)
				}
			}
		}
		if strings.Contains(mails[want[1]].Text, "Hello") || strings.Contains(mails[want[7]].Text, "Bonjour") {
			t.Error("a notice in two languages: each person reads theirs")
		}
		t.Logf("%d notices received over SMTP, each once, after 4 runs of the mail job and 2 of the digest", len(got))
	})
}

// A person's mail is in the language they last used, until they choose one
// on their account page; then switching the pages' language leaves it.
func TestMailLanguageFollowsThePerson(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		u, err := sc.S.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
			Role: user.Supporter, StakeholderID: sc.Org.ID, OrgRole: user.FocalPoint, Password: apptest.Password})
		if err != nil {
			t.Fatal(err)
		}
		lang := func() (string, bool) {
			t.Helper()
			got, err := sc.S.Users.Get(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Language(), got.LangChosen
		}
		if l, _ := lang(); l != "en" {
			t.Fatalf("before any visit: %q", l)
		}
		c := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, c, sc.TS+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}},
			"Accept-Language", "fr-FR,fr;q=0.9"); r.Status != 303 {
			t.Fatalf("sign in: %d", r.Status)
		}
		if l, _ := lang(); l != "fr" {
			t.Errorf("after signing in in French: %q", l)
		}
		// Reading pages in English writes nothing; the next sign-in in
		// English does.
		token := apptest.CSRFOf(t, apptest.Get(t, c, sc.TS+"/workspace?lang=en").Body)
		if l, _ := lang(); l != "fr" {
			t.Errorf("a page read in English changed the language of mail: %q", l)
		}
		again := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, again, sc.TS+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}},
			"Accept-Language", "en-GB"); r.Status != 303 {
			t.Fatalf("sign in again: %d", r.Status)
		}
		if l, _ := lang(); l != "en" {
			t.Errorf("after signing in in English: %q", l)
		}
		if r := apptest.PostForm(t, c, sc.TS+"/account/preferences", url.Values{"csrf_token": {token}, "mail_lang": {"fr"},
			"notices": {"changes_requested", "submitted"}}); r.Status != 303 {
			t.Fatalf("preferences: %d %s", r.Status, r.Body)
		}
		apptest.PostAnonForm(t, apptest.BrowserClient(), sc.TS+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {apptest.Password}},
			"Accept-Language", "en-GB")
		if l, chosen := lang(); l != "fr" || !chosen {
			t.Errorf("a chosen language followed the pages: %q %v", l, chosen)
		}
		got, _ := sc.S.Users.Get(ctx, u.ID)
		if strings.Join(noticeNames(got.NoticesOff), ",") != "accepted,evidence_broken,extension_granted,report_published" {
			t.Errorf("notices turned off: %v", got.NoticesOff)
		}
		if r := apptest.PostForm(t, c, sc.TS+"/account/preferences", url.Values{"csrf_token": {token}, "mail_lang": {"de"}}); r.Status != 422 {
			t.Errorf("an unknown language: %d", r.Status)
		}
	})
}

func noticeNames(ns []user.Notice) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = string(n)
	}
	return out
}

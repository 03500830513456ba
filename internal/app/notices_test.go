package app

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// startSMTP starts the SMTP mock on a loopback port for the test.
func startSMTP(t *testing.T) *smtpmock.Server {
	t.Helper()
	server := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Stop() })
	return server
}

// received decodes what the SMTP mock holds, as "to | subject" lines
// sorted, and the messages by that line.
func received(t *testing.T, server *smtpmock.Server) ([]string, map[string]testutil.Mail) {
	t.Helper()
	var lines []string
	byLine := map[string]testutil.Mail{}
	for _, m := range server.Messages() {
		mail := testutil.SMTPMail(t, m.MsgRequest())
		line := strings.Join(mail.To, ",") + " | " + mail.Subject
		lines = append(lines, line)
		byLine[line] = mail
	}
	sort.Strings(lines)
	return lines, byLine
}

// Every decision is mailed over SMTP to the people it concerns, each in
// their language, once: running the mail job again sends nothing twice.
func TestNoticesOverSMTP(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		server := startSMTP(t)
		sc := newScenario(t, db)
		ts, _ := startServerWith(t, db, sc.s.Clock.Now, nil, func(cfg *config.Config) {
			cfg.HTTP.PublicFreshness = 0
			cfg.Mail.Backend, cfg.Mail.SMTP.Host, cfg.Mail.SMTP.Port, cfg.Mail.SMTP.TLS = "smtp", "127.0.0.1", server.PortNumber(), "none"
		})
		for _, c := range []*apiClient{&sc.member, &sc.focal, &sc.other, &sc.sec} {
			c.base = ts.URL
		}
		ctx := context.Background()
		// The focal point reads French; the member's language is the one
		// they last used (English, by default).
		if _, err := sc.s.Users.SetPreferences(ctx, mustUser(t, sc, "focal@own.example").Actor(), user.Preferences{Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, title := range []string{"Export licensing rule", "Oversight board"} {
			r := sc.member.do("POST", "/api/v1/actions", strings.Replace(newActionBody, "Export licensing for intrusion software", title, 1))
			ids = append(ids, decode[actionJSON](t, r).ID)
		}
		if r := sc.focal.do("POST", "/api/v1/cycles/2026/submit-all", ""); r.status != 200 {
			t.Fatalf("submit all: %d %s", r.status, r.body)
		}
		if r := sc.sec.do("POST", fmt.Sprintf("/api/v1/actions/%d/review", ids[0]), `{"decision": "request_changes", "comment": "Link the published regulation."}`); r.status != 200 {
			t.Fatalf("request changes: %d %s", r.status, r.body)
		}
		if r := sc.sec.do("POST", fmt.Sprintf("/api/v1/actions/%d/review", ids[1]), `{"decision": "accept"}`); r.status != 200 {
			t.Fatalf("accept: %d %s", r.status, r.body)
		}
		run := func(job string) {
			t.Helper()
			if r := sc.sec.form("/admin/jobs/"+job+"/run", url.Values{}); r.status != 303 {
				t.Fatalf("run %s: %d", job, r.status)
			}
		}
		ext := fmt.Sprintf(`{"stakeholder_id": %d, "deadline": "2026-10-15"}`, sc.org.ID)
		for i := 0; i < 2; i++ { // the same deadline twice is told once
			if r := sc.sec.do("POST", "/api/v1/cycles/2026/extensions", ext); r.status >= 300 {
				t.Fatalf("extension: %d %s", r.status, r.body)
			}
		}
		run("digests")
		run("digests") // its slot is done: nothing more
		r := sc.sec.do("POST", "/api/v1/cycles/2026/reports", "")
		if r.status != 201 {
			t.Fatalf("compile: %d %s", r.status, r.body)
		}
		rep := decode[reportJSON](t, r)
		if r := sc.sec.do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", rep.ID), ""); r.status != 200 {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		for i := 0; i < 3; i++ {
			run("mail")
		}
		// The scenario's own history counts too: last year's action was
		// submitted (a receipt, written in English then) and accepted (in
		// this digest).
		want := []string{
			"focal@other.example | pctracker: the 2026 progress report is published",
			"focal@own.example | pctracker : 2 actions acceptées pour " + sc.org.Name,
			"focal@own.example | pctracker : accusé de réception, 2 actions soumises pour " + sc.org.Name,
			"focal@own.example | pctracker : le rapport d'étape 2026 est publié",
			"focal@own.example | pctracker : modifications demandées sur « Export licensing rule »",
			"focal@own.example | pctracker : nouvelle date limite pour " + sc.org.Name + ", le 15 octobre 2026",
			"focal@own.example | pctracker: receipt, 1 action submitted for " + sc.org.Name,
			"member@own.example | pctracker: changes requested on \"Export licensing rule\"",
		}
		if _, err := server.WaitForMessages(len(want), 10*time.Second); err != nil {
			t.Fatalf("messages: %v", err)
		}
		run("mail") // once more: what was sent stays sent
		got, mails := received(t, server)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		checks := map[string][]string{
			want[1]: {"Bonjour focal@own.example,", "Oversight board", fmt.Sprintf("http://pct.test/actions/%d", ids[1])},
			want[2]: {"a soumis au secrétariat", "Export licensing rule", "Oversight board"},
			want[3]: {fmt.Sprintf("http://pct.test/reports/%d", rep.ID), fmt.Sprintf("http://pct.test/actions?cycle=2026&organisation=%d", sc.org.ID)},
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
		sc := newScenario(t, db)
		ctx := context.Background()
		u, err := sc.s.Users.Create(ctx, testutil.System, user.Input{Email: "kadri@own.example", Name: "Kadri",
			Role: user.Supporter, StakeholderID: sc.org.ID, OrgRole: user.FocalPoint, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		lang := func() (string, bool) {
			t.Helper()
			got, err := sc.s.Users.Get(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Language(), got.LangChosen
		}
		if l, _ := lang(); l != "en" {
			t.Fatalf("before any visit: %q", l)
		}
		c := browserClient()
		if r := postAnonForm(t, c, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}},
			"Accept-Language", "fr-FR,fr;q=0.9"); r.status != 303 {
			t.Fatalf("sign in: %d", r.status)
		}
		if l, _ := lang(); l != "fr" {
			t.Errorf("after signing in in French: %q", l)
		}
		// Reading pages in English writes nothing; the next sign-in in
		// English does.
		token := csrfOf(t, get(t, c, sc.ts+"/workspace?lang=en").body)
		if l, _ := lang(); l != "fr" {
			t.Errorf("a page read in English changed the language of mail: %q", l)
		}
		again := browserClient()
		if r := postAnonForm(t, again, sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}},
			"Accept-Language", "en-GB"); r.status != 303 {
			t.Fatalf("sign in again: %d", r.status)
		}
		if l, _ := lang(); l != "en" {
			t.Errorf("after signing in in English: %q", l)
		}
		if r := postForm(t, c, sc.ts+"/account/preferences", url.Values{"csrf_token": {token}, "mail_lang": {"fr"},
			"notices": {"changes_requested", "submitted"}}); r.status != 303 {
			t.Fatalf("preferences: %d %s", r.status, r.body)
		}
		postAnonForm(t, browserClient(), sc.ts+"/signin", url.Values{"email": {"kadri@own.example"}, "password": {testPassword}},
			"Accept-Language", "en-GB")
		if l, chosen := lang(); l != "fr" || !chosen {
			t.Errorf("a chosen language followed the pages: %q %v", l, chosen)
		}
		got, _ := sc.s.Users.Get(ctx, u.ID)
		if strings.Join(noticeNames(got.NoticesOff), ",") != "accepted,evidence_broken,extension_granted,report_published" {
			t.Errorf("notices turned off: %v", got.NoticesOff)
		}
		if r := postForm(t, c, sc.ts+"/account/preferences", url.Values{"csrf_token": {token}, "mail_lang": {"de"}}); r.status != 422 {
			t.Errorf("an unknown language: %d", r.status)
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

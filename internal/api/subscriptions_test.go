package api_test

import (
	"context"
	"fmt"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// followLink finds a subscription's link of a kind in a mail.
func followLink(t *testing.T, text, kind string) string {
	t.Helper()
	m := regexp.MustCompile(`http://pct\.test(/` + kind + `/pct_[A-Za-z0-9_-]+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %s link in:\n%s", kind, text)
	}
	return m[1]
}

// subscriberMail is a message the SMTP server received, with its headers.
type subscriberMail struct {
	testutil.Mail
	Header netmail.Header
}

// received returns what the SMTP server holds for one address, oldest first.
func received(t *testing.T, server *smtpmock.Server, to string) []subscriberMail {
	t.Helper()
	var out []subscriberMail
	for _, m := range server.Messages() {
		raw := m.MsgRequest()
		decoded := testutil.SMTPMail(t, raw)
		if len(decoded.To) != 1 || decoded.To[0] != to {
			continue
		}
		msg, err := netmail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, subscriberMail{Mail: decoded, Header: msg.Header})
	}
	return out
}

// followServer runs the server of a scenario with its mail sent over SMTP
// to a mock server and sign-ups limited to perAddress an hour.
func followServer(t *testing.T, db *store.DB, perAddress int) (*apptest.Scenario, *smtpmock.Server) {
	t.Helper()
	server := apptest.StartSMTP(t)
	sc := apptest.NewScenario(t, db)
	ts, _ := apptest.StartServerWith(t, db, sc.S.Clock.Now, nil, func(cfg *config.Config) {
		cfg.HTTP.PublicFreshness = 0
		cfg.Mail.Backend, cfg.Mail.SMTP.Host, cfg.Mail.SMTP.Port, cfg.Mail.SMTP.TLS = "smtp", "127.0.0.1", server.PortNumber(), "none"
		cfg.Subscriptions.PerAddress = perAddress
	})
	sc.TS = ts.URL
	for _, c := range []*apptest.APIClient{&sc.Member, &sc.Focal, &sc.Other, &sc.Sec} {
		c.Base = ts.URL
	}
	return sc, server
}

// runJob runs a scheduled job now, as the jobs page's button does.
func runJob(t *testing.T, sc *apptest.Scenario, job string) {
	t.Helper()
	if r := sc.Sec.Form("/admin/jobs/"+job+"/run", url.Values{}); r.Status != 303 {
		t.Fatalf("run %s: %d %s", job, r.Status, r.Body)
	}
}

// A sign-up answers 202 and writes a confirmation mail, the same for an
// address already subscribed and a new one; bad input is 422 with each
// field's error; the confirmation goes out over SMTP in the subscriber's
// language with the one-click unsubscribe headers, and nothing else is
// sent until the link is used, by a POST: its GET only shows a button
// (issue 20.2).
func TestSubscriptionSignUpAndConfirm(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc, server := followServer(t, db, 1)
		anon := apptest.APIClient{T: t, Base: sc.TS}
		outbox := func() int { return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscription_mails") }

		for _, c := range []struct {
			body   string
			fields []string
		}{
			{`{"email": "not an address", "frequency": "daily", "lang": "en"}`, []string{"email"}},
			{`{"email": "a@example.org", "frequency": "hourly", "lang": "de"}`, []string{"frequency", "lang"}},
			{`{"email": "a@example.org", "frequency": "daily", "lang": "en", "filters": {"recommendation": [7, 13], "country": "France", "kind": "pirates", "organisation": 0}}`,
				[]string{"filters.country", "filters.kind", "filters.organisation", "filters.recommendation"}},
		} {
			r := anon.Do("POST", "/api/v1/subscriptions", c.body)
			if r.Status != 422 {
				t.Errorf("%s: %d %s", c.body, r.Status, r.Body)
			}
			for _, f := range c.fields {
				if !strings.Contains(r.Body, `"`+f+`"`) {
					t.Errorf("%s: no error for %s in %s", c.body, f, r.Body)
				}
			}
		}
		if n := outbox(); n != 0 {
			t.Fatalf("bad input wrote %d mails", n)
		}

		body := `{"email": "Reader@Example.org", "filters": {"recommendation": [7, 2], "country": "fr"}, "frequency": "weekly", "lang": "fr"}`
		first := anon.Do("POST", "/api/v1/subscriptions", body)
		if first.Status != 202 {
			t.Fatalf("sign-up: %d %s", first.Status, first.Body)
		}
		runJob(t, sc, "mail")
		mails := received(t, server, "Reader@example.org")
		if len(mails) != 1 {
			t.Fatalf("%d confirmation mails, want 1", len(mails))
		}
		m := mails[0]
		if m.Subject != "pctracker\u00a0: confirmez votre abonnement" || !strings.Contains(m.Text, "recommandation 2, recommandation 7, FR") ||
			!strings.Contains(m.Text, "hebdomadaire") {
			t.Errorf("the confirmation, in French:\n%s\n%s", m.Subject, m.Text)
		}
		unsubscribe := followLink(t, m.Text, "unsubscribe")
		if got := m.Header.Get("List-Unsubscribe"); got != "<http://pct.test"+unsubscribe+">" || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe %q, Post %q", got, m.Header.Get("List-Unsubscribe-Post"))
		}
		confirm := followLink(t, m.Text, "follow/confirm")

		// Nothing but the confirmation before it is used: a digest slot
		// passes, the confirmation page is only looked at.
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Recommendations = []int{7} })
		sc.S.Clock.Set(sc.S.Clock.Now().Add(24 * time.Hour))
		runJob(t, sc, "digests")
		page := anon.Do("GET", confirm+"?lang=fr", "")
		if page.Status != 200 || !strings.Contains(page.Body, "Confirmer l&#39;abonnement") {
			t.Fatalf("the confirmation page: %d", page.Status)
		}
		runJob(t, sc, "mail")
		if n := len(received(t, server, "Reader@example.org")); n != 1 {
			t.Fatalf("%d mails before the confirmation, want 1", n)
		}
		if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscriptions WHERE confirmed_at IS NOT NULL"); n != 0 {
			t.Fatalf("a GET confirmed %d subscriptions", n)
		}
		// A post without the token of the page's form (another site's form)
		// confirms nothing.
		if r := anon.Do("POST", confirm, "", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 403 {
			t.Errorf("a confirmation without the form's token: %d", r.Status)
		}
		if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscriptions WHERE confirmed_at IS NOT NULL"); n != 0 {
			t.Fatalf("a post without the form's token confirmed %d subscriptions", n)
		}
		browser := apptest.BrowserClient()
		done := apptest.PostAnonForm(t, browser, sc.TS+confirm+"?lang=fr", url.Values{})
		if done.Status != 200 || !strings.Contains(done.Body, "Abonnement confirmé") {
			t.Fatalf("confirm: %d %s", done.Status, done.Body)
		}
		if again := anon.Do("GET", confirm, ""); again.Status != 404 {
			t.Errorf("a used confirmation link: %d", again.Status)
		}

		// The same answer, and the same work, for the address now
		// subscribed and for one never seen.
		before := outbox()
		known := anon.Do("POST", "/api/v1/subscriptions", body)
		unknown := anon.Do("POST", "/api/v1/subscriptions", strings.Replace(body, "Reader@Example.org", "new@example.org", 1))
		if known.Status != 202 || unknown.Status != 202 || known.Body != unknown.Body {
			t.Errorf("known %d %s, unknown %d %s", known.Status, known.Body, unknown.Status, unknown.Body)
		}
		if n := outbox() - before; n != 2 {
			t.Errorf("%d mails written for the two sign-ups, want 2", n)
		}
		// Over the limit of sign-ups of one address (1 an hour here: the first was a day ago), the
		// answer holds and nothing is written.
		over := anon.Do("POST", "/api/v1/subscriptions", body)
		if over.Status != 202 || over.Body != known.Body {
			t.Errorf("over the limit: %d %s", over.Status, over.Body)
		}
		if n := outbox() - before; n != 2 {
			t.Errorf("over the limit, %d mails written, want 2", n)
		}

		// A confirmation link expires after 7 days.
		sc.S.Clock.Set(sc.S.Clock.Now().Add(8 * 24 * time.Hour))
		runJob(t, sc, "mail")
		late := followLink(t, received(t, server, "new@example.org")[0].Text, "follow/confirm")
		if r := anon.Do("GET", late, ""); r.Status != 404 || !strings.Contains(r.Body, "has expired") {
			t.Errorf("an expired link: %d", r.Status)
		}
		if r := apptest.PostAnonForm(t, browser, sc.TS+late, url.Values{}); r.Status != 404 {
			t.Errorf("confirming an expired link: %d", r.Status)
		}
	})
}

// subscribe signs an address up through the API and confirms it through
// its mail's link, as a person does; it returns the confirmation mail.
func subscribe(t *testing.T, sc *apptest.Scenario, server *smtpmock.Server, email, body string) subscriberMail {
	t.Helper()
	anon := apptest.APIClient{T: t, Base: sc.TS}
	if r := anon.Do("POST", "/api/v1/subscriptions", body); r.Status != 202 {
		t.Fatalf("sign-up: %d %s", r.Status, r.Body)
	}
	runJob(t, sc, "mail")
	mails := received(t, server, email)
	if len(mails) == 0 {
		t.Fatalf("no confirmation mail to %s", email)
	}
	m := mails[len(mails)-1]
	confirm := followLink(t, m.Text, "follow/confirm")
	if r := apptest.PostAnonForm(t, apptest.BrowserClient(), sc.TS+confirm, url.Values{}); r.Status != 200 {
		t.Fatalf("confirm: %d", r.Status)
	}
	return m
}

// Each digest lists, in its subscriber's language, the accepted public
// actions matching its filters that became public since the last one;
// a slot is digested once, an empty digest is not sent; the one-click
// POST of RFC 8058 unsubscribes (its GET does not), deletes the address,
// and no mail follows; the manage page changes the frequency and
// language (issue 20.2).
func TestSubscriptionDigestsAndUnsubscribe(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc, server := followServer(t, db, 5)
		day := func(n int) time.Time { return time.Date(2026, 9, 1+n, 9, 0, 0, 0, time.UTC) }
		sc.S.Clock.Set(day(0))
		first := subscribe(t, sc, server, "lecteur@example.org",
			`{"email": "lecteur@example.org", "filters": {"recommendation": 7}, "frequency": "daily", "lang": "fr"}`)
		subscribe(t, sc, server, "reader@example.org", `{"email": "reader@example.org", "frequency": "daily", "lang": "en"}`)
		// An organisation followed is named, not numbered.
		byOrg := subscribe(t, sc, server, "follower@example.org",
			fmt.Sprintf(`{"email": "follower@example.org", "filters": {"organisation": %d}, "frequency": "daily", "lang": "en"}`, sc.OtherOrg.ID))
		if !strings.Contains(byOrg.Text, sc.OtherOrg.Name) || strings.Contains(byOrg.Text, "organisation no.") {
			t.Errorf("the confirmation of a subscription to %s:\n%s", sc.OtherOrg.Name, byOrg.Text)
		}
		if first.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("the confirmation has no one-click unsubscribe")
		}

		sc.S.Clock.Set(day(0).Add(time.Hour))
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "Blacklist of vendors"; in.Recommendations = []int{7} })
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Title = "Procurement register"; in.Recommendations = []int{5} })
		sc.S.Clock.Set(day(1))
		runJob(t, sc, "digests")
		runJob(t, sc, "digests") // its slot is done: nothing more
		runJob(t, sc, "mail")
		fr, en := received(t, server, "lecteur@example.org"), received(t, server, "reader@example.org")
		if len(fr) != 2 || len(en) != 2 {
			t.Fatalf("%d and %d mails, want a confirmation and a digest each", len(fr), len(en))
		}
		if got := received(t, server, "follower@example.org"); len(got) != 2 || got[1].Subject != "pctracker: 1 new action for "+sc.OtherOrg.Name {
			t.Errorf("the digest of an organisation followed: %d mails, %q", len(got), got[len(got)-1].Subject)
		}
		digest := fr[1]
		if digest.Subject != "pctracker\u00a0: 1 nouvelle action pour recommandation 7" || !strings.Contains(digest.Text, "Blacklist of vendors") ||
			strings.Contains(digest.Text, "Procurement register") || !strings.Contains(digest.Text, "(Adoptée)") {
			t.Errorf("the French digest:\n%s\n%s", digest.Subject, digest.Text)
		}
		if en[1].Subject != "pctracker: 2 new actions for all accepted actions" || !strings.Contains(en[1].Text, "Procurement register") ||
			!strings.Contains(en[1].Text, "Blacklist of vendors") || strings.Contains(en[1].Text, sc.LastYearAction.Title) {
			t.Errorf("the English digest:\n%s\n%s", en[1].Subject, en[1].Text)
		}
		unsubscribe := followLink(t, digest.Text, "unsubscribe")
		if got := digest.Header.Get("List-Unsubscribe"); got != "<http://pct.test"+unsubscribe+">" || digest.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("the digest's List-Unsubscribe: %q", got)
		}

		// Nothing new: no digest.
		sc.S.Clock.Set(day(2))
		runJob(t, sc, "digests")
		runJob(t, sc, "mail")
		if n := len(received(t, server, "lecteur@example.org")); n != 2 {
			t.Fatalf("an empty digest was sent: %d mails", n)
		}

		// A mail scanner follows the link: nothing changes. The mail
		// program's one-click POST, with no cookie and no form token,
		// unsubscribes and deletes the address.
		anon := apptest.APIClient{T: t, Base: sc.TS}
		if r := anon.Do("GET", unsubscribe, ""); r.Status != 200 || !strings.Contains(r.Body, `action="`+unsubscribe) {
			t.Fatalf("the unsubscribe page: %d", r.Status)
		}
		rows := func(email string) int {
			return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscriptions WHERE email = '"+email+"'")
		}
		if rows("lecteur@example.org") != 1 {
			t.Fatal("a GET unsubscribed")
		}
		oneClick := anon.Do("POST", unsubscribe, "List-Unsubscribe=One-Click", "Content-Type", "application/x-www-form-urlencoded")
		if oneClick.Status != 200 || rows("lecteur@example.org") != 0 {
			t.Fatalf("one-click unsubscribe: %d, %d rows left", oneClick.Status, rows("lecteur@example.org"))
		}
		if again := anon.Do("POST", unsubscribe, "List-Unsubscribe=One-Click", "Content-Type", "application/x-www-form-urlencoded"); again.Status != 404 {
			t.Errorf("the link used again: %d", again.Status)
		}

		// The other reader changes to a weekly digest in French.
		manage := followLink(t, en[1].Text, "follow/manage")
		browser := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, browser, sc.TS+manage, url.Values{"frequency": {"weekly"}, "mail_lang": {"fr"}}); r.Status != 303 {
			t.Fatalf("manage: %d %s", r.Status, r.Body)
		}
		if r := apptest.PostAnonForm(t, browser, sc.TS+manage, url.Values{"frequency": {"hourly"}, "mail_lang": {"fr"}}); r.Status != 422 {
			t.Errorf("a wrong frequency: %d", r.Status)
		}
		if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscriptions WHERE frequency = 'weekly' AND lang = 'fr'"); n != 1 {
			t.Errorf("after the change, %d weekly French subscriptions", n)
		}

		// A new acceptance: no mail to the address that left; the weekly
		// reader waits for a week since the last digest (day 2's slot).
		sc.S.Clock.Set(day(2).Add(time.Hour))
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "Vendor checks"; in.Recommendations = []int{7} })
		for d := 3; d <= 9; d++ {
			sc.S.Clock.Set(day(d))
			runJob(t, sc, "digests")
			runJob(t, sc, "mail")
			if n := len(received(t, server, "reader@example.org")); n != 2 && d < 9 {
				t.Fatalf("a weekly digest on day %d", d)
			}
		}
		if n := len(received(t, server, "lecteur@example.org")); n != 2 {
			t.Errorf("%d mails after the unsubscription, want none", n-2)
		}
		en = received(t, server, "reader@example.org")
		if len(en) != 3 || !strings.Contains(en[2].Subject, "1 nouvelle action") || !strings.Contains(en[2].Text, "Vendor checks") {
			t.Fatalf("the weekly French digest: %d mails, last %+v", len(en), en[len(en)-1].Mail)
		}
	})
}

// Under an embargo until the Forum, an action accepted before it is news
// on the Forum's day, not on the day of its acceptance (issue 20.2).
func TestSubscriptionDigestWaitsForTheEmbargo(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc, server := followServer(t, db, 5)
		ctx := context.Background()
		c, err := sc.S.Cycles.Get(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if c, err = sc.S.Cycles.Update(ctx, testutil.System, 2026, c.Version, func(in *cycle.Input) { in.Embargo = cycle.UntilForum }); err != nil {
			t.Fatal(err)
		}
		forum := c.ForumDate.UTC()
		sc.S.Clock.Set(forum.AddDate(0, 0, -3).Add(9 * time.Hour))
		subscribe(t, sc, server, "reader@example.org", `{"email": "reader@example.org", "frequency": "daily", "lang": "en"}`)
		sc.S.Clock.Set(forum.AddDate(0, 0, -3).Add(10 * time.Hour))
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Title = "Embargoed register" })
		for d := -2; d <= 1; d++ {
			sc.S.Clock.Set(forum.AddDate(0, 0, d).Add(9 * time.Hour))
			runJob(t, sc, "digests")
			runJob(t, sc, "mail")
			mails := received(t, server, "reader@example.org")
			switch {
			case d < 0 && len(mails) != 1:
				t.Fatalf("%d days before the Forum: a digest of an embargoed action", -d)
			case d >= 0 && (len(mails) != 2 || !strings.Contains(mails[1].Text, "Embargoed register")):
				t.Fatalf("%d days after the Forum: %d mails", d, len(mails))
			}
		}
	})
}

// A published report makes a data release, which is news to every reader
// whatever they follow: the next digest tells of it, once.
func TestSubscriptionDigestTellsOfReleases(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc, server := followServer(t, db, 5)
		day := func(n int) time.Time { return time.Date(2026, 11, 20+n, 9, 0, 0, 0, time.UTC) }
		sc.S.Clock.Set(day(0))
		subscribe(t, sc, server, "reader@example.org",
			`{"email": "reader@example.org", "filters": {"recommendation": 8}, "frequency": "daily", "lang": "en"}`)
		sc.S.Clock.Set(day(0).Add(time.Hour))
		compiled := sc.Sec.Do("POST", "/api/v1/cycles/2026/reports", "")
		if compiled.Status != 201 {
			t.Fatalf("compile: %d %s", compiled.Status, compiled.Body)
		}
		if p := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/publish", apptest.Decode[apptest.ReportJSON](t, compiled).ID), ""); p.Status != 200 {
			t.Fatalf("publish: %d %s", p.Status, p.Body)
		}
		for d := 1; d <= 2; d++ {
			sc.S.Clock.Set(day(d))
			runJob(t, sc, "digests")
			runJob(t, sc, "mail")
		}
		mails := received(t, server, "reader@example.org")
		if len(mails) != 2 {
			t.Fatalf("%d mails, want the confirmation and one digest", len(mails))
		}
		if d := mails[1]; d.Subject != "pctracker: a new data release" || !strings.Contains(d.Text, "Data release 2026.1") ||
			!strings.Contains(d.Text, "http://pct.test/releases/2026.1") {
			t.Errorf("the digest of a release:\n%s\n%s", d.Subject, d.Text)
		}
	})
}

package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// flashCookie returns the flash a redirect set, to send it back with the
// next page as a browser would.
func flashCookie(r apptest.Response) string {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "pct_flash" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// "Run now" on the reminders job first shows what it would queue (which
// organisations, which reminder, at how many addresses) and writes
// nothing; confirmed, it queues exactly that. Nothing due, or a slot done
// already, is said as such.
func TestJobsRunRemindersShowsWhatItSends(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		outbox := func() int {
			return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reminders WHERE kind NOT LIKE 'notice:%'")
		}
		run := func(body string, lang string) apptest.Response {
			return sc.Sec.Do("POST", "/admin/jobs/reminders/run"+lang, body, "Content-Type", "application/x-www-form-urlencoded")
		}

		jobsPage := sc.Sec.Do("GET", "/admin/jobs", "")
		if !strings.Contains(jobsPage.Body, `Run now…<span class="visually-hidden"> reminders</span>`) ||
			!strings.Contains(jobsPage.Body, `Run now<span class="visually-hidden"> housekeeping</span>`) {
			t.Fatalf("the jobs page does not say that the reminders job asks first")
		}

		// 15 August: 47 days before the deadline, nothing is due.
		sc.S.Clock.Set(time.Date(2026, 8, 15, 9, 0, 0, 0, time.UTC))
		if r := run("", ""); r.Status != 200 || !strings.Contains(r.Body, "No reminder is due: running it now, for the slot 2026-08-15, queues none.") {
			t.Errorf("nothing due: %d", r.Status)
		}

		// 1 September: 30 days before, both organisations have nothing
		// submitted: one reminder each, to their focal point.
		sc.S.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
		page := run("", "")
		for _, want := range []string{
			"Running it now, for the slot 2026-09-01, queues these 2 reminders; the mail job then sends them within a minute.",
			fmt.Sprintf(`<th scope="row"><a href="/admin/organisations/%d">%s</a></th><td>2026</td>
    <td>Deadline reminder, 30 days before</td><td>1</td>`, sc.Org.ID, sc.Org.Name),
			fmt.Sprintf(`<a href="/admin/organisations/%d">%s</a>`, sc.OtherOrg.ID, sc.OtherOrg.Name),
			`<input type="hidden" name="confirm" value="yes">`,
			"Queue these reminders",
		} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the confirmation does not say %q", want)
			}
		}
		if fr := run("", "?lang=fr"); !strings.Contains(fr.Body, "met ces 2 relances en file d&#39;envoi") ||
			!strings.Contains(fr.Body, "Relance d&#39;échéance, 30 jours avant") {
			t.Errorf("the French confirmation")
		}
		if n := outbox(); n != 0 {
			t.Fatalf("showing the confirmation queued %d reminders", n)
		}
		if r := run("confirm=yes", ""); r.Status != 303 || !strings.Contains(r.Header.Get("Set-Cookie"), "flash_job_ran") {
			t.Fatalf("run: %d", r.Status)
		}
		if n := outbox(); n != 2 {
			t.Errorf("the run queued %d reminders, the confirmation said 2", n)
		}
		if r := run("", ""); !strings.Contains(r.Body, "The slot 2026-09-01 has run already: running the job now would do nothing.") ||
			strings.Contains(r.Body, `name="confirm"`) {
			t.Errorf("after the run, the confirmation still offers to run it")
		}
		if r := sc.Sec.Do("POST", "/admin/jobs/nope/run", "", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 404 {
			t.Errorf("an unknown job: %d", r.Status)
		}
	})
}

// A reminder re-sent from the board goes out once a day per organisation,
// even when pressed twice or twice at once; the second press is a notice
// on the board naming the organisation, not an error; the mail job sends
// it, once, and the audit log names the organisation.
func TestBoardResendsAReminderOnceADay(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		ctx := context.Background()
		nobody := sc.S.Stakeholder(t, stakeholder.Company) // nobody to write to
		board := sc.Sec.Do("GET", "/admin/status?cycle=2026", "")
		for _, org := range []stakeholder.Stakeholder{sc.Org, sc.OtherOrg} {
			if !strings.Contains(board.Body, fmt.Sprintf(`action="/admin/status/%d/remind?country=&amp;cycle=2026&amp;kind="`, org.ID)) {
				t.Errorf("no re-send button for %s: %s", org.Name, boardRow(t, board.Body, org))
			}
		}
		if strings.Contains(board.Body, fmt.Sprintf(`/admin/status/%d/remind`, nobody.ID)) {
			t.Errorf("a re-send button for an organisation with nobody to write to")
		}

		post := func(id int64) apptest.Response {
			return sc.Sec.Do("POST", fmt.Sprintf("/admin/status/%d/remind?cycle=2026&kind=state", id), "", "Content-Type", "application/x-www-form-urlencoded")
		}
		// Pressed twice at once: one queued, one told it went today.
		got := map[string]int{}
		for _, r := range testutil.AtOnce(2, func(int) apptest.Response { return post(sc.OtherOrg.ID) }) {
			if r.Status != 303 || r.Header.Get("Location") != "/admin/status?cycle=2026&kind=state" {
				t.Fatalf("press: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
			}
			got[flashCookie(r)]++
		}
		resent := fmt.Sprintf("pct_flash=flash_reminder_resent%%7C%d", sc.OtherOrg.ID)
		again := fmt.Sprintf("pct_flash=flash_reminder_resent_today%%7C%d", sc.OtherOrg.ID)
		if got[resent] != 1 || got[again] != 1 {
			t.Fatalf("two presses at once: %v", got)
		}
		// A third press, later: the board says so, naming the organisation.
		r := post(sc.OtherOrg.ID)
		page := sc.Sec.Do("GET", r.Header.Get("Location"), "", "Cookie", flashCookie(r))
		if !strings.Contains(page.Body, `<div class="alert alert-info" role="status" id="board-notice"><p>`+sc.OtherOrg.Name+
			` was already sent a reminder today: it was not sent again.</p></div>`) {
			t.Errorf("the second press is not a notice on the board: %d", page.Status)
		}
		if !strings.Contains(boardRow(t, page.Body, sc.OtherOrg), "reminder re-sent today") ||
			strings.Contains(boardRow(t, page.Body, sc.OtherOrg), "/remind") {
			t.Errorf("the row still offers to re-send")
		}
		// Our own organisation: the notice that it is on its way.
		r = post(sc.Org.ID)
		page = sc.Sec.Do("GET", r.Header.Get("Location")+"&lang=fr", "", "Cookie", flashCookie(r))
		if !strings.Contains(page.Body, "Une relance à "+sc.Org.Name+" est en file d&#39;envoi : la tâche mail l&#39;envoie dans la minute.") {
			t.Errorf("the notice of a re-send, in French")
		}

		// The mail job sends each once, to the focal point; a second run
		// sends nothing more.
		for range 2 {
			if r := sc.Sec.Do("POST", "/admin/jobs/mail/run", "", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 303 {
				t.Fatalf("mail job: %d", r.Status)
			}
		}
		// Other mail (notices of the Scenario's own steps) goes to the
		// same people: the reminders are told by their subject.
		reminders := func(to string) []testutil.Mail {
			var out []testutil.Mail
			for _, m := range testutil.Mails(t, apptest.MailDir(t), to) {
				if strings.Contains(m.Subject, "a reminder about your 2026 report") {
					out = append(out, m)
				}
			}
			return out
		}
		mails := reminders("focal@other.example")
		if len(mails) != 1 || !strings.Contains(mails[0].Text, "the deadline to report for "+sc.OtherOrg.Name+" in the 2026 cycle is 2026-10-01 (30 days from now)") {
			t.Fatalf("reminders to the other organisation: %+v", mails)
		}
		if n := len(reminders("focal@own.example")); n != 1 {
			t.Errorf("%d reminders to our focal point, want 1", n)
		}
		if n := len(reminders("member@own.example")); n != 0 {
			t.Errorf("a member was reminded: the reminder goes to the focal point")
		}
		entries, n, err := db.AuditEntries(ctx, audit.Filter{Verb: "reminder.resend"})
		if err != nil || n != 2 {
			t.Fatalf("audit: %d, %v", n, err)
		}
		names := map[string]bool{}
		for _, e := range entries {
			names[fmt.Sprint(e.Details["organisation"])] = true
		}
		if !names[sc.Org.Name] || !names[sc.OtherOrg.Name] {
			t.Errorf("the audit entries do not name the organisations: %+v", entries)
		}
		// Supporters may not; nobody to write to is refused and writes nothing.
		if r := sc.Focal.Do("POST", fmt.Sprintf("/admin/status/%d/remind?cycle=2026", sc.Org.ID), "", "Content-Type", "application/x-www-form-urlencoded"); r.Status != 403 {
			t.Errorf("a focal point re-sends: %d", r.Status)
		}
		if r := post(nobody.ID); r.Status != 422 && r.Status != 400 {
			t.Errorf("nobody to write to: %d", r.Status)
		}
		if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reminders WHERE kind NOT LIKE 'notice:%'"); n != 2 {
			t.Errorf("%d reminders in the outbox, want 2", n)
		}
	})
}

// The secretariat sees an organisation's people as the organisation's, not
// as "Our people", which stays the supporters' own page.
func TestOrganisationPeopleHeading(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	path := fmt.Sprintf("/admin/organisations/%d", sc.Org.ID)
	for _, c := range []struct {
		name        string
		client      apptest.APIClient
		path        string
		has, hasNot []string
	}{
		{"the organisation page, in English", sc.Sec, path,
			[]string{"<h2>The organisation&#39;s people</h2>", "Invite someone from the organisation"}, []string{"Our people"}},
		{"the organisation page, in French", sc.Sec, path + "?lang=fr",
			[]string{"<h2>Les personnes de l&#39;organisation</h2>"}, []string{"Nos membres"}},
		{"the supporters' own page", sc.Focal, "/people", []string{"<h1>Our people</h1>"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.client.For(t).Do("GET", c.path, "")
			for _, s := range c.has {
				if !strings.Contains(r.Body, s) {
					t.Errorf("GET %s: %d, without %q", c.path, r.Status, s)
				}
			}
			for _, s := range c.hasNot {
				if strings.Contains(r.Body, s) {
					t.Errorf("GET %s: %d, with %q", c.path, r.Status, s)
				}
			}
		})
	}
}

package notice_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/notice"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// outbox lists the notices written for a cycle, by recipient and kind,
// oldest first.
func outbox(t *testing.T, db *store.DB, cycleID int64) []reminder.Reminder {
	t.Helper()
	all, err := db.Reminders(context.Background(), cycleID)
	if err != nil {
		t.Fatal(err)
	}
	var out []reminder.Reminder
	for i := len(all) - 1; i >= 0; i-- { // Reminders lists newest first
		if strings.HasPrefix(all[i].Kind, notice.KindPrefix) {
			out = append(out, all[i])
		}
	}
	return out
}

// summary names each notice as "event → address", to compare with a want.
func summary(list []reminder.Reminder) []string {
	var out []string
	for _, r := range list {
		event := strings.Split(strings.TrimPrefix(r.Kind, notice.KindPrefix), ":")[0]
		out = append(out, event+" → "+strings.Join(r.Recipients, ","))
	}
	return out
}

type people struct {
	member, focal, focalFR, other, secretariat user.User
}

func newPeople(t *testing.T, s *testutil.Services, org, other stakeholder.Stakeholder) people {
	t.Helper()
	ctx := context.Background()
	mk := func(email string, role user.Role, sid int64, orgRole user.OrgRole) user.User {
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: email, Name: strings.Split(email, "@")[0], Role: role,
			StakeholderID: sid, OrgRole: orgRole})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	p := people{
		member:      mk("member@own.example", user.Supporter, org.ID, user.Member),
		focal:       mk("focal@own.example", user.Supporter, org.ID, user.FocalPoint),
		focalFR:     mk("pointfocal@own.example", user.Supporter, org.ID, user.FocalPoint),
		other:       mk("focal@other.example", user.Supporter, other.ID, user.FocalPoint),
		secretariat: mk("sec@pc.example", user.Secretariat, 0, ""),
	}
	var err error
	if p.focalFR, err = s.Users.SetPreferences(ctx, p.focalFR.Actor(), user.Preferences{Lang: "fr"}); err != nil {
		t.Fatal(err)
	}
	return p
}

// Each decision writes its notices in its own transaction, once, to the
// people it concerns, in each one's language, unless they turned that
// kind off.
func TestDecisionsWriteNotices(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)

		// A member drafts two actions; the focal point submits them all:
		// one receipt each to the two focal points, listing both.
		for _, title := range []string{"Export rule", "Oversight board"} {
			in := testutil.ActionInput()
			in.Title = title
			if _, err := s.Actions.CreateIn(ctx, p.member.Actor(), 2026, in); err != nil {
				t.Fatal(err)
			}
		}
		subs, err := s.Actions.SubmitAll(ctx, p.focal.Actor(), 2026)
		if err != nil || len(subs) != 2 {
			t.Fatalf("submit all: %d %v", len(subs), err)
		}
		got := outbox(t, db, c.ID)
		if want := []string{"submitted → focal@own.example", "submitted → pointfocal@own.example"}; strings.Join(summary(got), "; ") != strings.Join(want, "; ") {
			t.Fatalf("after submit-all: %v, want %v", summary(got), want)
		}
		en, fr := got[0], got[1]
		for _, want := range []string{"Hello focal,", "focal submitted to the secretariat, on 1 September 2026 at 09:00 UTC", "- Export rule (#", "- Oversight board (#",
			"http://pct.test/actions/", "http://pct.test/account"} {
			if !strings.Contains(en.Body, want) {
				t.Errorf("English receipt lacks %q:\n%s", want, en.Body)
			}
		}
		if !strings.Contains(en.Subject, "2 actions submitted") {
			t.Errorf("English subject: %q", en.Subject)
		}
		for _, want := range []string{"Bonjour pointfocal,", "a soumis au secrétariat", "2 actions soumises", "- Export rule (n° "} {
			if !strings.Contains(fr.Body+fr.Subject, want) {
				t.Errorf("French receipt lacks %q:\n%s\n%s", want, fr.Subject, fr.Body)
			}
		}
		if strings.Contains(fr.Body, "Hello") || strings.Contains(en.Body, "Bonjour") {
			t.Error("a notice is written in its reader's language only")
		}

		// Changes requested on the first: to the focal points and to the
		// member who wrote it, with the reviewer's words.
		a := subs[0]
		back, err := s.Actions.Move(ctx, p.secretariat.Actor(), a.ID, a.Version, action.ChangesRequested, "Link the decree, please.")
		if err != nil {
			t.Fatal(err)
		}
		got = outbox(t, db, c.ID)[2:]
		if want := "changes_requested → focal@own.example; changes_requested → pointfocal@own.example; changes_requested → member@own.example"; strings.Join(summary(got), "; ") != want {
			t.Fatalf("after a request for changes: %v", summary(got))
		}
		for _, n := range got {
			if !strings.Contains(n.Body, "Link the decree, please.") || !strings.Contains(n.Body, "/actions/"+itoa(a.ID)) {
				t.Errorf("request notice lacks the comment or the link:\n%s", n.Body)
			}
		}
		if !strings.Contains(got[1].Subject, "modifications demandées") {
			t.Errorf("French subject: %q", got[1].Subject)
		}

		// Someone who turned receipts off gets none; the other still does.
		if _, err := s.Users.SetPreferences(ctx, p.focal.Actor(), user.Preferences{Lang: "en", NoticesOff: []user.Notice{user.NoticeSubmitted}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Actions.Move(ctx, p.focal.Actor(), back.ID, back.Version, action.Submitted, "Linked in the evidence now."); err != nil {
			t.Fatal(err)
		}
		got = outbox(t, db, c.ID)[5:]
		if strings.Join(summary(got), "; ") != "submitted → pointfocal@own.example" || !strings.Contains(got[0].Body, "Linked in the evidence now.") {
			t.Fatalf("after a resubmission with a reply: %v %v", summary(got), got)
		}

		// Withdrawals and acceptances are not told at once.
		if _, err := s.Actions.Move(ctx, p.secretariat.Actor(), subs[1].ID, subs[1].Version, action.Accepted, ""); err != nil {
			t.Fatal(err)
		}
		if n := len(outbox(t, db, c.ID)); n != 6 {
			t.Errorf("an acceptance wrote a notice at once: %d in the outbox", n)
		}
		// Nothing of this reached the other organisation.
		for _, n := range outbox(t, db, c.ID) {
			if n.StakeholderID != org.ID || strings.Contains(strings.Join(n.Recipients, ","), "other.example") {
				t.Errorf("a notice for another organisation: %+v", n)
			}
		}
	})
}

// The daily digest tells each organisation's focal points, once, of the
// actions accepted since the last one; a digest run again, or a second
// transaction racing it, writes nothing more; a rolled-back run tells
// nobody and loses nothing.
func TestDigest(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		accept := func(st stakeholder.Stakeholder, title string) action.Action {
			t.Helper()
			in := testutil.ActionInput()
			in.Title = title
			a, err := s.Actions.Create(ctx, testutil.System, st.ID, c.ID, in)
			if err == nil {
				a, err = s.Actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
			}
			if err == nil {
				a, err = s.Actions.Move(ctx, p.secretariat.Actor(), a.ID, 0, action.Accepted, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		accept(org, "Export rule")
		accept(org, "Oversight board")
		accept(other, "Bug bounty")
		withdrawn := accept(org, "Withdrawn since")
		if _, err := s.Actions.Move(ctx, p.secretariat.Actor(), withdrawn.ID, 0, action.Withdrawn, ""); err != nil {
			t.Fatal(err)
		}
		before := len(outbox(t, db, c.ID)) // the receipts of the submissions

		// A run that fails after writing is rolled back whole: nothing
		// told, nothing marked.
		_ = db.WithTx(ctx, func(ctx context.Context) error {
			if _, err := s.Notices.Digest(ctx); err != nil {
				t.Fatal(err)
			}
			return errRollback
		})
		if n := len(outbox(t, db, c.ID)); n != before {
			t.Fatalf("a rolled-back digest left %d notices", n-before)
		}

		var n int
		if err := db.WithTx(ctx, func(ctx context.Context) (err error) { n, err = s.Notices.Digest(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		got := outbox(t, db, c.ID)[before:]
		want := "accepted → focal@own.example; accepted → pointfocal@own.example; accepted → focal@other.example"
		if n != 2 || strings.Join(summary(got), "; ") != want {
			t.Fatalf("digest: %d organisations, %v", n, summary(got))
		}
		if b := got[0].Body; !strings.Contains(b, "- Export rule (#") || !strings.Contains(b, "- Oversight board (#") ||
			strings.Contains(b, "Withdrawn since") || strings.Contains(b, "Bug bounty") {
			t.Errorf("the digest lists what stands accepted of its organisation only:\n%s", b)
		}
		if !strings.Contains(got[1].Subject, "2 actions acceptées") {
			t.Errorf("French digest subject: %q", got[1].Subject)
		}
		if !strings.Contains(got[2].Body, "Bug bounty") || !strings.Contains(got[2].Subject, "1 action accepted") {
			t.Errorf("the other organisation's digest: %q\n%s", got[2].Subject, got[2].Body)
		}
		// Again: nothing new to tell.
		if err := db.WithTx(ctx, func(ctx context.Context) (err error) { n, err = s.Notices.Digest(ctx); return err }); err != nil || n != 0 {
			t.Errorf("a second digest: %d, %v", n, err)
		}
		// The next acceptance goes in the next digest, alone.
		accept(other, "Disclosure policy")
		if err := db.WithTx(ctx, func(ctx context.Context) (err error) { n, err = s.Notices.Digest(ctx); return err }); err != nil || n != 1 {
			t.Fatalf("the next digest: %d, %v", n, err)
		}
		last := outbox(t, db, c.ID)
		if b := last[len(last)-1].Body; !strings.Contains(b, "Disclosure policy") || strings.Contains(b, "Bug bounty") {
			t.Errorf("the next digest tells only what is new:\n%s", b)
		}
	})
}

var errRollback = errors.New("roll back")

// A published report is told to every organisation's focal points, with a
// link to their own actions in it; an extension to the organisation's;
// each once, however often it is told.
func TestReportAndExtensionNotices(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
		s.Stakeholder(t, stakeholder.Academia) // nobody to tell there
		c := s.Cycle(t, 2026)
		newPeople(t, s, org, other)
		r := report.Report{ID: 41, CycleYear: 2026}
		for i := 0; i < 2; i++ {
			if err := db.WithTx(ctx, func(ctx context.Context) error { return s.Notices.ReportPublished(ctx, r, c.ID) }); err != nil {
				t.Fatal(err)
			}
		}
		got := outbox(t, db, c.ID)
		if len(got) != 3 {
			t.Fatalf("report notices: %v", summary(got))
		}
		for _, n := range got {
			mine := "http://pct.test/actions?cycle=2026&organisation=" + itoa(n.StakeholderID)
			if !strings.Contains(n.Body, "http://pct.test/reports/41") || !strings.Contains(n.Body, mine) {
				t.Errorf("report notice lacks its links (%s):\n%s", mine, n.Body)
			}
		}
		for _, n := range got {
			if !n.NextAttemptAt.Equal(s.Clock.Now()) {
				t.Errorf("a report without embargo is told at once: due %s", n.NextAttemptAt)
			}
		}
		day := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 2; i++ {
			if err := s.Notices.ExtensionGranted(ctx, c, org.ID, day); err != nil {
				t.Fatal(err)
			}
		}
		got = outbox(t, db, c.ID)[3:]
		if strings.Join(summary(got), "; ") != "extension → focal@own.example; extension → pointfocal@own.example" {
			t.Fatalf("extension notices: %v", summary(got))
		}
		if !strings.Contains(got[0].Body, "15 October 2026") || !strings.Contains(got[1].Body, "15 octobre 2026") {
			t.Errorf("the new deadline, in each language:\n%s\n%s", got[0].Body, got[1].Body)
		}
		// A later date is a new event.
		if err := s.Notices.ExtensionGranted(ctx, c, org.ID, day.AddDate(0, 0, 3)); err != nil {
			t.Fatal(err)
		}
		if n := len(outbox(t, db, c.ID)); n != 7 {
			t.Errorf("a new deadline: %d notices in all, want 7", n)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// failAudit is the real store whose audit writes fail: the last write of
// every decision, after its notices.
type failAudit struct{ *store.DB }

func (failAudit) AppendAudit(context.Context, audit.Entry) error {
	return errs.E(errs.Unavailable, "audit log unavailable")
}

// A decision that fails after its notices were written takes them with it:
// nobody is told of a step that did not happen.
func TestFailedDecisionTellsNobody(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		c := s.Cycle(t, 2026)
		p := newPeople(t, s, org, other)
		a, err := s.Actions.CreateIn(ctx, p.member.Actor(), 2026, testutil.ActionInput())
		if err != nil {
			t.Fatal(err)
		}
		failing := action.NewService(failAudit{db}, s.Clock.Now, s.Notices)
		if _, err := failing.Move(ctx, p.focal.Actor(), a.ID, a.Version, action.Submitted, ""); !errs.Is(err, errs.Unavailable) {
			t.Fatalf("the failing submission: %v", err)
		}
		if n := outbox(t, db, c.ID); len(n) != 0 {
			t.Errorf("a failed submission left %d notices: %v", len(n), summary(n))
		}
		if _, err := s.Actions.Move(ctx, p.focal.Actor(), a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		if n := outbox(t, db, c.ID); len(n) != 2 {
			t.Errorf("the submission that worked: %d notices, want 2", len(n))
		}
	})
}

// Under an embargo, a published report is told from the Forum, when its
// links lead somewhere; an inactive organisation is not told.
func TestReportNoticeWaitsForTheEmbargo(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
		c, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2026, OpensAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			Deadline: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ForumDate: time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC),
			Embargo: cycle.UntilForum})
		if err != nil {
			t.Fatal(err)
		}
		newPeople(t, s, org, other)
		if _, err := s.Stakeholders.Update(ctx, testutil.System, other.ID, 0, func(in *stakeholder.Input) { in.Active = false }); err != nil {
			t.Fatal(err)
		}
		if err := db.WithTx(ctx, func(ctx context.Context) error {
			return s.Notices.ReportPublished(ctx, report.Report{ID: 7, CycleYear: 2026}, c.ID)
		}); err != nil {
			t.Fatal(err)
		}
		got := outbox(t, db, c.ID)
		if strings.Join(summary(got), "; ") != "report_published → focal@own.example; report_published → pointfocal@own.example" {
			t.Fatalf("told: %v (the inactive organisation is not)", summary(got))
		}
		for _, n := range got {
			if !n.NextAttemptAt.Equal(c.ForumDate) {
				t.Errorf("due %s, want the Forum, %s", n.NextAttemptAt, c.ForumDate)
			}
		}
	})
}

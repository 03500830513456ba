package reminder_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// Preview says, day after day, exactly what Plan then writes: the same
// organisations, kinds and addresses, and nothing already in the outbox.
// It writes nothing itself.
func TestPreviewIsWhatPlanWrites(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c := s.Cycle(t, 2026) // opens 1 June, deadline 1 October
		quiet, busy, nobody := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.CivilSociety)
		_ = nobody // no people: nobody to write to
		for _, u := range []user.Input{
			{Email: "focal@quiet.example", Name: "Q", Role: user.Supporter, StakeholderID: quiet.ID, OrgRole: user.FocalPoint},
			{Email: "member@quiet.example", Name: "M", Role: user.Supporter, StakeholderID: quiet.ID, OrgRole: user.Member},
			{Email: "one@busy.example", Name: "B1", Role: user.Supporter, StakeholderID: busy.ID, OrgRole: user.Member},
			{Email: "two@busy.example", Name: "B2", Role: user.Supporter, StakeholderID: busy.ID, OrgRole: user.Member},
		} {
			if _, err := s.Users.Create(ctx, testutil.System, u); err != nil {
				t.Fatal(err)
			}
		}
		a := s.Action(t, busy, c)
		if _, err := s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		svc := reminder.NewService(db, s.Cycles, mail.NewFiles(t.TempDir(), "pctracker <no-reply@pc.example>", nil), s.Clock.Now,
			reminder.Options{BaseURL: "https://pc.example"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		outbox := func() []string {
			t.Helper()
			list, err := db.Reminders(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range list {
				out = append(out, fmt.Sprintf("%d %s %d", r.StakeholderID, r.Kind, len(r.Recipients)))
			}
			slices.Sort(out)
			return out
		}
		for _, tc := range []struct {
			day  string
			want []string
		}{
			// The opening notice to both organisations with someone to
			// write to: the focal point only, or everyone when there is none.
			{"2026-06-01", []string{fmt.Sprintf("%d opens 1", quiet.ID), fmt.Sprintf("%d opens 2", busy.ID)}},
			{"2026-06-02", nil}, // in the outbox already
			{"2026-08-31", nil},
			{"2026-09-01", []string{fmt.Sprintf("%d deadline_30 1", quiet.ID)}}, // busy has submitted
			{"2026-09-01", nil},
			{"2026-09-30", []string{fmt.Sprintf("%d deadline_1 1", quiet.ID)}}, // a missed deadline_7 is not sent late
		} {
			before := outbox()
			planned, err := svc.Preview(ctx, day(tc.day))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range planned {
				got = append(got, fmt.Sprintf("%d %s %d", p.Organisation.ID, p.Kind, p.Recipients))
				if p.Year != 2026 || p.Organisation.Name == "" || (p.Kind != reminder.Opens && reminder.DeadlineKind(p.Days) != p.Kind) {
					t.Errorf("%s: planned %+v", tc.day, p)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: preview %v, want %v", tc.day, got, tc.want)
			}
			if after := outbox(); !slices.Equal(after, before) {
				t.Fatalf("%s: the preview wrote to the outbox: %v", tc.day, after)
			}
			var n int
			if err := db.WithTx(ctx, func(ctx context.Context) error { n, err = svc.Plan(ctx, day(tc.day)); return err }); err != nil {
				t.Fatal(err)
			}
			var written []string
			for _, r := range outbox() {
				if !slices.Contains(before, r) {
					written = append(written, r)
				}
			}
			if n != len(planned) || !slices.Equal(written, got) {
				t.Errorf("%s: the preview said %v, the plan wrote %d: %v", tc.day, got, n, written)
			}
		}
	})
}

// The secretariat re-sends a reminder to one organisation: once a day,
// even when two presses race, audited with the organisation's name, and
// mailed once by the sender, even when two senders race. Only the
// secretariat may, only while the cycle is chased, and only to an
// organisation with someone to write to.
func TestResendOncePerDay(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db) // 1 September 2026
		ctx := context.Background()
		c := s.Cycle(t, 2026)
		s.Cycle(t, 2027) // not open yet
		org, nobody := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
		for _, u := range []user.Input{
			{Email: "focal@org.example", Name: "F", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint},
			{Email: "member@org.example", Name: "M", Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member},
		} {
			if _, err := s.Users.Create(ctx, testutil.System, u); err != nil {
				t.Fatal(err)
			}
		}
		sec, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "sec@pc.example", Name: "Sec", Role: user.Secretariat})
		if err != nil {
			t.Fatal(err)
		}
		port := testutil.FreePort(t)
		server := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", PortNumber: port, MultipleMessageReceiving: true})
		if err := server.Start(); err != nil {
			t.Fatal(err)
		}
		defer server.Stop()
		sender := mail.NewSMTP(mail.SMTPOptions{Host: "127.0.0.1", Port: port, TLS: "none", From: "pctracker <no-reply@pc.example>",
			HELO: "pc.example", Timeout: 2 * time.Second})
		svc := reminder.NewService(db, s.Cycles, sender, s.Clock.Now, reminder.Options{BaseURL: "https://pc.example"},
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		by := sec.Actor()

		before, err := svc.Resends(ctx, by, 2026)
		if err != nil || !before.Open || !before.Reachable[org.ID] || before.Reachable[nobody.ID] || before.Today[org.ID] {
			t.Fatalf("before: %+v, %v", before, err)
		}
		// Two presses at once: one reminder, one audit entry.
		results := testutil.AtOnce(2, func(int) error {
			_, err := svc.Resend(ctx, by, 2026, org.ID)
			return err
		})
		ok, again := 0, 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errs.Is(err, errs.Conflict) && errs.FieldsOf(err)["reminder"] != "":
				again++
			default:
				t.Errorf("a press: %v", err)
			}
		}
		if ok != 1 || again != 1 {
			t.Fatalf("two presses at once: %d queued, %d refused as already sent today", ok, again)
		}
		if _, err := svc.Resend(ctx, by, 2026, org.ID); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.MessageOf(err), "today already") {
			t.Errorf("a third press the same day: %v", err)
		}
		entries, n, err := db.AuditEntries(ctx, audit.Filter{Verb: "reminder.resend"})
		if err != nil || n != 1 || entries[0].Details["organisation"] != org.Name || entries[0].ObjectID != fmt.Sprint(org.ID) ||
			entries[0].ActorID != sec.ID {
			t.Fatalf("audit: %d entries %+v, %v", n, entries, err)
		}
		if after, _ := svc.Resends(ctx, by, 2026); !after.Today[org.ID] {
			t.Errorf("the board is not told it was re-sent today: %+v", after)
		}

		// Refused: a supporter; nobody to write to; no such organisation;
		// a cycle not open yet. None of them writes anything.
		supporter := user.Actor{UserID: 99, Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint}
		resend := func(by user.Actor, year int, id int64) error { _, err := svc.Resend(ctx, by, year, id); return err }
		_, resendsErr := svc.Resends(ctx, supporter, 2026)
		for _, tc := range []struct {
			name string
			err  error
			want errs.Kind
		}{
			{"a supporter", resend(supporter, 2026, org.ID), errs.Forbidden},
			{"a supporter reads the board's offer", resendsErr, errs.Forbidden},
			{"nobody to write to", resend(by, 2026, nobody.ID), errs.Invalid},
			{"no such organisation", resend(by, 2026, 999999), errs.NotFound},
			{"a cycle not open yet", resend(by, 2027, org.ID), errs.Conflict},
			{"no such cycle", resend(by, 2031, org.ID), errs.NotFound},
		} {
			if !errs.Is(tc.err, tc.want) {
				t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.want)
			}
		}
		// An organisation not expected to report (inactive), and any after
		// its deadline: the reminder would chase what is over.
		gone := s.Stakeholder(t, stakeholder.Academia)
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@gone.example", Name: "G", Role: user.Supporter,
			StakeholderID: gone.ID, OrgRole: user.FocalPoint}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stakeholders.Update(ctx, testutil.System, gone.ID, 0, func(in *stakeholder.Input) { in.Active = false }); err != nil {
			t.Fatal(err)
		}
		if offer, _ := svc.Resends(ctx, by, 2026); offer.Allowed[gone.ID] {
			t.Errorf("an inactive organisation is offered a reminder: %+v", offer)
		}
		if err := resend(by, 2026, gone.ID); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.MessageOf(err), "not expected to report") {
			t.Errorf("an inactive organisation: %v", err)
		}
		s.Clock.Set(time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC))
		if offer, _ := svc.Resends(ctx, by, 2026); offer.Allowed[org.ID] {
			t.Errorf("a reminder is offered after the deadline: %+v", offer)
		}
		if err := resend(by, 2026, org.ID); !errs.Is(err, errs.Conflict) || !strings.Contains(errs.MessageOf(err), "has passed") {
			t.Errorf("after the deadline: %v", err)
		}
		s.Clock.Set(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
		if list, _ := db.Reminders(ctx, c.ID); len(list) != 1 {
			t.Errorf("the refusals wrote: %d reminders", len(list))
		}

		// Two senders at once: the reminder goes out once.
		sent := testutil.AtOnce(2, func(int) int { n, _, _ := svc.Send(ctx); return n })
		if sent[0]+sent[1] != 1 {
			t.Errorf("two senders sent %v", sent)
		}
		// Send returns once the server has taken each message: a third run
		// that sends nothing means nothing more reaches the server.
		if again, _, err := svc.Send(ctx); err != nil || again != 0 {
			t.Fatalf("a third run sent %d (%v)", again, err)
		}
		msgs, err := server.WaitForMessages(1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(server.Messages()); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
		head, body, _ := strings.Cut(strings.ReplaceAll(msgs[0].MsgRequest(), "\r\n", "\n"), "\n\n")
		text, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		m := head + "\n\n" + string(text)
		for _, want := range []string{"Subject: Paris Call: a reminder about your 2026 report", "To: <focal@org.example>",
			"deadline to report for " + org.Name + " in the 2026 cycle is 2026-10-01 (30 days from now)",
			"la date limite de contribution de " + org.Name + " au cycle 2026 est le 2026-10-01 (dans 30 jours)"} {
			if !strings.Contains(m, want) {
				t.Errorf("the message lacks %q: %s", want, m)
			}
		}
		if strings.Contains(m, "member@org.example") {
			t.Errorf("the reminder went to a member, not only the focal point")
		}

		// The next day it may be re-sent again.
		s.Clock.Add(24 * time.Hour)
		if r, err := svc.Resend(ctx, by, 2026, org.ID); err != nil || r.Kind != "resend_2026-09-02" {
			t.Errorf("the next day: %+v, %v", r, err)
		}
		list, _ := db.Reminders(ctx, c.ID)
		if len(list) != 2 {
			t.Errorf("outbox: %d reminders, want 2", len(list))
		}
	})
}

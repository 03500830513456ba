package reminder_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/notice"
	"github.com/pctracker/pctracker/internal/reminder"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

func day(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

// Reminders are decided per organisation, cycle and kind, once: the opening
// notice to every expected organisation, deadline reminders to those with
// nothing submitted at the tightest offset reached. They go out over SMTP
// once the server is up, with retries while it is down, and each only once.
func TestRemindersOverSMTP(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		c := s.Cycle(t, 2026) // opens 1 June, deadline 1 October
		quiet, busy, nobody := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.CivilSociety)
		inactive := s.Stakeholder(t, stakeholder.Academia)
		if _, err := s.Stakeholders.Update(ctx, testutil.System, inactive.ID, inactive.Version, func(in *stakeholder.Input) { in.Active = false }); err != nil {
			t.Fatal(err)
		}
		for _, u := range []user.Input{
			{Email: "focal@quiet.example", Name: "Q", Role: user.Supporter, StakeholderID: quiet.ID, OrgRole: user.FocalPoint},
			{Email: "member@quiet.example", Name: "M", Role: user.Supporter, StakeholderID: quiet.ID, OrgRole: user.Member},
			{Email: "focal@busy.example", Name: "B", Role: user.Supporter, StakeholderID: busy.ID, OrgRole: user.FocalPoint},
			{Email: "focal@inactive.example", Name: "I", Role: user.Supporter, StakeholderID: inactive.ID, OrgRole: user.FocalPoint},
		} {
			if _, err := s.Users.Create(ctx, testutil.System, u); err != nil {
				t.Fatal(err)
			}
		}
		a := s.Action(t, busy, c)
		if _, err := s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		_ = nobody // no people: nobody to write to

		port := testutil.FreePort(t)
		sender := mail.NewSMTP(mail.SMTPOptions{Host: "127.0.0.1", Port: port, TLS: "none", From: "pctracker <no-reply@pc.example>",
			HELO: "pc.example", Timeout: 2 * time.Second})
		svc := reminder.NewService(db, s.Cycles, sender, s.Clock.Now, reminder.Options{BaseURL: "https://pc.example"},
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		plan := func(d string) int {
			t.Helper()
			var n int
			err := db.WithTx(ctx, func(ctx context.Context) error {
				var err error
				n, err = svc.Plan(ctx, day(d))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Opening day: the notice to the two organisations expected and
		// reachable; 122 days before the deadline, no reminder yet.
		if n := plan("2026-06-01"); n != 2 {
			t.Errorf("opening day: %d reminders, want 2", n)
		}
		if n := plan("2026-06-01"); n != 0 {
			t.Errorf("the same day again: %d", n)
		}
		if n := plan("2026-06-03"); n != 0 {
			t.Errorf("two days later: %d", n)
		}
		// 31 days before: nothing; 30: the first reminder to the quiet one;
		// 25: still that one, not again; 7: the second.
		for _, c := range []struct {
			day  string
			want int
		}{{"2026-08-31", 0}, {"2026-09-01", 1}, {"2026-09-06", 0}, {"2026-09-24", 1}, {"2026-09-24", 0}} {
			if n := plan(c.day); n != c.want {
				t.Errorf("%s: %d reminders, want %d", c.day, n, c.want)
			}
		}
		list, err := db.Reminders(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, r := range list {
			if strings.HasPrefix(r.Kind, notice.KindPrefix) {
				continue // the receipt of the busy one's submission shares the outbox
			}
			kinds[r.Kind]++
			if r.StakeholderID == quiet.ID && (len(r.Recipients) != 1 || r.Recipients[0] != "focal@quiet.example") {
				t.Errorf("recipients: %v (the focal point only)", r.Recipients)
			}
		}
		if kinds["opens"] != 2 || kinds["deadline_30"] != 1 || kinds["deadline_7"] != 1 || len(list) != 5 {
			t.Errorf("outbox: %v", kinds)
		}

		// The mail server is down: the first refusal stops the run; nothing
		// is lost, and that reminder is retried after its backoff.
		sent, failed, err := svc.Send(ctx)
		if err != nil || sent != 0 || failed != 1 {
			t.Fatalf("server down: sent %d, failed %d, %v", sent, failed, err)
		}
		// The next run tries the next one (the refused one waits out its
		// backoff), and stops at its refusal too.
		if sent, failed, _ := svc.Send(ctx); sent != 0 || failed != 1 {
			t.Errorf("second run while down: %d sent, %d failed", sent, failed)
		}
		server := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", PortNumber: port, MultipleMessageReceiving: true})
		if err := server.Start(); err != nil {
			t.Fatal(err)
		}
		defer server.Stop()
		s.Clock.Add(10 * time.Minute)
		// A few runs: what failed once is sent; what was sent is not sent
		// again. Send returns once the server has taken each message, so
		// the count of messages it says it sent is what the server got.
		total := 0
		for i := 0; i < 3; i++ {
			sent, _, err := svc.Send(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total += sent
			s.Clock.Add(10 * time.Minute)
		}
		if total != 5 { // the four reminders and the receipt
			t.Errorf("messages sent by the three runs: %d, want 5", total)
		}
		msgs, err := server.WaitForMessages(5, 5*time.Second)
		if err != nil {
			t.Fatalf("messages: %v", err)
		}
		if n := len(server.Messages()); n != 5 {
			t.Errorf("messages received: %d, want 5", n)
		}
		for _, m := range msgs {
			if strings.Contains(m.MsgRequest(), "Subject: pctracker: receipt") {
				continue
			}
			if !strings.Contains(m.MsgRequest(), "Subject: Paris Call") || !strings.Contains(m.MsgRequest(), "https://pc.example/workspace") {
				t.Errorf("message: %s", m.MsgRequest())
			}
		}
		list, _ = db.Reminders(ctx, c.ID)
		retried := 0
		for _, r := range list {
			if r.Status != reminder.Sent || r.SentAt == nil {
				t.Errorf("reminder %d: %s after %d attempts", r.ID, r.Status, r.Attempts)
			}
			if r.Attempts == 2 && r.LastError == "" {
				retried++
			}
		}
		if retried != 2 {
			t.Errorf("%d reminders sent on their second attempt, want 2", retried)
		}
		// The board counts what was sent.
		_, rows, err := s.Cycles.Board(ctx, testutil.System, 2026, stakeholder.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			want := map[int64]int{quiet.ID: 3, busy.ID: 1}[r.Organisation.ID]
			if r.Reminders != want {
				t.Errorf("%s: %d reminders on the board, want %d", r.Organisation.Name, r.Reminders, want)
			}
		}
	})
}

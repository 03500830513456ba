package twostep_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/mail"
	"github.com/pctracker/pctracker/internal/signin"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/user"
)

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type fixture struct {
	s       *testutil.Services
	svc     *twostep.Service
	db      *store.DB
	mailDir string
}

func newFixture(t *testing.T, db *store.DB, wrongCodes int) fixture {
	dir, logger := t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil))
	f := newFixtureWith(db, wrongCodes, mail.NewFiles(dir, "pctracker <no-reply@pct.example>", logger), logger)
	f.mailDir = dir
	return f
}

func newFixtureWith(db *store.DB, wrongCodes int, sender mail.Sender, logger *slog.Logger) fixture {
	s := testutil.NewServices(db)
	attempts := signin.NewService(db, s.Clock.Now, signin.Limits{AccountFailures: wrongCodes, AccountWindow: 24 * time.Hour,
		IPFailures: 1000, IPWindow: time.Minute})
	svc := twostep.NewService(db, attempts, sender, logger, s.Clock.Now, twostep.Options{Required: true, BaseURL: "https://pct.example/"})
	return fixture{s: s, db: db, svc: svc}
}

// notices returns the subjects of the notices mailed to addr, oldest first.
func (f fixture) notices(t *testing.T, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range testutil.Mails(t, f.mailDir, addr) {
		out = append(out, strings.TrimPrefix(m.Subject, "pctracker: "))
	}
	return out
}

// count says how many of subjects start with prefix.
func count(subjects []string, prefix string) int {
	n := 0
	for _, s := range subjects {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func (f fixture) user(t *testing.T, email string, role user.Role) user.User {
	t.Helper()
	in := user.Input{Email: email, Name: email, Role: role}
	if role == user.Supporter {
		in.StakeholderID, in.OrgRole = f.s.Stakeholder(t, stakeholder.CivilSociety).ID, user.Member
	}
	u, err := f.s.Users.Create(context.Background(), testutil.System, in)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// enrol takes u through enrolment and returns the secret and the
// recovery codes.
func (f fixture) enrol(t *testing.T, u user.User) (string, []string) {
	t.Helper()
	ctx := context.Background()
	token, c, err := f.svc.Begin(ctx, u, "/")
	if err != nil || !c.Enrolling() {
		t.Fatalf("begin enrolment: %v %+v", err, c)
	}
	res, err := f.svc.Complete(ctx, token, code(t, c.Secret, f.s.Clock.Now()), "192.0.2.1")
	if err != nil || len(res.RecoveryCodes) != twostep.RecoveryCodes {
		t.Fatalf("enrol: %v %+v", err, res)
	}
	f.s.Clock.Add(30 * time.Second) // the enrolment's code is spent
	return c.Secret, res.RecoveryCodes
}

func TestTwoStep(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 100)
		sec := f.user(t, "camille@pc.example", user.Secretariat)
		member := f.user(t, "member@ngo.example", user.Supporter)

		// Who is asked: the secretariat always, supporters once enrolled.
		if need, err := f.svc.Needed(ctx, sec); err != nil || !need {
			t.Errorf("secretariat needs two steps: %v %v", need, err)
		}
		if need, err := f.svc.Needed(ctx, member); err != nil || need {
			t.Errorf("a supporter with no authenticator is asked for a code: %v %v", need, err)
		}

		// Enrolment: a wrong first code keeps nothing; the right one keeps
		// the secret and issues ten recovery codes.
		token, c, err := f.svc.Begin(ctx, sec, "/review")
		if err != nil || !c.Enrolling() || len(c.Secret) < 32 {
			t.Fatalf("begin: %v %+v", err, c)
		}
		e, err := f.svc.Enrolment(c, sec)
		if err != nil || !strings.HasPrefix(e.URL, "otpauth://totp/") || !strings.Contains(e.URL, "secret="+c.Secret) ||
			len(e.QR) < 100 || string(e.QR[1:4]) != "PNG" {
			t.Fatalf("enrolment: %v %s %d bytes", err, e.URL, len(e.QR))
		}
		if _, err := f.svc.Complete(ctx, token, apptest.WrongCode(t, c.Secret, f.s.Clock.Now()), "192.0.2.1"); !errs.Is(err, errs.Unauthorized) || errs.FieldsOf(err)["code"] == "" {
			t.Fatalf("wrong enrolment code: %v", err)
		}
		if _, err := db.SecondFactor(ctx, sec.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a wrong code kept the secret: %v", err)
		}
		now := f.s.Clock.Now()
		res, err := f.svc.Complete(ctx, token, code(t, c.Secret, now), "192.0.2.1")
		if err != nil || res.User.ID != sec.ID || res.Next != "/review" || len(res.RecoveryCodes) != 10 {
			t.Fatalf("enrol: %v %+v", err, res)
		}
		if _, err := f.svc.Complete(ctx, token, code(t, c.Secret, now), "192.0.2.1"); !errs.Is(err, errs.Unauthorized) || errs.FieldsOf(err)["code"] != "" {
			t.Fatalf("a spent challenge was accepted again: %v", err)
		}
		st, err := f.svc.StatusOf(ctx, sec)
		if err != nil || !st.Enabled || st.CodesLeft != 10 {
			t.Fatalf("status: %v %+v", err, st)
		}
		// The person is told of each change and of each sign-in that
		// stopped at a wrong code: here the wrong first code, then the set-up.
		last := func(want string) {
			t.Helper()
			if got := f.notices(t, sec.Email); len(got) == 0 || !strings.HasPrefix(got[len(got)-1], want) {
				t.Errorf("last notice: %q, want %q", got, want)
			}
		}
		if got := f.notices(t, sec.Email); len(got) != 2 || count(got, "a wrong sign-in code") != 1 || count(got, "two-step sign-in set up") != 1 {
			t.Errorf("notices after enrolment: %q", got)
		}

		// Codes are single use: the enrolment's code, or its neighbour
		// step, never works again; the next step's does, once.
		secret := c.Secret
		signIn := func(code string) (twostep.Result, error) {
			t.Helper()
			token, c, err := f.svc.Begin(ctx, sec, "/")
			if err != nil || c.Enrolling() {
				t.Fatalf("begin: %v %+v", err, c)
			}
			return f.svc.Complete(ctx, token, code, "192.0.2.1")
		}
		for _, at := range []time.Time{now, now.Add(-30 * time.Second)} {
			if _, err := signIn(code(t, secret, at)); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("a spent or older code was accepted (%s): %v", at.Format(time.TimeOnly), err)
			}
		}
		f.s.Clock.Add(30 * time.Second)
		next := code(t, secret, f.s.Clock.Now())
		if _, err := signIn(next); err != nil {
			t.Fatalf("the next code: %v", err)
		}
		if _, err := signIn(next); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("the same code twice: %v", err)
		}
		// A phone's clock 30 s ahead is fine.
		f.s.Clock.Add(30 * time.Second)
		if _, err := signIn(code(t, secret, f.s.Clock.Now().Add(30*time.Second))); err != nil {
			t.Errorf("a code one step ahead: %v", err)
		}
		f.s.Clock.Add(90 * time.Second)
		if _, err := signIn(code(t, secret, f.s.Clock.Now().Add(-90*time.Second))); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("a code three steps old was accepted: %v", err)
		}

		// Recovery codes: each once, typed any way; renewal voids the old.
		rc := res.RecoveryCodes
		got, err := signIn(" " + strings.ToUpper(strings.ReplaceAll(rc[0], "-", " ")) + " ")
		if err != nil || !got.UsedRecovery || got.CodesLeft != 9 {
			t.Fatalf("recovery code: %v %+v", err, got)
		}
		last("a recovery code was used")
		if _, err := signIn(rc[0]); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("a recovery code twice: %v", err)
		}
		// Renewal asks for a code as a sign-in does: none, a wrong one, a
		// spent one or a used recovery code renews nothing.
		renew := func(code string) ([]string, error) {
			return f.svc.RenewRecoveryCodes(ctx, sec.Actor(), code, "192.0.2.1")
		}
		if _, err := renew(" "); !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["code"] == "" {
			t.Errorf("renewal without a code: %v", err)
		}
		spent := code(t, secret, f.s.Clock.Now())
		if _, err := signIn(spent); err != nil {
			t.Fatal(err)
		}
		for _, wrong := range []string{"12345", spent, rc[0]} {
			if _, err := renew(wrong); !errs.Is(err, errs.Unauthorized) || errs.FieldsOf(err)["code"] == "" {
				t.Errorf("renewal with the wrong or spent code %q: %v", wrong, err)
			}
		}
		if n, _ := db.RecoveryCodesLeft(ctx, sec.ID); n != 9 {
			t.Errorf("a refused renewal changed the recovery codes: %d left", n)
		}
		if got := f.notices(t, sec.Email); count(got, "a wrong code on your account page") != 3 || count(got, "new recovery codes") != 0 {
			t.Errorf("notices of 3 refused renewals: %q", got)
		}
		// A current code renews once; so does a recovery code (a lost phone).
		f.s.Clock.Add(30 * time.Second)
		now = f.s.Clock.Now()
		renewed, err := renew(code(t, secret, now))
		if err != nil || len(renewed) != 10 {
			t.Fatalf("renew: %v %v", err, renewed)
		}
		last("new recovery codes")
		if _, err := renew(code(t, secret, now)); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("one code renewed twice: %v", err)
		}
		if _, err := signIn(rc[1]); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("an old recovery code works after renewal: %v", err)
		}
		if again, err := renew(renewed[0]); err != nil || len(again) != 10 {
			t.Fatalf("renew with a recovery code: %v", err)
		} else {
			renewed = again
		}
		if _, err := signIn(renewed[1]); err != nil {
			t.Errorf("a renewed recovery code: %v", err)
		}
		if _, err := f.svc.RenewRecoveryCodes(ctx, member.Actor(), "123456", "192.0.2.1"); !errs.Is(err, errs.Conflict) {
			t.Errorf("renewal without an authenticator: %v", err)
		}

		// After MaxFailures wrong codes the challenge ends.
		token, _, _ = f.svc.Begin(ctx, sec, "/")
		wrongMails := count(f.notices(t, sec.Email), "a wrong sign-in code")
		for i := 1; i <= twostep.MaxFailures; i++ {
			_, err := f.svc.Complete(ctx, token, apptest.WrongCode(t, secret, f.s.Clock.Now()), "192.0.2.1")
			if wrong := errs.FieldsOf(err)["code"] != ""; !errs.Is(err, errs.Unauthorized) || wrong != (i < twostep.MaxFailures) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		if n := count(f.notices(t, sec.Email), "a wrong sign-in code") - wrongMails; n != 1 {
			t.Errorf("%d mails for %d wrong codes of one sign-in, want 1", n, twostep.MaxFailures)
		}
		f.s.Clock.Add(30 * time.Second)
		if _, err := f.svc.Complete(ctx, token, code(t, secret, f.s.Clock.Now()), "192.0.2.1"); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("a challenge past its failures still works: %v", err)
		}

		// A challenge expires.
		token, _, _ = f.svc.Begin(ctx, sec, "/")
		f.s.Clock.Add(twostep.ChallengeLifetime)
		if _, _, err := f.svc.Pending(ctx, token); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("an expired challenge: %v", err)
		}

		// A reset while a sign-in waits for its code ends that sign-in.
		f.s.Clock.Add(30 * time.Second)
		token, _, _ = f.svc.Begin(ctx, sec, "/")
		if _, err := f.svc.Reset(ctx, testutil.System, sec.Email); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Complete(ctx, token, code(t, secret, f.s.Clock.Now()), "192.0.2.1"); !errs.Is(err, errs.Unauthorized) || errs.FieldsOf(err)["code"] != "" {
			t.Errorf("a code after a reset: %v", err)
		}

		// Of two enrolments begun side by side, only the first to finish
		// counts: the later one does not replace it.
		tokenA, a, _ := f.svc.Begin(ctx, sec, "/")
		tokenB, b, _ := f.svc.Begin(ctx, sec, "/")
		if !a.Enrolling() || !b.Enrolling() || a.Secret == b.Secret {
			t.Fatalf("two enrolments: %+v %+v", a, b)
		}
		if _, err := f.svc.Complete(ctx, tokenA, code(t, a.Secret, f.s.Clock.Now()), "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Complete(ctx, tokenB, code(t, b.Secret, f.s.Clock.Now()), "192.0.2.1"); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("a second enrolment replaced the first: %v", err)
		}
		if kept, err := db.SecondFactor(ctx, sec.ID); err != nil || kept.Secret != a.Secret {
			t.Errorf("kept authenticator: %v, first's %v", err, kept.Secret == a.Secret)
		}
		secret = a.Secret

		// Reset: the next sign-in enrols again. A person with no
		// authenticator has nothing to reset, and is not told otherwise.
		if _, err := f.svc.Reset(ctx, testutil.System, "CAMILLE@pc.example"); err != nil {
			t.Fatal(err)
		}
		last("two-step sign-in reset")
		if _, err := f.svc.Reset(ctx, testutil.System, member.Email); !errs.Is(err, errs.Conflict) || len(f.notices(t, member.Email)) != 0 {
			t.Errorf("reset of a person with no authenticator: %v, %d notices", err, len(f.notices(t, member.Email)))
		}
		if _, c, err := f.svc.Begin(ctx, sec, "/"); err != nil || !c.Enrolling() || c.Secret == secret {
			t.Errorf("after reset: %v %+v", err, c)
		}
		if n, err := db.RecoveryCodesLeft(ctx, sec.ID); err != nil || n != 0 {
			t.Errorf("recovery codes after reset: %d %v", n, err)
		}
		var wrong int
		if err := db.SQL().QueryRow("SELECT count(*) FROM audit_log WHERE verb = 'user.two_step.wrong_code'").Scan(&wrong); err != nil || wrong < twostep.MaxFailures {
			t.Errorf("%d wrong codes in the audit log: %v", wrong, err)
		}
		t.Logf("enrolment, single-use codes (same, older, next, skew), recovery codes, %d-failure limit, expiry, reset (also mid-sign-in), "+
			"two enrolments side by side and %d wrong codes audited: checked; %d notices mailed", twostep.MaxFailures, wrong, len(f.notices(t, sec.Email)))
	})
}

// Wrong codes count against the account's own limit of wrong codes:
// past it, even the right code waits.
func TestTwoStepThrottled(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 3)
		sec := f.user(t, "sec@pc.example", user.Secretariat)
		secret, _ := f.enrol(t, sec)
		for i := 0; i < 3; i++ {
			token, _, _ := f.svc.Begin(ctx, sec, "/")
			if _, err := f.svc.Complete(ctx, token, apptest.WrongCode(t, secret, f.s.Clock.Now()), "192.0.2.1"); !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		token, _, _ := f.svc.Begin(ctx, sec, "/")
		_, err := f.svc.Complete(ctx, token, code(t, secret, f.s.Clock.Now()), "192.0.2.1")
		if !errs.Is(err, errs.TooMany) || errs.RetryAfterOf(err) <= 0 {
			t.Fatalf("right code past the limit: %v", err)
		}
		t.Logf("3 wrong codes, then the right one refused with 429 for %s", errs.RetryAfterOf(err).Round(time.Minute))
	})
}

// Racing uses of one code: of 10 challenges completed at once with the
// same right code, and of 10 racing the same recovery code, one each wins.
func TestTwoStepCodesRaceOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 1000)
		sec := f.user(t, "sec@pc.example", user.Secretariat)
		secret, recovery := f.enrol(t, sec)
		for _, c := range []string{code(t, secret, f.s.Clock.Now()), recovery[0]} {
			var tokens []string
			for i := 0; i < 10; i++ {
				token, _, err := f.svc.Begin(ctx, sec, "/")
				if err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, token)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for _, token := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := f.svc.Complete(ctx, token, c, "192.0.2.1")
					if err != nil && !errs.Is(err, errs.Unauthorized) && !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Unavailable) {
						t.Errorf("complete: %v", err)
					}
					if err == nil {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if wins != 1 {
				t.Errorf("code %q used %d times at once, want 1", c, wins)
			}
		}
		t.Log("10 racing uses of one TOTP code and 10 of one recovery code: 1 success each")
	})
}

// With the mail server down, every step works as before: the notices are
// logged as not sent, and nothing else changes.
func TestTwoStepMailDown(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close() // nothing listens there now: the connection is refused
		var logs testutil.LogBuffer
		logger := slog.New(slog.NewTextHandler(&logs, nil))
		f := newFixtureWith(db, 100, mail.NewSMTP(mail.SMTPOptions{Host: "127.0.0.1", Port: port, TLS: "none",
			From: "pctracker <no-reply@pct.example>", Timeout: 2 * time.Second}), logger)
		sec := f.user(t, "sec@pc.example", user.Secretariat)
		secret, rc := f.enrol(t, sec) // fails the test unless enrolment succeeds
		token, _, _ := f.svc.Begin(ctx, sec, "/")
		if _, err := f.svc.Complete(ctx, token, "12345", "192.0.2.1"); !errs.Is(err, errs.Unauthorized) || errs.FieldsOf(err)["code"] == "" {
			t.Errorf("wrong code with the mail down: %v", err)
		}
		if res, err := f.svc.Complete(ctx, token, rc[0], "192.0.2.1"); err != nil || !res.UsedRecovery {
			t.Errorf("recovery code with the mail down: %v", err)
		}
		if _, err := f.svc.RenewRecoveryCodes(ctx, sec.Actor(), code(t, secret, f.s.Clock.Now()), "192.0.2.1"); err != nil {
			t.Errorf("renewal with the mail down: %v", err)
		}
		if _, err := f.svc.Reset(ctx, testutil.System, sec.Email); err != nil {
			t.Errorf("reset with the mail down: %v", err)
		}
		if n := strings.Count(logs.String(), "security notice not sent"); n != 5 {
			t.Errorf("%d notices logged as not sent, want 5 (set-up, wrong code, recovery code, renewal, reset):\n%s", n, logs.String())
		}
	})
}

// A sign-in waiting for its code ends when its person may no longer sign
// in: disabled, or their organisation deactivated, since the password.
// (Deactivation also deletes the challenges; this is the check behind it,
// for a challenge begun in the same instant.)
func TestPendingEndsForThoseLockedOut(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 100)
		for _, c := range []struct {
			name, lockOut string
		}{
			{"disabled", "UPDATE users SET disabled = $2 WHERE id = $1"},
			{"organisation deactivated", "UPDATE stakeholders SET active = NOT $2 WHERE id = (SELECT stakeholder_id FROM users WHERE id = $1)"},
		} {
			u := f.user(t, strings.ReplaceAll(c.name, " ", "-")+"@ngo.example", user.Supporter)
			token, _, err := f.svc.Begin(ctx, u, "/")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.svc.Pending(ctx, token); err != nil {
				t.Fatalf("%s: the challenge before: %v", c.name, err)
			}
			if _, err := db.SQL().Exec(c.lockOut, u.ID, true); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.svc.Pending(ctx, token); !errs.Is(err, errs.Unauthorized) {
				t.Errorf("%s: the challenge after: %v, want it over", c.name, err)
			}
		}
	})
}

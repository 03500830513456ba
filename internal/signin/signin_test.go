package signin_test

import (
	"context"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/signin"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

const password = "correct horse battery staple"

func TestSignInAndThrottling(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "sec@example.org", Name: "S", Role: user.Secretariat, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		svc := signin.NewService(db, s.Clock.Now, signin.Limits{AccountFailures: 5, IPFailures: 3, IPWindow: time.Minute})

		if got, err := svc.SignIn(ctx, "SEC@example.org ", password, "192.0.2.1"); err != nil || got.ID != u.ID {
			t.Fatalf("right password: %v", err)
		}
		wrong, _ := svc.SignIn(ctx, "sec@example.org", "wrong password!", "192.0.2.1")
		_, errWrong := svc.SignIn(ctx, "sec@example.org", "wrong password!", "192.0.2.1")
		_, errNobody := svc.SignIn(ctx, "nobody@example.org", "wrong password!", "192.0.2.9")
		if wrong.ID != 0 || !errs.Is(errWrong, errs.Unauthorized) || errs.MessageOf(errWrong) != errs.MessageOf(errNobody) {
			t.Errorf("a wrong password and an unknown account answer alike: %v / %v", errWrong, errNobody)
		}
		// The third failure from one address in a minute reaches the burst
		// limit: even the right password waits, with a Retry-After.
		svc.SignIn(ctx, "sec@example.org", "wrong password!", "192.0.2.1")
		_, err = svc.SignIn(ctx, "sec@example.org", password, "192.0.2.1")
		if !errs.Is(err, errs.TooMany) || errs.RetryAfterOf(err) <= 0 || errs.RetryAfterOf(err) > time.Minute {
			t.Fatalf("burst from one address: %v (retry after %v)", err, errs.RetryAfterOf(err))
		}
		// Another address is not held back by it.
		if _, err := svc.SignIn(ctx, "sec@example.org", password, "192.0.2.2"); err != nil {
			t.Errorf("from another address: %v", err)
		}
		// Two more failures from elsewhere reach the account limit (5 an hour).
		svc.SignIn(ctx, "sec@example.org", "wrong password!", "198.51.100.1")
		svc.SignIn(ctx, "sec@example.org", "wrong password!", "198.51.100.2")
		_, err = svc.SignIn(ctx, "sec@example.org", password, "203.0.113.7")
		if !errs.Is(err, errs.TooMany) || errs.RetryAfterOf(err) < 55*time.Minute {
			t.Fatalf("account limit: %v (retry after %v)", err, errs.RetryAfterOf(err))
		}
		// After the window the right password works again.
		s.Clock.Add(time.Hour + time.Second)
		if _, err := svc.SignIn(ctx, "sec@example.org", password, "203.0.113.7"); err != nil {
			t.Errorf("after the window: %v", err)
		}
		// A disabled account or one without a password cannot sign in.
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "invited@example.org", Name: "I", Role: user.Secretariat}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignIn(ctx, "invited@example.org", "", "203.0.113.8"); !errs.Is(err, errs.Invalid) {
			t.Errorf("empty password: %v", err)
		}
		if _, err := svc.SignIn(ctx, "invited@example.org", "anything at all", "203.0.113.8"); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("no password set yet: %v", err)
		}
	})
}

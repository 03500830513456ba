package signin_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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

		if got, err := svc.SignIn(ctx, "SEC@example.org ", password, "192.0.2.1", ""); err != nil || got.ID != u.ID {
			t.Fatalf("right password: %v", err)
		}
		wrong, _ := svc.SignIn(ctx, "sec@example.org", "wrong password!", "192.0.2.1", "")
		_, errWrong := svc.SignIn(ctx, "sec@example.org", "wrong password!", "192.0.2.1", "")
		_, errNobody := svc.SignIn(ctx, "nobody@example.org", "wrong password!", "192.0.2.9", "")
		if wrong.ID != 0 || !errs.Is(errWrong, errs.Unauthorized) || errs.MessageOf(errWrong) != errs.MessageOf(errNobody) {
			t.Errorf("a wrong password and an unknown account answer alike: %v / %v", errWrong, errNobody)
		}
		// The third failure from one address in a minute reaches the burst
		// limit: even the right password waits, with a Retry-After.
		svc.SignIn(ctx, "sec@example.org", "wrong password!", "192.0.2.1", "")
		_, err = svc.SignIn(ctx, "sec@example.org", password, "192.0.2.1", "")
		if !errs.Is(err, errs.TooMany) || errs.RetryAfterOf(err) <= 0 || errs.RetryAfterOf(err) > time.Minute {
			t.Fatalf("burst from one address: %v (retry after %v)", err, errs.RetryAfterOf(err))
		}
		// Another address is not held back by it.
		if _, err := svc.SignIn(ctx, "sec@example.org", password, "192.0.2.2", ""); err != nil {
			t.Errorf("from another address: %v", err)
		}
		// Two more failures from elsewhere reach the account limit (5 an hour).
		svc.SignIn(ctx, "sec@example.org", "wrong password!", "198.51.100.1", "")
		svc.SignIn(ctx, "sec@example.org", "wrong password!", "198.51.100.2", "")
		_, err = svc.SignIn(ctx, "sec@example.org", password, "203.0.113.7", "")
		if !errs.Is(err, errs.TooMany) || errs.RetryAfterOf(err) < 55*time.Minute {
			t.Fatalf("account limit: %v (retry after %v)", err, errs.RetryAfterOf(err))
		}
		// After the window the right password works again.
		s.Clock.Add(time.Hour + time.Second)
		if _, err := svc.SignIn(ctx, "sec@example.org", password, "203.0.113.7", ""); err != nil {
			t.Errorf("after the window: %v", err)
		}
		// A disabled account cannot sign in, even with its right password.
		if _, err := db.SQL().Exec("UPDATE users SET disabled = $1 WHERE email = 'sec@example.org'", true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignIn(ctx, "sec@example.org", password, "203.0.113.99", ""); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("disabled account: %v", err)
		}
		// An account without a password cannot sign in.
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "invited@example.org", Name: "I", Role: user.Secretariat}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignIn(ctx, "invited@example.org", "", "203.0.113.8", ""); !errs.Is(err, errs.Invalid) {
			t.Errorf("empty password: %v", err)
		}
		if _, err := svc.SignIn(ctx, "invited@example.org", "anything at all", "203.0.113.8", ""); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("no password set yet: %v", err)
		}
	})
}

// Forty guesses at once against a limit of five: the limit holds, because
// each attempt is counted before its password is checked.
func TestParallelGuesses(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "sec@example.org", Name: "S", Role: user.Secretariat, Password: password}); err != nil {
			t.Fatal(err)
		}
		svc := signin.NewService(db, s.Clock.Now, signin.Limits{AccountFailures: 5, IPFailures: 1000, IPWindow: time.Minute})
		var wg sync.WaitGroup
		var checked, throttled atomic.Int32
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.SignIn(ctx, "sec@example.org", "a wrong guess!!", fmt.Sprintf("192.0.2.%d", i), "")
				switch errs.KindOf(err) {
				case errs.Unauthorized:
					checked.Add(1)
				case errs.TooMany:
					throttled.Add(1)
				default:
					t.Errorf("unexpected: %v", err)
				}
			}()
		}
		wg.Wait()
		if checked.Load() > 5 || checked.Load()+throttled.Load() != 40 {
			t.Errorf("%d passwords checked, %d throttled; the limit is 5", checked.Load(), throttled.Load())
		}
	})
}

// Strangers cannot lock the owner out. Attempts refused by a limit are not
// counted, so a flood from one address leaves the account as it was; a
// flood from many addresses reaches the account's limit, but a browser
// that has signed in to the account before is judged under a limit of its
// own, while strangers, and a device of another account, stay refused.
func TestStrangersCannotLockTheOwnerOut(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		var owner, other user.User
		for i, email := range []string{"owner@example.org", "other@example.org"} {
			u, err := s.Users.Create(ctx, testutil.System, user.Input{Email: email, Name: "O", Role: user.Secretariat, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				owner = u
			} else {
				other = u
			}
		}
		const accountLimit, ipLimit = 5, 3
		svc := signin.NewService(db, s.Clock.Now, signin.Limits{AccountFailures: accountLimit, IPFailures: ipLimit, IPWindow: time.Minute})
		device, err := svc.Remember(ctx, owner, "")
		if err != nil || device == "" {
			t.Fatalf("remember: %q %v", device, err)
		}
		if again, err := svc.Remember(ctx, owner, device); err != nil || again != device {
			t.Errorf("a known device is kept: %q %v", again, err)
		}
		otherDevice, _ := svc.Remember(ctx, other, device) // another account's sign-in on the same browser
		if otherDevice == device || otherDevice == "" {
			t.Fatalf("a device is bound to one account: %q", otherDevice)
		}
		count := func(status map[errs.Kind]int, err error) {
			status[errs.KindOf(err)]++
		}

		// 50 wrong passwords from one address: the address limit refuses
		// all but the first few, which alone count against the account.
		got := map[errs.Kind]int{}
		for range 50 {
			_, err := svc.SignIn(ctx, "owner@example.org", "wrong password!", "192.0.2.1", "")
			count(got, err)
		}
		if got[errs.Unauthorized] != ipLimit || got[errs.TooMany] != 50-ipLimit {
			t.Errorf("from one address: %v", got)
		}
		if _, err := svc.SignIn(ctx, "owner@example.org", password, "198.51.100.1", ""); err != nil {
			t.Fatalf("after refused attempts from one address, the owner elsewhere: %v", err)
		}

		// From 20 addresses: the account's limit is reached.
		got = map[errs.Kind]int{}
		for i := range 20 {
			for range 3 {
				_, err := svc.SignIn(ctx, "owner@example.org", "wrong password!", fmt.Sprintf("203.0.113.%d", i+1), "")
				count(got, err)
			}
		}
		// The failures from one address count, the owner's success does
		// not: the room left is accountLimit-ipLimit.
		if got[errs.Unauthorized] != accountLimit-ipLimit || got[errs.TooMany] != 60-(accountLimit-ipLimit) {
			t.Errorf("from 20 addresses: %v", got)
		}
		for _, c := range []struct {
			who, password, ip, device string
			want                      errs.Kind
		}{
			{"a stranger with the right password", password, "198.51.100.2", "", errs.TooMany},
			{"a made-up device", password, "198.51.100.3", "made-up", errs.TooMany},
			{"another account's device", password, "198.51.100.4", otherDevice, errs.TooMany},
			{"the owner's device", password, "198.51.100.5", device, ""},
		} {
			if _, err := svc.SignIn(ctx, "owner@example.org", c.password, c.ip, c.device); errs.KindOf(err) != c.want {
				t.Errorf("%s: %v, want %q", c.who, err, c.want)
			}
		}
		// The device has a limit of its own: a stolen cookie buys no more
		// guesses than the account's limit.
		got = map[errs.Kind]int{}
		for i := range accountLimit + 2 {
			_, err := svc.SignIn(ctx, "owner@example.org", "wrong password!", fmt.Sprintf("198.51.100.%d", 10+i), device)
			count(got, err)
		}
		if got[errs.Unauthorized] != accountLimit || got[errs.TooMany] != 2 {
			t.Errorf("wrong passwords from the owner's device: %v", got)
		}
		if _, err := svc.SignIn(ctx, "owner@example.org", password, "198.51.100.30", device); !errs.Is(err, errs.TooMany) {
			t.Errorf("the right password from a device over its limit: %v", err)
		}
		// A device unused for longer than a device is known is a stranger.
		s.Clock.Add(signin.DeviceLifetime)
		if again, err := svc.Remember(ctx, owner, device); err != nil || again == device {
			t.Errorf("an expired device is replaced: %q %v", again, err)
		}
	})
}

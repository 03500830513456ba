package errs_test

import (
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

// A throttled error says in words the very wait its Retry-After gives:
// one rounding, up, to the second under a minute and to the minute above.
func TestThrottledSaysItsRetryAfter(t *testing.T) {
	for _, c := range []struct {
		wait    time.Duration
		seconds int
		words   string
	}{
		{0, 1, "1 second"},
		{300 * time.Millisecond, 1, "1 second"},
		{time.Second, 1, "1 second"},
		{1001 * time.Millisecond, 2, "2 seconds"},
		{59*time.Second + time.Millisecond, 60, "1 minute"},
		{time.Minute, 60, "1 minute"},
		{time.Minute + time.Millisecond, 120, "2 minutes"},
		{59*time.Minute + 30*time.Second, 3600, "60 minutes"},
		{23*time.Hour + 59*time.Minute + 1, 24 * 3600, "1440 minutes"},
	} {
		err := errs.Throttled(c.wait, "too many failed sign-ins")
		if got := errs.RetryAfterSeconds(err); got != c.seconds {
			t.Errorf("%v: Retry-After %d, want %d", c.wait, got, c.seconds)
		}
		if want := "too many failed sign-ins; please try again in " + c.words; errs.MessageOf(err) != want {
			t.Errorf("%v: %q, want %q", c.wait, errs.MessageOf(err), want)
		}
		if n, minutes := errs.WaitUnits(errs.RetryAfterOf(err)); (minutes && n*60 != c.seconds) || (!minutes && n != c.seconds) {
			t.Errorf("%v: units %d (minutes %t) differ from Retry-After %d", c.wait, n, minutes, c.seconds)
		}
	}
}

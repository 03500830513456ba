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

// A stale save is one Conflict for every noun with a version: its field
// "version" (which forms and clients look for) says stale, and names the
// version saved meanwhile when it is known.
func TestStaleNamesTheCurrentVersion(t *testing.T) {
	err := errs.Stale("the cycle", 3)
	if !errs.Is(err, errs.Conflict) || errs.FieldsOf(err)["version"] != "stale; the current version is 3" {
		t.Errorf("Stale(3) = %+v", err)
	}
	if want := "the cycle was changed by someone else (now at version 3); reload it and apply your changes again"; errs.MessageOf(err) != want {
		t.Errorf("message %q, want %q", errs.MessageOf(err), want)
	}
	unknown := errs.Stale("this action", 0)
	if !errs.Is(unknown, errs.Conflict) || errs.FieldsOf(unknown)["version"] != "stale" ||
		errs.MessageOf(unknown) != "this action was changed by someone else; reload it and apply your changes again" {
		t.Errorf("Stale(0) = %+v", unknown)
	}
}

// A day a person gives is read in one place: "" is no day, a day outside
// the years allowed is the field's message and changes nothing.
func TestDayFields(t *testing.T) {
	f := errs.FieldErrors{}
	was := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	opens, ends, starts := was, &was, &was
	f.Day("opens_at", "2026-10-01", &opens)
	f.OptionalDay("ends_on", "", &ends)
	f.OptionalDay("starts_on", "0206-10-01", &starts)
	if !opens.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) || ends != nil || starts != &was {
		t.Errorf("opens %v, ends %v, starts %v", opens, ends, starts)
	}
	if len(f) != 1 || f["starts_on"] == "" {
		t.Errorf("fields %v, want one for starts_on", f)
	}
	f.Day("opens_at", "", &opens)
	if !opens.IsZero() {
		t.Errorf("an empty day left %v", opens)
	}
}

package cycle_test

import (
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
)

// The embargo, decided here once: the public sees a cycle's accepted public
// actions at once, or from its Forum day on (in UTC), whatever the hour.
func TestPublicOn(t *testing.T) {
	forum := time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		embargo cycle.Embargo
		now     string
		public  bool
	}{
		{cycle.Immediate, "2026-01-01T00:00:00Z", true},
		{cycle.Immediate, "2026-11-10T23:59:59Z", true},
		{cycle.UntilForum, "2026-11-10T23:59:59Z", false},
		{cycle.UntilForum, "2026-11-11T00:00:00Z", true},
		{cycle.UntilForum, "2026-11-11T00:30:00+01:00", false}, // still 10 November in UTC
		{cycle.UntilForum, "2026-11-12T08:00:00Z", true},
		{cycle.UntilForum, "2027-06-01T00:00:00Z", true},
	} {
		cy := cycle.Cycle{Embargo: c.embargo, ForumDate: forum}
		if got := cy.PublicOn(at(c.now)); got != c.public {
			t.Errorf("%s on %s: public %t, want %t", c.embargo, c.now, got, c.public)
		}
	}
	if got := (cycle.Cycle{Embargo: cycle.Immediate, ForumDate: forum}).PublicFrom(); !got.IsZero() {
		t.Errorf("an immediate cycle is public from %s, want at once", got)
	}
	if got := (cycle.Cycle{Embargo: cycle.UntilForum, ForumDate: forum.Add(9 * time.Hour)}).PublicFrom(); !got.Equal(forum) {
		t.Errorf("an embargoed cycle is public from %s, want its Forum day", got)
	}
}

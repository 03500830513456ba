package store

import (
	"testing"
	"time"
)

// A replica's lag is measured against the primary's WAL position: none at
// or past its latest position, however long ago the last write was (an
// idle database); behind it, the time since the primary first stood past
// the replica's position.
func TestLagBehind(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 10, 0, time.UTC)
	at := func(s int) time.Time { return now.Add(time.Duration(s) * time.Second) }
	history := []lsnSample{{at(-6), 100}, {at(-5), 100}, {at(-4), 180}, {at(-3), 250}, {at(-1), 250}, {at(0), 300}}
	for _, c := range []struct {
		pos  int64
		want time.Duration
	}{
		{300, 0}, {400, 0}, // caught up
		{250, 0 * time.Second}, // behind the latest only: since it was written
		{200, 3 * time.Second}, {180, 3 * time.Second}, {150, 4 * time.Second}, {50, 6 * time.Second},
	} {
		if got := lagBehind(history, c.pos, now); got != c.want {
			t.Errorf("replica at %d: lag %v, want %v", c.pos, got, c.want)
		}
	}
	if got := lagBehind(nil, 5, now); got != 0 {
		t.Errorf("no history: %v", got)
	}
}

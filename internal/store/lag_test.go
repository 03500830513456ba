package store

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 3, 8, 0, 10, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// A replica's lag is measured against the primary's WAL position: none at
// or past its latest position, however long ago the last write was (an
// idle database); behind it, the time since the primary first stood past
// the replica's position. Behind every sample, the age of its last
// replayed transaction says it, or nothing does.
func TestLagBehind(t *testing.T) {
	history := []lsnSample{{at(-6), 100}, {at(-5), 100}, {at(-4), 180}, {at(-3), 250}, {at(-1), 250}, {at(0), 300}}
	for _, c := range []struct {
		pos  int64
		age  time.Duration
		want time.Duration
	}{
		{300, time.Hour, 0}, {400, -1, 0}, // caught up, whatever the age of the last write
		{250, time.Hour, 0}, // behind the latest sample only: the primary just wrote it
		{200, time.Hour, 3 * time.Second}, {180, 0, 3 * time.Second}, {150, 0, 4 * time.Second}, {100, 0, 4 * time.Second},
		{50, 2 * time.Second, 6 * time.Second}, // behind every sample: at least as old as the oldest
		{50, time.Minute, time.Minute},         // and as old as its last transaction
		{50, -1, math.MaxInt64},                // unknown: as far behind as can be
	} {
		if got := lagBehind(history, replayed{c.pos, c.age}, t0); got != c.want {
			t.Errorf("replica at %d (last transaction %v old): lag %v, want %v", c.pos, c.age, got, c.want)
		}
	}
	if got := lagBehind(nil, replayed{5, time.Hour}, t0); got != 0 {
		t.Errorf("no history: %v", got)
	}
}

// Which replicas serve, check after check: within the lag while the
// primary is up; a skipped one back only once it has replayed what the
// primary had at the previous check; any that answers while the primary
// is down.
func TestJudgeReplicas(t *testing.T) {
	rs := &replicas{maxLag: 3 * time.Second, every: time.Second, serving: make([]bool, 1), lag: make([]time.Duration, 1)}
	steps := []struct {
		s         int
		primaryUp bool
		primary   int64
		replica   int64
		answers   bool
		age       time.Duration
		want      bool
	}{
		{0, true, 100, 100, true, 0, true},                  // caught up at start
		{1, true, 200, 150, true, 0, true},                  // behind what the primary has just written only
		{2, true, 300, 150, true, 0, true},                  // 1 s behind: the primary stood past it at s=1
		{3, true, 300, 150, true, 0, true},                  // 2 s behind
		{4, true, 400, 150, true, 0, false},                 // 3 s behind: skipped
		{5, true, 400, 300, true, 0, false},                 // 1 s behind, which a serving replica may be; a skipped one may not
		{6, true, 500, 400, true, 0, true},                  // replayed what the primary had at the previous check
		{7, true, 500, 500, false, 0, false},                // does not answer
		{8, false, 0, 500, true, 0, true},                   // the primary is down: it serves
		{20, false, 0, 500, true, 0, true},                  // however long that lasts
		{21, true, 900, 500, true, 30 * time.Second, false}, // primary back, ahead of it since its last transaction 30 s ago
		{22, true, 900, 900, true, 0, true},                 // caught up
	}
	for _, st := range steps {
		rs.judge(at(st.s), st.primaryUp, st.primary, []replayed{{st.replica, st.age}}, []bool{st.answers})
		if up, serving, _ := rs.status(); up != st.primaryUp || (serving == 1) != st.want {
			t.Errorf("at %d s (primary %v at %d, replica at %d): serving %v, want %v (lag %v)",
				st.s, st.primaryUp, st.primary, st.replica, serving == 1, st.want, rs.lag[0])
		}
	}
}

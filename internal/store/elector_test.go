package store_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Three replicas campaign on one PostgreSQL: one leads. When the leader's
// session dies (its backend terminated, as when its process is killed),
// another takes over within a few polls; when a leader stops, it hands over.
func TestElector(t *testing.T) {
	url := testutil.NewDatabaseURL(t, "postgres")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	type replica struct {
		db      *store.DB
		e       *store.Elector
		elected atomic.Int32
		cancel  context.CancelFunc
	}
	var rs []*replica
	for i := 0; i < 3; i++ {
		db, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 4, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		r := &replica{db: db, e: db.NewElector(store.SchedulerLock, 50*time.Millisecond, logger, nil)}
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel = cancel
		t.Cleanup(cancel)
		go r.e.Start(ctx, func() { r.elected.Add(1) })
		rs = append(rs, r)
	}
	leaders := func() (n int, who *replica) {
		for _, r := range rs {
			if r.e.IsLeader(context.Background()) == nil {
				n++
				who = r
			}
		}
		return n, who
	}
	waitLeader := func(not *replica) *replica {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if n, who := leaders(); n == 1 && who != not {
				return who
			}
		}
		n, _ := leaders()
		t.Fatalf("no single new leader: %d leaders", n)
		return nil
	}
	// A new leader is told in a goroutine just after it leads: wait for
	// that, then give it a few more polls in which it must not be told again.
	told := func(r *replica, n int32) int32 {
		for deadline := time.Now().Add(5 * time.Second); r.elected.Load() < n && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		return r.elected.Load()
	}
	// counts is how many times each replica has been told it leads.
	counts := func() map[*replica]int32 {
		c := map[*replica]int32{}
		for _, r := range rs {
			c[r] = r.elected.Load()
		}
		return c
	}
	// waitToldLeader waits for one leader that has been told it leads since
	// the counts were taken: a replica that has not yet seen that it lost
	// the lock still believes it leads, and is no new leader.
	waitToldLeader := func(was map[*replica]int32) *replica {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if n, who := leaders(); n == 1 && who.elected.Load() > was[who] {
				return who
			}
		}
		n, _ := leaders()
		t.Fatalf("no single leader told since the kill: %d leaders", n)
		return nil
	}
	waitLeader(nil)
	time.Sleep(300 * time.Millisecond) // several polls: still exactly one
	if n, _ := leaders(); n != 1 {
		t.Fatalf("%d leaders", n)
	}

	// The leader's session is killed on the server side.
	was := counts()
	// Advisory locks belong to a database: only this test's is touched.
	if _, err := rs[0].db.SQL().Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objid = $1 AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, store.SchedulerLock&0xffffffff); err != nil {
		t.Fatal(err)
	}
	// Any replica may take over, the old leader too: only its session
	// died, and its process campaigns again. What must hold: one leader,
	// which won the lock after the kill (it was told so once more).
	second := waitToldLeader(was)
	if want := was[second] + 1; told(second, want) != want {
		t.Errorf("the leader after the kill was told %d times, want %d", second.elected.Load(), want)
	}

	// A leader that stops hands over at once, to another replica.
	was = counts()
	second.cancel()
	third := waitLeader(second)
	if want := was[third] + 1; told(third, want) != want {
		t.Errorf("the leader after the hand-over was told %d times, want %d", third.elected.Load(), want)
	}
}

package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// queryCounts counts statements by target, as the metrics do.
type queryCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func countQueries(db *store.DB) *queryCounts {
	q := &queryCounts{n: map[string]int{}}
	db.ObserveQueries(func(target string) {
		q.mu.Lock()
		q.n[target]++
		q.mu.Unlock()
	})
	return q
}

func (q *queryCounts) get(target string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n[target]
}

// SQLite is one file: asking it for replicas is a configuration error, said
// as such, not a replica silently ignored.
func TestReplicasNeedPostgres(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	_, err := store.Open(context.Background(), "sqlite:"+path, store.Options{Replicas: []string{testutil.PostgresAdminURL()}})
	if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), "need PostgreSQL") {
		t.Fatalf("sqlite with replicas: %v", err)
	}
}

// Without replicas every statement runs on the primary, a public read's
// included, and each is counted there.
func TestQueriesCountedOnPrimary(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		q := countQueries(db)
		if _, err := db.Recommendations(db.PublicRead(context.Background())); err != nil {
			t.Fatal(err)
		}
		if q.get(store.TargetPrimary) == 0 || q.get(store.TargetReplica) != 0 {
			t.Errorf("counts %v", q.n)
		}
		if !db.PrimaryUp() {
			t.Error("a database without replicas reads as down")
		}
		if s, n := db.ReplicasServing(); s != 0 || n != 0 {
			t.Errorf("replicas %d of %d", s, n)
		}
	})
}

// A "replica" that is not replaying WAL (the primary itself, by mistake)
// never serves, nor does one that does not answer: public reads stay on
// the primary, and the server still starts.
func TestReplicaThatIsNotOneNeverServes(t *testing.T) {
	url := testutil.NewDatabaseURL(t, "postgres")
	closed := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable&connect_timeout=1", testutil.FreePort(t))
	db, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 4, Replicas: []string{url, closed},
		MaxReplicaLag: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q := countQueries(db)
	if s, n := db.ReplicasServing(); s != 0 || n != 2 || !db.PrimaryUp() {
		t.Fatalf("replicas %d of %d, primary up %v", s, n, db.PrimaryUp())
	}
	if _, err := db.Recommendations(db.PublicRead(context.Background())); err != nil {
		t.Fatal(err)
	}
	if q.get(store.TargetPrimary) == 0 || q.get(store.TargetReplica) != 0 {
		t.Errorf("counts %v", q.n)
	}
}

package store_test

import (
	"context"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// A public request reads from a serving replica until it writes; from its
// first write on (a transaction, or raw SQL that is no SELECT) it reads
// from the primary, so that it sees what it wrote. Other requests never
// read from a replica. The "replica" here is a second pool on the test's
// own database, judged serving by hand: which pool ran each statement is
// what is checked; replication itself is tested in internal/systemtest.
func TestReadsFollowWrites(t *testing.T) {
	url := testutil.NewDatabaseURL(t, "postgres")
	db, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 4, Replicas: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	// No watcher: this pool is no replica and would be judged so.
	store.HoldReplicas(db, true)
	t.Cleanup(func() { store.ClosePools(db) })
	var last string
	db.ObserveQueries(func(target string) { last = target })
	read := func(ctx context.Context) string {
		t.Helper()
		last = ""
		if _, err := db.RecommendationNumbers(ctx); err != nil {
			t.Fatal(err)
		}
		return last
	}

	if got := read(context.Background()); got != store.TargetPrimary {
		t.Errorf("a request not marked public read from the %s", got)
	}
	ctx := db.PublicRead(context.Background())
	if got := read(ctx); got != store.TargetReplica {
		t.Errorf("a public request read from the %s", got)
	}
	if err := db.WithTx(ctx, func(ctx context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := read(ctx); got != store.TargetPrimary {
		t.Errorf("after a transaction, the request read from the %s", got)
	}

	ctx = db.PublicRead(context.Background())
	if err := store.ExecRaw(db, ctx, "UPDATE recommendations SET number = number WHERE false"); err != nil {
		t.Fatal(err)
	}
	if got := read(ctx); got != store.TargetPrimary {
		t.Errorf("after raw SQL that writes, the request read from the %s", got)
	}
	if err := store.ReadTx(db, db.PublicRead(context.Background()), func(ctx context.Context) error {
		_, err := db.RecommendationNumbers(ctx)
		return err
	}); err != nil || last != store.TargetReplica {
		t.Errorf("a public read-only transaction ran on the %s (%v)", last, err)
	}

	store.HoldReplicas(db, false)
	if got := read(db.PublicRead(context.Background())); got != store.TargetPrimary {
		t.Errorf("with no replica serving, a public request read from the %s", got)
	}
}

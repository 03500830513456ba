package testutil

import (
	"context"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
)

// ForEachDBBench runs fn as a sub-benchmark on a fresh, migrated database of
// each engine, named like the subtests of ForEachDB, with PostgreSQL skipped
// the same way when it is not available.
//
// fn should time its work with b.Loop or with sub-benchmarks of its own: the
// testing package then calls fn once per engine, so a costly setup (a
// generated database) is made once. A fn that loops to b.N instead is called
// again for every b.N it tries, each time on a new database.
func ForEachDBBench(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Helper()
	for _, engine := range Engines {
		b.Run(engine, func(b *testing.B) {
			fn(b, NewDB(b, engine))
		})
	}
}

// Generate fills db with store.Generate, or fails the benchmark.
func Generate(tb testing.TB, db *store.DB, opt store.GenerateOptions) store.GenerateSummary {
	tb.Helper()
	sum, err := db.Generate(context.Background(), opt, nil)
	if err != nil {
		tb.Fatalf("generate: %v", err)
	}
	return sum
}

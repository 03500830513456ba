package dashboard_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// BenchmarkDashboard measures the public dashboard over the data volume of a
// real Paris Call: 1,200 organisations and three cycles of 10,000 actions,
// on a day after the latest Forum, so every cycle shows live figures.
//
//   - miss: the view built from nothing, as after any change to the data
//     (the version check, then live figures and trend of every cycle).
//   - miss_burst: eight visitors asking at the same moment just after a
//     change, as at the Forum while reviews go on. Beside miss it shows
//     whether they share one build (about the same ns/op) or each make
//     their own (several times it, bounded by the cores).
//   - hit: the view served from the cache, which is what the Forum's burst
//     of visitors costs per request: the version query and a map lookup.
//   - hit_parallel: the same, from concurrent visitors sharing the pool.
func BenchmarkDashboard(b *testing.B) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	testutil.ForEachDBBench(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		testutil.Generate(b, db, store.GenerateOptions{Organisations: 1200, Cycles: 3, ActionsPerCycle: 10000, Seed: 1, Now: now})
		cycles := cycle.NewService(db, clock, nil)
		// The dashboard reads figures only; the renderer makes documents.
		reports := report.NewService(db, nil, clock, nil)
		newService := func() *dashboard.Service {
			return dashboard.NewService(cycles, reports, action.NewService(db, clock, nil), db, clock, 0)
		}

		b.Run("miss", func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			var compiled int
			// A new service starts with an empty cache: each iteration pays
			// for exactly what the first request after a change pays for.
			for b.Loop() {
				v, err := newService().View(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				compiled = accepted(v)
			}
			b.ReportMetric(float64(compiled), "actions/op")
		})

		b.Run("miss_burst", func(b *testing.B) {
			const visitors = 8
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s := newService()
				start := make(chan struct{})
				var wg sync.WaitGroup
				for range visitors {
					wg.Go(func() {
						<-start
						if _, err := s.View(ctx, 0); err != nil {
							b.Error(err)
						}
					})
				}
				close(start)
				wg.Wait()
			}
			b.ReportMetric(visitors, "visitors/op")
		})

		warm := newService()
		first, err := warm.View(ctx, 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(first.Trend) != 3 || first.Source != dashboard.Live {
			b.Fatalf("generated data gave a view of %d cycles from %s", len(first.Trend), first.Source)
		}
		b.Run("hit", func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				v, err := warm.View(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				if v.Version != first.Version {
					b.Fatalf("the view was rebuilt: version %s, then %s", first.Version, v.Version)
				}
			}
		})
		b.Run("hit_parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := warm.View(ctx, 0); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	})
}

// accepted counts the accepted actions a view's figures were compiled from,
// public or withheld, across the trend.
func accepted(v dashboard.View) int {
	n := 0
	for _, f := range v.Trend {
		n += f.Figures.Actions + f.Figures.Withheld
	}
	return n
}

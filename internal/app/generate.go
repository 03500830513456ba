package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
)

// runGenerate fills the configured (empty) database with synthetic data at
// scale, for benchmarks and load tests.
func runGenerate(e env, args []string) error {
	f := newFlags(e, "generate", "generate [--organisations N] [--cycles N] [--actions-per-cycle N] [--seed N]")
	orgs := f.Int("organisations", 1200, "how many `organisations`, in the real proportions of kinds")
	cycles := f.Int("cycles", 10, "how many yearly `cycles`, up to this year")
	perCycle := f.Int("actions-per-cycle", 10000, "how many `actions` in each cycle")
	seed := f.Uint64("seed", 2018, "`seed` of the random data: the same seed gives the same data")
	if err := f.parse(args); err != nil {
		return err
	}
	bad := errs.FieldErrors{}
	if *orgs < 1 || *orgs > 100000 {
		bad.Add("organisations", "must be between 1 and 100000")
	}
	if *cycles < 1 || *cycles > 50 {
		bad.Add("cycles", "must be between 1 and 50")
	}
	if *perCycle < 0 || *perCycle > 1000000 {
		bad.Add("actions-per-cycle", "must be between 0 and 1000000")
	}
	if err := bad.Err(); err != nil {
		return err
	}
	logger := newLogger(f.cfg.Log, e.stderr)
	db, err := openDB(e.ctx, f.cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	last := time.Time{}
	progress := func(done, total int) {
		// One line redrawn in place, at most ten times a second.
		if time.Since(last) < 100*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		const width = 30
		filled := width * done / max(total, 1)
		fmt.Fprintf(e.stderr, "\r[%s%s] %3d%% %d/%d actions", strings.Repeat("#", filled), strings.Repeat(" ", width-filled),
			100*done/max(total, 1), done, total)
	}
	sum, err := db.Generate(e.ctx, store.GenerateOptions{Organisations: *orgs, Cycles: *cycles, ActionsPerCycle: *perCycle,
		Seed: *seed, Now: time.Now()}, progress)
	fmt.Fprintln(e.stderr)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(e.stdout, "generated %d organisations, %d cycles and %d actions in %s (%.0f actions/s)\n",
		sum.Organisations, sum.Cycles, sum.Actions, took.Round(10*time.Millisecond), float64(sum.Actions)/took.Seconds())
	return nil
}

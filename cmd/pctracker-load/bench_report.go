package main

// P4: the report of a large cycle, compiled by a process of its own.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// report is P4: the report of a cycle of this year compiled in every
// format but the PDF, at 100,000 actions and at ten times that, each in a
// database of its own made for it.
func (b *bench) report(ctx context.Context) error {
	measure := func(actions int, dir, generated string) (toolRun, error) {
		reportURL, _ := databaseURL(b.o.adminURL, benchReportDB)
		if err := b.createDB(ctx, benchReportDB); err != nil {
			return toolRun{}, err
		}
		if _, err := b.tool(ctx, "migrate", b.env(reportURL), "migrate", "up"); err != nil {
			return toolRun{}, err
		}
		b.say("generating %d organisations x 1 cycle x %d actions", benchOrganisations, actions)
		gen, err := b.tool(ctx, "generate", b.env(reportURL), "generate", "--organisations", strconv.Itoa(benchOrganisations),
			"--cycles", "1", "--actions-per-cycle", strconv.Itoa(actions))
		if err != nil {
			return toolRun{}, err
		}
		b.generated(generated, gen, benchOrganisations*actions)
		b.say("compiling the %d report of %d actions", b.year, actions)
		run, err := b.tool(ctx, "report compile", b.env(reportURL), "report", "compile", "--cycle", strconv.Itoa(b.year),
			"--format", "all", "-o", filepath.Join(b.work, dir))
		if err == nil {
			b.say("compiled in %s, peak RSS %.1f MB", run.took.Round(10*time.Millisecond), kbToMB(run.maxRSSKB))
		}
		return run, err
	}
	small, err := measure(benchReportActions, "report", "p4-generate")
	if err != nil {
		return err
	}
	files, _ := os.ReadDir(filepath.Join(b.work, "report"))
	b.card.measured("p4-time", small.took.Seconds(), fmt.Sprintf("wall time of pctracker report compile --format all (%d files, PDF off), process start to exit", len(files)))
	b.card.measured("p4-memory", kbToMB(small.maxRSSKB), "peak resident memory (VmHWM) of the report compile process, read every 20 ms while it runs")
	large, err := measure(benchReportScale*benchReportActions, "report-large", "p4-generate-large")
	if err != nil {
		b.card.notMeasured(err.Error(), "p4-generate-large", "p4-time-large", "p4-ratio")
		return nil
	}
	b.card.measured("p4-time-large", large.took.Seconds(), fmt.Sprintf("peak memory %.1f MB", kbToMB(large.maxRSSKB)))
	b.card.measured("p4-ratio", large.took.Seconds()/small.took.Seconds(), fmt.Sprintf("%.2f s / %.2f s", large.took.Seconds(), small.took.Seconds()))
	b.note("P4: each report compile is a process of its own, report.chromium off (no PDF); times are wall times from process start, memory its own high-water mark (VmHWM), not ru_maxrss, which on Linux counts the memory of the process that forked it")
	return nil
}

package app

import (
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/site"
)

// progressEvery is how many files pass between two progress lines.
const progressEvery = 200

// runExportSite writes the public site as static files, through the same
// server the program runs, so that nginx or a CDN can serve the copy while
// the application is down.
func runExportSite(e env, args []string) error {
	f := newFlags(e, "export-site", "export-site -o DIR [--force]")
	dir := f.String("o", "", "`folder` to write the site to; it must be empty")
	force := f.Bool("force", false, "replace the contents of a folder that is not empty")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "o"); err != nil {
		return err
	}
	cfg := f.cfg
	// Every page asked for would otherwise be a line of the request log.
	if cfg.Log.Level == "" || cfg.Log.Level == "debug" || cfg.Log.Level == "info" {
		cfg.Log.Level = "warn"
	}
	logger := newLogger(cfg.Log, e.stderr)
	db, err := openDB(e.ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := newServices(db, time.Now, cfg, newMailer(cfg, logger), logger)
	sched, err := newScheduler(cfg, db, svc, svc.metrics, logger)
	if err != nil {
		return err
	}
	defer sched.Stop() //nolint:errcheck // built, never started
	srv, err := newServer(cfg, db, svc, sched, svc.metrics, logger)
	if err != nil {
		return err
	}
	var langs []string
	for _, t := range locale.Languages() {
		langs = append(langs, t.String())
	}
	started := time.Now()
	st, err := site.Export(e.ctx, srv.Handler(), site.Options{Dir: *dir, Replace: *force, Live: cfg.BaseURL, Languages: langs,
		Progress: func(s site.Stats) {
			if s.Files%progressEvery == 0 {
				fmt.Fprintf(e.stdout, "  %s written...\n", s)
			}
		}})
	if err != nil {
		return err
	}
	for _, m := range st.Missing {
		fmt.Fprintf(e.stderr, "warning: a public page links to %s; the copy links it on the live site\n", m)
	}
	fmt.Fprintf(e.stdout, "wrote %s to %s in %s; links to what a copy cannot hold lead to %s\n", st, *dir, time.Since(started).Round(time.Millisecond), cfg.BaseURL)
	return nil
}

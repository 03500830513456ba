package app

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

func runServe(e env, args []string) error {
	f := newFlags(e, "serve", "serve [--addr HOST:PORT]")
	addr := f.String("addr", "", "listen `address`, e.g. :8080 (env PCT_HTTP_ADDR)")
	if err := f.parse(args); err != nil {
		return err
	}
	cfg := f.cfg
	if *addr != "" {
		if err := cfg.Set("http.addr", *addr, "flag --addr"); err != nil {
			return err
		}
	}
	logger := newLogger(cfg.Log, e.stderr)
	db, err := openDB(e.ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "listen on %s", cfg.HTTP.Addr)
	}
	return serve(e.ctx, cfg, db, newServices(db, time.Now, cfg, newMailer(cfg, logger), logger), logger, ln, nil)
}

func runMigrate(e env, args []string) error {
	sub, rest, err := subcommand(args, "up", "down", "status")
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(e.stderr, "Usage: pctracker migrate up|down|status [--database-url URL]")
			return err
		}
		return errs.E(errs.Invalid, "%v", err)
	}
	f := newFlags(e, "migrate "+sub, "migrate "+sub)
	if err := f.parse(rest); err != nil {
		return err
	}
	cfg := f.cfg
	db, err := openDBNoMigrate(e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := db.Migrator()
	if err != nil {
		return err
	}
	switch sub {
	case "up":
		n, err := m.Up(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "applied %d migration(s) to the %s database\n", n, db.Engine())
	case "down":
		v, err := m.Down(e.ctx)
		if err != nil {
			return err
		}
		if v == 0 {
			fmt.Fprintln(e.stdout, "nothing to roll back")
		} else {
			fmt.Fprintf(e.stdout, "rolled back migration %d\n", v)
		}
	case "status":
		st, err := m.Status(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%-8s %-8s %-25s %s\n", "VERSION", "STATE", "APPLIED AT", "FILE")
		for _, s := range st {
			state, at := "pending", ""
			if s.Applied {
				state, at = "applied", s.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(e.stdout, "%-8d %-8s %-25s %s\n", s.Version, state, at, s.Name)
		}
	}
	return nil
}

func runConfig(e env, args []string) error {
	f := newFlags(e, "config", "config")
	if err := f.parse(args); err != nil {
		return err
	}
	cfg := f.cfg
	cfg.Print(e.stdout)
	return nil
}

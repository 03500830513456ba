package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
)

// env is the outside world a command sees.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one CLI command.
type command struct {
	name    string
	summary string
	run     func(e env, args []string) error
}

// commands lists every command, in the order help shows them.
func commands() []command {
	return []command{
		{"serve", "run the web server and the scheduler", runServe},
		{"demo", "serve a fresh demo database filled with realistic data", runDemo},
		{"migrate", "apply, roll back or show database migrations (up|down|status)", runMigrate},
		{"backup", "copy the database to a file while the server runs (SQLite copy or pg_dump archive)", runBackup},
		{"restore", "put a SQLite backup in place of the database, with the server stopped", runRestore},
		{"config", "print the effective configuration, secrets masked", runConfig},
		{"stakeholder", "manage organisations (add)", runStakeholder},
		{"user", "manage people's accounts (add)", runUser},
		{"token", "issue API tokens (add)", runToken},
		{"cycle", "manage reporting cycles (add)", runCycle},
		{"report", "compile the progress report of a cycle, or publish it (compile|publish)", runReport},
		{"export-site", "write the public site as static files, for nginx or a CDN to serve if the application is down", runExportSite},
		{"crosswalk", "read or write the crosswalk to other frameworks as a YAML file (import|export)", runCrosswalk},
		{"evidence", "check evidence links now, of one action or of all (check)", runEvidence},
		{"generate", "fill an empty database with synthetic data at scale, for measurements", runGenerate},
	}
}

// Run runs the command line args with the given outside world and returns
// the process exit status.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, getenv, stdin, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(e, args[1:])
			switch {
			case err == nil, errors.Is(err, flag.ErrHelp):
				return exitOK
			case errors.Is(err, errUsage):
				return exitUsage
			}
			fmt.Fprintf(stderr, "pctracker %s: %s\n", c.name, errLine(err))
			return exitCodeOf(err)
		}
	}
	fmt.Fprintf(stderr, "pctracker: unknown command %q; run 'pctracker help'\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "pctracker: the commitment-progress tracker of the Paris Call for Trust and Security in Cyberspace")
	fmt.Fprintln(w, "\nUsage: pctracker <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help         show this list, or 'help <command>' for a command's flags")
	fmt.Fprintln(w, "\nEvery command takes --config FILE (or PCT_CONFIG) and --database-url URL (or PCT_DATABASE_URL).")
}

// errUsage means the usage message was already printed.
var errUsage = errors.New("usage")

// flags is a flag set with the options every command shares.
type flags struct {
	*flag.FlagSet
	configPath  string
	databaseURL string
	stderr      io.Writer
	getenv      func(string) string
	cfg         config.Config
}

func newFlags(e env, name, synopsis string) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), stderr: e.stderr, getenv: e.getenv}
	f.SetOutput(e.stderr)
	f.StringVar(&f.configPath, "config", e.getenv("PCT_CONFIG"), "YAML configuration `file` (env PCT_CONFIG)")
	f.StringVar(&f.databaseURL, "database-url", "", "database `URL`: postgres://... or sqlite:PATH (env PCT_DATABASE_URL)")
	f.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: pctracker %s\n\nFlags:\n", synopsis)
		f.PrintDefaults()
	}
	return f
}

// parse reads args and loads the configuration, so that a wrong setting is
// reported before anything else. A wrong flag prints the usage and returns
// errUsage.
func (f *flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if f.NArg() > 0 {
		fmt.Fprintf(f.stderr, "unexpected argument %q\n", f.Arg(0))
		f.Usage()
		return errUsage
	}
	cfg, err := config.Load(f.configPath, f.getenv)
	if err != nil {
		return err
	}
	if f.databaseURL != "" {
		if err := cfg.Set("database.url", f.databaseURL, "flag --database-url"); err != nil {
			return err
		}
	}
	f.cfg = cfg
	return nil
}

// required checks that flags were given, naming the first missing one.
func required(f *flags, names ...string) error {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, n := range names {
		if !set[n] {
			fmt.Fprintf(f.stderr, "missing required flag --%s\n", n)
			f.Usage()
			return errUsage
		}
	}
	return nil
}

// subcommand splits "add --x" into "add" and its flags.
func subcommand(args []string, allowed ...string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return "", nil, flag.ErrHelp
		}
		return "", nil, fmt.Errorf("expected one of: %s", strings.Join(allowed, ", "))
	}
	for _, a := range allowed {
		if a == args[0] {
			return a, args[1:], nil
		}
	}
	return "", nil, fmt.Errorf("unknown subcommand %q; expected one of: %s", args[0], strings.Join(allowed, ", "))
}

// withServices opens the configured database and runs fn with the services.
func withServices(e env, f *flags, fn func(svc *services) error) error {
	cfg := f.cfg
	logger := newLogger(cfg.Log, e.stderr)
	db, err := openDB(e.ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(newServices(db, time.Now, cfg, newMailer(cfg, logger), logger))
}

// printResult prints a created object as JSON, or a one-line summary.
func printResult(e env, asJSON bool, v any, summary string) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := fmt.Fprintln(e.stdout, summary)
	return err
}

func addFlags(e env, args []string, noun, synopsis string) (*flags, []string, error) {
	_, rest, err := subcommand(args, "add")
	if err != nil {
		return nil, nil, subErr(e, err, synopsis)
	}
	return newFlags(e, noun+" add", synopsis), rest, nil
}

// subErr prints the synopsis for a wrong or missing subcommand.
func subErr(e env, err error, synopsis string) error {
	fmt.Fprintf(e.stderr, "Usage: pctracker %s\n", synopsis)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errs.E(errs.Invalid, "%v", err)
}

func openDBNoMigrate(e env, cfg config.Config) (*store.DB, error) {
	cfg.Database.AutoMigrate = false
	return openDB(e.ctx, cfg, newLogger(cfg.Log, e.stderr))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/api"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/user"
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
		{"config", "print the effective configuration, secrets masked", runConfig},
		{"stakeholder", "manage organisations (add)", runStakeholder},
		{"user", "manage people's accounts (add)", runUser},
		{"token", "issue API tokens (add)", runToken},
		{"cycle", "manage reporting cycles (add)", runCycle},
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

// config returns the configuration with this command's overrides.
func (f *flags) config(env) (config.Config, error) { return f.cfg, nil }

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
	cfg, err := f.config(e)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, e.stderr)
	db, err := openDB(e.ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(newServices(db, time.Now))
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

func runServe(e env, args []string) error {
	f := newFlags(e, "serve", "serve [--addr HOST:PORT]")
	addr := f.String("addr", "", "listen `address`, e.g. :8080 (env PCT_HTTP_ADDR)")
	if err := f.parse(args); err != nil {
		return err
	}
	cfg, err := f.config(e)
	if err != nil {
		return err
	}
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
	return serve(e.ctx, cfg, db, newServices(db, time.Now), logger, ln, nil)
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
	cfg, err := f.config(e)
	if err != nil {
		return err
	}
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
	cfg, err := f.config(e)
	if err != nil {
		return err
	}
	cfg.Print(e.stdout)
	return nil
}

func runStakeholder(e env, args []string) error {
	const synopsis = "stakeholder add --name NAME --kind KIND --country CC [--website URL] [--supporter-since DATE] [--verified] [--json]"
	_, rest, err := subcommand(args, "add")
	if err != nil {
		return subErr(e, err, synopsis)
	}
	f := newFlags(e, "stakeholder add", synopsis)
	name := f.String("name", "", "organisation `name`")
	kind := f.String("kind", "", "`kind`: "+stakeholder.KindCodes())
	country := f.String("country", "", "ISO 3166-1 alpha-2 `code`, e.g. FR (none for international organisations)")
	website := f.String("website", "", "website `URL`")
	since := f.String("supporter-since", "", "`date` the organisation joined the Paris Call (YYYY-MM-DD)")
	verified := f.Bool("verified", false, "mark as verified by the secretariat")
	asJSON := f.Bool("json", false, "print the new organisation as JSON")
	if err := f.parse(rest); err != nil {
		return err
	}
	if err := required(f, "name", "kind"); err != nil {
		return err
	}
	in := stakeholder.Input{Name: *name, Kind: stakeholder.Kind(*kind), Country: *country, Website: *website,
		Verified: *verified, Active: true}
	if *since != "" {
		d, err := cycle.ParseDay(*since)
		if err != nil {
			return errs.FieldErrors{"supporter-since": "must be a date as YYYY-MM-DD"}.Err()
		}
		in.SupporterSince = &d
	}
	// Validate before opening the database, so bad input touches nothing.
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		st, err := svc.stakeholders.Create(e.ctx, user.System("cli"), in)
		if err != nil {
			return err
		}
		return printResult(e, *asJSON, api.StakeholderDTO(st), fmt.Sprintf("created organisation %d: %s (%s, %s)", st.ID, st.Name, st.Kind, st.Country))
	})
}

func runUser(e env, args []string) error {
	const synopsis = "user add --email EMAIL --name NAME --role secretariat|supporter [--stakeholder ID --org-role member|focal_point] [--password-stdin] [--json]"
	if _, rest, err := subcommand(args, "add"); err != nil {
		return subErr(e, err, synopsis)
	} else {
		args = rest
	}
	f := newFlags(e, "user add", synopsis)
	email := f.String("email", "", "email `address` (the sign-in name)")
	name := f.String("name", "", "full `name`")
	role := f.String("role", "", "`role`: secretariat or supporter")
	sid := f.Int64("stakeholder", 0, "organisation `ID` (supporters)")
	orgRole := f.String("org-role", "", "`role` in the organisation: member or focal_point")
	pwStdin := f.Bool("password-stdin", false, "read the password from the first line of standard input")
	asJSON := f.Bool("json", false, "print the new user as JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "email", "name", "role"); err != nil {
		return err
	}
	in := user.Input{Email: *email, Name: *name, Role: user.Role(*role), StakeholderID: *sid, OrgRole: user.OrgRole(*orgRole)}
	if *pwStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return errs.Wrap(errs.Invalid, err, "read password from standard input")
		}
		in.Password = strings.TrimRight(line, "\r\n")
		if in.Password == "" {
			return errs.FieldErrors{"password": "standard input held no password"}.Err()
		}
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		u, err := svc.users.Create(e.ctx, user.System("cli"), in)
		if err != nil {
			return err
		}
		summary := fmt.Sprintf("created user %d: %s (%s)", u.ID, u.Email, u.Role)
		if u.PasswordHash == "" {
			summary += "; no password set yet"
		}
		return printResult(e, *asJSON, api.UserDTO(u), summary)
	})
}

func runToken(e env, args []string) error {
	const synopsis = "token add --email EMAIL [--name NAME] [--json]"
	if _, rest, err := subcommand(args, "add"); err != nil {
		return subErr(e, err, synopsis)
	} else {
		args = rest
	}
	f := newFlags(e, "token add", synopsis)
	email := f.String("email", "", "email `address` of the user the token acts as")
	name := f.String("name", "", "a `name` to recognise the token by")
	asJSON := f.Bool("json", false, "print the token as JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "email"); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		t, secret, err := svc.users.CreateToken(e.ctx, user.System("cli"), *email, *name)
		if err != nil {
			return err
		}
		if *asJSON {
			return printResult(e, true, map[string]any{"id": t.ID, "user_id": t.UserID, "name": t.Name,
				"created_at": t.CreatedAt, "token": secret}, "")
		}
		fmt.Fprintf(e.stdout, "%s\n", secret)
		fmt.Fprintf(e.stderr, "token %d (%s) created; it is shown only once: send it as 'Authorization: Bearer <token>'\n", t.ID, t.Name)
		return nil
	})
}

func runCycle(e env, args []string) error {
	const synopsis = "cycle add --year YEAR --opens DATE --deadline DATE --forum DATE [--report DATE] [--embargo immediate|forum] [--json]"
	if _, rest, err := subcommand(args, "add"); err != nil {
		return subErr(e, err, synopsis)
	} else {
		args = rest
	}
	f := newFlags(e, "cycle add", synopsis)
	year := f.Int("year", 0, "the `year` of the cycle (its Forum's year)")
	opens := f.String("opens", "", "`date` submissions open (YYYY-MM-DD)")
	deadline := f.String("deadline", "", "`date` of the submission deadline (YYYY-MM-DD)")
	forum := f.String("forum", "", "`date` of the Paris Peace Forum (YYYY-MM-DD)")
	report := f.String("report", "", "`date` the report is compiled (default: three weeks before the Forum)")
	embargo := f.String("embargo", string(cycle.Immediate), "when accepted actions become public: immediate or forum")
	asJSON := f.Bool("json", false, "print the new cycle as JSON")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "year", "opens", "deadline", "forum"); err != nil {
		return err
	}
	in := cycle.Input{Year: *year, Embargo: cycle.Embargo(*embargo)}
	bad := errs.FieldErrors{}
	for name, p := range map[string]struct {
		s   string
		dst *time.Time
	}{"opens": {*opens, &in.OpensAt}, "deadline": {*deadline, &in.Deadline}, "forum": {*forum, &in.ForumDate}, "report": {*report, &in.ReportAt}} {
		if p.s == "" {
			continue
		}
		d, err := cycle.ParseDay(p.s)
		if err != nil {
			bad.Addf(name, "%q is not a date as YYYY-MM-DD", p.s)
			continue
		}
		*p.dst = d
	}
	if err := bad.Err(); err != nil {
		return err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return withServices(e, f, func(svc *services) error {
		c, err := svc.cycles.Create(e.ctx, user.System("cli"), in)
		if err != nil {
			return err
		}
		return printResult(e, *asJSON, api.CycleDTO(c), fmt.Sprintf("created cycle %d: opens %s, deadline %s, report %s, Forum %s",
			c.Year, c.OpensAt.Format(time.DateOnly), c.Deadline.Format(time.DateOnly), c.ReportAt.Format(time.DateOnly), c.ForumDate.Format(time.DateOnly)))
	})
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

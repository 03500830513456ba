package app_test

import (
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/app"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

func TestCLIHelp(t *testing.T) {
	r := apptest.RunCLI(t, nil, "", "help")
	for _, c := range []string{"serve", "demo", "migrate", "config", "stakeholder", "user", "token", "cycle"} {
		if !strings.Contains(r.Stdout, "  "+c) {
			t.Errorf("help does not list %s", c)
		}
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in the standard error
	}{
		{"serve --help", []string{"serve", "--help"}, 0, "Usage: pctracker"},
		{"stakeholder add --help", []string{"stakeholder", "add", "--help"}, 0, "Usage: pctracker"},
		{"cycle add -h", []string{"cycle", "add", "-h"}, 0, "Usage: pctracker"},
		{"migrate --help", []string{"migrate", "--help"}, 0, "Usage: pctracker"},
		{"help user", []string{"help", "user"}, 0, "Usage: pctracker"},
		{"demo refuses --database-url", []string{"demo", "--database-url", "postgres://h/db"}, 2, "database-url: the demo always runs on a fresh SQLite file"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := apptest.RunCLI(t, nil, "", c.args...); r.Code != c.code || !strings.Contains(r.Stderr, c.want) {
				t.Errorf("%v: %+v, want code %d and %q", c.args, r, c.code, c.want)
			}
		})
	}
}

// The commands work on both engines, print JSON with --json, and refuse bad
// input with one line and a non-zero status, writing nothing.
func TestCLICommands(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			url := testutil.NewDatabaseURL(t, "sqlite")
			if engine == "postgres" {
				url = testutil.NewEmptyPostgresURL(t)
			}
			env := map[string]string{"PCT_DATABASE_URL": url, "PCT_LOG_LEVEL": "warn"}

			r := apptest.RunCLI(t, env, "", "migrate", "status")
			if r.Code != 0 || !strings.Contains(r.Stdout, "pending") {
				t.Fatalf("status before: %+v", r)
			}
			if r = apptest.RunCLI(t, env, "", "migrate", "up"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "applied ") {
				t.Fatalf("up: %+v", r)
			}
			if r = apptest.RunCLI(t, env, "", "migrate", "status"); strings.Contains(r.Stdout, "pending") {
				t.Errorf("status after: %s", r.Stdout)
			}

			r = apptest.RunCLI(t, env, "", "stakeholder", "add", "--name", "Estonia", "--kind", "state", "--country", "ee", "--json")
			var st struct {
				ID      int64  `json:"id"`
				Country string `json:"country"`
				Active  bool   `json:"active"`
			}
			if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &st) != nil || st.ID == 0 || st.Country != "EE" || !st.Active {
				t.Fatalf("stakeholder add: %+v", r)
			}
			bad := []struct {
				args  []string
				want  string
				usage bool // the usage is printed too
			}{
				{[]string{"stakeholder", "add", "--name", "Acme", "--kind", "corporation", "--country", "US"}, `kind: "corporation" is not one of state`, false},
				{[]string{"stakeholder", "add", "--name", "Acme", "--kind", "company", "--country", "XX"}, `country: "XX" is not an ISO 3166-1 alpha-2`, false},
				{[]string{"stakeholder", "add", "--name", "estonia", "--kind", "state", "--country", "EE"}, "name: an organisation with this name already exists", false},
				{[]string{"stakeholder", "add", "--kind", "state"}, "missing required flag --name", true},
				{[]string{"cycle", "add", "--year", "2026", "--opens", "2026-06-01", "--deadline", "2026-13-01", "--forum", "2026-11-11"}, "deadline: \"2026-13-01\" is not a date", false},
				{[]string{"user", "add", "--email", "x@example.org", "--name", "X", "--role", "supporter"}, "stakeholder: a supporter must belong to an organisation", false},
				{[]string{"token", "add", "--email", "nobody@example.org"}, "email: no user with this email", false},
				{[]string{"stakeholder", "remove"}, "unknown subcommand", true},
			}
			for _, b := range bad {
				r := apptest.RunCLI(t, env, "", b.args...)
				if r.Code == 0 || !strings.Contains(r.Stderr, b.want) || (!b.usage && strings.Count(r.Stderr, "\n") != 1) {
					t.Errorf("%v: code %d, stderr %q; want %q", b.args, r.Code, r.Stderr, b.want)
				}
			}

			cycleArgs := []string{"cycle", "add", "--year", "2026", "--opens", "2026-06-01", "--deadline", "2026-10-01", "--forum", "2026-11-11"}
			if r = apptest.RunCLI(t, env, "", append(cycleArgs, "--json")...); r.Code != 0 || !strings.Contains(r.Stdout, `"report_at": "2026-10-21"`) {
				t.Fatalf("cycle add: %+v", r)
			}
			if r = apptest.RunCLI(t, env, "", cycleArgs...); r.Code != 1 || strings.TrimSpace(r.Stderr) != "pctracker cycle: year: a cycle for 2026 already exists" {
				t.Errorf("a year twice: %+v", r)
			}

			r = apptest.RunCLI(t, env, "correct horse battery staple\n", "user", "add", "--email", "Focal@Estonia.example", "--name", "Kadri",
				"--role", "supporter", "--stakeholder", "1", "--org-role", "focal_point", "--password-stdin", "--json")
			if r.Code != 0 || !strings.Contains(r.Stdout, `"email": "focal@estonia.example"`) || !strings.Contains(r.Stdout, `"password_set": true`) ||
				strings.Contains(r.Stdout, "argon2") || strings.Contains(r.Stdout+r.Stderr, "horse") {
				t.Fatalf("user add: %+v", r)
			}
			r = apptest.RunCLI(t, env, "", "token", "add", "--email", "focal@estonia.example")
			if r.Code != 0 || !strings.HasPrefix(r.Stdout, "pct_") || !strings.Contains(r.Stderr, "shown only once") {
				t.Errorf("token add: %+v", r)
			}

			// The refused commands wrote nothing.
			db, err := store.Open(context.Background(), url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for table, want := range map[string]int{"stakeholders": 1, "cycles": 1, "users": 1, "api_tokens": 1} {
				var n int
				if err := db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil || n != want {
					t.Errorf("%s: %d rows, want %d (%v)", table, n, want, err)
				}
			}
			db.Close()
			r = apptest.RunCLI(t, env, "", "migrate", "down")
			if r.Code != 0 || !strings.HasPrefix(r.Stdout, "rolled back migration ") {
				t.Errorf("down: %+v", r)
			}
		})
	}
}

func TestCLIConfig(t *testing.T) {
	env := map[string]string{"PCT_DATABASE_URL": "postgres://pct:hunter2@db.internal:5432/pct"}
	r := apptest.RunCLI(t, env, "", "config")
	if r.Code != 0 || strings.Contains(r.Stdout, "hunter2") || !strings.Contains(r.Stdout, "postgres://pct:***@db.internal:5432/pct") ||
		!strings.Contains(r.Stdout, "PCT_HTTP_ADDR") {
		t.Errorf("config: %+v", r)
	}
	for _, bad := range []map[string]string{
		{"PCT_DATABASE_URL": "mysql://root@db/pct"},
		{"PCT_LOG_LEVEL": "chatty"},
		{"PCT_HTTP_ADDR": "eighty"},
	} {
		r := apptest.RunCLI(t, bad, "", "config")
		if r.Code != 2 || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, "config: ") {
			t.Errorf("%v: %d %q", bad, r.Code, r.Stderr)
		}
	}
	if r := apptest.RunCLI(t, nil, "", "stakeholder", "add", "--database-url", "postgres//broken", "--name", "X", "--kind", "state", "--country", "FR"); r.Code != 2 ||
		!strings.Contains(r.Stderr, "config: database.url (from flag --database-url)") {
		t.Errorf("malformed --database-url: %+v", r)
	}
}

// The report on the command line: compile a draft into every format, publish
// it, check the frozen snapshot compiles again to the same bytes; bad flags
// are refused with one line.
func TestCLIReport(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) { testCLIReport(t, engine) })
	}
}

func testCLIReport(t *testing.T, engine string) {
	url := testutil.NewDatabaseURL(t, engine)
	env := map[string]string{"PCT_DATABASE_URL": url, "PCT_LOG_LEVEL": "warn", "PCT_REPORT_CHROMIUM": "off"}
	if r := apptest.RunCLI(t, env, "", "migrate", "up"); r.Code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	db, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := testutil.NewServices(db)
	c := s.Cycle(t, 2025)
	a := s.Action(t, s.Stakeholder(t, stakeholder.State), c)
	a, _ = s.Actions.Move(context.Background(), testutil.System, a.ID, a.Version, action.Submitted, "")
	if _, err := s.Actions.Move(context.Background(), testutil.System, a.ID, a.Version, action.Accepted, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "compile", "--cycle", "2025", "--format", "docx"}, 2, `format: "docx" is not`},
		{[]string{"report", "compile", "--cycle", "2025", "--lang", "de", "--format", "md"}, 2, `lang: "de" is not en or fr`},
		{[]string{"report", "compile", "--cycle", "2025", "--format", "all"}, 2, "o: is required with --format all"},
		{[]string{"report", "compile", "--cycle", "2031"}, 1, "no cycle for 2031"},
		{[]string{"report", "publish", "--cycle", "2025"}, 1, "has no draft report"},
		{[]string{"report", "frobnicate"}, 2, "expected one of: compile, publish, verify"},
	} {
		if r := apptest.RunCLI(t, env, "", c.args...); r.Code != c.code || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%v: %d %q, want %d %q", c.args, r.Code, r.Stderr, c.code, c.want)
		}
	}
	dir := t.TempDir()
	r := apptest.RunCLI(t, env, "", "report", "compile", "--cycle", "2025", "--format", "all", "-o", dir)
	if r.Code != 0 || !strings.Contains(r.Stderr, "skipped the PDF") || strings.Count(r.Stderr, "wrote ") != 10 {
		t.Fatalf("compile all: %+v", r)
	}
	r = apptest.RunCLI(t, env, "", "report", "compile", "--cycle", "2025", "--lang", "fr", "--format", "md")
	if r.Code != 0 || !strings.Contains(r.Stdout, "# Rapport d'étape de l'Appel de Paris 2025") {
		t.Errorf("Markdown on standard output: %+v", r)
	}
	r = apptest.RunCLI(t, env, "", "report", "publish", "--cycle", "2025")
	if r.Code != 0 || !strings.Contains(r.Stdout, "published report 2 of cycle 2025") || strings.Count(r.Stdout, "sha256 ") != 10 {
		t.Fatalf("publish: %+v", r)
	}
	if r = apptest.RunCLI(t, env, "", "report", "verify", "--id", "2"); r.Code != 0 || !strings.Contains(r.Stdout, "identical") {
		t.Errorf("verify: %+v", r)
	}
	if r = apptest.RunCLI(t, env, "", "report", "verify", "--id", "1"); r.Code == 0 || !strings.Contains(r.Stderr, "draft") {
		t.Errorf("verify a draft: %+v", r)
	}
}

// pctracker generate: bad sizes are refused with one line; a small run
// fills an empty database and says what it wrote.
func TestCLIGenerate(t *testing.T) {
	env := map[string]string{"PCT_DATABASE_URL": testutil.NewDatabaseURL(t, "sqlite"), "PCT_LOG_LEVEL": "warn"}
	if r := apptest.RunCLI(t, env, "", "generate", "--organisations", "0", "--cycles", "99"); r.Code != 2 ||
		!strings.Contains(r.Stderr, "organisations: must be between 1 and 100000") || !strings.Contains(r.Stderr, "cycles: must be between 1 and 50") {
		t.Errorf("bad sizes: %+v", r)
	}
	r := apptest.RunCLI(t, env, "", "generate", "--organisations", "10", "--cycles", "2", "--actions-per-cycle", "50")
	if r.Code != 0 || !strings.Contains(r.Stdout, "generated 10 organisations, 2 cycles and 100 actions") || !strings.Contains(r.Stderr, "100%") {
		t.Errorf("generate: %+v", r)
	}
	if r := apptest.RunCLI(t, env, "", "generate", "--organisations", "10", "--cycles", "1", "--actions-per-cycle", "5"); r.Code == 0 ||
		!strings.Contains(r.Stderr, "generate into an empty database") {
		t.Errorf("a second run: %+v", r)
	}
}

// lines collects what a running command writes, and tells when a line
// holding want has been written.
type lines struct {
	mu   sync.Mutex
	text strings.Builder
	want string
	seen chan string // the first line holding want
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text.Write(p)
	for _, line := range strings.Split(string(p), "\n") {
		if l.want != "" && strings.Contains(line, l.want) {
			l.seen <- line
			l.want = ""
		}
	}
	return len(p), nil
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// "pctracker serve" as an operator runs it: it migrates a new database,
// listens, answers the public, the API and the probes, and stops cleanly
// when told to (the context is what a signal cancels in main).
func TestServe(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			env := map[string]string{
				"PCT_DATABASE_URL":    testutil.NewDatabaseURL(t, engine),
				"PCT_MAIL_DIR":        t.TempDir(),
				"PCT_REPORT_CHROMIUM": "off",
				"PCT_LOG_FORMAT":      "text",
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			logs := &lines{want: "pctracker listening", seen: make(chan string, 1)}
			done := make(chan int, 1)
			go func() {
				done <- app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
			}()
			var base string
			select {
			case line := <-logs.seen:
				m := regexp.MustCompile(`addr=(\S+)`).FindStringSubmatch(line)
				if m == nil {
					t.Fatalf("no address in %q", line)
				}
				base = "http://" + m[1]
			case code := <-done:
				t.Fatalf("serve ended with %d before listening: %s", code, logs)
			}
			for _, c := range []struct {
				path, want string
			}{
				{"/healthz", ""},
				{"/readyz", ""},
				{"/", "pctracker"},
				{"/api/v1/recommendations", `"number":12`},
			} {
				r := apptest.Get(t, nil, base+c.path)
				if r.Status != 200 || !strings.Contains(r.Body, c.want) {
					t.Errorf("GET %s: %d, want 200 with %q: %.200s", c.path, r.Status, c.want, r.Body)
				}
			}
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited %d after its context ended: %s", code, logs)
			}
			if !strings.Contains(logs.String(), "shutting down") {
				t.Errorf("no shutdown in the log: %s", logs)
			}
		})
	}
}

package app_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// fillForBackup writes actions with a history: drafts, edited drafts and
// accepted actions with their review events.
func fillForBackup(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	s := testutil.NewServices(db)
	c := s.Cycle(t, 2026)
	for i := 0; i < 3; i++ {
		st := s.Stakeholder(t, stakeholder.State)
		for j := 0; j < 4; j++ {
			a := s.Action(t, st, c)
			var err error
			if j > 0 {
				a, err = s.Actions.Update(ctx, testutil.System, a.ID, a.Version, func(in *action.Input) { in.Description = "Edited." })
			}
			if err == nil && j > 1 {
				a, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, "")
			}
			if err == nil && j > 2 {
				_, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, "")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// actionDigest counts the actions of q and sums their ids, versions,
// version snapshots and review events, in order.
func actionDigest(t *testing.T, q *sql.DB) (int, string) {
	t.Helper()
	h := sha256.New()
	n := 0
	for _, query := range []string{
		"SELECT id || ' ' || version FROM actions ORDER BY id",
		"SELECT action_id || ' ' || version || ' ' || snapshot FROM action_versions ORDER BY action_id, version",
		"SELECT action_id || ' ' || version || ' ' || decision FROM review_events ORDER BY action_id, version",
		"SELECT id || ' ' || name FROM stakeholders ORDER BY id",
	} {
		rows, err := q.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(h, line)
			if strings.Contains(query, "FROM actions") {
				n++
			}
		}
		rows.Close()
	}
	return n, hex.EncodeToString(h.Sum(nil))
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// Bad input to backup and restore is refused with one line naming what is
// wrong and a non-zero status, and nothing is written: no backup, no
// partial file, no database created by mistake, no password shown.
func TestBackupCLIRefuses(t *testing.T) {
	dbDir, outDir := t.TempDir(), t.TempDir()
	dbPath := filepath.Join(dbDir, "pct.db")
	env := map[string]string{"PCT_DATABASE_URL": "sqlite:" + dbPath, "PCT_LOG_LEVEL": "warn"}
	if r := apptest.RunCLI(t, env, "", "migrate", "up"); r.Code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	existing := filepath.Join(outDir, "monday.db")
	if err := os.WriteFile(existing, []byte("last week's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	missingDB := filepath.Join(dbDir, "typo.db")
	noPath := map[string]string{"PCT_LOG_LEVEL": "warn", "PATH": "",
		"PCT_DATABASE_URL": "postgres://pct:hunter2@127.0.0.1:1/pctracker?sslmode=disable"}
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no -o", env, []string{"backup"}, 2, "missing required flag --o"},
		{"empty -o", env, []string{"backup", "-o", ""}, 2, "o: name the backup file"},
		{"existing file", env, []string{"backup", "-o", existing}, 2, "o: " + existing + " exists; choose another name, or pass --force"},
		{"a folder", env, []string{"backup", "-o", outDir, "--force"}, 2, "is a folder"},
		{"missing folder", env, []string{"backup", "-o", filepath.Join(outDir, "no", "x.db")}, 2, "does not exist"},
		{"the database itself", env, []string{"backup", "-o", dbPath, "--force"}, 2, "o: is the database itself"},
		{"its log", env, []string{"backup", "-o", dbPath + "-wal", "--force"}, 2, "o: is the database itself"},
		{"no database", env, []string{"backup", "--database-url", "sqlite:" + missingDB, "-o", filepath.Join(outDir, "a.db")}, 2, "no SQLite database at " + missingDB},
		{"no pg_dump", noPath, []string{"backup", "-o", filepath.Join(outDir, "pg.dump")}, 1,
			"pg_dump is not on PATH; install the PostgreSQL client tools (the server's major version or newer), or run it where they are: " +
				"pg_dump --format=custom --file=" + filepath.Join(outDir, "pg.dump") + " --dbname='postgres://pct@127.0.0.1:1/pctracker?sslmode=disable' (password in PGPASSWORD)"},
		{"restore without -i", env, []string{"restore"}, 2, "missing required flag --i"},
		{"restore a file that is not a backup", env, []string{"restore", "-i", existing, "--database-url", "sqlite:" + filepath.Join(outDir, "new.db")}, 2, "is not a readable SQLite database"},
		{"restore PostgreSQL", noPath, []string{"restore", "-i", existing}, 2, "pg_restore --clean --if-exists --no-owner --dbname='postgres://pct:***@127.0.0.1:1/pctracker?sslmode=disable'"},
	} {
		r := apptest.RunCLI(t, c.env, "", c.args...)
		if r.Code != c.code || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%s: %d %q, want %d %q", c.name, r.Code, r.Stderr, c.code, c.want)
		}
		if strings.Contains(r.Stderr+r.Stdout, "hunter2") {
			t.Errorf("%s: the password is shown: %q", c.name, r.Stderr)
		}
	}
	if got := listDir(t, outDir); len(got) != 1 || got[0] != "monday.db" {
		t.Errorf("the refusals wrote into the backup folder: %v", got)
	}
	if b, _ := os.ReadFile(existing); string(b) != "last week's backup" {
		t.Errorf("the existing backup changed: %q", b)
	}
	if _, err := os.Stat(missingDB); err == nil {
		t.Error("backing up a missing database created it")
	}
}

// A SQLite backup through the command holds the database and says what it
// holds; --force replaces an older one; restore puts it in place of a
// database that no server has open, and refuses one that is open.
func TestBackupRestoreSQLite(t *testing.T) {
	ctx := context.Background()
	url := testutil.NewDatabaseURL(t, "sqlite")
	env := map[string]string{"PCT_DATABASE_URL": url, "PCT_LOG_LEVEL": "warn"}
	if r := apptest.RunCLI(t, env, "", "migrate", "up"); r.Code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	db, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillForBackup(t, db)
	n, want := actionDigest(t, db.SQL())

	dir := t.TempDir()
	out := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := apptest.RunCLI(t, env, "", "backup", "-o", out, "--force")
	if r.Code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	for _, line := range []string{"backed up " + url + " to " + out + " in ", "organisations   3\n",
		"actions         12, with 30 versions and 9 review events\n", "schema version  ", "size            ",
		"restore         stop the server, then: pctracker restore -i " + out} {
		if !strings.Contains(r.Stdout, line) {
			t.Errorf("the summary lacks %q:\n%s", line, r.Stdout)
		}
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the backup should be readable by its owner only: %v %v", info.Mode(), err)
	}
	if got := listDir(t, dir); len(got) != 1 {
		t.Errorf("files beside the backup: %v", got)
	}

	// Restore into a new place, then over a database in use, then over it
	// once it is closed.
	target := filepath.Join(t.TempDir(), "restored.db")
	if r := apptest.RunCLI(t, env, "", "restore", "-i", out, "--database-url", "sqlite:"+target); r.Code != 0 ||
		!strings.Contains(r.Stdout, "12 actions (30 versions, 9 review events)") {
		t.Fatalf("restore: %+v", r)
	}
	restored, err := store.Open(ctx, "sqlite:"+target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m, got := actionDigest(t, restored.SQL()); m != n || got != want {
		t.Errorf("restored %d actions (%s), the database had %d (%s)", m, got, n, want)
	}
	if r := apptest.RunCLI(t, env, "", "restore", "-i", out, "--database-url", "sqlite:"+target); r.Code != 2 ||
		!strings.Contains(r.Stderr, "exists; stop the server, then pass --force") {
		t.Errorf("restore over a database without --force: %+v", r)
	}
	if r := apptest.RunCLI(t, env, "", "restore", "-i", out, "--database-url", "sqlite:"+target, "--force"); r.Code != 1 ||
		!strings.Contains(r.Stderr, "is in use: stop the server") {
		t.Errorf("restore over a database in use: %+v", r)
	}
	if err := restored.Ping(ctx); err != nil {
		t.Errorf("the database in use after a refused restore: %v", err)
	}
	// A change made after the backup is undone by restoring it.
	if _, err := restored.SQL().Exec("DELETE FROM review_events"); err != nil {
		t.Fatal(err)
	}
	restored.Close()
	if r := apptest.RunCLI(t, env, "", "restore", "-i", out, "--database-url", "sqlite:"+target, "--force"); r.Code != 0 {
		t.Fatalf("restore over a stopped database: %+v", r)
	}
	if r := apptest.RunCLI(t, env, "", "migrate", "status", "--database-url", "sqlite:"+target); r.Code != 0 || strings.Contains(r.Stdout, "pending") {
		t.Errorf("migrate status after restore: %+v", r)
	}
	again, err := store.Open(ctx, "sqlite:"+target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if m, got := actionDigest(t, again.SQL()); m != n || got != want {
		t.Errorf("restored over: %d actions (%s), the database had %d (%s)", m, got, n, want)
	}
}

// A PostgreSQL backup is a pg_dump archive that pg_restore, run as the
// README says, turns into a new database holding every action with its
// whole history, at the current migration.
func TestBackupPostgres(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI", tool)
			}
			t.Skipf("%s is not on PATH", tool)
		}
	}
	ctx := context.Background()
	url := testutil.NewDatabaseURL(t, "postgres")
	db, err := store.Open(ctx, url, store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillForBackup(t, db)
	n, want := actionDigest(t, db.SQL())

	out := filepath.Join(t.TempDir(), "pctracker.dump")
	env := map[string]string{"PCT_DATABASE_URL": url, "PCT_LOG_LEVEL": "warn", "PATH": os.Getenv("PATH")}
	r := apptest.RunCLI(t, env, "", "backup", "-o", out)
	if r.Code != 0 || !strings.Contains(r.Stdout, "actions         12, with 30 versions and 9 review events") ||
		!strings.Contains(r.Stdout, "tables (pg_restore --list)") {
		t.Fatalf("backup: %+v", r)
	}
	if r := apptest.RunCLI(t, env, "", "backup", "-o", out); r.Code != 2 || !strings.Contains(r.Stderr, "exists") {
		t.Errorf("a second backup to the same file: %+v", r)
	}

	target := testutil.NewEmptyPostgresURL(t)
	cmd := exec.Command("pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--dbname="+target, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, b)
	}
	restored, err := store.Open(ctx, target, store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if m, got := actionDigest(t, restored.SQL()); m != n || got != want {
		t.Errorf("restored %d actions (%s), the database had %d (%s)", m, got, n, want)
	}
	if r := apptest.RunCLI(t, map[string]string{"PCT_DATABASE_URL": target, "PCT_LOG_LEVEL": "warn"}, "", "migrate", "status"); r.Code != 0 ||
		strings.Contains(r.Stdout, "pending") {
		t.Errorf("migrate status after restore: %+v", r)
	}
	// The restored database takes new writes: its sequences came back too.
	s := testutil.NewServices(restored)
	cycles, err := s.Cycles.List(ctx)
	if err != nil || len(cycles) != 1 {
		t.Fatalf("cycles: %v %v", cycles, err)
	}
	s.Action(t, s.Stakeholder(t, stakeholder.Company), cycles[0])
}

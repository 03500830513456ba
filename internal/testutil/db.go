// Package testutil gives tests real databases of both engines, fixtures and
// a running server. A PostgreSQL database per test is cloned from a migrated
// template, which takes tens of milliseconds.
package testutil

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the admin connection

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/migrations"
)

// DefaultPostgresURL is where tests look for PostgreSQL when
// PCT_TEST_DATABASE_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Engines lists the engines every store test runs on.
var Engines = []string{"sqlite", "postgres"}

// ForEachDB runs fn as a subtest on a fresh, migrated database of each engine.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) {
			fn(t, NewDB(t, engine))
		})
	}
}

// NewDB returns a fresh, migrated database of engine, closed and removed
// when the test ends.
func NewDB(t testing.TB, engine string) *store.DB {
	t.Helper()
	return NewDBAt(t, NewDatabaseURL(t, engine))
}

// NewDBAt opens the database of a NewDatabaseURL, migrated, for a test
// that also runs commands on it.
func NewDBAt(t testing.TB, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: 5})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if strings.HasPrefix(url, "sqlite:") {
		m, err := db.Migrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Up(context.Background()); err != nil {
			t.Fatalf("migrate sqlite: %v", err)
		}
	}
	return db
}

// Column runs a query of one column and returns its values, in order.
func Column[T any](t testing.TB, db *sql.DB, q string, args ...any) []T {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%v: %s", err, q)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// NewDatabaseURL returns the URL of a fresh database of engine: an empty
// SQLite file (not migrated), or a PostgreSQL clone of the migrated template.
func NewDatabaseURL(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "pctracker.db")
	case "postgres":
		return newPostgres(t, true)
	}
	t.Fatalf("unknown engine %q", engine)
	return ""
}

// NewEmptyPostgresURL returns the URL of an empty PostgreSQL database, for
// tests of migrations themselves.
func NewEmptyPostgresURL(t testing.TB) string { return newPostgres(t, false) }

// PostgresAdminURL is the server tests use.
func PostgresAdminURL() string {
	if u := os.Getenv("PCT_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

var (
	pgMu       sync.Mutex
	pgReady    bool
	pgErr      error
	pgTemplate string
	pgCounter  atomic.Int64
)

// template returns the migrated template database, building it once; with
// rebuild, again, because it was found gone.
func template(rebuild bool) (string, error) {
	pgMu.Lock()
	defer pgMu.Unlock()
	if !pgReady || rebuild {
		pgTemplate, pgErr = prepareTemplate()
		pgReady = true
	}
	return pgTemplate, pgErr
}

func newPostgres(t testing.TB, migrated bool) string {
	t.Helper()
	tmpl, terr := template(false)
	if terr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI: %v", terr)
		}
		t.Skipf("PostgreSQL not available (%v); set PCT_TEST_DATABASE_URL or run make test", terr)
	}
	admin, err := sql.Open("pgx", PostgresAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("pct_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, pgCounter.Add(1))
	stmt := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl)
	if !migrated {
		stmt = fmt.Sprintf("CREATE DATABASE %s TEMPLATE template0", name)
	}
	err = retry(func() error { _, err := admin.Exec(stmt); return err })
	if err != nil && migrated && strings.Contains(err.Error(), "does not exist") {
		// Another checkout, with other migrations, cleared the templates
		// it found stale, this one's among them: build it again.
		if tmpl, err = template(true); err == nil {
			stmt = fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl)
			err = retry(func() error { _, err := admin.Exec(stmt); return err })
		}
	}
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", PostgresAdminURL())
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return withDatabase(PostgresAdminURL(), name)
}

// retry absorbs the brief "source database is being accessed" error that
// PostgreSQL gives while another process clones the same template.
func retry(fn func() error) error {
	var err error
	for i := 0; i < 50; i++ {
		if err = fn(); err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// prepareTemplate creates, once per migration set, a migrated template
// database that every test clones. An advisory lock keeps parallel test
// processes from building it twice.
func prepareTemplate() (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "pct_tmpl_" + sum[:12]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", PostgresAdminURL())
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.PingContext(ctx); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7411001)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(7411001)") //nolint:errcheck
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if err := dropStaleTemplates(ctx, conn); err != nil {
		return "", err
	}
	if err := buildTemplate(ctx, conn, name); err != nil {
		return "", err
	}
	return name, nil
}

// dropStaleTemplates drops the templates of other migration sets once they
// are a week old (one may still serve another checkout's tests, a branch
// with other migrations, running on the same server), and any left half
// built.
func dropStaleTemplates(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE datname LIKE 'pct_tmpl_%'`)
	if err != nil {
		return err
	}
	var old []string
	for rows.Next() {
		var n, comment string
		if rows.Scan(&n, &comment) != nil {
			continue
		}
		built, err := time.Parse(time.RFC3339, strings.TrimPrefix(comment, templateComment))
		if err != nil || time.Since(built) > 7*24*time.Hour || strings.HasSuffix(n, "_building") {
			old = append(old, n)
		}
	}
	rows.Close()
	for _, n := range old {
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)")
	}
	return nil
}

// buildTemplate makes the migrated template name: built under another
// name, and renamed last, so that a template is never seen half-migrated.
func buildTemplate(ctx context.Context, conn *sql.Conn, name string) error {
	building := name + "_building"
	_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)")
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building+" TEMPLATE template0"); err != nil {
		return err
	}
	db, err := store.Open(ctx, withDatabase(PostgresAdminURL(), building), store.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	m, err := db.Migrator()
	if err == nil {
		_, err = m.Up(ctx)
	}
	_ = db.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "COMMENT ON DATABASE "+name+" IS '"+templateComment+time.Now().UTC().Format(time.RFC3339)+"'")
	return err
}

// templateComment starts the comment that dates a template.
const templateComment = "pctracker test template, built "

func migrationsHash() (string, error) {
	fsys, err := migrations.FS("postgres")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	err = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\n%d\n", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// withDatabase replaces the database name of a PostgreSQL URL.
func withDatabase(url, name string) string {
	base, query, _ := strings.Cut(url, "?")
	if i := strings.LastIndex(base, "/"); i > len("postgres://") {
		base = base[:i]
	}
	if query != "" {
		return base + "/" + name + "?" + query
	}
	return base + "/" + name
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store/dburl"
)

// BackupCounts is what a backup holds, for its summary and for the checks
// that it is whole.
type BackupCounts struct {
	SchemaVersion  int64 // the last migration applied
	Organisations  int64
	Actions        int64
	ActionVersions int64
	ReviewEvents   int64
}

// queryRower is what counting needs: a pool, a connection or a transaction.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// countBackup counts in q. A database without pctracker's tables is
// Invalid: it is not something to back up or restore.
func countBackup(ctx context.Context, q queryRower) (BackupCounts, error) {
	var c BackupCounts
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&c.SchemaVersion); err != nil {
		return c, errs.Wrap(errs.Invalid, err, "not a pctracker database: no migration table (%v)", err)
	}
	for _, n := range []struct {
		table string
		into  *int64
	}{
		{"stakeholders", &c.Organisations}, {"actions", &c.Actions},
		{"action_versions", &c.ActionVersions}, {"review_events", &c.ReviewEvents},
	} {
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+n.table).Scan(n.into); err != nil {
			return c, errs.Wrap(errs.Invalid, err, "not a pctracker database: cannot count %s (%v)", n.table, err)
		}
	}
	return c, nil
}

// VacuumInto writes a copy of this SQLite database to path, which must not
// exist or must be an empty file. VACUUM INTO reads in one transaction, so
// the copy is the database as of one instant, every commit in it whole, and
// in WAL mode the server's writers carry on meanwhile. The copy is compact
// and needs no write-ahead log beside it.
func (db *DB) VacuumInto(ctx context.Context, path string) error {
	if db.engine != dburl.SQLite {
		return errs.E(errs.Invalid, "VACUUM INTO is for SQLite; back up PostgreSQL with pg_dump")
	}
	if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return errs.Wrap(errs.Unavailable, err, "copy the database to %s", path)
	}
	return nil
}

// ExportSnapshot runs fn inside a read-only repeatable-read transaction of
// this PostgreSQL database whose snapshot is exported under snapshot: a
// `pg_dump --snapshot` run while fn runs sees exactly the data the counts
// given to fn were taken from, whatever commits meanwhile.
func (db *DB) ExportSnapshot(ctx context.Context, fn func(snapshot string, c BackupCounts) error) error {
	if db.engine != dburl.Postgres {
		return errs.E(errs.Invalid, "snapshots are exported by PostgreSQL only")
	}
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	var id string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&id); err != nil {
		return translate(err)
	}
	c, err := countBackup(ctx, tx)
	if err != nil {
		return err
	}
	return fn(id, c)
}

// InspectSQLite opens the SQLite file at path read only, checks its pages
// with quick_check and counts what it holds. It proves a backup can be read
// before it is given its final name, and it never writes to the file.
func InspectSQLite(ctx context.Context, path string) (BackupCounts, error) {
	var c BackupCounts
	if _, err := os.Stat(path); err != nil {
		return c, errs.Wrap(errs.Invalid, err, "no file %s", path)
	}
	g, err := gorm.Open(sqlite.Open(sqliteURI(path)+"?mode=ro&_pragma=busy_timeout(10000)"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return c, errs.Wrap(errs.Invalid, err, "%s is not a readable SQLite database (%v)", path, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return c, errs.Wrap(errs.Internal, err, "open %s", path)
	}
	defer sqlDB.Close()
	// One connection: every count reads the same file state.
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return c, errs.Wrap(errs.Invalid, err, "open %s", path)
	}
	defer conn.Close()
	var check string
	if err := conn.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return c, errs.Wrap(errs.Invalid, err, "%s is not a readable SQLite database (%v)", path, err)
	}
	if check != "ok" {
		return c, errs.E(errs.Invalid, "%s is damaged: %s", path, check)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return c, errs.Wrap(errs.Unavailable, err, "read %s", path)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck // read only
	return countBackup(ctx, conn)
}

// ReleaseSQLite makes sure nothing has the SQLite database at path open
// and leaves the file whole on its own, so that it can be replaced. A
// running server keeps a shared lock on its database file, so the exclusive
// lock taken here fails with Conflict while one runs. Closing that lock's
// connection, the last one, folds the write-ahead log into the file and
// removes it; stray -wal and -shm files are removed too, since SQLite would
// replay an old log onto whatever file takes the name next.
func ReleaseSQLite(ctx context.Context, path string) error {
	inUse := func(err error) error {
		if msg := err.Error(); strings.Contains(msg, "locked") || strings.Contains(msg, "BUSY") {
			return errs.Wrap(errs.Conflict, err, "%s is in use: stop the server (every pctracker process using it) first", path)
		}
		return errs.Wrap(errs.Unavailable, err, "lock %s (%v)", path, err)
	}
	g, err := gorm.Open(sqlite.Open(sqliteURI(path)+"?_pragma=busy_timeout(1000)&_pragma=locking_mode(EXCLUSIVE)"),
		&gorm.Config{Logger: logger.Discard})
	if err != nil {
		return inUse(err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return errs.Wrap(errs.Internal, err, "open %s", path)
	}
	sqlDB.SetMaxOpenConns(1)
	_, err = sqlDB.ExecContext(ctx, "BEGIN EXCLUSIVE")
	if err == nil {
		_, err = sqlDB.ExecContext(ctx, "COMMIT")
	}
	if err == nil {
		_, err = sqlDB.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	closeErr := sqlDB.Close()
	if err != nil {
		return inUse(err)
	}
	if closeErr != nil {
		return errs.Wrap(errs.Unavailable, closeErr, "close %s", path)
	}
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return errs.Wrap(errs.Unavailable, err, "remove %s", p)
		}
	}
	return nil
}

// sqliteURI is path as an SQLite URI filename, so that options can follow
// it: the characters a URI gives a meaning to are escaped.
func sqliteURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

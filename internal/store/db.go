// Package store keeps pctracker's data in PostgreSQL or in an embedded SQLite
// file through gorm. It is the only package that knows about gorm: row
// structs carry the tags, named converters turn rows into domain types, and
// database errors are translated into the errs vocabulary here.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store/dburl"
)

// DB is an open database of either engine.
type DB struct {
	gorm   *gorm.DB
	sql    *sql.DB
	engine dburl.Engine
	// replicas serve public reads; nil without any.
	replicas *replicas
	// observe counts each statement by the target it ran on.
	observe atomic.Pointer[func(target string)]
}

// Options tune Open.
type Options struct {
	MaxOpenConns int
	Logger       *slog.Logger
	// Replicas are PostgreSQL streaming replicas of the primary (url) that
	// serve public reads; MaxReplicaLag is the replay lag beyond which a
	// replica is skipped while the primary is up (0: 5 s).
	Replicas      []string
	MaxReplicaLag time.Duration
}

// Open connects to the database named by url (see dburl.Parse).
// For SQLite it creates the file's folder. It does not migrate.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	engine, dsn, err := dburl.Parse(url)
	if err != nil {
		return nil, &errs.Error{Kind: errs.Invalid, Message: "database URL: " + err.Error()}
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // every write is already in an explicit transaction
		// Row structs turn off gorm's automatic timestamps: the services'
		// injected clock sets every time, so a row, its version snapshot and
		// its audit entry always agree.
		NowFunc:        func() time.Time { return time.Now().UTC() },
		TranslateError: false,
		// Open pings the primary itself; a read replica that is down at
		// start must not stop pctracker from starting (its watcher tells
		// when it serves).
		DisableAutomaticPing: true,
	}
	var dialector gorm.Dialector
	switch engine {
	case dburl.Postgres:
		dialector = postgres.New(postgres.Config{DSN: dsn})
	case dburl.SQLite:
		if dir := filepath.Dir(dsn); dir != "." && dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, errs.Wrap(errs.Unavailable, err, "create database folder %s", dir)
			}
		}
		// WAL lets readers run beside the writer; busy_timeout waits for the
		// writer instead of failing; BEGIN IMMEDIATE takes the write lock at
		// the start of a transaction, so two writers queue instead of
		// deadlocking on a lock upgrade. No _time_format: the driver's default
		// is already the sqlite format, and go-sqlite v1.21 ignores every
		// parameter after _time_format, _txlock included.
		dialector = sqlite.Open("file:" + dsn + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
			"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	}
	g, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "open %s database", engine)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "open %s database", engine)
	}
	switch engine {
	case dburl.Postgres:
		n := opt.MaxOpenConns
		if n <= 0 {
			n = 20
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	case dburl.SQLite:
		// SQLite has one writer; a small pool keeps readers concurrent
		// without piling up writers behind the lock.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4)
	}
	db := &DB{gorm: g, sql: sqlDB, engine: engine}
	if err := db.registerCallbacks(); err != nil {
		_ = sqlDB.Close()
		return nil, errs.Wrap(errs.Internal, err, "register callbacks")
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if len(opt.Replicas) > 0 {
		if engine != dburl.Postgres {
			_ = sqlDB.Close()
			return nil, &errs.Error{Kind: errs.Invalid, Message: "read replicas need PostgreSQL"}
		}
		if db.replicas, err = openReplicas(g, sqlDB, opt.Replicas, opt.MaxReplicaLag, sqlDB.Stats().MaxOpenConnections); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
		db.replicas.start(pingCtx)
	}
	return db, nil
}

// registerCallbacks counts every statement by the database it ran on, and
// marks the request of a write, whose later reads then go to the primary.
func (db *DB) registerCallbacks() error {
	onReplica := func(tx *gorm.DB) bool {
		return db.replicas != nil && (db.replicas.isReplica(tx.Statement.ConnPool) || replicaTx(tx.Statement.Context))
	}
	count := func(tx *gorm.DB) {
		if f := db.observe.Load(); f != nil {
			target := TargetPrimary
			if onReplica(tx) {
				target = TargetReplica
			}
			(*f)(target)
		}
	}
	write := func(tx *gorm.DB) { wrote(tx.Statement.Context) }
	// Raw SQL is read or written by its text: dbresolver sends anything
	// but a SELECT to the primary, and so does this mark.
	raw := func(tx *gorm.DB) {
		if !onReplica(tx) {
			wrote(tx.Statement.Context)
		}
		count(tx)
	}
	cb := db.gorm.Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("pctracker:count", count),
		cb.Row().After("gorm:row").Register("pctracker:count", count),
		cb.Raw().After("gorm:raw").Register("pctracker:count", raw),
		cb.Create().After("gorm:create").Register("pctracker:count", count),
		cb.Update().After("gorm:update").Register("pctracker:count", count),
		cb.Delete().After("gorm:delete").Register("pctracker:count", count),
		cb.Create().Before("gorm:create").Register("pctracker:wrote", write),
		cb.Update().Before("gorm:update").Register("pctracker:wrote", write),
		cb.Delete().Before("gorm:delete").Register("pctracker:wrote", write),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// ObserveQueries has f told of each statement's target (TargetPrimary or
// TargetReplica), for the metrics.
func (db *DB) ObserveQueries(f func(target string)) { db.observe.Store(&f) }

// PrimaryUp reports whether the primary answered its last check; without
// replicas it is always true (the pool's own errors tell an outage).
func (db *DB) PrimaryUp() bool {
	if db.replicas == nil {
		return true
	}
	up, _, _ := db.replicas.status()
	return up
}

// ReplicasServing reports how many read replicas serve public reads, out
// of how many are configured.
func (db *DB) ReplicasServing() (serving, total int) {
	if db.replicas == nil {
		return 0, 0
	}
	_, serving, total = db.replicas.status()
	return serving, total
}

// Engine tells which database this is.
func (db *DB) Engine() dburl.Engine { return db.engine }

// SQL exposes the pool for migrations and health checks.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close stops watching the replicas and closes the pools.
func (db *DB) Close() error {
	if db.replicas != nil {
		db.replicas.close()
	}
	return db.sql.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return errs.Wrap(errs.Unavailable, err, "database unreachable")
	}
	return nil
}

type txKey struct{}

// WithTx runs fn in one transaction. Store methods called with the context
// fn receives take part in it; a nested call joins the outer transaction.
// Any error, or a panic, rolls everything back.
func (db *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	wrote(ctx) // the request reads its own writes from now on
	var fnErr error
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(context.WithValue(ctx, txKey{}, tx))
		return fnErr
	})
	if fnErr != nil {
		return fnErr // the caller's own error, already in its terms
	}
	return translate(err) // begin or commit failed
}

// readTx runs fn, which only reads, in one transaction (for a cursor or a
// consistent snapshot): on a replica when the reads of ctx may go to one,
// else on the primary as WithTx does.
func (db *DB) readTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok || !db.onReplica(ctx) {
		return db.WithTx(ctx, fn)
	}
	var fnErr error
	rctx := context.WithValue(ctx, replicaTxKey{}, true)
	err := db.gorm.WithContext(rctx).Clauses(dbresolver.Use(replicaResolver)).Transaction(func(tx *gorm.DB) error {
		fnErr = fn(context.WithValue(rctx, txKey{}, tx))
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return translate(err)
}

// conn returns the transaction in ctx, or the pool: the replicas' for the
// reads of a public request that has not written (see PublicRead), the
// primary's for everything else.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	if db.onReplica(ctx) {
		return db.gorm.WithContext(ctx).Clauses(dbresolver.Use(replicaResolver))
	}
	return db.gorm.WithContext(ctx)
}

// translate maps driver errors onto the errs vocabulary. Errors that are
// already classified pass through.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return errs.Wrap(errs.NotFound, err, "not found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errs.Wrap(errs.Unavailable, err, "request cancelled or timed out")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return errs.Wrap(errs.Conflict, err, "already exists")
		case pgErr.Code == "23503":
			return errs.Wrap(errs.Invalid, err, msgForeignKey)
		case strings.HasPrefix(pgErr.Code, "23"), strings.HasPrefix(pgErr.Code, "22"):
			// integrity and data exceptions: a value the schema refuses
			return errs.Wrap(errs.Invalid, err, "value not accepted")
		case pgErr.Code == "40001", pgErr.Code == "40P01":
			// serialization failure or deadlock: the same request may succeed
			return errs.Wrap(errs.Unavailable, err, "database busy, try again")
		case strings.HasPrefix(pgErr.Code, "08"), pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03":
			return errs.Wrap(errs.Unavailable, err, "database unavailable")
		}
		return errs.Wrap(errs.Internal, err, "database error")
	}
	if lostConnection(err) {
		return errs.Wrap(errs.Unavailable, err, "database unavailable")
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return errs.Wrap(errs.Conflict, err, "already exists")
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return errs.Wrap(errs.Invalid, err, msgForeignKey)
	case strings.Contains(msg, "CHECK constraint failed"), strings.Contains(msg, "NOT NULL constraint failed"):
		return errs.Wrap(errs.Invalid, err, "value not accepted")
	case strings.Contains(msg, "database is locked"), strings.Contains(msg, "SQLITE_BUSY"):
		return errs.Wrap(errs.Unavailable, err, "database busy")
	}
	return errs.Wrap(errs.Internal, err, "database error")
}

// lostConnection reports a connection to the database that broke under a
// query: PostgreSQL restarted (an immediate restart closes connections
// without a word), failed over, or the network was cut. That is an outage
// the client may retry (503), not a fault of pctracker (500).
func lostConnection(err error) bool {
	var netErr net.Error
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.As(err, &netErr) {
		return true
	}
	// Drivers that wrap the cause as text only.
	msg := err.Error()
	for _, s := range []string{"connection refused", "failed to connect", "broken pipe", "bad connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

const msgForeignKey = "refers to something that does not exist"

// updateVersioned writes r to the row of id, the columns q selects, if the
// row is still at the version expected: the check and the write are one
// statement, so of two saves of one version only the first is written
// (optimistic locking). When the row has moved on it is errs.Stale of what;
// a database error comes back as the driver said it, for the caller to put
// in its own terms.
func updateVersioned[R any](q *gorm.DB, r *R, id int64, expected int, what string) error {
	res := q.Model(new(R)).Where("id = ? AND version = ?", id, expected).Updates(r)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errs.Stale(what, 0)
	}
	return nil
}

// isUnique reports a unique violation in a driver's error, for stores that
// turn it into a field error. An error already in errs' terms, such as a
// stale version's Conflict, is none.
func isUnique(err error) bool {
	var e *errs.Error
	return !errors.As(err, &e) && errs.Is(translate(err), errs.Conflict)
}

// isForeignKey reports a reference to a missing row.
func isForeignKey(err error) bool { return errs.MessageOf(translate(err)) == msgForeignKey }

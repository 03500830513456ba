package store

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/pctracker/pctracker/internal/store/dburl"
)

// SchedulerLock is the advisory lock key of the scheduler's leader ("pctr").
const SchedulerLock int64 = 0x70637472

// errNotLeader answers gocron when another replica leads.
var errNotLeader = errors.New("not the leader")

// Elector campaigns for the leadership of the scheduler among replicas
// that share one PostgreSQL: the leader is whoever holds a session-level
// advisory lock, on a connection of its own. The lock lives as long as
// that connection: if the process dies, PostgreSQL ends the session and
// the lock passes to the next replica to ask.
type Elector struct {
	db     *sql.DB
	key    int64
	poll   time.Duration
	logger *slog.Logger

	mu     sync.Mutex
	conn   *sql.Conn // held while leading
	leader bool
	onLead func(bool) // told of every change, for metrics
}

// NewElector returns an elector over a PostgreSQL database; on SQLite,
// which serves one process, there is nothing to elect and it returns nil.
func (db *DB) NewElector(key int64, poll time.Duration, logger *slog.Logger, onLead func(bool)) *Elector {
	if db.engine != dburl.Postgres {
		return nil
	}
	if onLead == nil {
		onLead = func(bool) {}
	}
	return &Elector{db: db.sql, key: key, poll: poll, logger: logger, onLead: onLead}
}

// IsLeader answers nil while this process leads.
func (e *Elector) IsLeader(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.leader {
		return errNotLeader
	}
	return nil
}

// Start campaigns until ctx ends: every poll it tries the lock, or, while
// leading, checks that its connection still holds it. It calls elected
// (in a goroutine) each time it becomes the leader, and gives the lock up
// when ctx ends.
func (e *Elector) Start(ctx context.Context, elected func()) {
	t := time.NewTicker(e.poll)
	defer t.Stop()
	defer e.resign()
	for {
		if e.step(ctx) {
			go elected()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// step tries to become or stay the leader; it reports a new leadership.
func (e *Elector) step(ctx context.Context) bool {
	e.mu.Lock()
	conn, leading := e.conn, e.leader
	e.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, e.poll+5*time.Second)
	defer cancel()
	if leading {
		if err := conn.PingContext(cctx); err != nil {
			e.logger.Warn("scheduler leadership lost: its database connection failed", "error", err)
			e.set(nil, false)
			_ = conn.Close()
		}
		return false
	}
	conn, err := e.db.Conn(cctx)
	if err != nil {
		return false // the database is down: try again at the next poll
	}
	var got bool
	if err := conn.QueryRowContext(cctx, "SELECT pg_try_advisory_lock($1)", e.key).Scan(&got); err != nil || !got {
		_ = conn.Close()
		return false
	}
	e.set(conn, true)
	e.logger.Info("scheduler leadership taken")
	return true
}

func (e *Elector) set(conn *sql.Conn, leader bool) {
	e.mu.Lock()
	e.conn, e.leader = conn, leader
	e.mu.Unlock()
	e.onLead(leader)
}

// resign releases the lock, so that another replica takes over at once.
func (e *Elector) resign() {
	e.mu.Lock()
	conn, leading := e.conn, e.leader
	e.mu.Unlock()
	if !leading {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", e.key)
	_ = conn.Close()
	e.set(nil, false)
	e.logger.Info("scheduler leadership given up")
}

package store

import "context"

// Hooks for the external tests of read replicas (package store_test).

// HoldReplicas stops the watcher and sets what it would have judged: the
// primary up, and whether each replica serves.
func HoldReplicas(db *DB, serving ...bool) {
	rs := db.replicas
	select {
	case <-rs.stop:
	default:
		close(rs.stop)
		<-rs.done
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.primaryUp = true
	copy(rs.serving, serving)
}

// ClosePools closes what Close would have, once HoldReplicas stopped the
// watcher.
func ClosePools(db *DB) {
	for _, p := range db.replicas.pools {
		_ = p.Close()
	}
	_ = db.sql.Close()
}

// ExecRaw runs raw SQL through the routing of ctx.
func ExecRaw(db *DB, ctx context.Context, sql string) error { return db.conn(ctx).Exec(sql).Error }

// ReadTx is readTx.
func ReadTx(db *DB, ctx context.Context, fn func(ctx context.Context) error) error {
	return db.readTx(ctx, fn)
}

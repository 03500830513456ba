package store

import (
	"context"
	"database/sql"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store/dburl"
)

// Read replicas: PostgreSQL streaming standbys that serve public reads.
//
// Every statement goes to the primary unless its context was marked by
// PublicRead and nothing was written under that context yet; a marked read
// carries dbresolver's Use clause for the replicas' resolver, whose policy
// picks the first serving replica in the configured order. Keeping one
// preferred replica (rather than spreading reads) means a public page reads
// the data version and the data behind it from the same database, so a page
// is never built from older data than the version that names it in the
// cache.
//
// A watcher checks the primary and every replica once a second, not per
// query. While the primary answers, a replica serves if it answers and its
// replay is within maxLag of the primary's WAL position (a replica that was
// skipped, within one check); while the primary is down, every replica that
// answers serves, whatever its lag.

const replicaResolver = "pctracker:replicas"

// Targets of a query, as counted in the metrics.
const (
	TargetPrimary = "primary"
	TargetReplica = "replica"
)

// defaultMaxReplicaLag is the lag beyond which a replica is skipped.
const defaultMaxReplicaLag = 5 * time.Second

// replicas is the set of read replicas and what the watcher last saw.
type replicas struct {
	primary *sql.DB
	pools   []*sql.DB
	maxLag  time.Duration
	every   time.Duration

	mu        sync.RWMutex
	primaryUp bool
	serving   []bool
	lag       []time.Duration
	history   []lsnSample // the primary's WAL position over the last maxLag and more

	stop chan struct{}
	done chan struct{}
}

// lsnSample is the primary's WAL position at a moment.
type lsnSample struct {
	at  time.Time
	lsn int64
}

// routing is what a request's context says about where its reads may go.
type routing struct {
	public atomic.Bool // a public read-only request: its reads may use a replica
	wrote  atomic.Bool // it wrote: every later read goes to the primary
}

type routingKey struct{}

// replicaTxKey marks the context of a transaction begun on a replica,
// whose statements run on a *sql.Tx that does not tell its pool.
type replicaTxKey struct{}

func replicaTx(ctx context.Context) bool {
	on, _ := ctx.Value(replicaTxKey{}).(bool)
	return on
}

// PublicRead marks ctx as a public, read-only request: its reads may go to
// a read replica, until it writes. Without replicas it changes nothing.
func (db *DB) PublicRead(ctx context.Context) context.Context {
	r := &routing{}
	r.public.Store(true)
	return context.WithValue(ctx, routingKey{}, r)
}

// wrote records a write under ctx, so that the request reads its own
// writes from the primary.
func wrote(ctx context.Context) {
	if r, ok := ctx.Value(routingKey{}).(*routing); ok {
		r.wrote.Store(true)
	}
}

// onReplica reports whether the reads of ctx may go to a replica now.
func (db *DB) onReplica(ctx context.Context) bool {
	if db.replicas == nil {
		return false
	}
	r, ok := ctx.Value(routingKey{}).(*routing)
	if !ok || !r.public.Load() || r.wrote.Load() {
		return false
	}
	_, serving, _ := db.replicas.status()
	return serving > 0
}

// openReplicas connects to the replicas and registers them with gorm
// through dbresolver. Connections are made lazily: a replica that is down
// at start is simply not serving until it answers.
func openReplicas(g *gorm.DB, primary *sql.DB, urls []string, maxLag time.Duration, maxConns int) (*replicas, error) {
	if maxLag <= 0 {
		maxLag = defaultMaxReplicaLag
	}
	rs := &replicas{primary: primary, maxLag: maxLag, every: time.Second, serving: make([]bool, len(urls)),
		lag: make([]time.Duration, len(urls)), stop: make(chan struct{})}
	dialectors := make([]gorm.Dialector, 0, len(urls))
	for i, u := range urls {
		engine, dsn, err := dburl.Parse(u)
		if err != nil || engine != dburl.Postgres {
			rs.close()
			return nil, &errs.Error{Kind: errs.Invalid, Message: "database replica URL: must be a postgres:// URL"}
		}
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			rs.close()
			return nil, errs.Wrap(errs.Invalid, err, "database replica %d", i+1)
		}
		pool.SetMaxOpenConns(maxConns)
		pool.SetMaxIdleConns(maxConns)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		rs.pools = append(rs.pools, pool)
		// The dialector wraps the pool opened here, so that the pool a
		// statement ran on tells which replica it was.
		dialectors = append(dialectors, postgres.New(postgres.Config{Conn: pool}))
	}
	err := g.Use(dbresolver.Register(dbresolver.Config{Replicas: dialectors, Policy: rs}, replicaResolver))
	if err != nil {
		rs.close()
		return nil, errs.Wrap(errs.Internal, err, "register read replicas")
	}
	return rs, nil
}

// Resolve is the dbresolver policy: the first serving replica, in the
// configured order. If none serves (the state changed since the statement
// was routed), the first one: its error, if any, reaches the caller as an
// outage.
func (rs *replicas) Resolve(pools []gorm.ConnPool) gorm.ConnPool {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	for i, ok := range rs.serving {
		if ok && i < len(pools) {
			return pools[i]
		}
	}
	return pools[0]
}

// status reports whether the primary answered the last check, and how many
// replicas serve out of how many.
func (rs *replicas) status() (primaryUp bool, serving, total int) {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	for _, ok := range rs.serving {
		if ok {
			serving++
		}
	}
	return rs.primaryUp, serving, len(rs.serving)
}

// isReplica reports whether a statement ran on one of the replicas.
func (rs *replicas) isReplica(pool gorm.ConnPool) bool {
	for _, p := range rs.pools {
		if gorm.ConnPool(p) == pool {
			return true
		}
	}
	return false
}

// start checks the databases once, so that the first requests find them
// judged, then every second in the background until close.
func (rs *replicas) start(ctx context.Context) {
	rs.check(ctx)
	rs.done = make(chan struct{})
	go rs.watch()
}

func (rs *replicas) watch() {
	defer close(rs.done)
	tick := time.NewTicker(rs.every)
	defer tick.Stop()
	for {
		select {
		case <-rs.stop:
			return
		case <-tick.C:
			rs.check(context.Background())
		}
	}
}

// check reads the primary's WAL position and each replica's replay
// position, and decides which replicas serve. Lag is measured against the
// primary's position, not as the age of the last replayed transaction,
// which grows on an idle database: see lagBehind.
func (rs *replicas) check(ctx context.Context) {
	now := time.Now()
	var lsn int64
	primaryErr := queryRow(ctx, rs.primary, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint", &lsn)
	replay := make([]replayed, len(rs.pools))
	answers := make([]bool, len(rs.pools))
	for i, p := range rs.pools {
		// NULL outside recovery: a promoted or mistaken replica never serves
		// as a replica. The age of the last replayed transaction is -1 when
		// none was replayed since the replica started.
		var age float64
		err := queryRow(ctx, p, "SELECT COALESCE((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, -1), "+
			"COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, -1)", &replay[i].lsn, &age)
		replay[i].age = time.Duration(age * float64(time.Second))
		answers[i] = err == nil && replay[i].lsn >= 0
	}
	rs.judge(now, primaryErr == nil, lsn, replay, answers)
}

// replayed is where a replica stands: its replayed WAL position, and the
// age of the last transaction it replayed (negative: unknown).
type replayed struct {
	lsn int64
	age time.Duration
}

// judge records one check: whether the primary answered and at which WAL
// position, and each replica's replayed position (if it answered), and
// decides which replicas serve.
func (rs *replicas) judge(now time.Time, primaryUp bool, lsn int64, replay []replayed, answers []bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.primaryUp = primaryUp
	if !primaryUp {
		rs.history = nil // positions from before an outage tell nothing after it
	} else {
		rs.history = append(rs.history, lsnSample{at: now, lsn: lsn})
		// Keep enough to tell a lag just over maxLag from one far beyond.
		for len(rs.history) > 1 && now.Sub(rs.history[1].at) > rs.maxLag+2*rs.every {
			rs.history = rs.history[1:]
		}
	}
	for i := range rs.serving {
		switch {
		case !answers[i]:
			rs.serving[i] = false
		case !primaryUp:
			rs.serving[i] = true // slightly old figures beat an error page
		default:
			rs.lag[i] = lagBehind(rs.history, replay[i], now)
			// A replica that was skipped comes back only once it has
			// replayed what the primary had at the previous check: the
			// public data was read from the primary meanwhile, and a page
			// cached under that data's version must not be built from
			// older rows.
			limit := rs.maxLag
			if !rs.serving[i] {
				limit = min(rs.every, rs.maxLag)
			}
			rs.serving[i] = rs.lag[i] < limit
		}
	}
}

// lagBehind is how far behind the primary a replica stands: zero at or
// past the primary's latest position, whenever the last write was (an
// idle database); behind it, the time since the primary first stood past
// the replica's position, by the samples (oldest first). A position older
// than every sample (just after start, or far behind) is judged by the age
// of the last transaction the replica replayed, an overestimate on a
// database that was idle before its last write, or as far behind as can be
// when that age is unknown.
func lagBehind(history []lsnSample, r replayed, now time.Time) time.Duration {
	if len(history) == 0 || r.lsn >= history[len(history)-1].lsn {
		return 0
	}
	if r.lsn >= history[0].lsn {
		for _, s := range history {
			if s.lsn > r.lsn {
				return now.Sub(s.at)
			}
		}
	}
	if r.age < 0 {
		return math.MaxInt64
	}
	return max(r.age, now.Sub(history[0].at))
}

func queryRow(ctx context.Context, pool *sql.DB, query string, dest ...any) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return pool.QueryRowContext(ctx, query).Scan(dest...)
}

// close stops the watcher and closes the replicas' pools.
func (rs *replicas) close() {
	select {
	case <-rs.stop:
		return
	default:
		close(rs.stop)
	}
	if rs.done != nil {
		select {
		case <-rs.done:
		case <-time.After(5 * time.Second):
		}
	}
	for _, p := range rs.pools {
		_ = p.Close()
	}
}

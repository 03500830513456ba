package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store/dburl"
	"github.com/pctracker/pctracker/migrations"
)

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Migrator applies the embedded migrations of the database's dialect.
type Migrator struct {
	provider *goose.Provider
}

// Migrator builds the migrator for this database. On PostgreSQL a session
// advisory lock serialises replicas that start at the same time.
func (db *DB) Migrator() (*Migrator, error) {
	dialect, folder := goose.DialectSQLite3, "sqlite"
	var opts []goose.ProviderOption
	if db.engine == dburl.Postgres {
		dialect, folder = goose.DialectPostgres, "postgres"
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "migration lock")
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	fsys, err := migrations.FS(folder)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "migrations")
	}
	p, err := goose.NewProvider(dialect, db.sql, fsys, opts...)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "migrations")
	}
	return &Migrator{provider: p}, nil
}

// Up applies every pending migration and returns how many ran.
func (m *Migrator) Up(ctx context.Context) (int, error) {
	res, err := m.provider.Up(ctx)
	if err != nil {
		return len(res), translate(fmt.Errorf("migrate up: %w", err))
	}
	return len(res), nil
}

// Down rolls back the latest migration; it returns its version, 0 if none.
func (m *Migrator) Down(ctx context.Context) (int64, error) {
	res, err := m.provider.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return 0, nil
	}
	if err != nil {
		return 0, translate(fmt.Errorf("migrate down: %w", err))
	}
	return res.Source.Version, nil
}

// DownAll rolls back every migration.
func (m *Migrator) DownAll(ctx context.Context) error {
	if _, err := m.provider.DownTo(ctx, 0); err != nil {
		return translate(fmt.Errorf("migrate down: %w", err))
	}
	return nil
}

// Status lists every migration with its state.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("migrate status: %w", err))
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Pending reports whether migrations remain to be applied: the server is not
// ready while they do.
func (m *Migrator) Pending(ctx context.Context) (bool, error) {
	current, target, err := m.provider.GetVersions(ctx)
	if err != nil {
		return false, translate(fmt.Errorf("migration versions: %w", err))
	}
	return current < target, nil
}

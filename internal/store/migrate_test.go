package store_test

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// columns lists "table.column null|not null" for every table but goose's
// own, and "index NAME" for every index created by name.
func columns(t *testing.T, db *store.DB) []string {
	t.Helper()
	var q string
	switch db.Engine() {
	case "postgres":
		q = `SELECT table_name || '.' || column_name || CASE WHEN is_nullable = 'YES' THEN ' null' ELSE ' not null' END
		     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'goose_db_version'
		     UNION ALL
		     SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'
		     AND indexname NOT IN (SELECT conname FROM pg_constraint)`
	default:
		// A primary key column is NOT NULL whatever SQLite reports.
		q = `SELECT m.name || '.' || p.name || CASE WHEN p."notnull" = 1 OR p.pk > 0 THEN ' not null' ELSE ' null' END
		     FROM sqlite_master m, pragma_table_info(m.name) p
		     WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
		     UNION ALL
		     SELECT 'index ' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`
	}
	out := testutil.Column[string](t, db.SQL(), q)
	sort.Strings(out)
	return out
}

// postgresOnly and sqliteOnly are what one engine has for a feature the
// other does differently: words are searched with a GIN index over an
// expression on PostgreSQL, and with an FTS5 table (and the tables FTS5
// keeps beside it) on SQLite.
var postgresOnly = []string{"index actions_search_idx"}

func sqliteOnly(s string) bool {
	return strings.HasPrefix(s, "actions_fts.") || strings.HasPrefix(s, "actions_fts_")
}

func TestSchemaParity(t *testing.T) {
	sqlite := testutil.NewDB(t, "sqlite")
	pg := testutil.NewDB(t, "postgres")
	a, b := columns(t, sqlite), columns(t, pg)
	a = slices.DeleteFunc(a, sqliteOnly)
	b = slices.DeleteFunc(b, func(s string) bool { return slices.Contains(postgresOnly, s) })
	if len(a) < 50 {
		t.Fatalf("only %d columns on sqlite: migrations did not run?", len(a))
	}
	if !reflect.DeepEqual(a, b) {
		only := func(x, y []string) (d []string) {
			set := map[string]bool{}
			for _, s := range y {
				set[s] = true
			}
			for _, s := range x {
				if !set[s] {
					d = append(d, s)
				}
			}
			return
		}
		t.Fatalf("schemas differ\nonly in sqlite: %v\nonly in postgres: %v", only(a, b), only(b, a))
	}
	t.Logf("both dialects have the same %d columns (with nullability) and named indexes", len(a))
}

func TestMigrationsUpDownUp(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			url := testutil.NewDatabaseURL(t, "sqlite")
			if engine == "postgres" {
				url = testutil.NewEmptyPostgresURL(t)
			}
			db, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			m, err := db.Migrator()
			if err != nil {
				t.Fatal(err)
			}
			if pending, err := m.Pending(ctx); err != nil || !pending {
				t.Fatalf("fresh database: pending=%v err=%v", pending, err)
			}
			n, err := m.Up(ctx)
			if err != nil || n < 2 {
				t.Fatalf("up: applied %d, %v", n, err)
			}
			first := columns(t, db)
			if err := m.DownAll(ctx); err != nil {
				t.Fatalf("down: %v", err)
			}
			if left := columns(t, db); len(left) != 0 {
				t.Fatalf("down left %d columns: %v", len(left), left)
			}
			if v, err := m.Down(ctx); err != nil || v != 0 {
				t.Fatalf("down on an empty database: %d, %v", v, err)
			}
			if _, err := m.Up(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
			if again := columns(t, db); !reflect.DeepEqual(first, again) {
				t.Fatal("schema differs after up, down, up")
			}
			if pending, err := m.Pending(ctx); err != nil || pending {
				t.Fatalf("after up: pending=%v err=%v", pending, err)
			}
			var n12 int
			if err := db.SQL().QueryRow("SELECT count(*) FROM recommendations").Scan(&n12); err != nil || n12 != 12 {
				t.Fatalf("recommendations after up, down, up: %d, %v", n12, err)
			}
			st, err := m.Status(ctx)
			if err != nil || len(st) < 2 || !st[0].Applied {
				t.Fatalf("status: %+v, %v", st, err)
			}
		})
	}
}

package dburl_test

import (
	"testing"

	"github.com/pctracker/pctracker/internal/store/dburl"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		raw    string
		engine dburl.Engine
		dsn    string
		fails  bool
	}{
		{raw: "", engine: dburl.SQLite, dsn: dburl.DefaultSQLitePath},
		{raw: "sqlite:/tmp/x.db", engine: dburl.SQLite, dsn: "/tmp/x.db"},
		{raw: "sqlite://./data/x.db", engine: dburl.SQLite, dsn: "./data/x.db"},
		{raw: "postgres://h/db", engine: dburl.Postgres, dsn: "postgres://h/db"},
		{raw: "postgresql://u@h:1/db?sslmode=disable", engine: dburl.Postgres, dsn: "postgresql://u@h:1/db?sslmode=disable"},
		{raw: "mysql://x", fails: true},
		{raw: "postgres://u:pw@:5432", fails: true},
		{raw: "postgres://host:5432", fails: true},
		{raw: "sqlite:", fails: true},
		{raw: "sqlite:x.db?mode=ro", fails: true},
	} {
		t.Run(c.raw, func(t *testing.T) {
			engine, dsn, err := dburl.Parse(c.raw)
			if c.fails {
				if err == nil {
					t.Fatalf("accepted as %s %q", engine, dsn)
				}
				return
			}
			if err != nil || engine != c.engine || dsn != c.dsn {
				t.Errorf("%s %q %v, want %s %q", engine, dsn, err, c.engine, c.dsn)
			}
		})
	}
}

func TestMask(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"postgres://u:hunter2@db:5432/pct", "postgres://u:***@db:5432/pct"},
		{"postgres://u@db/pct?password=hunter2&sslmode=require", "postgres://u@db/pct?password=***&sslmode=require"},
		{"postgres://u:s3cr?et@h/db", "postgres://***"},
		{"sqlite:./data/pctracker.db", "sqlite:./data/pctracker.db"},
	} {
		t.Run(c.raw, func(t *testing.T) {
			if got := dburl.Mask(c.raw); got != c.want {
				t.Errorf("%q, want %q", got, c.want)
			}
		})
	}
}

package apptest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/store"
)

// bookkeeping are the columns that record that a credential was used: every
// signed-in request may touch its caller's own, and they are no one's data.
var bookkeeping = map[string]bool{"last_used_at": true, "last_seen_at": true}

// OwnedTables finds in the schema every table that holds an
// organisation's rows, with the SQL that names a row's organisation: the
// organisation itself, rows with its stakeholder_id, rows of its people
// (user_id) and rows of its actions (action_id). A table added later is
// covered the day it exists.
func OwnedTables(t testing.TB, db *store.DB) map[string]string {
	t.Helper()
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	if db.Engine() != "postgres" {
		q = `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`
	}
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	columns := map[string]map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		if columns[table] == nil {
			columns[table] = map[string]bool{}
		}
		columns[table][column] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{"stakeholders": "t.id"}
	for table, cols := range columns {
		switch {
		case cols["stakeholder_id"]:
			owner[table] = "t.stakeholder_id"
		case cols["user_id"]:
			owner[table] = "(SELECT u.stakeholder_id FROM users u WHERE u.id = t.user_id)"
		case cols["action_id"]:
			owner[table] = "(SELECT a.stakeholder_id FROM actions a WHERE a.id = t.action_id)"
		}
	}
	for _, want := range []string{"users", "api_tokens", "sessions", "actions", "action_versions", "action_recommendations", "evidence", "review_events"} {
		if owner[want] == "" {
			t.Fatalf("the schema query found no %s table among %v", want, columns)
		}
	}
	return owner
}

// OrgRows returns every row each organisation owns, by organisation: every
// column but the bookkeeping ones, one sorted line per row.
func OrgRows(t testing.TB, db *store.DB, owned map[string]string) map[int64][]string {
	t.Helper()
	out := map[int64][]string{}
	for table, owner := range owned {
		rows, err := db.SQL().Query("SELECT " + owner + " AS owner_of_row, t.* FROM " + table + " t")
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			org, _ := vals[0].(int64) // nil: no organisation's, such as the secretariat's people
			line := table
			for i, c := range cols[1:] {
				if !bookkeeping[c] {
					line += " " + c + "=" + CellText(vals[i+1])
				}
			}
			out[org] = append(out[org], line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	for _, lines := range out {
		sort.Strings(lines)
	}
	return out
}

// CellText writes a value as the drivers return it, the same way each time.
func CellText(v any) string {
	switch v := v.(type) {
	case []byte:
		return strconv.Quote(string(v))
	case string:
		return strconv.Quote(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// Checksum sums every row an organisation owns (see OwnedTables), to prove
// that a request changed none of them.
func Checksum(t testing.TB, db *store.DB, stakeholderID int64) string {
	t.Helper()
	return SumOf(OrgRows(t, db, OwnedTables(t, db))[stakeholderID])
}

// SumOf is a SHA-256 of lines, in hex.
func SumOf(lines []string) string {
	h := sha256.New()
	for _, l := range lines {
		fmt.Fprintln(h, l)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// OpenStore opens the database of dbURL for the test's own setup and
// checks.
func OpenStore(t *testing.T, dbURL string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL, store.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// QueryInt runs a query that answers one number.
func QueryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%v: %s", err, q)
	}
	return n
}

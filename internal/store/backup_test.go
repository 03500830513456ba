package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// lifecycle takes one new action through the four commits a real one
// goes through (create, edit, submit, accept), each in its own
// transaction. Version n always has n version rows and n-2 review events.
func lifecycle(ctx context.Context, s *testutil.Services, stakeholderID, cycleID int64, n int) error {
	in := testutil.ActionInput()
	in.Title = fmt.Sprintf("Action written during a backup %d", n)
	a, err := s.Actions.Create(ctx, testutil.System, stakeholderID, cycleID, in)
	if err != nil {
		return err
	}
	if a, err = s.Actions.Update(ctx, testutil.System, a.ID, a.Version, func(in *action.Input) { in.Description = "Edited." }); err != nil {
		return err
	}
	if a, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
		return err
	}
	_, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Accepted, "")
	return err
}

// history is what a backup must keep of the actions: every action with its
// version, every version snapshot and every review event.
type history struct {
	versions map[int64]int // action id -> version
	digest   string        // of everything, in order
	snaps    map[[2]int64]string
}

func readHistory(t *testing.T, q *sql.DB) history {
	t.Helper()
	h := history{versions: map[int64]int{}, snaps: map[[2]int64]string{}}
	sum := sha256.New()
	rows, err := q.Query("SELECT id, version FROM actions ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var v int
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		h.versions[id] = v
		fmt.Fprintf(sum, "a %d %d\n", id, v)
	}
	rows.Close()
	rows, err = q.Query("SELECT action_id, version, snapshot FROM action_versions ORDER BY action_id, version")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, v int64
		var snap string
		if err := rows.Scan(&id, &v, &snap); err != nil {
			t.Fatal(err)
		}
		h.snaps[[2]int64{id, v}] = snap
		fmt.Fprintf(sum, "v %d %d %s\n", id, v, snap)
	}
	rows.Close()
	rows, err = q.Query("SELECT action_id, version, decision FROM review_events ORDER BY action_id, version")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, v int64
		var d string
		if err := rows.Scan(&id, &v, &d); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(sum, "r %d %d %s\n", id, v, d)
	}
	rows.Close()
	h.digest = hex.EncodeToString(sum.Sum(nil))
	return h
}

// checkWhole fails unless every action in q has exactly its versions 1..n
// and the review events its last version implies, and nothing refers to an
// action that is not there: no commit is half in the copy.
func checkWhole(t *testing.T, q *sql.DB) {
	t.Helper()
	for name, query := range map[string]string{
		"actions whose version rows do not match their version": `SELECT count(*) FROM actions a
			WHERE (SELECT count(*) FROM action_versions v WHERE v.action_id = a.id) != a.version
			   OR (SELECT max(version) FROM action_versions v WHERE v.action_id = a.id) != a.version`,
		"actions whose review events do not match their version": `SELECT count(*) FROM actions a
			WHERE (SELECT count(*) FROM review_events r WHERE r.action_id = a.id) != max(a.version - 2, 0)
			   OR EXISTS (SELECT 1 FROM review_events r WHERE r.action_id = a.id AND r.version > a.version)`,
		"version rows of no action":   `SELECT count(*) FROM action_versions v WHERE NOT EXISTS (SELECT 1 FROM actions a WHERE a.id = v.action_id)`,
		"review events of no action":  `SELECT count(*) FROM review_events r WHERE NOT EXISTS (SELECT 1 FROM actions a WHERE a.id = r.action_id)`,
		"evidence of no action":       `SELECT count(*) FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM actions a WHERE a.id = e.action_id)`,
		"actions without evidence":    `SELECT count(*) FROM actions a WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.action_id = a.id)`,
		"actions without their audit": `SELECT count(*) FROM actions a WHERE a.title LIKE 'Action written during a backup%' AND (SELECT count(*) FROM audit_log l WHERE l.object_type = 'action' AND l.object_id = CAST(a.id AS TEXT)) != a.version`,
	} {
		var n int
		if err := q.QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, name)
		}
	}
}

func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	q, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// A backup taken while the server writes is the database as of one
// instant: every action in it has its whole history, its actions are those
// committed by some moment during the backup, and every row it holds is the
// row the database held. Once writing stops, a backup is the database
// exactly.
func TestBackupSQLiteUnderWrites(t *testing.T) {
	ctx := context.Background()
	url := testutil.NewDatabaseURL(t, "sqlite")
	// The server's connection pool, and the backup command's own.
	server, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	m, err := server.Migrator()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Enough data that a copy takes a while, so that writes land during it.
	if _, err := server.Generate(ctx, store.GenerateOptions{Organisations: 30, Cycles: 1, ActionsPerCycle: 4000, Seed: 1,
		Now: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	s := testutil.NewServices(server)
	org := s.Stakeholder(t, stakeholder.State)
	cy := s.Cycle(t, 2026)
	backup, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backup.Close() })

	var committed, started atomic.Int64 // actions whose whole lifecycle committed; lifecycles begun
	var before int64
	if err := server.SQL().QueryRow("SELECT count(*) FROM actions").Scan(&before); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			started.Add(1)
			if err := lifecycle(ctx, s, org.ID, cy.ID, n); err != nil {
				writeErr = err
				return
			}
			committed.Add(1)
		}
	}()

	dir := t.TempDir()
	overlapped := 0
	for i := 0; i < 8; i++ {
		lo := before + committed.Load()
		path := filepath.Join(dir, fmt.Sprintf("copy%d.db", i))
		if err := backup.VacuumInto(ctx, path); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		hi := before + started.Load()
		if lo < hi {
			overlapped++
		}
		counts, err := store.InspectSQLite(ctx, path)
		if err != nil {
			t.Fatalf("backup %d cannot be read back: %v", i, err)
		}
		if counts.Actions < lo || counts.Actions > hi {
			t.Errorf("backup %d holds %d actions; between %d and %d were committed during it", i, counts.Actions, lo, hi)
		}
		copyDB := openReadOnly(t, path)
		checkWhole(t, copyDB)
		// Every row of the copy is the row the database holds: the copy
		// is a past state of the same history, not a mixture.
		got, now := readHistory(t, copyDB), readHistory(t, server.SQL())
		for id, v := range got.versions {
			if cur, ok := now.versions[id]; !ok || cur < v {
				t.Errorf("backup %d: action %d at version %d, the database has it at %d", i, id, v, cur)
			}
		}
		for k, snap := range got.snaps {
			if now.snaps[k] != snap {
				t.Errorf("backup %d: version %d of action %d differs from the database's", i, k[1], k[0])
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("the writer failed beside the backups: %v", writeErr)
	}
	if overlapped == 0 || committed.Load() == 0 {
		t.Fatalf("no backup ran while actions were written (%d written)", committed.Load())
	}
	t.Logf("%d actions written through 8 backups, %d of which overlapped writes", committed.Load(), overlapped)

	// Writing stopped: the next backup is the database, row for row.
	path := filepath.Join(dir, "final.db")
	if err := backup.VacuumInto(ctx, path); err != nil {
		t.Fatal(err)
	}
	copyDB := openReadOnly(t, path)
	checkWhole(t, copyDB)
	checkWhole(t, server.SQL())
	got, want := readHistory(t, copyDB), readHistory(t, server.SQL())
	if len(got.versions) != len(want.versions) || got.digest != want.digest {
		t.Errorf("the last backup holds %d actions (digest %s), the database %d (digest %s)",
			len(got.versions), got.digest[:12], len(want.versions), want.digest[:12])
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("reading the backup back left %s beside it", filepath.Base(path+suffix))
		}
	}
}

// VACUUM INTO never writes over a file that holds anything; a file that is
// not a database is refused on inspection; and a database in use by a
// server cannot be released for a restore.
func TestBackupSQLiteRefusals(t *testing.T) {
	ctx := context.Background()
	url := testutil.NewDatabaseURL(t, "sqlite")
	db, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, _ := db.Migrator()
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	taken := filepath.Join(dir, "taken.db")
	if err := os.WriteFile(taken, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.VacuumInto(ctx, taken); err == nil {
		t.Error("VACUUM INTO wrote over a file")
	}
	if b, _ := os.ReadFile(taken); string(b) != "precious" {
		t.Errorf("the file changed: %q", b)
	}
	if _, err := store.InspectSQLite(ctx, taken); !errs.Is(err, errs.Invalid) {
		t.Errorf("inspect a file that is not a database: %v", err)
	}
	if _, err := store.InspectSQLite(ctx, filepath.Join(dir, "missing.db")); !errs.Is(err, errs.Invalid) {
		t.Errorf("inspect a missing file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("inspecting a missing file created it")
	}

	path := url[len("sqlite:"):]
	if err := store.ReleaseSQLite(ctx, path); !errs.Is(err, errs.Conflict) {
		t.Errorf("release a database a server has open: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("the server's database after a refused release: %v", err)
	}
	db.Close()
	if err := store.ReleaseSQLite(ctx, path); err != nil {
		t.Fatalf("release a closed database: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s left after release", suffix)
		}
	}
	if c, err := store.InspectSQLite(ctx, path); err != nil || c.SchemaVersion == 0 {
		t.Errorf("the released database is not whole on its own: %+v %v", c, err)
	}
}

// The counts of an exported snapshot are what a transaction importing it
// sees, as pg_dump --snapshot does, whatever commits in between.
func TestExportSnapshot(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewDB(t, "postgres")
	s := testutil.NewServices(db)
	org, cy := s.Stakeholder(t, stakeholder.Company), s.Cycle(t, 2026)
	for i := 0; i < 3; i++ {
		if err := lifecycle(ctx, s, org.ID, cy.ID, i); err != nil {
			t.Fatal(err)
		}
	}
	err := db.ExportSnapshot(ctx, func(snapshot string, c store.BackupCounts) error {
		if c.Actions != 3 || c.ActionVersions != 12 || c.ReviewEvents != 6 || c.Organisations != 1 || c.SchemaVersion == 0 {
			t.Errorf("counts: %+v", c)
		}
		if err := lifecycle(ctx, s, org.ID, cy.ID, 9); err != nil {
			return err
		}
		conn, err := db.SQL().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck
		if _, err := tx.Exec("SET TRANSACTION SNAPSHOT '" + snapshot + "'"); err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRow("SELECT count(*) FROM actions").Scan(&n); err != nil {
			return err
		}
		if n != c.Actions {
			t.Errorf("the snapshot shows %d actions, the counts %d", n, c.Actions)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sqliteDB := testutil.NewDB(t, "sqlite")
	if err := sqliteDB.ExportSnapshot(ctx, func(string, store.BackupCounts) error { return nil }); !errs.Is(err, errs.Invalid) {
		t.Errorf("snapshot of SQLite: %v", err)
	}
}

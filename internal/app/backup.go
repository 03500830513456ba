package app

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/store/dburl"
)

// runBackup copies the configured database to a file while the server may
// keep writing: SQLite through VACUUM INTO, PostgreSQL through pg_dump.
func runBackup(e env, args []string) error {
	f := newFlags(e, "backup", "backup -o FILE [--force]\n\n"+
		"Copies the database while the server runs. SQLite: a consistent copy of the file (VACUUM INTO).\n"+
		"PostgreSQL: a pg_dump custom-format archive (pg_dump must be on PATH); restore it with pg_restore.")
	out := f.String("o", "", "write the backup to this `file`")
	force := f.Bool("force", false, "replace the file -o if it exists")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "o"); err != nil {
		return err
	}
	if *out == "" {
		return errs.Field(errs.Invalid, "o", "name the backup file")
	}
	engine, dsn, err := dburl.Parse(f.cfg.Database.URL)
	if err != nil {
		return errs.Field(errs.Invalid, "database-url", err.Error())
	}
	if err := checkTarget("o", *out, *force); err != nil {
		return err
	}
	if engine == dburl.Postgres {
		return backupPostgres(e, f.cfg, *out, *force)
	}
	return backupSQLite(e, f.cfg, dsn, *out, *force)
}

func backupSQLite(e env, cfg config.Config, path, out string, force bool) error {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		// Opening a missing file would create an empty database.
		return errs.Field(errs.Invalid, "database-url", fmt.Sprintf("no SQLite database at %s", path))
	}
	if sameDatabaseFile(path, out) {
		return errs.Field(errs.Invalid, "o", "is the database itself; write the backup to another file")
	}
	start := time.Now()
	db, err := store.Open(e.ctx, cfg.Database.URL, store.Options{Logger: newLogger(cfg.Log, e.stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stderr, "backing up sqlite:%s (%s) to %s ...\n", path, formatBytes(info.Size()), out)
	file, err := newPendingFile(out)
	if err != nil {
		return err
	}
	defer file.discard()
	if err := db.VacuumInto(e.ctx, file.tmp); err != nil {
		return err
	}
	// Only a copy that opens and counts gets the final name.
	counts, err := store.InspectSQLite(e.ctx, file.tmp)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "the copy cannot be read back: %s", errs.MessageOf(err))
	}
	size, err := file.publish(force)
	if err != nil {
		return err
	}
	printBackup(e.stdout, "sqlite:"+path, out, size, counts, time.Since(start))
	fmt.Fprintf(e.stdout, "  %-15s stop the server, then: pctracker restore -i %s --database-url sqlite:%s --force\n", "restore", out, path)
	return nil
}

func backupPostgres(e env, cfg config.Config, out string, force bool) error {
	conn, password := pgConnection(cfg.Database.URL)
	masked := dburl.Mask(cfg.Database.URL)
	pgDump := findProgram(e.getenv, "pg_dump")
	if pgDump == "" {
		return errs.E(errs.Unavailable, "pg_dump is not on PATH; install the PostgreSQL client tools (the server's major version "+
			"or newer), or run it where they are: pg_dump --format=custom --file=%s --dbname='%s' (password in PGPASSWORD)",
			shellWord(out), conn)
	}
	start := time.Now()
	db, err := store.Open(e.ctx, cfg.Database.URL, store.Options{MaxOpenConns: 2, Logger: newLogger(cfg.Log, e.stderr)})
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stderr, "backing up %s to %s with %s ...\n", masked, out, pgDump)
	file, err := newPendingFile(out)
	if err != nil {
		return err
	}
	defer file.discard()
	var counts store.BackupCounts
	err = db.ExportSnapshot(e.ctx, func(snapshot string, c store.BackupCounts) error {
		counts = c
		// The password goes through the environment, never the arguments
		// that any user of the machine can list.
		cmd := exec.CommandContext(e.ctx, pgDump, "--format=custom", "--no-password", "--snapshot="+snapshot,
			"--file="+file.tmp, "--dbname="+conn)
		cmd.Env = os.Environ()
		if password != "" {
			cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return errs.Wrap(errs.Unavailable, err, "pg_dump failed (%v): %s", err, hide(stderr.String(), password))
		}
		return nil
	})
	if err != nil {
		return err
	}
	tables := -1
	if pgRestore := findProgram(e.getenv, "pg_restore"); pgRestore != "" {
		// Listing the archive proves it is whole and readable.
		if tables, err = archiveTables(e, pgRestore, file.tmp); err != nil {
			return err
		}
	}
	size, err := file.publish(force)
	if err != nil {
		return err
	}
	printBackup(e.stdout, masked, out, size, counts, time.Since(start))
	if tables >= 0 {
		fmt.Fprintf(e.stdout, "  %-15s %d tables (pg_restore --list)\n", "archive", tables)
	}
	fmt.Fprintf(e.stdout, "  %-15s pg_restore --clean --if-exists --no-owner --dbname='%s' %s\n", "restore", masked, shellWord(out))
	return nil
}

// archiveTables lists a pg_dump archive and counts the tables whose data it holds.
func archiveTables(e env, pgRestore, path string) (int, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(e.ctx, pgRestore, "--list", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, errs.Wrap(errs.Internal, err, "the archive cannot be read back (%v): %s", err, strings.TrimSpace(stderr.String()))
	}
	n := 0
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), " TABLE DATA ") {
			n++
		}
	}
	return n, nil
}

func printBackup(w io.Writer, source, out string, size int64, c store.BackupCounts, took time.Duration) {
	fmt.Fprintf(w, "backed up %s to %s in %s\n", source, out, took.Round(time.Millisecond))
	fmt.Fprintf(w, "  %-15s %s (%d bytes)\n", "size", formatBytes(size), size)
	fmt.Fprintf(w, "  %-15s %d\n", "schema version", c.SchemaVersion)
	fmt.Fprintf(w, "  %-15s %d\n", "organisations", c.Organisations)
	fmt.Fprintf(w, "  %-15s %d, with %d versions and %d review events\n", "actions", c.Actions, c.ActionVersions, c.ReviewEvents)
}

// runRestore puts a SQLite backup in place of the configured database. It
// is for a stopped server: it refuses a database that is open.
func runRestore(e env, args []string) error {
	f := newFlags(e, "restore", "restore -i FILE [--force]\n\n"+
		"Replaces the SQLite database with a backup made by pctracker backup. Stop the server first.\n"+
		"PostgreSQL archives are restored with pg_restore (see the README).")
	in := f.String("i", "", "the backup `file` to restore")
	force := f.Bool("force", false, "replace the database if it exists")
	if err := f.parse(args); err != nil {
		return err
	}
	if err := required(f, "i"); err != nil {
		return err
	}
	if *in == "" {
		return errs.Field(errs.Invalid, "i", "name the backup file")
	}
	engine, path, err := dburl.Parse(f.cfg.Database.URL)
	if err != nil {
		return errs.Field(errs.Invalid, "database-url", err.Error())
	}
	if engine == dburl.Postgres {
		return errs.E(errs.Invalid, "restore a PostgreSQL archive with pg_restore: pg_restore --clean --if-exists --no-owner "+
			"--dbname='%s' %s, then check with pctracker migrate status", dburl.Mask(f.cfg.Database.URL), shellWord(*in))
	}
	if sameDatabaseFile(path, *in) {
		return errs.Field(errs.Invalid, "i", "is the database itself")
	}
	counts, err := store.InspectSQLite(e.ctx, *in)
	if err != nil {
		return errs.Field(errs.Invalid, "i", errs.MessageOf(err))
	}
	_, mainErr := os.Lstat(path)
	_, walErr := os.Lstat(path + "-wal")
	if (mainErr == nil || walErr == nil) && !*force {
		return errs.Field(errs.Invalid, "database-url",
			fmt.Sprintf("%s exists; stop the server, then pass --force to replace it", path))
	}
	if mainErr == nil {
		if err := store.ReleaseSQLite(e.ctx, path); err != nil {
			return err
		}
	} else {
		// A log without its database belongs to nothing and would be
		// replayed onto the restored file.
		for _, p := range []string{path + "-wal", path + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return errs.Wrap(errs.Unavailable, err, "remove %s", p)
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return errs.Wrap(errs.Unavailable, err, "create the database folder")
	}
	file, err := newPendingFile(path)
	if err != nil {
		return err
	}
	defer file.discard()
	if err := copyFile(*in, file.tmp); err != nil {
		return err
	}
	if _, err := file.publish(true); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s to sqlite:%s: schema version %d, %d organisations, %d actions (%d versions, %d review events)\n",
		*in, path, counts.SchemaVersion, counts.Organisations, counts.Actions, counts.ActionVersions, counts.ReviewEvents)
	fmt.Fprintln(e.stdout, "start the server (it applies any newer migrations), or check first with: pctracker migrate status")
	return nil
}

// checkTarget refuses an output that exists, unless force, before any work
// is done.
func checkTarget(flagName, path string, force bool) error {
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return errs.Field(errs.Invalid, flagName, fmt.Sprintf("%s is a folder; name a file", path))
	case err == nil && !force:
		return errs.Field(errs.Invalid, flagName, fmt.Sprintf("%s exists; choose another name, or pass --force to replace it", path))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return errs.Wrap(errs.Unavailable, err, "check %s", path)
	}
	if info, err := os.Stat(filepath.Dir(path)); err != nil || !info.IsDir() {
		return errs.Field(errs.Invalid, flagName, fmt.Sprintf("the folder %s does not exist", filepath.Dir(path)))
	}
	return nil
}

// pendingFile is a file written under a temporary name in the folder of its
// final name, and renamed at the end: a failed or interrupted run never
// leaves a partial file under the final name.
type pendingFile struct {
	final, tmp string
	done       bool
}

func newPendingFile(final string) (*pendingFile, error) {
	// Hidden and marked partial, so that nobody takes it for a backup.
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".partial-*")
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "create a file beside %s (%v)", final, err)
	}
	// Empty, as VACUUM INTO requires; 0600, since a backup holds password
	// hashes and sessions.
	if err := f.Close(); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "create a file beside %s", final)
	}
	return &pendingFile{final: final, tmp: f.Name()}, nil
}

// publish flushes the file to disk and gives it its final name. Without
// replace it never overwrites a file, even one created since the check.
func (p *pendingFile) publish(replace bool) (int64, error) {
	f, err := os.Open(p.tmp)
	if err != nil {
		return 0, errs.Wrap(errs.Unavailable, err, "open %s", p.tmp)
	}
	info, err := f.Stat()
	if err == nil {
		err = f.Sync()
	}
	f.Close()
	if err != nil {
		return 0, errs.Wrap(errs.Unavailable, err, "flush %s", p.tmp)
	}
	if replace {
		err = os.Rename(p.tmp, p.final)
	} else if err = os.Link(p.tmp, p.final); err == nil {
		err = os.Remove(p.tmp)
	} else if errors.Is(err, fs.ErrExist) {
		return 0, errs.Field(errs.Invalid, "o", fmt.Sprintf("%s exists; choose another name, or pass --force to replace it", p.final))
	} else if _, statErr := os.Lstat(p.final); statErr == nil {
		return 0, errs.Field(errs.Invalid, "o", fmt.Sprintf("%s exists; choose another name, or pass --force to replace it", p.final))
	} else {
		// A file system without hard links.
		err = os.Rename(p.tmp, p.final)
	}
	if err != nil {
		return 0, errs.Wrap(errs.Unavailable, err, "name the file %s (%v)", p.final, err)
	}
	p.done = true
	if d, err := os.Open(filepath.Dir(p.final)); err == nil {
		_ = d.Sync() // makes the new name itself durable
		d.Close()
	}
	return info.Size(), nil
}

// discard removes the temporary file of a run that did not finish.
func (p *pendingFile) discard() {
	if !p.done {
		_ = os.Remove(p.tmp)
	}
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "open %s", from)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "open %s", to)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return errs.Wrap(errs.Unavailable, err, "copy %s to %s (%v)", from, to, err)
	}
	if err := dst.Close(); err != nil {
		return errs.Wrap(errs.Unavailable, err, "write %s", to)
	}
	return nil
}

// sameDatabaseFile reports whether path is the database at db or one of its
// companion files, which a backup or a restore must never overwrite.
func sameDatabaseFile(db, path string) bool {
	a, errA := filepath.Abs(db)
	b, errB := filepath.Abs(path)
	if errA == nil && errB == nil && (a == b || b == a+"-wal" || b == a+"-shm") {
		return true
	}
	ia, errA := os.Stat(db)
	ib, errB := os.Stat(path)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// pgConnection splits a PostgreSQL URL into the URL without its password,
// which may be shown and passed as an argument, and the password.
func pgConnection(raw string) (conn, password string) {
	u, err := url.Parse(raw)
	if err != nil {
		return dburl.Mask(raw), ""
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			password = p
			u.User = url.User(u.User.Username())
		}
	}
	if q := u.Query(); q.Has("password") {
		password = q.Get("password")
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String(), password
}

// findProgram looks name up on the PATH the command was given.
func findProgram(getenv func(string) string, name string) string {
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// hide masks a secret wherever it appears in a program's output.
func hide(s, secret string) string {
	s = strings.Join(strings.Fields(s), " ")
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}

// shellWord quotes s for a shell command line when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Package pgcluster runs PostgreSQL clusters of a program's own, each in a
// folder on a port of its choosing, from the installed server programs: a
// primary made by initdb and streaming replicas of it made by
// pg_basebackup -R. Tests that stop and restart a database, and the bench
// that stops a primary under load, use them without disturbing the server
// everything else shares.
package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"sort"
	"strconv"
)

// ErrNoServer is returned when the server programs, or the user to run
// them as, are not on this machine.
var ErrNoServer = errors.New("no PostgreSQL server programs")

// Cluster is one running (or stopped) cluster.
type Cluster struct {
	Bin  string // the folder of the server programs
	Dir  string // holds the data folder, the socket and the server's log
	Port int
	URL  string // of the postgres database, as the postgres user
}

// FindBin returns the folder of the newest installed server programs.
func FindBin() (string, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(bins) == 0 {
		return "", fmt.Errorf("%w in /usr/lib/postgresql/*/bin (apt-get install postgresql)", ErrNoServer)
	}
	major := func(path string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(path))); return n }
	sort.Slice(bins, func(i, j int) bool { return major(bins[i]) < major(bins[j]) })
	return bins[len(bins)-1], nil
}

// New creates a cluster in dir (an empty folder) with initdb and starts
// it on port. initdb refuses to run as root, so as root the programs run
// as the postgres user, who is given the folder.
func New(bin, dir string, port int) (*Cluster, error) {
	c := &Cluster{Bin: bin, Dir: dir, Port: port}
	if err := c.own(); err != nil {
		return nil, err
	}
	if out, err := c.Run("initdb", "-D", c.Data(), "-U", "postgres", "-A", "trust", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	return c, nil
}

// Standby makes a streaming replica of c in dir (pg_basebackup -R) and
// starts it on port.
func (c *Cluster) Standby(dir string, port int) (*Cluster, error) {
	sb := &Cluster{Bin: c.Bin, Dir: dir, Port: port}
	if err := sb.own(); err != nil {
		return nil, err
	}
	if out, err := sb.Run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "postgres",
		"-D", sb.Data(), "-R", "-X", "stream", "-c", "fast", "--no-sync"); err != nil {
		return nil, fmt.Errorf("pg_basebackup: %v\n%s", err, out)
	}
	if err := sb.Start(); err != nil {
		return nil, err
	}
	return sb, nil
}

// own gives the folder to the postgres user when running as root.
func (c *Cluster) own() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := osuser.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("%w: initdb refuses root and there is no postgres user", ErrNoServer)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(c.Dir, uid, gid)
}

// Start starts the cluster (again), on its port and socket folder, with
// fsync off: its data is thrown away after.
func (c *Cluster) Start() error {
	if out, err := c.Ctl("start", "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.Port, c.Dir)); err != nil {
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, c.Log())
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
	return nil
}

// Stop stops the cluster in a pg_ctl mode: smart, fast or immediate.
func (c *Cluster) Stop(mode string) error {
	if out, err := c.Ctl("stop", "-m", mode); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Data is the cluster's data folder.
func (c *Cluster) Data() string { return filepath.Join(c.Dir, "data") }

// Log is what the server logged.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, "log"))
	return string(b)
}

// Run runs one of the server programs, as the postgres user when running
// as root.
func (c *Cluster) Run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(c.Bin, program)
	cmd := exec.Command(path, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return cmd.CombinedOutput()
}

// Ctl runs pg_ctl on the cluster, waiting for it to finish; the server's
// output goes to its log file, so that it holds no pipe of the caller's.
func (c *Cluster) Ctl(args ...string) ([]byte, error) {
	return c.Run("pg_ctl", append([]string{"-D", c.Data(), "-l", filepath.Join(c.Dir, "log"), "-w", "-t", "120"}, args...)...)
}

// Answers reports whether the server accepts connections (pg_isready).
func (c *Cluster) Answers() bool {
	return exec.Command(filepath.Join(c.Bin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "postgres").Run() == nil
}

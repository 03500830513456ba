package systemtest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Helpers for the tests that run pctracker as a real process, as an
// operator does (reliability_test.go, replicas_test.go).

// buildBinary compiles pctracker once for a test that runs it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pctracker")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/pctracker")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is one "pctracker serve" process run by a test.
type proc struct {
	// name, if set, names the process in the test's output and is the
	// application_name of its PostgreSQL connections, so that the test can
	// tell in pg_stat_activity which process a connection belongs to.
	name   string
	addr   string
	log    string
	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited
	err    error         // how it exited, once done is closed
	killed bool          // ended by kill
}

// startProc runs "pctracker serve" from bin on addr with env (PCT_*
// settings) on top of quiet defaults, its output in a log file; name may
// be empty. When the test ends the process is killed if it still runs, and
// its log is printed if the test failed. Starting again on the same addr
// is a restart.
func startProc(t *testing.T, bin, name, addr string, env ...string) *proc {
	t.Helper()
	dir := t.TempDir()
	p := &proc{name: name, addr: addr, log: filepath.Join(dir, "pctracker.log"), done: make(chan struct{})}
	if name != "" {
		env = slices.Clone(env)
		for i, kv := range env {
			if v, ok := strings.CutPrefix(kv, "PCT_DATABASE_URL="); ok {
				u, err := url.Parse(v)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				q.Set("application_name", name)
				u.RawQuery = q.Encode()
				env[i] = "PCT_DATABASE_URL=" + u.String()
			}
		}
	}
	out, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, "serve")
	// Evidence checks would reach out to the links of the test data: off,
	// unless a test turns them on against a server of its own.
	p.cmd.Env = append(os.Environ(), "PCT_HTTP_ADDR="+addr, "PCT_LOG_FORMAT=text", "PCT_REPORT_CHROMIUM=off",
		"PCT_MAIL_DIR="+filepath.Join(dir, "mail"), "PCT_EVIDENCE_ENABLED=false")
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		out.Close()
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		out.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			t.Logf("--- log of %s on %s (pid %d)\n%s", p.String(), p.addr, p.cmd.Process.Pid, b)
		}
	})
	return p
}

// String is the process's name, or "pctracker" if it has none.
func (p *proc) String() string {
	if p.name == "" {
		return "pctracker"
	}
	return p.name
}

func (p *proc) url(path string) string { return "http://" + p.addr + path }

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitReady waits until /readyz answers 200 (the process serves and its
// database answers), and fails the test if the process exits first or
// takes longer than timeout.
func (p *proc) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	p.waitOK(t, "/readyz", timeout)
}

// waitOK waits until path answers 200, and fails the test if the process
// exits first or takes longer than timeout.
func (p *proc) waitOK(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	waitFor(t, timeout, fmt.Sprintf("%s on %s to answer 200 at %s", p, p.addr, path), func() bool {
		if p.exited() {
			t.Fatalf("%s exited before it answered 200 at %s: %v", p, path, p.err)
		}
		res, err := client.Get(p.url(path))
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}

// stop sends sig and waits for the process to exit; it fails the test if
// it has not exited within timeout, and returns how it exited.
func (p *proc) stop(t *testing.T, sig syscall.Signal, timeout time.Duration) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil && !p.exited() {
		t.Fatal(err)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		t.Fatalf("%s still running %s after %s", p, timeout, sig)
		return nil
	}
}

// kill ends p with SIGKILL and waits for it: no shutdown, no transaction
// committed or rolled back by p, no lock given up but by PostgreSQL seeing
// p's connections close.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	p.killed = true
	_ = p.stop(t, syscall.SIGKILL, time.Minute)
}

// waitFor polls cond until it holds, failing the test after timeout.
// The timeouts are generous: the machine may be busy with other tests.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

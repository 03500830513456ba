package main

// The processes the bench runs: pctracker commands run to their end, and
// servers kept in the background until it stops them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// toolRun is what a finished pctracker command came to.
type toolRun struct {
	stdout   string
	took     time.Duration
	maxRSSKB int64 // peak resident memory of the process (VmHWM), in KiB
}

// hwmEvery is how often tool reads a child's peak memory: growth in the
// last such interval before it exits goes unseen.
const hwmEvery = 20 * time.Millisecond

// tool runs a pctracker command to its end. Its stderr is summed up: the
// latest line every 10 s while it runs, the last lines when it fails.
func (b *bench) tool(ctx context.Context, label string, env []string, args ...string) (toolRun, error) {
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = env
	cmd.Dir = b.work
	cmd.SysProcAttr = childAttrs()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var stdout bytes.Buffer
	tail := &tailWriter{}
	cmd.Stdout, cmd.Stderr = &stdout, tail

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		shown := ""
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if l := tail.latest(); l != "" && l != shown {
					b.say("  %s: %s", label, l)
					shown = l
				}
			}
		}
	}()
	start := time.Now()
	err := cmd.Start()
	var peakKB int64
	if err == nil {
		// The child's own high-water mark, read while it runs: its
		// ru_maxrss would not do, since Linux counts in it the memory of
		// the bench that forked it.
		w := watchMemory(cmd.Process.Pid, hwmEvery, readVmHWM)
		err = cmd.Wait()
		peakKB = w.peak()
	}
	took := time.Since(start)
	close(stop)
	wg.Wait()
	run := toolRun{stdout: stdout.String(), took: took, maxRSSKB: peakKB}
	if err != nil {
		if ctx.Err() != nil {
			return run, errors.New("interrupted")
		}
		msg := strings.Join(tail.lastLines(4), " | ")
		if msg == "" {
			msg = firstLine(run.stdout)
		}
		return run, fmt.Errorf("pctracker %s: %v: %s", strings.Join(args[:min(2, len(args))], " "), err, msg)
	}
	return run, nil
}

// tailWriter keeps what a child last printed. A progress bar redraws its
// line after \r, so \r ends a line as \n does; only lines ended by \n are
// kept for error messages.
type tailWriter struct {
	mu    sync.Mutex
	cur   []byte
	last  string
	lines []string
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range p {
		if c != '\r' && c != '\n' {
			if len(w.cur) < 4096 {
				w.cur = append(w.cur, c)
			}
			continue
		}
		if line := strings.TrimSpace(string(w.cur)); line != "" {
			w.last = line
			if c == '\n' {
				w.lines = append(w.lines, line)
				if len(w.lines) > 20 {
					w.lines = w.lines[1:]
				}
			}
		}
		w.cur = w.cur[:0]
	}
	return len(p), nil
}

func (w *tailWriter) latest() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

func (w *tailWriter) lastLines(n int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.lines[max(0, len(w.lines)-n):])
	if line := strings.TrimSpace(string(w.cur)); line != "" {
		out = append(out, line)
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// childAttrs puts a long-lived child in a process group of its own, so
// that a Ctrl-C reaches only the bench, which then stops its children in
// order; and asks the kernel to stop the child should the bench die
// without cleaning up.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// child is a server the bench runs in the background.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // from Wait, once done is closed
}

func startChild(name string, cmd *exec.Cmd) (*child, error) {
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *child) describeExit() string {
	if c.err == nil {
		return "exit status 0"
	}
	return c.err.Error()
}

// stop asks the child to end (SIGTERM: pctracker drains its requests,
// nginx's master stops its workers) and kills its whole process group if
// it has not within grace.
func (c *child) stop(grace time.Duration) {
	if c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
		<-c.done
	}
}

// freePort asks the kernel for a port of 127.0.0.1 nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls base/readyz until it answers 200 and returns the time
// since started. It fails when c exits first.
func waitReady(ctx context.Context, base string, c *child, started time.Time, limit time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	deadline := started.Add(limit)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(started), nil
			}
		}
		if c != nil && c.exited() {
			return 0, fmt.Errorf("%s exited before it was ready: %s", c.name, c.describeExit())
		}
		if time.Now().After(deadline) {
			why := "no answer"
			if err == nil {
				why = "HTTP " + strconv.Itoa(resp.StatusCode)
			}
			return 0, fmt.Errorf("%s/readyz did not answer 200 within %s (%s)", base, limit, why)
		}
		if err := sleep(ctx, readyPoll); err != nil {
			return 0, errors.New("interrupted")
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lastLines is the last n non-empty lines of s, joined.
func lastLines(s string, n int) string {
	var lines []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

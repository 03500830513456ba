package main

// P5: the server's start time and its memory, idle and under load.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// startServer starts pctracker serve on the main database and records P5:
// how long until /readyz first answers 200, and the memory it then holds
// idle.
func (b *bench) startServer(ctx context.Context) error {
	b.say("== P5 start")
	srv, base, took, err := b.serve(ctx, "pctracker serve", "server.log", b.env(b.mainURL))
	if err != nil {
		return err
	}
	b.server, b.base = srv, base
	addr := strings.TrimPrefix(base, "http://")
	b.card.measured("p5-start", float64(took)/float64(time.Millisecond), fmt.Sprintf("pid %d on %s, /readyz polled every %s", b.server.pid(), addr, readyPoll))
	b.say("pctracker serve (pid %d) ready on %s after %s", b.server.pid(), addr, took.Round(time.Millisecond))

	if err := sleep(ctx, 2*time.Second); err != nil {
		return errors.New("interrupted")
	}
	kb, err := readVmRSS(b.server.pid())
	if err != nil {
		b.card.notMeasured(err.Error(), "p5-idle-rss")
	} else {
		b.card.measured("p5-idle-rss", kbToMB(kb), "VmRSS of /proc/PID/status")
	}
	return nil
}

// serve starts a pctracker serve (named label) on a free port, with env
// and its output in the work folder's logName, and waits until /readyz
// answers 200: it returns the child, its base URL and how long it took to
// be ready. A child that is not ready within a minute is stopped.
func (b *bench) serve(ctx context.Context, label, logName string, env []string) (*child, string, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", 0, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	base := "http://" + addr
	logFile, err := os.Create(filepath.Join(b.work, logName))
	if err != nil {
		return nil, "", 0, err
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(b.bin, "serve", "--addr", addr)
	cmd.Env = append(env, "PCT_BASE_URL="+base)
	cmd.Dir = b.work
	cmd.Stdout, cmd.Stderr = logFile, logFile
	started := time.Now()
	srv, err := startChild(label, cmd)
	if err != nil {
		return nil, "", 0, err
	}
	took, err := waitReady(ctx, base, srv, started, 60*time.Second)
	if err != nil {
		srv.stop(10 * time.Second)
		return nil, "", 0, err
	}
	return srv, base, took, nil
}

// parseVmRSS reads the resident set size, in KiB, from the text of
// /proc/PID/status.
func parseVmRSS(status []byte) (int64, error) { return parseStatusKB(status, "VmRSS") }

// parseStatusKB reads a field in kB (VmRSS, VmHWM) from the text of
// /proc/PID/status.
func parseStatusKB(status []byte, field string) (int64, error) {
	for line := range strings.Lines(string(status)) {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected %s line %q", field, strings.TrimSpace(line))
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	return 0, fmt.Errorf("no %s line (has the process exited?)", field)
}

// readVmHWM reads the peak resident set size of process pid since its
// program started (the high-water mark of its memory).
func readVmHWM(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusKB(data, "VmHWM")
}

func readVmRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(data)
}

// kbToMB turns KiB, as the kernel counts, into MB of 10^6 bytes, as the
// targets are written.
func kbToMB(kb int64) float64 { return float64(kb) * 1024 / 1e6 }

// rssWatch samples a process's memory (VmRSS, or VmHWM) at a fixed
// interval and keeps the highest.
type rssWatch struct {
	stop    chan struct{}
	done    chan struct{}
	peakKB  int64
	samples int
	err     error
}

func watchRSS(pid int, every time.Duration) *rssWatch { return watchMemory(pid, every, readVmRSS) }

// watchMemory samples what read reads of process pid every interval.
func watchMemory(pid int, every time.Duration, read func(pid int) (int64, error)) *rssWatch {
	w := &rssWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if kb, err := read(pid); err != nil {
				w.err = err
			} else {
				w.peakKB = max(w.peakKB, kb)
				w.samples++
			}
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// peak stops the sampling and returns the highest sample (0 for none).
func (w *rssWatch) peak() int64 {
	close(w.stop)
	<-w.done
	return w.peakKB
}

// finish stops the sampling and records its peak as figure id.
func (w *rssWatch) finish(card *scorecard, id string) {
	w.peak()
	if w.samples == 0 {
		card.notMeasured(fmt.Sprintf("no sample of VmRSS: %v", w.err), id)
		return
	}
	card.measured(id, kbToMB(w.peakKB), fmt.Sprintf("peak of %d VmRSS samples, one every %s", w.samples, rssEvery))
}

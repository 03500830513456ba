package main

// wrk, the load generator the web's servers are measured with, run beside
// the project's driver: its figures say what the server does when the
// client is not the limit.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkMarker starts the line the done hook of wrkScript prints.
const wrkMarker = "WRK_JSON "

// wrkScript makes wrk print its summary as one line of JSON at the end,
// exact where the text report rounds (2.31k requests/s).
const wrkScript = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('` + wrkMarker + `{"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`

// wrkPacedScript is wrkScript with each of wrk's threads sending a
// request every periodMS milliseconds, on a schedule: a connection that
// gets its answer waits until the thread's next request is due, or sends
// at once when the thread is behind. threads*1000/periodMS requests a
// second then go out whatever the latency, a constant load rather than a
// ceiling; a fixed pause after each answer would lower the rate by the
// latency itself. The clock is the monotonic one, read through LuaJIT's
// FFI (wrk runs on LuaJIT), since Lua's own clocks count seconds or CPU
// time.
func wrkPacedScript(periodMS float64) string {
	return fmt.Sprintf(`local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } pct_timespec;
int clock_gettime(int clock, pct_timespec *ts);
]]
local ts = ffi.new("pct_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local period, due = %.4f, nil
delay = function()
  local t = now_ms()
  due = math.max(due or t, t - period) + period
  return math.max(0, due - t)
end
`, periodMS) + wrkScript
}

// wrkResult is one wrk run's summary.
type wrkResult struct {
	Requests   int64   `json:"requests"`
	DurationUS int64   `json:"duration_us"`
	Bytes      int64   `json:"bytes"`
	Connect    int64   `json:"connect"`
	Read       int64   `json:"read"`
	Write      int64   `json:"write"`
	Status     int64   `json:"status"` // answers other than 2xx and 3xx
	Timeout    int64   `json:"timeout"`
	P50US      float64 `json:"p50_us"`
	P99US      float64 `json:"p99_us"`
	MaxUS      float64 `json:"max_us"`
}

// rate is requests per second over the run.
func (r wrkResult) rate() float64 {
	if r.DurationUS <= 0 {
		return 0
	}
	return float64(r.Requests) / (float64(r.DurationUS) / 1e6)
}

// errors counts the requests that failed, whatever the reason.
func (r wrkResult) errors() int64 { return r.Connect + r.Read + r.Write + r.Status + r.Timeout }

// bytesPerAnswer is the mean size of an answer, headers included: it
// tells a compressed answer from a plain one.
func (r wrkResult) bytesPerAnswer() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Bytes) / float64(r.Requests)
}

// parseWrk reads wrk's output: the done hook's JSON line when there is
// one, else the text report of wrk --latency.
func parseWrk(out string) (wrkResult, error) {
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), wrkMarker); ok {
			var r wrkResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return wrkResult{}, fmt.Errorf("wrk's summary %q: %v", rest, err)
			}
			return r, nil
		}
	}
	return parseWrkText(out)
}

var (
	wrkTotalRe   = regexp.MustCompile(`(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read`)
	wrkLatencyRe = regexp.MustCompile(`(?m)^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$`)
	wrkSocketRe  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkStatusRe  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkMaxRe     = regexp.MustCompile(`(?m)^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)\s`)
)

var wrkTimeUnits = map[string]float64{"us": 1, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}
var wrkSizeUnits = map[string]float64{"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}

// parseWrkText reads the text report wrk --latency prints.
func parseWrkText(out string) (wrkResult, error) {
	m := wrkTotalRe.FindStringSubmatch(out)
	if m == nil {
		return wrkResult{}, fmt.Errorf("wrk printed no total: %q", lastLines(out, 3))
	}
	var r wrkResult
	r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
	d, _ := strconv.ParseFloat(m[2], 64)
	r.DurationUS = int64(d * wrkTimeUnits[m[3]])
	size, _ := strconv.ParseFloat(m[4], 64)
	r.Bytes = int64(size * wrkSizeUnits[m[5]])
	for _, l := range wrkLatencyRe.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(l[2], 64)
		if l[1] == "50" {
			r.P50US = v * wrkTimeUnits[l[3]]
		} else {
			r.P99US = v * wrkTimeUnits[l[3]]
		}
	}
	if l := wrkMaxRe.FindStringSubmatch(out); l != nil {
		v, _ := strconv.ParseFloat(l[1], 64)
		r.MaxUS = v * wrkTimeUnits[l[2]]
	}
	if s := wrkSocketRe.FindStringSubmatch(out); s != nil {
		r.Connect, _ = strconv.ParseInt(s[1], 10, 64)
		r.Read, _ = strconv.ParseInt(s[2], 10, 64)
		r.Write, _ = strconv.ParseInt(s[3], 10, 64)
		r.Timeout, _ = strconv.ParseInt(s[4], 10, 64)
	}
	if s := wrkStatusRe.FindStringSubmatch(out); s != nil {
		r.Status, _ = strconv.ParseInt(s[1], 10, 64)
	}
	return r, nil
}

// wrkRun is one run of wrk: url for d with conns connections over
// threads threads, with extra headers ("Name: value").
type wrkRun struct {
	url      string
	conns    int
	threads  int
	d        time.Duration
	headers  []string
	label    string
	scriptAt string
}

// runWrk runs wrk at bin and reads its summary.
func runWrk(ctx context.Context, bin string, w wrkRun) (wrkResult, error) {
	if w.scriptAt == "" {
		return wrkResult{}, errors.New("wrk: no script")
	}
	args := []string{"-t", strconv.Itoa(w.threads), "-c", strconv.Itoa(w.conns), "-d", fmt.Sprintf("%ds", int(w.d.Seconds())),
		"--latency", "--timeout", "10s", "-s", w.scriptAt}
	for _, h := range w.headers {
		args = append(args, "-H", h)
	}
	args = append(args, w.url)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v: %s", w.label, err, lastLines(out.String(), 3))
	}
	return parseWrk(out.String())
}

// writeWrkScript puts wrkScript in dir and returns its path.
func writeWrkScript(dir string) (string, error) {
	return writeScript(dir, "summary.lua", wrkScript)
}

// writeScript puts a wrk script in dir under name and returns its path.
func writeScript(dir, name, script string) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return p, os.WriteFile(p, []byte(script), 0o644)
}

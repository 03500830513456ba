package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGoal(t *testing.T) {
	for _, tc := range []struct {
		g    goal
		v    float64
		met  bool
		text string
	}{
		{goal{"<", 1000, "ms"}, 999.9, true, "< 1000 ms"},
		{goal{"<", 1000, "ms"}, 1000, false, "< 1000 ms"},
		{goal{"<=", 2, "ratio"}, 2, true, "≤ 2"},
		{goal{">=", 0.5, "ratio"}, 0.49, false, "≥ 0.5"},
		{goal{">=", 0.5, "ratio"}, 0.5, true, "≥ 0.5"},
		{goal{">", 0, "%"}, 0, false, "> 0 %"},
		{goal{"=", 0, ""}, 0, true, "= 0"},
		{goal{"=", 0, ""}, 3, false, "= 0"},
		{goal{"<", 150, "MB"}, math.NaN(), false, "< 150 MB"},
		{goal{unit: "s"}, 12, false, "-"},
	} {
		if got := tc.g.met(tc.v); got != tc.met {
			t.Errorf("%v met(%v) = %v, want %v", tc.g, tc.v, got, tc.met)
		}
		if got := tc.g.String(); got != tc.text {
			t.Errorf("%#v prints %q, want %q", tc.g, got, tc.text)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{3.14159, "ms", "3.14 ms"},
		{123.456, "ms", "123.5 ms"},
		{44.06, "MB", "44.1 MB"},
		{0.0512, "ratio", "0.05"},
		{4869, "", "4869"},
		{6.2449, "s", "6.24 s"},
		{99.72, "%", "99.7 %"},
		{math.Inf(1), "ratio", "n/a"},
	} {
		if got := formatValue(tc.v, tc.unit); got != tc.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

func TestScorecardVerdicts(t *testing.T) {
	c := newScorecard(benchSpecs(10000))
	c.measured("p5-start", 312, "polled")
	c.measured("p5-idle-rss", 61.2, "")
	c.measured("setup-generate", 40, "100000 actions")
	c.judged("p6-429-share", 99.5, false, "3 answered 500")
	c.notMeasured("nginx not found at /x: install nginx-light", "p1-ratio-html", "p1-ratio-json")
	c.notMeasured("ignored: already measured", "p5-start")
	figs := c.figures("the bench stopped before: interrupted")
	if len(figs) != len(benchSpecs(10000)) {
		t.Fatalf("%d figures, want one per spec", len(figs))
	}
	by := map[string]figure{}
	for _, f := range figs {
		by[f.ID] = f
	}
	for id, want := range map[string]string{
		"p5-start":       verdictPass,
		"p5-idle-rss":    verdictFail,
		"setup-generate": verdictInfo,
		"p6-429-share":   verdictFail,
		"p1-ratio-html":  verdictNotMeasured,
		"p3-p95":         verdictNotMeasured,
	} {
		if got := by[id].Verdict; got != want {
			t.Errorf("%s: verdict %q, want %q", id, got, want)
		}
	}
	if f := by["p5-start"]; f.Measured != "312.0 ms" || f.Target != "< 1000 ms" || f.Value == nil || *f.Value != 312 || f.Note != "polled" {
		t.Errorf("p5-start: %+v", f)
	}
	if f := by["p6-429-share"]; f.Target != "> 0 %, no 5xx" || f.Measured != "99.5 %" {
		t.Errorf("p6-429-share: %+v", f)
	}
	if f := by["p1-ratio-json"]; f.Value != nil || f.Measured != "-" || !strings.Contains(f.Note, "install nginx-light") {
		t.Errorf("p1-ratio-json: %+v", f)
	}
	if f := by["p4-ratio"]; !strings.Contains(f.Note, "interrupted") {
		t.Errorf("an unreached figure does not say why: %+v", f)
	}
	data, err := json.Marshal(by["p1-ratio-html"])
	if err != nil || !strings.Contains(string(data), `"value":null`) || !strings.Contains(string(data), `"verdict":"NOT MEASURED"`) {
		t.Errorf("JSON of a figure not measured: %s %v", data, err)
	}
}

func TestWriteBenchTable(t *testing.T) {
	c := newScorecard(benchSpecs(10000))
	c.measured("p1-p99", 4.2, "120000 requests")
	c.measured("p4-time", 6.24, "")
	c.notMeasured("nginx not found at /usr/sbin/nginx: install nginx-light", "p1-ratio-html")
	rep := benchReport{StartedAt: time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC), TookS: 421, CPUs: 2, ActionsPerCycle: 10000,
		DurationS: 60, Figures: c.figures("the bench did not reach it"), Notes: []string{"MB are 10^6 bytes"}}
	var out bytes.Buffer
	writeBenchTable(&out, rep)
	text := out.String()
	for _, want := range []string{
		"10000 actions per cycle, constant loads of 1m0s, 2 CPUs, took 7m1s",
		"figure", "measured", "target", "verdict",
		"P1 p99 at 2000 req/s (dashboard + JSON)", "4.20 ms", "< 10 ms", "PASS",
		"    120000 requests",
		"6.24 s", "< 5 s", "FAIL",
		"NOT MEASURED\n    nginx not found at /usr/sbin/nginx: install nginx-light",
		"1 PASS, 1 FAIL, 35 NOT MEASURED, 0 INFO",
		"  - MB are 10^6 bytes",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	// Every row starts its columns at the same place.
	var at []int
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, "P1 ") || strings.HasPrefix(line, "P4 ") || strings.HasPrefix(line, "figure ") {
			at = append(at, len([]rune(strings.TrimRight(line, "\n"))))
		}
	}
	for _, n := range at[1:] {
		if n > at[0]+len(verdictNotMeasured) {
			t.Errorf("rows of uneven width %v:\n%s", at, text)
			break
		}
	}
	rep.Stopped = "interrupted"
	out.Reset()
	writeBenchTable(&out, rep)
	if !strings.Contains(out.String(), "The bench stopped early: interrupted") {
		t.Errorf("an interrupted bench does not say so:\n%s", out.String())
	}
}

func TestNginxConfig(t *testing.T) {
	dir := t.TempDir()
	site := nginxSite{dir: dir, root: filepath.Join(dir, "www"), port: 18123, htmlType: "text/html; charset=UTF-8", jsonType: "application/json"}
	conf := nginxConfig(site)
	for _, want := range []string{
		"daemon off;", "worker_processes 2;", "pid " + filepath.Join(dir, "nginx.pid") + ";",
		"error_log " + filepath.Join(dir, "error.log") + " warn;", "access_log off;", "keepalive_requests 100000;",
		"listen 127.0.0.1:18123;", "root " + site.root + ";",
		"location = / {", `default_type "text/html; charset=UTF-8";`, "try_files /dashboard.html =404;",
		"location = /api/v1/dashboard {", `default_type "application/json";`, "try_files /dashboard.json =404;",
		"location = /readyz {", "return 200",
		"client_body_temp_path " + filepath.Join(dir, "tmp-client_body") + ";",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("the configuration lacks %q:\n%s", want, conf)
		}
	}
	site.root0 = true
	if strings.Contains(nginxConfig(site), "_temp_path") {
		t.Error("as root, nginx's own temporary folders serve")
	}

	// nginx itself accepts it, where it is installed.
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/nginx"); err != nil {
			t.Log("nginx is not installed: the configuration is not checked by nginx -t")
			return
		}
		nginx = "/usr/sbin/nginx"
	}
	site.root0 = os.Geteuid() == 0
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(nginxConfig(site)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginx, "-t", "-p", dir, "-c", path).CombinedOutput(); err != nil {
		t.Errorf("nginx -t refuses the configuration: %v\n%s", err, out)
	}
}

func TestUsableContentType(t *testing.T) {
	for in, want := range map[string]string{
		"text/html; charset=UTF-8": "text/html; charset=UTF-8",
		"application/json":         "application/json",
		"":                         "fallback",
		`text/html"; evil`:         "fallback",
		"text/html\n}":             "fallback",
		"text/$uri":                "fallback",
	} {
		if got := usableContentType(in, "fallback"); got != want {
			t.Errorf("usableContentType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tpctracker\nVmPeak:\t 1234560 kB\nVmHWM:\t   90000 kB\nVmRSS:\t   45123 kB\nRssAnon:\t   30000 kB\n"
	if kb, err := parseVmRSS([]byte(status)); err != nil || kb != 45123 {
		t.Errorf("parseVmRSS = %d, %v; want 45123", kb, err)
	}
	for _, bad := range []string{"Name:\tzombie\nState:\tZ (zombie)\n", "VmRSS:\t 12 MB\n", "VmRSS:\tlots kB\n"} {
		if kb, err := parseVmRSS([]byte(bad)); err == nil {
			t.Errorf("parseVmRSS(%q) = %d, want an error", bad, kb)
		}
	}
	if kbToMB(48829) < 49.99 || kbToMB(48829) > 50.01 {
		t.Errorf("48829 KiB is %v MB, want 50", kbToMB(48829))
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		return
	}
	if kb, err := readVmRSS(os.Getpid()); err != nil || kb <= 0 {
		t.Errorf("readVmRSS(self) = %d, %v", kb, err)
	}
}

func TestDatabaseURL(t *testing.T) {
	got, err := databaseURL("postgres://postgres@127.0.0.1:5432/test?sslmode=disable", benchDB)
	if err != nil || got != "postgres://postgres@127.0.0.1:5432/pctracker_bench?sslmode=disable" {
		t.Errorf("databaseURL = %q, %v", got, err)
	}
	for _, bad := range []string{"sqlite:./data/pctracker.db", "127.0.0.1:5432", "postgres:///x", "postgres://h/" + benchDB} {
		if got, err := databaseURL(bad, benchDB); err == nil {
			t.Errorf("databaseURL(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseBenchOptions(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	o, _, err := parseBenchOptions(nil, env(nil))
	if err != nil || o.adminURL != defaultAdminURL || o.pctracker != "bin/pctracker" || o.actionsPerCycle != 10000 ||
		o.duration != time.Minute || o.nginx != "/usr/sbin/nginx" || o.keep {
		t.Errorf("defaults %+v, %v", o, err)
	}
	pg := "postgres://postgres@127.0.0.1:55432/test?sslmode=disable"
	if o, _, _ := parseBenchOptions(nil, env(map[string]string{"PCT_TEST_DATABASE_URL": pg})); o.adminURL != pg {
		t.Errorf("the admin URL %q does not come from PCT_TEST_DATABASE_URL", o.adminURL)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--duration", "500ms"}, "--duration must be at least 1s"},
		{[]string{"--actions-per-cycle", "5"}, "--actions-per-cycle must be between"},
		{[]string{"--database-url", "sqlite:x.db"}, "give a PostgreSQL URL"},
		{[]string{"now"}, `unexpected argument "now"`},
	} {
		if _, _, err := parseBenchOptions(tc.args, env(nil)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestRunBenchFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"bench", "-h"}, &stdout, &stderr); code != exitOK {
		t.Errorf("bench -h: exit %d", code)
	}
	for _, want := range []string{"pctracker_bench", "-actions-per-cycle", "-nginx", "NOT MEASURED"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("bench usage lacks %q", want)
		}
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"bench", "--duration", "0s"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("bench --duration 0s: exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), "pctracker-load bench -h") {
		t.Errorf("stderr %q does not point to help", stderr.String())
	}
}

func TestTailWriter(t *testing.T) {
	w := &tailWriter{}
	w.Write([]byte("\r[##   ]  40% 4/10 actions\r[#####]"))
	w.Write([]byte(" 100% 10/10 actions\n"))
	if got := w.latest(); got != "[#####] 100% 10/10 actions" {
		t.Errorf("latest %q", got)
	}
	w.Write([]byte("error: the database is not empty\nhalf a line"))
	if got := w.lastLines(2); len(got) != 3 || got[1] != "error: the database is not empty" || got[2] != "half a line" {
		t.Errorf("lastLines %q", got)
	}
}

func TestLogSummary(t *testing.T) {
	log := `time=2026-11-22T20:39:19.963Z level=WARN msg=request request_id=c2 method=POST path=/signin status=503 latency=10.0s ip=127.0.0.1 error="request cancelled or timed out (context canceled)"
time=2026-11-22T20:39:20.460Z level=WARN msg=request request_id=15 method=POST path=/signin status=503 latency=9.9s ip=127.0.0.1 error="request cancelled or timed out (context canceled)"
time=2026-11-22T20:39:21.000Z level=ERROR msg="mail failed" error=refused

`
	n, kinds := logSummary(log, 1)
	if n != 3 || len(kinds) != 2 {
		t.Fatalf("logSummary = %d, %q", n, kinds)
	}
	if want := `2 x level=WARN msg=request method=POST path=/signin status=503 error="request cancelled or timed out (context canceled)"`; kinds[0] != want {
		t.Errorf("top kind %q, want %q", kinds[0], want)
	}
	if kinds[1] != "and 1 more kinds" {
		t.Errorf("rest %q", kinds[1])
	}
}

// Two runs summed: the rate is over their whole time (not the mean of two
// rates of unequal runs), errors add up, the worst latency stays.
func TestSumRuns(t *testing.T) {
	a := summary{Requests: 1000, DurationS: 10, Rate: 100, Errors: 1, P99: 5, Max: 9}
	b := summary{Requests: 3000, DurationS: 20, Rate: 150, Errors: 2, P99: 3, Max: 12}
	got := sumRuns(sumRuns(summary{}, a), b)
	want := summary{Requests: 4000, DurationS: 30, Rate: 4000.0 / 30, Errors: 3, P99: 5, Max: 12}
	if got.Requests != want.Requests || got.DurationS != want.DurationS || got.Rate != want.Rate ||
		got.Errors != want.Errors || got.P99 != want.P99 || got.Max != want.Max {
		t.Errorf("sumRuns = %+v, want %+v", got, want)
	}
}

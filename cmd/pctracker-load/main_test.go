package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunRefusesBadFlags(t *testing.T) {
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("pct_x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "0"}, "--rate must be more than 0"},
		{[]string{"--duration", "0s"}, "--duration must be more than 0"},
		{[]string{"--warmup", "-1s"}, "--warmup must not be negative"},
		{[]string{"--url", "127.0.0.1:8080"}, "give the base address"},
		{[]string{"--url", "http://127.0.0.1:8080/dashboard"}, "give the base address"},
		{[]string{"--scenario", "home"}, `unknown scenario "home"`},
		{[]string{"--scenario", "submit"}, "needs --tokens"},
		{[]string{"--tokens", tokens}, "only used by the submit scenario"},
		{[]string{"--ceiling", "--rate", "10"}, "--rate is for the open model"},
		{[]string{"--ceiling", "--concurrency", "0"}, "--concurrency must be at least 1"},
		{[]string{"--concurrency", "8"}, "--concurrency is for --ceiling"},
		{[]string{"--max-inflight", "0"}, "--max-inflight must be at least 1"},
		{[]string{"--cycle", "26"}, "--cycle must be a year"},
		{[]string{"--rate", "fast"}, "invalid value"},
		{[]string{"--nope"}, "flag provided but not defined"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--scenario", "submit", "--tokens", filepath.Join(t.TempDir(), "missing")}, "--tokens"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, &stdout, &stderr); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.want)
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-h"}, &stdout, &stderr); code != exitOK {
		t.Errorf("exit %d, want 0", code)
	}
	for _, want := range []string{"Example:", "--scenario", "-max-inflight", "submit/create"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestRunFailsFastWhenNotReady(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	unready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":"unavailable","reason":"database down"}`)
	}))
	defer unready.Close()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"nothing listening", downURL, "is pctracker running there?"},
		{"not ready", unready.URL, "HTTP 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{"--url", tc.url, "--duration", "100ms"}, &stdout, &stderr); code != exitFail {
				t.Errorf("exit %d, want %d", code, exitFail)
			}
			if !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "is not ready") {
				t.Errorf("stderr %q does not say %q", stderr.String(), tc.want)
			}
		})
	}
}

func TestRunWritesResults(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"status":"ready"}`) })
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Language") != "en" {
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	mux.HandleFunc("GET /api/v1/dashboard", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"internal error"}}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"--url", srv.URL + "/", "--rate", "100", "--duration", "300ms",
		"--scenario", "dashboard=1,dashboard-json=1", "--json", path}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d, want 0 even with errors; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "dashboard-json") || !strings.Contains(stdout.String(), `"HTTP 500: internal error"`) {
		t.Errorf("the table lacks the scenarios or their errors:\n%s", stdout.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Mode != modeOpen || rep.TargetRate != 100 || rep.DurationS != 0.3 || len(rep.Results) != 2 || rep.Total.Requests != 30 {
		t.Fatalf("report %+v; want open, 100/s, 0.3s, 2 results, 30 requests", rep)
	}
	byName := map[string]summary{}
	for _, s := range rep.Results {
		byName[s.Scenario] = s
	}
	if s := byName["dashboard"]; s.Errors != 0 || s.Statuses["200"] != s.Requests {
		t.Errorf("dashboard: %+v, want only 200s", s)
	}
	if s := byName["dashboard-json"]; s.Errors != s.Requests || s.Statuses["500"] != s.Requests || s.Requests == 0 {
		t.Errorf("dashboard-json: %+v, want every request a 500 error", s)
	}
}

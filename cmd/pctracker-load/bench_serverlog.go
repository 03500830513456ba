package main

// What the server logged during the bench, summed up by kind.

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// summarizeServerLog reports what the server logged (warnings and errors
// only, at log level warn), by kind.
func (b *bench) summarizeServerLog() {
	data, err := os.ReadFile(filepath.Join(b.work, "server.log"))
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return
	}
	n, kinds := logSummary(string(data), 3)
	b.say("the server logged %d lines at level warn or above: %s", n, strings.Join(kinds, "; "))
	b.note("the server logged %d lines at level warn or above: %s", n, strings.Join(kinds, "; "))
}

// logField is a field of a log line that tells its kind; times, latencies
// and request ids are left out so that like lines group together.
var logField = regexp.MustCompile(`(?:^|\s)(level|msg|method|path|status|error)=("(?:[^"\\]|\\.)*"|\S+)`)

// logSummary counts the lines of a text log and names its top most
// frequent kinds, as "N x level=... msg=...".
func logSummary(log string, top int) (int, []string) {
	count := map[string]int{}
	total := 0
	for line := range strings.Lines(log) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		total++
		var parts []string
		for _, m := range logField.FindAllStringSubmatch(line, -1) {
			parts = append(parts, m[1]+"="+m[2])
		}
		kind := strings.Join(parts, " ")
		if kind == "" {
			kind = strings.TrimSpace(line)
		}
		if r := []rune(kind); len(r) > 160 {
			kind = string(r[:160]) + "…"
		}
		count[kind]++
	}
	kinds := slices.Collect(maps.Keys(count))
	slices.SortFunc(kinds, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	var out []string
	for _, k := range kinds[:min(top, len(kinds))] {
		out = append(out, fmt.Sprintf("%d x %s", count[k], k))
	}
	if len(kinds) > top {
		out = append(out, fmt.Sprintf("and %d more kinds", len(kinds)-top))
	}
	return total, out
}

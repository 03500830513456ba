#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time, one target per
# "go test -fuzz" (go test fuzzes one target of one package at a time), and
# closes with one line per target. Exits non-zero if any target fails.
#
#   FUZZTIME=10s          how long each target fuzzes (a duration, or Nx for N inputs)
#   FUZZMINIMIZETIME=1s   how long a worker may shrink an input before it goes on;
#                         Go's default of 60s lets the shrinking of new inputs eat
#                         a short run whole
#   FUZZ_SKIP="..."       targets not fuzzed (space-separated)
#   FUZZ_GOTOOLCHAIN=go1.27.3  the Go that fuzzes (see below); "local" for the
#                         machine's own
#   .ci/fuzz.sh FuzzA FuzzB   fuzzes only the targets named
#
# Every target runs on SQLite, so PostgreSQL is not needed here. A failing
# input is written to the package's testdata/fuzz/<Target>/, where plain
# "go test" replays it from then on; commit it with the fix.
set -u
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-10s}"
FUZZMINIMIZETIME="${FUZZMINIMIZETIME:-1s}"
# Go 1.26's fuzzing coordinator can end a run whose -fuzztime has expired
# with "context deadline exceeded" and no failing input: its stop check
# compares the error with the workers' context before the deadline has
# reached it (go.dev/issue/75804, fixed in Go 1.27). CI saw it once on
# FuzzDepth. The fuzzing alone runs on a Go that has the fix; the go
# command fetches it from the module proxy once (about 76 MB) and the
# module's own go line is unchanged.
export GOTOOLCHAIN="${FUZZ_GOTOOLCHAIN:-go1.27.3}"
echo "fuzz: $(go version)"
FUZZ_SKIP="${FUZZ_SKIP:-}"

# Every "func FuzzXxx(f *testing.F)" of the tree, as "package-dir target".
targets=$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' cmd internal 2>/dev/null |
  sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#./\1 \2#' | sort -u)
if [ -z "$targets" ]; then
  echo "fuzz: no fuzz target found" >&2
  exit 1
fi

logs=$(mktemp -d -t pctracker-fuzz.XXXXXX)
summary=()
failed=0
while read -r pkg name; do
  if [ $# -gt 0 ]; then
    case " $* " in *" $name "*) ;; *) continue ;; esac
  elif [[ " $FUZZ_SKIP " == *" $name "* ]]; then
    summary+=("$(printf 'skip  %-20s %-22s (FUZZ_SKIP)' "$name" "$pkg")")
    continue
  fi
  log="$logs/$name.log"
  echo "fuzz: $name in $pkg for $FUZZTIME"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" >"$log" 2>&1
  status=$?
  # The last progress line holds the total: "fuzz: elapsed: 15s, execs: 40213 (2681/sec), ...".
  last=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -n 1)
  execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
  secs=$(sed -nE 's/^fuzz: elapsed: ([0-9hms]+),.*/\1/p' <<<"$last")
  s=$(sed -E 's/([0-9]+)h/\1*3600+/; s/([0-9]+)m/\1*60+/; s/([0-9]+)s/\1+/; s/\+$//' <<<"${secs:-0s}")
  total=$(( ${s:-0} ))
  rate=""
  if [ -n "$execs" ] && [ "$total" -gt 0 ]; then rate=" ($((execs / total))/s)"; fi
  if [ $status -eq 0 ]; then
    summary+=("$(printf 'ok    %-20s %-22s %s execs in %s%s' "$name" "$pkg" "${execs:-?}" "${secs:-?}" "$rate")")
  else
    failed=$((failed + 1))
    summary+=("$(printf 'FAIL  %-20s %-22s after %s execs; log: %s' "$name" "$pkg" "${execs:-?}" "$log")")
    # What failed, and where the failing input was written.
    grep -E -A 12 -- '--- FAIL|panic:|Failing input written|found a crash' "$log" | head -n 40
  fi
done <<<"$targets"

echo
printf '%s\n' "${summary[@]}"
echo "logs: $logs"
if [ $failed -gt 0 ]; then
  echo "$failed fuzz target(s) failed"
  exit 1
fi

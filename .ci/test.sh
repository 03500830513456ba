#!/usr/bin/env bash
# Runs every test on SQLite and PostgreSQL and closes with a summary: how
# many tests passed on each database, and "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
. ./.ci/postgres.sh
echo "PostgreSQL for tests: ${PCT_TEST_DATABASE_URL:-none (PostgreSQL tests skip)}"

race=""
if [ "$(go env CGO_ENABLED)" = 1 ] && command -v gcc >/dev/null 2>&1; then race="-race"; fi

go vet ./... || exit 1

# The browser tests leave screenshots of the main pages here, for a person
# to look at.
export PCT_SCREENSHOTS="${PCT_SCREENSHOTS:-$PWD/build/screenshots}"
mkdir -p "$PCT_SCREENSHOTS"

log=$(mktemp -t pctracker-test.XXXXXX)
# The page tests drive Chromium over every page, under the race detector:
# their package takes about 20 minutes on two cores.
go test -count=1 -timeout 40m $race -v "${@:-./...}" >"$log" 2>&1
status=$?

# Package results, and every failure with the lines its test printed.
grep -E '^(ok|FAIL|panic:|--- FAIL|    --- FAIL|        --- FAIL)|^\s+\S+_test\.go:[0-9]+: ' "$log" | grep -v -- '--- PASS'

count() { grep -cE -- "$1" "$log" || true; }
sqlite=$(count '--- PASS: \S+/sqlite \(')
postgres=$(count '--- PASS: \S+/postgres \(')
pgskip=$(count '--- SKIP: \S+/postgres \(')
passed=$(count '^\s*--- PASS: ')
failed=$(count '^\s*--- FAIL: ')
skipped=$(count '^\s*--- SKIP: ')
echo
echo "tests on SQLite: $sqlite passed; on PostgreSQL: $postgres passed, $pgskip skipped"
echo "full log: $log"
echo "screenshots: $PCT_SCREENSHOTS ($(ls "$PCT_SCREENSHOTS" 2>/dev/null | wc -l) pages)"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status

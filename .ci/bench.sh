#!/usr/bin/env bash
# Runs the whole performance measurement (make bench) and prints its table.
# PostgreSQL comes from .ci/postgres.sh; the bench makes and drops databases
# of its own on that server, so its user must be allowed CREATE DATABASE.
# nginx is the static baseline of the throughput ratio, and wrk measures
# beside the load driver: each is installed when missing if apt-get can be
# used as root, else its rows are not measured.
#   BENCH_DURATION=10s           measured time of the constant loads (default 60s)
#   BENCH_ACTIONS_PER_CYCLE=N    actions per cycle of the main database (default 10000)
#   BENCH_JSON=FILE              also write the table as JSON
set -u
cd "$(dirname "$0")/.."
. ./.ci/postgres.sh
if [ -z "${PCT_TEST_DATABASE_URL:-}" ]; then
  echo "bench: no PostgreSQL answers and none could be started; the bench needs one" >&2
  exit 1
fi

nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing nginx-light, the static baseline" >&2
    { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; } \
      || echo "bench: could not install nginx-light; the ratio to nginx will be NOT MEASURED" >&2
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
  else
    echo "bench: nginx is missing and cannot be installed here; the ratio to nginx will be NOT MEASURED" >&2
  fi
fi

# wrk measures beside the load driver; without it its rows are NOT MEASURED.
wrk=$(command -v wrk || echo /usr/bin/wrk)
if [ ! -x "$wrk" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bench: installing wrk, the reference load generator" >&2
  { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || echo "bench: could not install wrk; its rows will be NOT MEASURED" >&2
  wrk=$(command -v wrk || echo /usr/bin/wrk)
fi

args=(--pctracker "${PCTRACKER_BIN:-bin/pctracker}" --database-url "$PCT_TEST_DATABASE_URL" --nginx "$nginx" --wrk "$wrk")
[ -n "${BENCH_DURATION:-}" ] && args+=(--duration "$BENCH_DURATION")
[ -n "${BENCH_ACTIONS_PER_CYCLE:-}" ] && args+=(--actions-per-cycle "$BENCH_ACTIONS_PER_CYCLE")
[ -n "${BENCH_JSON:-}" ] && args+=(--json "$BENCH_JSON")
exec bin/pctracker-load bench "${args[@]}"

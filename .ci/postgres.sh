# Sourced by the Makefile and .ci/run: makes sure a PostgreSQL server answers
# for the tests and exports PCT_TEST_DATABASE_URL.
#  1. PCT_TEST_DATABASE_URL, if set, is used as it is;
#  2. else the local server on 127.0.0.1:5432, started with pg_ctlcluster if
#     it is installed but stopped;
#  3. else a throwaway cluster from the installed binaries on port 55432
#     (initdb refuses root, so it runs as the postgres user).
# Without any PostgreSQL the tests skip it, except under CI=true where that is
# a failure.

pct_pg_answers() { pg_isready -q -d "$1" >/dev/null 2>&1; }

pct_pg_ensure() {
  if [ -n "${PCT_TEST_DATABASE_URL:-}" ]; then
    # An explicit choice is kept, even when it does not answer: the tests
    # then say so (a failure under CI=true) rather than test elsewhere.
    pct_pg_answers "$PCT_TEST_DATABASE_URL" || echo "postgres: PCT_TEST_DATABASE_URL does not answer" >&2
    return 0
  fi
  local default="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
  if ! command -v pg_isready >/dev/null 2>&1; then
    echo "postgres: client tools not installed; PostgreSQL tests will be skipped (CI=true makes that a failure)" >&2
    return 0
  fi
  if ! pct_pg_answers "$default" && command -v pg_ctlcluster >/dev/null 2>&1; then
    for v in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
    done
    for _ in 1 2 3 4 5 6 7 8 9 10; do pct_pg_answers "$default" && break; sleep 0.5; done
  fi
  if pct_pg_answers "$default"; then
    # The server may lack the "test" database on a fresh install.
    psql -q "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -tc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
      || psql -q "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -c "CREATE DATABASE test" >/dev/null 2>&1 || true
    export PCT_TEST_DATABASE_URL="$default"
    return 0
  fi
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ]; then
    echo "postgres: no server answers and none is installed; PostgreSQL tests will be skipped (CI=true makes that a failure)" >&2
    return 0
  fi
  local dir=/tmp/pctracker-pg-55432
  local url="postgres://postgres@127.0.0.1:55432/test?sslmode=disable"
  if ! pct_pg_answers "$url"; then
    echo "postgres: starting a throwaway cluster in $dir" >&2
    rm -rf "$dir" && mkdir -p "$dir" && chown postgres "$dir" 2>/dev/null || true
    local as=""
    [ "$(id -u)" = 0 ] && as="runuser -u postgres --"
    $as "$bindir/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
    $as "$bindir/pg_ctl" -D "$dir/data" -o "-p 55432 -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" -l "$dir/log" -w start >/dev/null
    $as "$bindir/psql" -q -h 127.0.0.1 -p 55432 -U postgres -c "CREATE DATABASE test" postgres >/dev/null 2>&1 || true
  fi
  export PCT_TEST_DATABASE_URL="$url"
}

pct_pg_ensure

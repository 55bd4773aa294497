#!/usr/bin/env bash
# Runs the report store's tests against a real PostgreSQL (and SQLite, as always).
#
# Installs PostgreSQL from Debian's packages if it is missing, starts a throw-away
# cluster listening on 127.0.0.1 only (port $OFFLABEL_PG_PORT, default 54329; data in
# /tmp/offlabel-pg-test), creates a database, exports OFFLABEL_TEST_POSTGRES_URL and runs
#   cargo test --release -p offlabel-reports
#   cargo test --release -p offlabel-server --test reports   (if present)
# then stops the cluster and deletes it. Safe to run again: a cluster left behind by an
# interrupted run is stopped and replaced.
#
# Usage: scripts/test-postgres.sh [OFFLABEL_BINARY]   (the argument is not needed)
set -euo pipefail
cd "$(dirname "$0")/.."

port=${OFFLABEL_PG_PORT:-54329}
data=/tmp/offlabel-pg-test
password=offlabel-test-$$

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "installing postgresql from Debian"
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed and this is not root: run apt-get install -y postgresql" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bin=$(pg_bin)

# The cluster runs as the postgres user when we are root (initdb refuses root).
if [ "$(id -u)" -eq 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_pg() { "$@"; }
  owner=$(id -un)
fi

stop() {
  if [ -f "$data/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$data"
}

stop # whatever an earlier run left
trap stop EXIT

mkdir -p "$data"
chown "$owner" "$data"
chmod 700 "$data"
pwfile=$(mktemp)
printf '%s\n' "$password" >"$pwfile"
chown "$owner" "$pwfile"
as_pg "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" \
  --auth-host=scram-sha-256 --auth-local=trust -E UTF8 >/dev/null
rm -f "$pwfile"
as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=on -c synchronous_commit=on" >/dev/null
as_pg "$bin/psql" -h "$data" -p "$port" -U postgres -q -c "CREATE DATABASE offlabel_test" >/dev/null

export OFFLABEL_TEST_POSTGRES_URL="postgres://postgres:$password@127.0.0.1:$port/offlabel_test"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

cargo test --release -p offlabel-reports
if [ -f crates/offlabel-server/tests/reports.rs ]; then
  cargo test --release -p offlabel-server --test reports
fi
echo "report store tests passed on SQLite and PostgreSQL"

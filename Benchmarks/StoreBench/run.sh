#!/usr/bin/env bash
# Store benchmark, run by `make bench`: run creation and claim throughput on SQLite and on PostgreSQL
# side by side (store-bench). PostgreSQL is a cluster of its own, started here on a free loopback port
# in a temporary folder (as the `postgres` user when run as root, since PostgreSQL refuses root), with
# its default durability (fsync, synchronous_commit), and stopped on exit.
# Usage: run.sh <release bin folder> [runs]
set -euo pipefail
bin=$1
runs=${2:-${BENCH_STORE_RUNS:-2000}}
pgbin=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
[ -x "$pgbin/pg_ctl" ] || { echo "PostgreSQL's initdb and pg_ctl are needed: apt-get install postgresql"; exit 1; }
work=$(mktemp -d)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    as_postgres "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/socket"
[ "$(id -u)" = 0 ] && chown -R postgres "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres "$pgbin/initdb" -D "$work/data" -A trust -U mage -E UTF8 --locale=C >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
    -o "-p $port -k $work/socket -c listen_addresses=127.0.0.1" start >/dev/null
"$bin/store-bench" "postgresql://mage@127.0.0.1:$port/postgres" "$runs"

#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for development and tests, on 127.0.0.1 and a port of our own.
#
#   deploy/local/postgres.sh start   [--dir DIR] [--port PORT]   initdb if needed, start, create database "commentdesk"
#   deploy/local/postgres.sh standby --primary-port P [--dir DIR] [--port PORT]
#                                                                a streaming replica of the cluster on port P (pg_basebackup
#                                                                -R), started; a read-only hot standby
#   deploy/local/postgres.sh stop    [--dir DIR]                 fast shutdown (no error if not running)
#   deploy/local/postgres.sh restart [--dir DIR] [--port PORT]
#   deploy/local/postgres.sh status  [--dir DIR]
#   deploy/local/postgres.sh url     [--port PORT]               print the DATABASE_URL for the cluster
#   deploy/local/postgres.sh install                             install postgresql and libpq-dev if missing
#
# Defaults: PORT=${COMMENTDESK_PGPORT:-54329}, DIR=${COMMENTDESK_PGDATA:-STATE/postgres-PORT}, STATE being this checkout's
# state folder (${COMMENTDESK_STATE:-.state} in the checkout; as root, when the postgres user cannot reach it, a folder
# in /tmp named after the checkout), so two checkouts never share a cluster.
# COMMENTDESK_PG_SETTINGS adds server settings at start (e.g. "-c fsync=off" for the test suite's cluster, whose data
# dies with the run; never for a cluster whose data matters, nor for benchmarks, which measure the fsync cost).
# Every step is idempotent. When run as root the server runs as the "postgres" user (PostgreSQL refuses root).
# The cluster trusts local connections: it listens only on 127.0.0.1 and a socket inside DIR, and is for
# development and tests, never for production (see deploy/README.md).
set -euo pipefail

command=${1:-}
[ $# -gt 0 ] && shift
port=${COMMENTDESK_PGPORT:-54329}
dir=${COMMENTDESK_PGDATA:-}
primary_port=
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --primary-port) primary_port=$2; shift 2 ;;
    *) echo "postgres.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$dir" ]; then
  root=$(cd "$(dirname "$0")/../.." && pwd)
  state=${COMMENTDESK_STATE:-$root/.state}
  mkdir -p "$state"
  dir=$state/postgres-$port
  # As root the server runs as "postgres", which must reach the folder (a checkout in a private home it cannot).
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$state" 2>/dev/null; then
    dir=${TMPDIR:-/tmp}/commentdesk-$(printf '%s' "$root" | cksum | cut -d' ' -f1)/postgres-$port
  fi
fi

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$candidate/pg_ctl" ] && { echo "$candidate"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

have_libpq_dev() {
  pkg-config --exists libpq 2>/dev/null || [ -f /usr/include/postgresql/libpq-fe.h ] || [ -f /usr/include/libpq-fe.h ]
}

install_missing() {
  local packages=()
  find_bindir >/dev/null || packages+=(postgresql)
  have_libpq_dev || packages+=(libpq-dev)
  command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
  [ ${#packages[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing ${packages[*]}: install them (sudo apt-get install -y ${packages[*]}) and run again"
    exit 1
  fi
  log "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${packages[@]}" >/dev/null
  # Debian's package starts a cluster of its own on 5432; ours does not need it.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | while read -r version name _; do
      pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
    done
  fi
}

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg() { local bindir; bindir=$(find_bindir); as_owner "$bindir/$1" "${@:2}"; }

is_running() { [ -f "$dir/PG_VERSION" ] && pg pg_ctl -D "$dir" status >/dev/null 2>&1; }

url() { echo "postgresql://postgres@127.0.0.1:$port/commentdesk"; }

# An empty data directory the cluster's owner may use.
make_data_dir() {
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
}

start() {
  install_missing
  if [ ! -f "$dir/PG_VERSION" ]; then
    make_data_dir
    log "initdb in $dir"
    pg initdb -D "$dir" -U postgres -E UTF8 --locale=C.UTF-8 -A trust >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; exit 1; }
  fi
  if ! is_running; then
    log "starting on 127.0.0.1:$port (log: $dir/server.log)"
    pg pg_ctl -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200 -c shared_buffers=256MB ${COMMENTDESK_PG_SETTINGS:-}" \
      start >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 1; }
  fi
  if ! pg psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'commentdesk'" | grep -q 1; then
    pg psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE commentdesk" >/dev/null
  fi
  url
}

# A hot standby of the cluster on $primary_port: a base backup that streams WAL (-X stream) and is set up to follow
# the primary (-R writes primary_conninfo and standby.signal), then started like any cluster.
standby() {
  [ -n "$primary_port" ] || { log "standby needs --primary-port"; exit 2; }
  install_missing
  if [ ! -f "$dir/PG_VERSION" ]; then
    make_data_dir
    log "base backup of 127.0.0.1:$primary_port into $dir"
    pg pg_basebackup -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir" -R -X stream -c fast >"$dir.basebackup.log" 2>&1 \
      || { cat "$dir.basebackup.log" >&2; exit 1; }
    # The primary's log came with the copy; the standby starts its own.
    rm -f "$dir/server.log"
  fi
  start
}

stop() {
  if is_running; then
    log "stopping the cluster in $dir"
    pg pg_ctl -D "$dir" -m fast -w stop >/dev/null
  fi
}

case "$command" in
  start) start ;;
  standby) standby ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if is_running; then echo "running: $dir, $(url)"; else echo "stopped: $dir"; exit 3; fi ;;
  url) url ;;
  install) install_missing ;;
  *) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

# Sourced by the database benchmarks, from the repository's root: a release build, a throwaway PostgreSQL cluster on
# a free port, and the helpers they share.
#
#   bench_build PRODUCT...    release build of the products; $bin is their folder
#   bench_cluster FIRST_PORT  the first free port from FIRST_PORT and a folder for a cluster (not started yet): $port,
#                             $dir, $DATABASE_URL, $pgbin; $work, a scratch folder postgres can read (pgbench runs as
#                             postgres when we are root); everything is stopped and removed on exit
#   bench_on_exit COMMAND     runs COMMAND on exit, before the cluster stops
#   bench_fresh               a new, empty cluster there with the migrations applied
#   sql STATEMENT, as_pg COMMAND...
bench_build() {
  local product
  for product in "$@"; do swift build -c release --product "$product" >&2; done
  bin=$(swift build -c release --show-bin-path)
}

bench_exit_commands=()
bench_on_exit() { bench_exit_commands+=("$1"); }

bench_stop() { bash deploy/local/postgres.sh stop --dir "$dir" --port "$port" >/dev/null 2>&1 || true; }

bench_cleanup() {
  local command
  for command in "${bench_exit_commands[@]}"; do eval "$command" || true; done
  bench_stop
  rm -rf "$dir" "$dir.initdb.log" "$work"
}

bench_cluster() {
  bash deploy/local/postgres.sh install
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  dir=$(mktemp -d "${TMPDIR:-/tmp}/commentdesk-bench-pg.XXXXXX")
  rmdir "$dir"
  work=$(mktemp -d)
  chmod 755 "$work"
  trap bench_cleanup EXIT
  export DATABASE_URL="host=127.0.0.1 port=$port user=postgres dbname=commentdesk"
  export LOG_LEVEL=warning
}

bench_fresh() {
  bench_stop
  rm -rf "$dir" "$dir.initdb.log"
  bash deploy/local/postgres.sh start --dir "$dir" --port "$port" >/dev/null 2>&1
  "$bin/commentd" migrate >/dev/null 2>&1
}

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
sql() { psql "$DATABASE_URL" -qtAX -c "$1"; }

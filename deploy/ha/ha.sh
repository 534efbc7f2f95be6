#!/usr/bin/env bash
# Automatic failover on one machine with pg_auto_failover (Debian: postgresql-15-auto-failover, pg-auto-failover-cli):
# a monitor, a primary and a secondary, each a pg_autoctl keeper with its own PostgreSQL, on 127.0.0.1.
#
#   deploy/ha/ha.sh start      [--dir DIR] [--port P]   monitor on P, nodes on P+1 and P+2; waits for primary + secondary
#   deploy/ha/ha.sh url        [--port P]               the services' DATABASE_URL: both nodes, target_session_attrs=read-write
#   deploy/ha/ha.sh quick      [--dir DIR] [--port P]   shorter failure detection (about 10 s instead of about 50 s): the
#                                                       monitor's health checks and timeouts, and the keepers' partition timeout
#   deploy/ha/ha.sh state      [--dir DIR]              pg_autoctl show state
#   deploy/ha/ha.sh primary    [--dir DIR]              the node that is primary now (node1 or node2)
#   deploy/ha/ha.sh kill NODE  [--dir DIR]              stop a node's keeper and PostgreSQL at once (immediate), as a dead host
#   deploy/ha/ha.sh wait-failover OLD [--dir DIR]       wait until a node other than OLD is primary
#   deploy/ha/ha.sh stop       [--dir DIR]              stop everything and remove DIR
#   deploy/ha/ha.sh install                             install pg_auto_failover from Debian if missing
#
# Defaults: P=${COMMENTDESK_HA_PORT:-55400}, DIR=${COMMENTDESK_HA_DIR:-/tmp/commentdesk-ha-P}. Trust authentication on
# 127.0.0.1 and no TLS: for drills and development only; production nodes are separate hosts with TLS and passwords
# (deploy/OPERATIONS.md, "Topologies"). As root, everything runs as the postgres user (PostgreSQL and pg_autoctl refuse root).
set -euo pipefail

command=${1:-}
[ $# -gt 0 ] && shift
node_arg=
if [ "$command" = kill ] || [ "$command" = wait-failover ] || [ "$command" = keeper-run ]; then node_arg=${1:-}; [ $# -gt 0 ] && shift; fi
port=${COMMENTDESK_HA_PORT:-55400}
dir=${COMMENTDESK_HA_DIR:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "ha.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
dir=${dir:-/tmp/commentdesk-ha-$port}
log() { echo "ha.sh: $*" >&2; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -n 1; }

install_missing() {
  command -v pg_autoctl >/dev/null 2>&1 && [ -n "$(ls /usr/lib/postgresql/*/lib/pgautofailover.so 2>/dev/null)" ] && return 0
  local version
  version=$(basename "$(dirname "$(bindir)")")
  if [ "$(id -u)" -ne 0 ]; then
    log "missing pg_auto_failover: install postgresql-$version-auto-failover and pg-auto-failover-cli, and run again"
    exit 1
  fi
  log "installing postgresql-$version-auto-failover and pg-auto-failover-cli"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$version-auto-failover" pg-auto-failover-cli >/dev/null
}

# pg_autoctl as the cluster owner, its configuration and state inside DIR.
autoctl() {
  local environment=(PATH="$(bindir):$PATH" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/share" XDG_RUNTIME_DIR="$dir/run")
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- env "${environment[@]}" pg_autoctl "$@"
  else
    env "${environment[@]}" pg_autoctl "$@"
  fi
}

# pg_auto_failover's defaults promote the secondary about 50 s after the primary dies: the monitor calls a node
# unhealthy after 20 s without its reports and failed health checks (every 5 s), then waits 30 s for the old primary
# to demote itself. These settings make that about 10 s. The keepers' network_partition_timeout goes down with them,
# so a primary cut off from the monitor and the secondary demotes itself (in 5 s) before the secondary is promoted
# (after 5 + 5 s): never two primaries. The price is a failover after a short stall of the primary's host.
quick() {
  local setting
  for setting in "health_check_period = 1000" "health_check_timeout = 1000" "health_check_max_retries = 1" \
    "health_check_retry_delay = 500" "node_considered_unhealthy_timeout = 5000" "primary_demote_timeout = 5000"; do
    as_owner_psql -c "ALTER SYSTEM SET pgautofailover.$setting" >/dev/null
  done
  as_owner_psql -c "SELECT pg_reload_conf()" >/dev/null
  local name
  for name in node1 node2; do
    autoctl config set --pgdata "$dir/$name" timeout.network_partition_timeout 5 >/dev/null
    autoctl reload --pgdata "$dir/$name" >/dev/null
  done
  log "quick failure detection: unhealthy after 5 s, demotion waited for 5 s, partition timeout 5 s"
}

as_owner_psql() {
  local psql
  psql="$(bindir)/psql"
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$psql" -h 127.0.0.1 -p "$port" -U postgres -d pg_auto_failover -v ON_ERROR_STOP=1 -qAt "$@"
  else
    "$psql" -h 127.0.0.1 -p "$port" -U postgres -d pg_auto_failover -v ON_ERROR_STOP=1 -qAt "$@"
  fi
}

monitor_url() { echo "postgres://autoctl_node@127.0.0.1:$port/pg_auto_failover?sslmode=disable"; }

# Runs a keeper in the background in a session of its own (its process group is recorded in DIR/NAME.pgid, so that
# kill and stop reach the keeper and every process it started), its log in DIR/NAME.log. A keeper already running is
# left alone.
run_keeper() {
  local name=$1
  if [ -f "$dir/$name.pgid" ] && kill -0 -- "-$(cat "$dir/$name.pgid")" 2>/dev/null; then return 0; fi
  setsid bash -c 'echo $$ > "$1"; exec "${@:2}"' keeper "$dir/$name.pgid" "$0" keeper-run "$name" --dir "$dir" --port "$port" \
    >>"$dir/$name.log" 2>&1 < /dev/null &
  local waited=0
  until [ -s "$dir/$name.pgid" ] || [ "$waited" -ge 50 ]; do sleep 0.1; waited=$((waited + 1)); done
}

state() { autoctl show state --pgdata "$dir/monitor" 2>/dev/null; }

# The node whose reported state is primary (the first column of `show state` is the node's name).
primary() { state | awk -F'|' '$6 ~ /primary/ && $7 ~ /primary/ { gsub(/ /, "", $1); print $1 }' | head -n 1; }

wait_for() {
  local what=$1 seconds=$2 check=$3 waited=0
  until eval "$check"; do
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -ge "$seconds" ]; then log "timed out after ${seconds}s waiting for $what"; state >&2 || true; exit 1; fi
  done
}

start() {
  install_missing
  mkdir -p "$dir/config" "$dir/share" "$dir/run"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/monitor/PG_VERSION" ]; then
    log "creating the monitor on 127.0.0.1:$port"
    autoctl create monitor --pgdata "$dir/monitor" --pgport "$port" --hostname 127.0.0.1 --auth trust --no-ssl \
      >>"$dir/monitor.log" 2>&1 || { tail -n 20 "$dir/monitor.log" >&2; exit 1; }
  fi
  run_keeper monitor
  wait_for "the monitor" 60 "state >/dev/null"
  local number node_port
  for number in 1 2; do
    node_port=$((port + number))
    if [ ! -f "$dir/node$number/PG_VERSION" ]; then
      log "creating node$number on 127.0.0.1:$node_port"
      autoctl create postgres --pgdata "$dir/node$number" --pgport "$node_port" --hostname 127.0.0.1 --name "node$number" \
        --listen 127.0.0.1 --dbname commentdesk --auth trust --no-ssl --monitor "$(monitor_url)" \
        >>"$dir/node$number.log" 2>&1 || { tail -n 20 "$dir/node$number.log" >&2; exit 1; }
    fi
    run_keeper "node$number"
    # The second node clones the first: wait for each before the next.
    if [ "$number" -eq 1 ]; then wait_for "node1 running alone" 120 'state | awk -F"|" "\$7 ~ /single/" | grep -q .'; fi
  done
  wait_for "a primary and a secondary" 180 \
    'state | awk -F"|" "\$6 ~ /secondary/ && \$7 ~ /secondary/" | grep -q . && [ -n "$(primary)" ]'
  log "up: primary $(primary); DATABASE_URL=$(url)"
}

url() { echo "postgresql://postgres@127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))/commentdesk?target_session_attrs=read-write&connect_timeout=2"; }

kill_node() {
  local name=$1
  [ -n "$name" ] || { log "kill needs a node name (node1 or node2)"; exit 2; }
  log "killing $name (keeper and PostgreSQL, immediately)"
  # PostgreSQL dies with its keeper, as when a host dies: no shutdown checkpoint. The postmaster is in the keeper's
  # process group, but each of its children is in a session of its own, and a child the group's kill leaves behind
  # outlives the test run (the monitor's logger and health check worker did). So the postmaster is stopped first (it
  # cannot start another child then), its children are noted, the keeper's group is killed (nothing restarts
  # PostgreSQL), then the children.
  local pid children=
  pid=$(head -n 1 "$dir/$name/postmaster.pid" 2>/dev/null || true)
  # postmaster.pid outlives a killed server: act on the pid only while it is still this node's PostgreSQL (a pid
  # reused by another process must never be signalled).
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-D $dir/$name "; then
    kill -STOP "$pid" 2>/dev/null || true
    children=$(pgrep -P "$pid" || true)
  else
    pid=
  fi
  [ -f "$dir/$name.pgid" ] && kill -KILL -- "-$(cat "$dir/$name.pgid")" 2>/dev/null || true
  # shellcheck disable=SC2086 # one pid a word
  [ -n "$pid" ] && kill -KILL "$pid" $children 2>/dev/null || true
  rm -f "$dir/$name.pgid"
}

stop() {
  local name
  for name in node2 node1 monitor; do
    [ -d "$dir/$name" ] || continue
    kill_node "$name" 2>/dev/null
  done
  rm -rf "$dir"
}

case "$command" in
  keeper-run) autoctl run --pgdata "$dir/$node_arg" ;;
  start) start ;;
  url) url ;;
  quick) quick ;;
  state) state ;;
  primary) primary ;;
  kill) kill_node "$node_arg" ;;
  wait-failover) wait_for "a new primary" 180 '[ -n "$(primary)" ] && [ "$(primary)" != "$node_arg" ]'; primary ;;
  stop) stop ;;
  install) install_missing ;;
  *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

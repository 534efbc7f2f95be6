#!/usr/bin/env bash
# Builds CommentDesk and runs the reader API and a moderation worker against a local PostgreSQL that this script
# starts (deploy/local/postgres.sh).
#
#   deploy/local/run.sh
#
# Starts the database, builds the binaries, applies the migrations (which activate the default Standards Board
# Policy), registers a demo article, generates a development login secret (kept outside the repository), and runs
# `commentd serve` and `commentd work` until Ctrl-C, which stops both gracefully. Logs: $state/serve.log, work.log.
# Environment: COMMENTDESK_PGPORT (default 54329), COMMENTDESK_PGDATA (default /tmp/commentdesk-pg-PORT),
# COMMENTD_PORT (default 8080), COMMENTDESK_METRICS_PORT (the worker's, default 9464), COMMENTDESK_STATE (default
# ~/.local/state/commentdesk: the dev secret and logs). It says "running" only once each process answers, and exits 1
# naming what failed (a port taken, a process that exited) otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

DATABASE_URL=$(bash deploy/local/postgres.sh start)
export DATABASE_URL
echo "database: $DATABASE_URL" >&2

swift build -c release --product commentd >&2
swift build -c release --product modctl >&2
bin=$(swift build -c release --show-bin-path)

"$bin/commentd" migrate
psql "$DATABASE_URL" -q -X -v ON_ERROR_STOP=1 -o /dev/null \
  -c "SELECT register_article('demo-1', 'https://news.example/demo-1', 'Demo article', now())"

# A development login: a random HS256 secret made on this machine, never committed, readable only by you.
state=${COMMENTDESK_STATE:-$HOME/.local/state/commentdesk}
mkdir -p "$state" && chmod 700 "$state"
if [ ! -s "$state/dev-jwt-secret" ]; then
  (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' >"$state/dev-jwt-secret")
fi
export COMMENTD_JWT_SECRET_FILE=$state/dev-jwt-secret
export COMMENTD_JWT_ISSUER=https://login.dev.invalid COMMENTD_JWT_AUDIENCE=commentdesk-dev
port=${COMMENTD_PORT:-8080}
token=$("$bin/commentd" dev-token --subject dev-reader --name "Dev Reader" --ttl 86400)

metrics_port=${COMMENTDESK_METRICS_PORT:-9464}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for taken in "$port" "$metrics_port"; do
  if port_in_use "$taken"; then
    echo "run.sh: port $taken is already in use by another program; choose others with COMMENTD_PORT or COMMENTDESK_METRICS_PORT" >&2
    exit 1
  fi
done

pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop EXIT INT TERM
# Waits until process $2 answers HTTP on port $3 at path $4; exits 1 with the end of its log ($5) if it exits first
# or does not answer within 20 s.
wait_up() {
  local name=$1 pid=$2 check_port=$3 path=$4 log=$5
  for _ in $(seq 1 200); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: $name exited during startup; the end of $log:" >&2
      tail -n 5 "$log" >&2
      exit 1
    fi
    if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$check_port$path"; then
      return 0
    fi
    sleep 0.1
  done
  echo "run.sh: $name did not answer $path on port $check_port within 20 s; the end of $log:" >&2
  tail -n 5 "$log" >&2
  exit 1
}
"$bin/commentd" work --metrics-port "$metrics_port" 2>"$state/work.log" &
pids+=($!)
wait_up "the moderation worker (commentd work)" "$!" "$metrics_port" /healthz "$state/work.log"
"$bin/commentd" serve --port "$port" 2>"$state/serve.log" &
pids+=($!)
wait_up "the reader API (commentd serve)" "$!" "$port" /readyz "$state/serve.log"

cat >&2 <<MSG

CommentDesk is running: the reader API on http://127.0.0.1:$port and a moderation worker (metrics on :$metrics_port).
Post a comment as a development reader (the token is valid for a day; \`commentd dev-token --help\` makes others):
  TOKEN=$token
  curl -si -X POST http://127.0.0.1:$port/v1/articles/demo-1/comments \\
       -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' -d '{"body": "좋은 기사 감사합니다"}'
Then follow it (use the id from the answer) and read the published ones. The default policy holds a new reader's
first comments for a moderator (reason new_commenter), so the first ones show "held":
  curl -s http://127.0.0.1:$port/v1/comments/1 -H "Authorization: Bearer \$TOKEN"
  curl -s http://127.0.0.1:$port/v1/articles/demo-1/comments
  DATABASE_URL='$DATABASE_URL' $bin/modctl status
Logs: $state/serve.log and $state/work.log. Ctrl-C stops both; deploy/local/postgres.sh stop stops the database.
MSG
wait -n || true

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
# COMMENTD_PORT (default 8080), COMMENTDESK_STATE (default ~/.local/state/commentdesk: the dev secret and logs).
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

pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop EXIT INT TERM
"$bin/commentd" work --metrics-port 9464 2>"$state/work.log" &
pids+=($!)
"$bin/commentd" serve --port "$port" 2>"$state/serve.log" &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

cat >&2 <<MSG

CommentDesk is running: the reader API on http://127.0.0.1:$port and a moderation worker (metrics on :9464).
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

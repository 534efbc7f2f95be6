#!/usr/bin/env bash
# Builds CommentDesk and runs the reader API and a moderation worker against a local PostgreSQL that this script
# starts (deploy/local/postgres.sh).
#
#   deploy/local/run.sh
#
# Starts the database, builds the binaries, applies the migrations (which activate the default Standards Board
# Policy), registers a demo article, generates development secrets (in .state/secrets, ignored by git), and runs a local
# stand-in for X's and Facebook's login servers (login-standin), `commentd serve --demo` (the demo article page with the
# comment box at /demo) and `commentd work` until Ctrl-C, which stops them gracefully. Logs: $state/*.log.
# Environment: COMMENTDESK_PGPORT (default 54329), COMMENTDESK_PGDATA (default STATE/postgres-PORT),
# COMMENTDESK_BUILD (debug, the tests' build, or release), COMMENTD_PORT (default 8080), COMMENTDESK_METRICS_PORT (the
# worker's, default 9464), COMMENTDESK_STATE (default .state
# in this checkout, ignored by git: the cluster, the dev secrets in secrets/, and logs). It says "running" only once each
# process answers, and exits 1 naming what failed (a port taken, a process that exited) otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

DATABASE_URL=$(bash deploy/local/postgres.sh start)
export DATABASE_URL
echo "database: $DATABASE_URL" >&2

# The debug build, as deploy/local/test.sh makes it: after the tests this builds nothing new (a release build is another
# long first build; COMMENTDESK_BUILD=release asks for it, for measuring).
configuration=${COMMENTDESK_BUILD:-debug}
case "$configuration" in debug | release) ;; *) echo "run.sh: COMMENTDESK_BUILD must be debug or release" >&2; exit 2 ;; esac
for product in commentd modctl login-standin; do swift build -c "$configuration" --product "$product" >&2; done
bin=$(swift build -c "$configuration" --show-bin-path)

"$bin/commentd" migrate
psql "$DATABASE_URL" -q -X -v ON_ERROR_STOP=1 -o /dev/null \
  -c "SELECT register_article('demo-1', 'https://news.example/demo-1', 'Demo article', now())"

# A development login: a random HS256 secret made on this machine, never committed, readable only by you.
state=${COMMENTDESK_STATE:-$root/.state}
secrets=$state/secrets
mkdir -p "$secrets" && chmod 700 "$secrets"
if [ ! -s "$secrets/dev-jwt-secret" ]; then
  (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secrets/dev-jwt-secret")
fi
export COMMENTD_JWT_SECRET_FILE=$secrets/dev-jwt-secret
export COMMENTD_JWT_ISSUER=https://login.dev.invalid COMMENTD_JWT_AUDIENCE=commentdesk-dev
port=${COMMENTD_PORT:-8080}
standin_port=${COMMENTDESK_STANDIN_PORT:-9090}
# Built-in login against the local stand-in: the demo page (http://localhost:$port/demo) is another origin than the API
# (http://127.0.0.1:$port), as an article page and commentd will be.
if [ ! -s "$secrets/reader-token-secret" ]; then
  (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secrets/reader-token-secret")
fi
if [ ! -s "$secrets/standin-client-secret" ]; then
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '\n/+=' >"$secrets/standin-client-secret")
fi
client_secret=$(cat "$secrets/standin-client-secret")
export COMMENTD_PUBLIC_URL=http://127.0.0.1:$port COMMENTD_SITE_ORIGINS=http://localhost:$port,http://127.0.0.1:$port
export COMMENTD_READER_TOKEN_SECRET_FILE=$secrets/reader-token-secret
export COMMENTD_OAUTH_X_CLIENT_ID=demo-x COMMENTD_OAUTH_X_CLIENT_SECRET_FILE=$secrets/standin-client-secret
export COMMENTD_OAUTH_FACEBOOK_CLIENT_ID=demo-facebook COMMENTD_OAUTH_FACEBOOK_CLIENT_SECRET_FILE=$secrets/standin-client-secret
export COMMENTD_OAUTH_X_AUTHORIZE_URL=http://127.0.0.1:$standin_port/i/oauth2/authorize
export COMMENTD_OAUTH_X_TOKEN_URL=http://127.0.0.1:$standin_port/2/oauth2/token
export COMMENTD_OAUTH_X_USERINFO_URL=http://127.0.0.1:$standin_port/2/users/me
export COMMENTD_OAUTH_FACEBOOK_AUTHORIZE_URL=http://127.0.0.1:$standin_port/dialog/oauth
export COMMENTD_OAUTH_FACEBOOK_TOKEN_URL=http://127.0.0.1:$standin_port/oauth/access_token
export COMMENTD_OAUTH_FACEBOOK_USERINFO_URL=http://127.0.0.1:$standin_port/me
token=$("$bin/commentd" dev-token --subject dev-reader --name "Dev Reader" --ttl 86400)

metrics_port=${COMMENTDESK_METRICS_PORT:-9464}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for taken in "$port" "$metrics_port" "$standin_port"; do
  if port_in_use "$taken"; then
    echo "run.sh: port $taken is already in use by another program; choose others with COMMENTD_PORT, COMMENTDESK_METRICS_PORT or COMMENTDESK_STANDIN_PORT" >&2
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
"$bin/login-standin" --port "$standin_port" \
  --client "demo-x:$client_secret:http://127.0.0.1:$port/auth/x/callback" \
  --client "demo-facebook:$client_secret:http://127.0.0.1:$port/auth/facebook/callback" 2>"$state/standin.log" &
pids+=($!)
wait_up "the stand-in login provider (login-standin)" "$!" "$standin_port" /healthz "$state/standin.log"
"$bin/commentd" work --metrics-port "$metrics_port" 2>"$state/work.log" &
pids+=($!)
wait_up "the moderation worker (commentd work)" "$!" "$metrics_port" /healthz "$state/work.log"
"$bin/commentd" serve --demo --port "$port" 2>"$state/serve.log" &
pids+=($!)
wait_up "the reader API (commentd serve)" "$!" "$port" /readyz "$state/serve.log"

cat >&2 <<MSG

CommentDesk is running: the reader API on http://127.0.0.1:$port and a moderation worker (metrics on :$metrics_port).
Open the demo article in a browser and comment through the stand-in login (X or Facebook):
  http://localhost:$port/demo        (Korean UI: http://localhost:$port/demo?lang=ko)
Post a comment as a development reader (the token is valid for a day; \`commentd dev-token --help\` makes others):
  TOKEN=$token
  curl -si -X POST http://127.0.0.1:$port/v1/articles/demo-1/comments \\
       -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' -d '{"body": "좋은 기사 감사합니다"}'
Then follow it (use the id from the answer) and read the published ones. The default policy holds a new reader's
first comments for a moderator (reason new_commenter), so the first ones show "held":
  curl -s http://127.0.0.1:$port/v1/comments/1 -H "Authorization: Bearer \$TOKEN"
  curl -s http://127.0.0.1:$port/v1/articles/demo-1/comments
  DATABASE_URL='$DATABASE_URL' $bin/modctl status
Logs: $state/serve.log, work.log and standin.log. Ctrl-C stops them; deploy/local/postgres.sh stop stops the database.
MSG
wait -n || true

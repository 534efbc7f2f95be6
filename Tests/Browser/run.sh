#!/usr/bin/env bash
# The comment box in a real browser (issue 19): Debian's Chromium driven by Playwright (from PyPI, pointed at that
# executable; Playwright's own browser download is never used), against `commentd serve --demo` with built-in login
# configured, the stand-in login provider (login-standin), a worker the test starts when it needs decisions, and a
# database of its own on the cluster that deploy/local/test.sh starts.
#
#   Tests/Browser/run.sh                   # needs the COMMENTDESK_TEST_PG* cluster (run from deploy/local/test.sh)
#   UPDATE_SCREENSHOTS=1 Tests/Browser/run.sh   # also copies the screenshots into docs/screenshots/
#
# Everything it starts it stops on exit; logs in .build/browser-*.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
: "${COMMENTDESK_TEST_PGHOST:?run from deploy/local/test.sh, or export COMMENTDESK_TEST_PGHOST/PORT/USER}"
: "${COMMENTDESK_TEST_PGPORT:?}" "${COMMENTDESK_TEST_PGUSER:?}"
PLAYWRIGHT_VERSION=1.65.2

command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
# Screenshots for the docs need Hangul and emoji glyphs; the checks themselves read text, not pixels.
if [ "${UPDATE_SCREENSHOTS:-}" = 1 ] && ! fc-list | grep -qi "Noto Sans CJK"; then
  apt-get update -qq && apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji >/dev/null
fi
venv=$(bash deploy/local/python-tool.sh playwright "$PLAYWRIGHT_VERSION")

bin=$(swift build --show-bin-path)
swift build --product login-standin >/dev/null
database="cd_browser_$$"
admin=(psql -q -X -v ON_ERROR_STOP=1 -h "$COMMENTDESK_TEST_PGHOST" -p "$COMMENTDESK_TEST_PGPORT" -U "$COMMENTDESK_TEST_PGUSER")
export DATABASE_URL="host=$COMMENTDESK_TEST_PGHOST port=$COMMENTDESK_TEST_PGPORT user=$COMMENTDESK_TEST_PGUSER dbname=$database"
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_in_use "$p"; do p=$((p + 1)); done; echo "$p"; }
port=$(free_port 18180)
standin_port=$(free_port 19190)
shots=$(mktemp -d)
secret=$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${admin[@]}" -d postgres -c "DROP DATABASE IF EXISTS $database" 2>/dev/null || true
  rm -rf "$shots"
}
trap cleanup EXIT
"${admin[@]}" -d postgres -c "CREATE DATABASE $database"
"$bin/commentd" migrate >/dev/null

export COMMENTD_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export COMMENTD_JWT_ISSUER=https://login.browser-test.invalid COMMENTD_JWT_AUDIENCE=commentdesk-browser-test
export COMMENTD_READER_TOKEN_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export COMMENTD_PUBLIC_URL=http://127.0.0.1:$port COMMENTD_SITE_ORIGINS=http://localhost:$port
export COMMENTD_OAUTH_X_CLIENT_ID=browser-x COMMENTD_OAUTH_X_CLIENT_SECRET=$secret
export COMMENTD_OAUTH_FACEBOOK_CLIENT_ID=browser-facebook COMMENTD_OAUTH_FACEBOOK_CLIENT_SECRET=$secret
standin=http://127.0.0.1:$standin_port
export COMMENTD_OAUTH_X_AUTHORIZE_URL=$standin/i/oauth2/authorize COMMENTD_OAUTH_X_TOKEN_URL=$standin/2/oauth2/token
export COMMENTD_OAUTH_X_USERINFO_URL=$standin/2/users/me
export COMMENTD_OAUTH_FACEBOOK_AUTHORIZE_URL=$standin/dialog/oauth COMMENTD_OAUTH_FACEBOOK_TOKEN_URL=$standin/oauth/access_token
export COMMENTD_OAUTH_FACEBOOK_USERINFO_URL=$standin/me

mkdir -p .build
"$bin/login-standin" --port "$standin_port" \
  --client "browser-x:$secret:http://127.0.0.1:$port/auth/x/callback" \
  --client "browser-facebook:$secret:http://127.0.0.1:$port/auth/facebook/callback" >.build/browser-standin.log 2>&1 &
pids+=($!)
"$bin/commentd" serve --demo --port "$port" >.build/browser-serve.log 2>&1 &
pids+=($!)
for check in "$standin/healthz" "http://127.0.0.1:$port/readyz"; do
  for _ in $(seq 1 300); do curl -fs -o /dev/null --max-time 1 "$check" && break; sleep 0.1; done
  curl -fs -o /dev/null --max-time 2 "$check" || { echo "browser: $check does not answer; see .build/browser-*.log" >&2; exit 1; }
done

: >.build/browser-work.log
BOX_API=http://127.0.0.1:$port BOX_PAGE=http://localhost:$port/demo BOX_MODCTL=$bin/modctl \
  BOX_WORKER="exec '$bin/commentd' work --poll-interval 0.2" BOX_WORKER_LOG=.build/browser-work.log SCREENSHOTS=$shots \
  "$venv/bin/python" Tests/Browser/comment_box.py
if [ "${UPDATE_SCREENSHOTS:-}" = 1 ]; then
  mkdir -p docs/screenshots && cp "$shots"/*.png docs/screenshots/
fi

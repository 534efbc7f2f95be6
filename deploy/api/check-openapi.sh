#!/usr/bin/env bash
# Checks deploy/api/openapi.yaml against a running `commentd serve` with schemathesis (from PyPI): every response's
# status, content type, headers and body must be what the document says, for generated valid and invalid requests.
#
#   deploy/api/check-openapi.sh            # needs the COMMENTDESK_TEST_PG* cluster that deploy/local/test.sh starts
#
# It creates a database of its own on that cluster, migrates it, starts commentd serve on a free port with a
# secret generated for this run, and removes everything again on exit. Server log: .build/openapi-serve.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
: "${COMMENTDESK_TEST_PGHOST:?run from deploy/local/test.sh, or export COMMENTDESK_TEST_PGHOST/PORT/USER}"
: "${COMMENTDESK_TEST_PGPORT:?}" "${COMMENTDESK_TEST_PGUSER:?}"
SCHEMATHESIS_VERSION=4.32.5

bin=$(swift build --show-bin-path)
venv=$(bash deploy/local/python-tool.sh schemathesis "$SCHEMATHESIS_VERSION")

database="cd_openapi_$$"
admin=(psql -q -X -v ON_ERROR_STOP=1 -h "$COMMENTDESK_TEST_PGHOST" -p "$COMMENTDESK_TEST_PGPORT" -U "$COMMENTDESK_TEST_PGUSER")
export DATABASE_URL="host=$COMMENTDESK_TEST_PGHOST port=$COMMENTDESK_TEST_PGPORT user=$COMMENTDESK_TEST_PGUSER dbname=$database"
export COMMENTD_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export COMMENTD_JWT_ISSUER=https://login.openapi-check.invalid COMMENTD_JWT_AUDIENCE=commentdesk-openapi-check
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=18080
while port_in_use "$port"; do port=$((port + 1)); done

server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  "${admin[@]}" -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
}
trap cleanup EXIT

"${admin[@]}" -d postgres -c "CREATE DATABASE $database"
"$bin/commentd" migrate
"${admin[@]}" -d "$database" -c "SELECT register_article('a-1', 'https://news.test/a-1', 'OpenAPI check', now())"
# Comment 1, published, by another reader: what the flags operation's example id points at.
"${admin[@]}" -d "$database" -c "SELECT submit_comment('a-1', 'twitter', 'another-reader', 'Another', 'published', NULL)" \
  -c "UPDATE comments SET status = 'approved' WHERE id = 1"
# The fuzzer posts far faster than a reader: lift the active policy's burst limit for this throwaway database.
"${admin[@]}" -d "$database" -c "UPDATE policy_versions SET reader_posts_per_minute = 0 WHERE is_active"
mkdir -p .build
"$bin/commentd" serve --port "$port" >.build/openapi-serve.log 2>&1 &
server=$!
for _ in $(seq 1 100); do port_in_use "$port" && break; sleep 0.1; done
token=$("$bin/commentd" dev-token --subject openapi-check --ttl 3600)

# One worker: with two threads, hypothesis's ast.parse of its own lambdas crashed once inside CPython ("AST constructor
# recursion depth mismatch"), an error of the tool, not of the API, that failed a CI run.
# Every check but use_after_free: deleting one's own comment removes it from view, not from its author's reach
# (GET /v1/comments/{id} keeps answering its author with status "removed" and reason "deleted_by_author", as the
# document says), which that check reads as a resource still there after DELETE.
"$venv/bin/schemathesis" --config-file deploy/api/schemathesis.toml run deploy/api/openapi.yaml --url "http://127.0.0.1:$port" \
  --header "Authorization: Bearer $token" --checks all --exclude-checks use_after_free --phases examples,coverage,fuzzing,stateful \
  --max-examples "${OPENAPI_CHECK_EXAMPLES:-60}" --seed 20261129 --workers 1 --no-color

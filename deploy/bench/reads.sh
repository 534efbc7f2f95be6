#!/usr/bin/env bash
# Hot-article reads (issue 22): 1,000 readers polling one article's comment list, with and without conditional
# requests, and the database work each costs.
#
#   deploy/bench/reads.sh [SECONDS]      (default 20 per measurement)
#
# A new cluster (deploy/local/postgres.sh, removed afterwards) with the migrations applied and one article holding 200
# published comments (20 of them with replies). wrk keeps 1,000 connections polling GET /v1/articles/hot/comments:
# first plainly (every request reads the page), then as a cache revalidating does (If-None-Match with the list's ETag,
# answered 304 from one row). Prints requests/s, latency, how many answers were 304, and the database's transactions
# and rows read per request (pg_stat_database), so the saving is in the database's own counters.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
connections=1000
source deploy/bench/lib.sh
bench_build commentd
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
ulimit -n 8192 2>/dev/null || true
bench_cluster 55700
server=
bench_on_exit 'if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi'
export COMMENTD_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export COMMENTD_JWT_ISSUER=https://login.bench.invalid COMMENTD_JWT_AUDIENCE=commentdesk-bench

bench_fresh
sql "SELECT register_article('hot', NULL, 'A hot article', now())" >/dev/null
sql "INSERT INTO accounts (provider, provider_subject, display_name)
     SELECT 'twitter', 'reader-' || g, 'Reader ' || g FROM generate_series(1, 200) g" >/dev/null
sql "INSERT INTO comments (article_id, account_id, body, status, submitted_at, producer)
     SELECT 1, g, '좋은 기사입니다 ' || g, 'approved', now() - g * interval '1 minute', 'api' FROM generate_series(1, 200) g" >/dev/null
sql "INSERT INTO comments (article_id, account_id, body, status, submitted_at, producer, parent_id)
     SELECT 1, g, '답글 ' || g, 'approved', now(), 'api', g FROM generate_series(1, 20) g" >/dev/null
sql "ANALYZE" >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL $(sql 'SHOW server_version'); wrk and commentd on the same machine"

http_port=$(free_port 18400)
"$bin/commentd" serve --port "$http_port" --max-connections 2000 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$http_port/v1/articles/hot/comments"
etag=$(curl -s -D - -o /dev/null "$url" | awk -F': ' 'tolower($1) == "etag" {gsub("\r", "", $2); print $2}')
[ -n "$etag" ] || { echo "reads: the list answered without an ETag" >&2; exit 1; }

counters() { sql "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched FROM pg_stat_database WHERE datname = 'commentdesk'"; }
measure() {  # name, extra wrk arguments...
  local name=$1
  shift
  sql "SELECT pg_stat_clear_snapshot()" >/dev/null
  local before after
  before=$(counters)
  wrk -t 2 -c $connections -d "${seconds}s" --latency -s "$work/status.lua" "$@" "$url" >"$work/wrk.out" 2>&1 || true
  sleep 1  # the statistics collector's last flush
  after=$(counters)
  local requests rate p50 p99 non2xx answers
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  answers=$(awk '/^statuses:/ {sub("statuses: ", ""); print}' "$work/wrk.out")
  rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  non2xx=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$work/wrk.out")
  awk -v name="$name" -v n="$requests" -v r="$rate" -v p50="$p50" -v p99="$p99" -v x="${non2xx:-0}" -v s="$answers" \
    -v b="$before" -v a="$after" 'BEGIN {
      split(b, B, "|"); split(a, A, "|")
      printf "%s: %d requests, %.0f/s, latency p50 %s p99 %s, errors %d, answers %s; database per request: %.2f transactions, %.0f rows read\n",
        name, n, r, p50, p99, x, s, (A[1] - B[1]) / n, (A[2] - B[2]) / n }'
  grep -E "Socket errors" "$work/wrk.out" | sed 's/^/  /' || true
}
# Counts the answers by status in every wrk thread, and prints them at the end.
cat >"$work/status.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. "×" .. n) end
  table.sort(parts)
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
end
LUA
measure "plain GET, $connections connections"
measure "conditional GET (If-None-Match: $etag), $connections connections" -H "If-None-Match: $etag"

#!/usr/bin/env bash
# Reader API benchmark (release build): wrk posting comments from 1,000 readers over 16 connections, beside the
# database's own ceiling for the same rows: pgbench inserting a comment row and its queue row per transaction, 16
# clients. Also pgbench calling post_comment (the function the API calls), to show what the function costs.
#
#   deploy/bench/api.sh [SECONDS]      (default 20 per measurement)
#
# Each measurement gets a new cluster (deploy/local/postgres.sh, removed afterwards) with the migrations applied, one
# article and the 1,000 readers' accounts. The burst limit is on (1,000 posts per account per minute, high enough not
# to refuse), so the API pays for the per-account count. wrk posts with a different reader's token each request;
# commentd verifies every token. Prints each baseline, wrk's accepted posts/s (counted in the database), latency
# percentiles and errors, and the ratio to the raw insert. Needs wrk (installed from Debian when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
clients=16
readers=1000
source deploy/bench/lib.sh
bench_build commentd
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
bench_cluster 55600
server=
bench_on_exit 'if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi'
export COMMENTD_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export COMMENTD_JWT_ISSUER=https://login.bench.invalid COMMENTD_JWT_AUDIENCE=commentdesk-bench
fresh() {
  bench_fresh
  sql "SELECT register_article('bench', NULL, NULL, now())" >/dev/null
  # The burst limit stays on (counted under the account's row lock on every post), set high enough for 1,000 readers.
  sql "UPDATE policy_versions SET reader_posts_per_minute = 1000 WHERE is_active" >/dev/null
  # The readers have posted before (their accounts exist, ids 1 to 1,000), as on a site that has been running.
  sql "INSERT INTO accounts (provider, provider_subject, display_name)
       SELECT 'twitter', 'reader-' || g, 'Reader ' || g FROM generate_series(1, $readers) g ORDER BY g" >/dev/null
}
body='좋은 기사입니다. 정부의 이번 정책은 신중하게 봐야 합니다'

fresh
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL $(sql 'SHOW server_version'), wrk, pgbench and commentd on the same machine"

# 1a. The ceiling: pgbench inserting the same two rows per transaction (comment with the reader's login, queue row),
# with the queue's own trigger off: the database's rate for these rows, nothing else.
cat >"$work/raw.sql" <<SQL
\set reader random(1, $readers)
WITH c AS (
  INSERT INTO comments (article_id, account_id, body, auth_provider, auth_subject, auth_issued_at, auth_expires_at, producer)
  VALUES (1, :reader, '$body ' || :reader, 'twitter', 'reader-' || :reader, now(), now() + interval '1 hour', 'api')
  RETURNING id)
INSERT INTO comment_queue (comment_id) SELECT id FROM c;
SQL
sql "ALTER TABLE comment_queue DISABLE TRIGGER USER" >/dev/null
as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c $clients -j 2 -T "$seconds" -f "$work/raw.sql" commentdesk \
  >"$work/raw.out" 2>&1
raw_tps=$(awk '/tps = / {print int($3); exit}' "$work/raw.out")
echo "pgbench raw insert (comment + queue row), $clients clients, ${seconds} s: $raw_tps transactions/s (latency average $(awk '/latency average/ {print $4; exit}' "$work/raw.out") ms)"

# 1b. pgbench calling the API's transaction (post_comment) straight, on a new cluster.
fresh
cat >"$work/post.sql" <<SQL
\set reader random(1, $readers)
SELECT * FROM post_comment('bench', 'twitter', 'reader-' || :reader, 'Reader ' || :reader, '$body ' || :reader,
                           NULL, now(), now() + interval '1 hour');
SQL
as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c $clients -j 2 -T "$seconds" -f "$work/post.sql" commentdesk \
  >"$work/pgbench.out" 2>&1
pgbench_tps=$(awk '/tps = / {print int($3); exit}' "$work/pgbench.out")
pgbench_p=$(awk '/latency average/ {print $4; exit}' "$work/pgbench.out")
echo "pgbench post_comment, $clients clients, ${seconds} s: $pgbench_tps transactions/s (latency average $pgbench_p ms)"

# 2. wrk through commentd serve, on a new cluster.
fresh
"$bin/commentd" dev-token --count $readers --subject reader --name Reader --ttl 3600 >"$work/tokens.txt"
http_port=$(free_port 18300)
"$bin/commentd" serve --port "$http_port" --pool-size ${BENCH_POOL:-$clients} 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null && break; sleep 0.1; done
cat >"$work/post.lua" <<LUA
local tokens = {}
for line in io.lines("$work/tokens.txt") do tokens[#tokens + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  local token = tokens[math.random(#tokens)]
  return wrk.format("POST", "/v1/articles/bench/comments",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
    '{"body": "$body ' .. counter .. '"}')
end
LUA
before=$(sql "SELECT count(*) FROM comments")
wrk -t 2 -c $clients -d "${seconds}s" --latency -s "$work/post.lua" "http://127.0.0.1:$http_port" >"$work/wrk.out"
after=$(sql "SELECT count(*) FROM comments")
kill -TERM "$server"; wait "$server" || true; server=
cat "$work/wrk.out" | sed 's/^/  wrk: /'
errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$work/wrk.out")
socket_errors=$(awk '/Socket errors/ {print $0}' "$work/wrk.out")
duration=$(awk '/requests in/ {gsub("s,", "", $4); print $4}' "$work/wrk.out")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
awk -v n=$((after - before)) -v d="$duration" -v raw="$raw_tps" -v p="$pgbench_tps" -v p50="$p50" -v p99="$p99" -v e="${errors:-0}" -v s="${socket_errors:-none}" \
  'BEGIN { r = n / d; printf "commentd serve, %d connections, 1000 readers: %d posts accepted in %.1f s = %.0f posts/s = %.0f%% of the raw insert (goal >= 40%%), %.0f%% of pgbench post_comment; latency p50 %s p99 %s, non-2xx %d, socket errors: %s\n", 16, n, d, r, 100 * r / raw, 100 * r / p, p50, p99, e, s }'

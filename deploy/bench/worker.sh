#!/usr/bin/env bash
# Moderation worker benchmark (release build), beside the server's own ceiling and a peer queue, in the same run.
#
#   deploy/bench/worker.sh [COMMENTS]      (default 100000)
#
# 1. pgbench: single-row INSERTs (a comment-sized row), 4 clients for 10 s: the server's write rate.
# 2. The peer queue: PgQueuer (from PyPI, in a virtualenv under the work folder) draining COMMENTS no-op jobs with
#    batch 100, on its own cluster (skipped, and said so, when PyPI cannot be reached).
# 3. Drain: COMMENTS queued comments (two per reader), drained by 1 worker process, then by 2, each on a new
#    cluster, with the worker's default options (BENCH_WORKER_OPTIONS adds options), time from start to empty queue.
# 4. Latency: pgbench offers submit_comment at 500/s for 20 s while 1 worker with default options runs;
#    submit→decision p50/p99 from the database (comments.submitted_at to moderation_decisions.decided_at).
# Starts its own PostgreSQL cluster (deploy/local/postgres.sh) in a temporary folder and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100000}
readers=$((count / 2))  # two comments per reader in the backlog, as on a busy day
source deploy/bench/lib.sh
bench_build commentd
bench_cluster 55500
bench_on_exit 'pkill -TERM -f "commentd work --worker-id bench-"'
bench_fresh

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL $(sql 'SHOW server_version') on the same machine"

# 1. The server's single-row INSERT rate.
sql "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
echo "INSERT INTO bench_insert (body) VALUES ('좋은 기사입니다. 정부의 이번 정책은 신중하게 봐야 합니다');" > "$work/insert.sql"
pgbench_tps=$(as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 4 -j 2 -T 10 -f "$work/insert.sql" commentdesk 2>/dev/null \
  | awk '/tps = / {print int($3); exit}')
echo "pgbench single-row INSERT, 4 clients: $pgbench_tps rows/s"

seed() {
  sql "SELECT register_article('bench', NULL, NULL, now())" >/dev/null
  sql "INSERT INTO accounts (provider, provider_subject) SELECT 'twitter', 'r' || g FROM generate_series(1, $readers) g ON CONFLICT DO NOTHING"
  sql "INSERT INTO comments (article_id, account_id, body, submitted_at, status)
       SELECT (SELECT id FROM articles WHERE ref = 'bench'), a.id, 'earlier', now() - interval '30 days', 'approved'
       FROM accounts a, generate_series(1, 3) WHERE NOT EXISTS (SELECT 1 FROM comments c WHERE c.account_id = a.id AND c.body = 'earlier')"
  sql "SELECT count(submit_comment('bench', 'twitter', 'r' || (g % $readers + 1), 'Reader',
         CASE WHEN g % 10 = 0 THEN '시발 진짜 ' || g WHEN g % 7 = 0 THEN 'Great article, thanks ' || g
              ELSE '좋은 기사입니다. 정부의 이번 정책은 신중하게 봐야 합니다 ' || g END, NULL))
       FROM generate_series(1, $1) g" >/dev/null
}

drain() {
  local workers=$1
  sql "TRUNCATE comment_queue" ; sql "DELETE FROM comments WHERE body <> 'earlier'" 2>/dev/null || true
  seed "$count"
  local start end
  start=$(date +%s.%N)
  for i in $(seq 1 "$workers"); do
    # shellcheck disable=SC2086 # BENCH_WORKER_OPTIONS is a list of options
    "$bin/commentd" work --worker-id "bench-$workers-$i" ${BENCH_WORKER_OPTIONS:-} > "$work/worker-$workers-$i.log" 2>&1 &
  done
  while [ "$(sql "SELECT EXISTS (SELECT 1 FROM comment_queue WHERE state = 'ready') OR EXISTS (SELECT 1 FROM comment_queue WHERE state = 'running')")" = t ]; do sleep 0.2; done
  end=$(date +%s.%N)
  pkill -TERM -f "commentd work --worker-id bench-$workers-" ; wait
  local decided
  decided=$(sql "SELECT count(*) FROM moderation_decisions WHERE decided_by LIKE 'bench-$workers-%'")
  awk -v n="$decided" -v s="$start" -v e="$end" -v w="$workers" -v p="$pgbench_tps" -v q="${peer_rate:-0}" \
    'BEGIN { r = n / (e - s); printf "drain with %d worker process(es), default options: %d comments in %.2f s = %.0f comments/s = %.0f%% of pgbench INSERT (goal >= 50%%)", w, n, e - s, r, 100 * r / p;
             if (q > 0) printf ", %.2f x the peer queue (goal >= 1)", r / q; printf "\n" }'
}
# Each measurement gets a new cluster: a run that follows another on the same server measured 3x slower (the first
# run's checkpoint writes land in the second), which says nothing about the worker.
# 2. The peer queue's no-op rate, on its own cluster.
bench_fresh
peer_rate=
if python3 -m venv "$work/venv" >/dev/null 2>&1 && "$work/venv/bin/pip" install -q pgqueuer asyncpg >/dev/null 2>&1; then
  peer=$("$work/venv/bin/python" deploy/bench/pgqueuer_noop.py "postgresql://postgres@127.0.0.1:$port/commentdesk" "$count")
  echo "$peer"
  peer_rate=$(echo "$peer" | awk '{print $(NF-1)}')
else
  echo "pgqueuer: skipped (could not install pgqueuer and asyncpg from PyPI)"
fi
bench_fresh; drain 1
bench_fresh; drain 2

# 3. Latency at a steady 500 comments/s.
bench_fresh
sql "SELECT register_article('bench', NULL, NULL, now())" >/dev/null
sql "INSERT INTO accounts (provider, provider_subject) SELECT 'twitter', 'r' || g FROM generate_series(1, 2000) g"
sql "INSERT INTO comments (article_id, account_id, body, submitted_at, status)
     SELECT (SELECT id FROM articles WHERE ref = 'bench'), a.id, 'earlier', now() - interval '30 days', 'approved' FROM accounts a, generate_series(1, 3)"
cat > "$work/submit.sql" <<'SQL'
\set reader random(1, 2000)
SELECT submit_comment('bench', 'twitter', 'r' || :reader, 'Reader', '좋은 기사입니다. 정부의 이번 정책은 신중하게 봐야 합니다', NULL);
SQL
# shellcheck disable=SC2086
"$bin/commentd" work --worker-id bench-latency ${BENCH_WORKER_OPTIONS:-} > "$work/latency.log" 2>&1 &
sleep 1
as_pg "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 4 -j 2 -R 500 -T 20 -f "$work/submit.sql" commentdesk >/dev/null 2>&1
while [ "$(sql "SELECT EXISTS (SELECT 1 FROM comment_queue WHERE state = 'ready') OR EXISTS (SELECT 1 FROM comment_queue WHERE state = 'running')")" = t ]; do sleep 0.2; done
pkill -TERM -f "commentd work --worker-id bench-latency"; wait
sql "SELECT format('latency submit→decision at 500 comments/s offered, 1 worker with default options (%s comments): p50 %s ms, p99 %s ms, max %s ms',
        count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
        round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(max(ms)::numeric, 1))
     FROM (SELECT extract(epoch FROM d.decided_at - c.submitted_at) * 1000 AS ms
           FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id AND d.source = 'automatic'
           WHERE c.body <> 'earlier') t"

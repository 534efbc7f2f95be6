#!/usr/bin/env bash
# How fast `modctl queue` answers with 100,000 held comments (release build), beside the SQL of its list alone.
#
#   deploy/bench/queue.sh [HELD]      (default 100000)
#
# Starts its own PostgreSQL cluster (deploy/local/postgres.sh) in a temporary folder and removes it afterwards. Seeds
# HELD held comments (each with an automatic decision) among 4×HELD approved ones, then times 20 runs of each
# command (process start included).
set -euo pipefail
cd "$(dirname "$0")/../.."
held=${1:-100000}
source deploy/bench/lib.sh
bench_build commentd modctl
bench_cluster 55700
bench_fresh
sql "SELECT register_article('a-' || g, NULL, NULL, now()) FROM generate_series(1, 200) g" >/dev/null
sql "INSERT INTO accounts (provider, provider_subject) SELECT 'twitter', 'r' || g FROM generate_series(1, 20000) g"
sql "INSERT INTO comments (article_id, account_id, body, submitted_at, status, reasons)
     SELECT 1 + g % 200, 1 + g % 20000, 'comment ' || g, now() - make_interval(secs => g),
            CASE WHEN g % 5 = 0 THEN 'held' ELSE 'approved' END,
            CASE WHEN g % 5 <> 0 THEN '{}'::text[] WHEN g % 3 = 0 THEN ARRAY['link']
                 WHEN g % 3 = 1 THEN ARRAY['new_commenter'] ELSE ARRAY['insult', 'link'] END
     FROM generate_series(1, $((held * 5))) g"
sql "INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by)
     SELECT id, 'automatic', CASE status WHEN 'held' THEN 'hold' ELSE 'approve' END, reasons, 'bench' FROM comments"
sql "VACUUM ANALYZE"
echo "machine: $(nproc) cores; PostgreSQL $(sql 'SHOW server_version'); $(sql "SELECT count(*) FROM comments WHERE status = 'held'") held of $(sql 'SELECT count(*) FROM comments') comments"
time_it() {
  local label=$1; shift
  "$@" >/dev/null  # warm
  local start end
  start=$(date +%s%N)
  for _ in $(seq 1 20); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo "$label: $(((end - start) / 20 / 1000000)) ms per run (mean of 20, process start included)"
}
time_it "modctl queue (first 50, counts per reason)" "$bin/modctl" queue
time_it "modctl queue --no-counts" "$bin/modctl" queue --no-counts
time_it "modctl queue --reason insult --no-counts" "$bin/modctl" queue --reason insult --no-counts
time_it "baseline: psql running the list query alone" psql "$DATABASE_URL" -qtAX -c \
  "SELECT c.id FROM comments c WHERE c.status = 'held' ORDER BY c.submitted_at, c.id LIMIT 50"
time_it "baseline: psql connecting and running SELECT 1" psql "$DATABASE_URL" -qtAX -c "SELECT 1"
echo "plans:"
psql "$DATABASE_URL" -qtAX -c "EXPLAIN SELECT c.id FROM comments c WHERE c.status = 'held' ORDER BY c.submitted_at, c.id LIMIT 50" | sed 's/^/  /'
psql "$DATABASE_URL" -qtAX -c "EXPLAIN SELECT r, count(*) FROM comments c CROSS JOIN LATERAL unnest(c.reasons) r WHERE c.status = 'held' GROUP BY r" \
  | sed 's/^/  /'

#!/usr/bin/env bash
# Nightly report benchmark (release build): `commentd report` for a day of COMMENTS comments (default 1,000,000),
# and for a day of 10,000 beside it, with wall time and peak memory (RSS) of each run.
#
#   deploy/bench/report.sh [COMMENTS]
#
# Starts its own PostgreSQL cluster (deploy/local/postgres.sh) and removes it afterwards. The seeded day has the mix
# of a busy site: 80 % approved, 12 % held, 8 % rejected, one or two rule hits on each comment that is not approved,
# moderator decisions on a third of the held ones, 2,000 articles and 200,000 readers. The 7 days before hold 10,000
# comments each (the trend). Baseline in the same run: psql counting the day's comments by status.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000000}
source deploy/bench/lib.sh
bench_build commentd
bench_cluster 55800
bench_fresh

seed_day() {  # DATE COUNT FIRST_ID_OFFSET
  local day=$1 n=$2
  sql "INSERT INTO comments (article_id, account_id, body, submitted_at, status, auth_provider, reasons)
       SELECT 1 + g % 2000, 1 + g % 200000, 'comment', ('$day'::date::timestamp AT TIME ZONE 'Asia/Seoul') + (g * 86400.0 / $n) * interval '1 second',
              CASE WHEN g % 100 < 80 THEN 'approved' WHEN g % 100 < 92 THEN 'held' ELSE 'rejected' END,
              CASE WHEN g % 3 = 0 THEN 'facebook' ELSE 'twitter' END,
              CASE WHEN g % 100 < 80 THEN '{}'::text[] WHEN g % 100 < 92 THEN ARRAY['link'] ELSE ARRAY['profanity'] END
       FROM generate_series(1, $n) g"
}
sql "INSERT INTO articles (ref, title) SELECT 'a-' || g, 'Article ' || g FROM generate_series(1, 2000) g"
sql "INSERT INTO accounts (provider, provider_subject) SELECT 'twitter', 'r' || g FROM generate_series(1, 200000) g"
for back in 1 2 3 4 5 6 7; do seed_day "$(date -d "2026-11-01 - $back days" +%F)" 10000; done
seed_day 2026-11-01 "$count"
seed_day 2026-10-01 10000
sql "INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, hits, decided_by, decided_at)
     SELECT id, 'automatic', CASE status WHEN 'approved' THEN 'approve' WHEN 'held' THEN 'hold' ELSE 'reject' END, reasons,
            CASE WHEN reasons = '{}' THEN '[]'::jsonb
                 ELSE jsonb_build_array(jsonb_build_object('rule', CASE WHEN reasons[1] = 'link' THEN 'links' ELSE 'profanity-en' END,
                                                          'reason', reasons[1], 'category', 'x', 'action', 'hold')) END,
            'worker', submitted_at + interval '40 milliseconds'
     FROM comments"
sql "INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at)
     SELECT id, 'moderator', CASE WHEN id % 2 = 0 THEN 'approve' ELSE 'reject' END, '{}', 'mod-' || (id % 7), submitted_at + interval '20 minutes'
     FROM comments WHERE status = 'held' AND id % 3 = 0"
sql "VACUUM ANALYZE"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL $(sql 'SHOW server_version'); $(sql 'SELECT count(*) FROM comments') comments in all"

measure() {  # LABEL DATE
  local start end rss
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$bin/commentd" report --date "$2" --timezone Asia/Seoul --out "$work" 2>/dev/null
  end=$(date +%s.%N)
  rss=$(cat "$work/rss")
  awk -v l="$1" -v s="$start" -v e="$end" -v r="$rss" 'BEGIN { printf "%s: %.1f s, peak RSS %.1f MB\n", l, e - s, r / 1024 }'
}
measure "commentd report, a day of $count comments" 2026-11-01
measure "commentd report, a day of 10,000 comments" 2026-10-01
start=$(date +%s.%N)
sql "SELECT status, count(*) FROM comments WHERE submitted_at >= '2026-11-01'::date::timestamp AT TIME ZONE 'Asia/Seoul'
     AND submitted_at < '2026-11-02'::date::timestamp AT TIME ZONE 'Asia/Seoul' GROUP BY status" >/dev/null
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "baseline: psql counting the big day by status: %.1f s\n", e - s }'
echo "report totals: $(sql "SELECT summary->'totals' FROM policy_reports WHERE report_date = '2026-11-01'")"

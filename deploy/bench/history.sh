#!/usr/bin/env bash
# History benchmark (release build): posting, moderation and the nightly report on a database holding HISTORY
# comments of history, beside the same on an empty database, in the same run.
#
#   deploy/bench/history.sh [HISTORY]      (default 100000000)
#   HISTORY_STATEMENTS=1 deploy/bench/history.sh …   also prints, for posting and for moderation, the database time of
#                                                   their statements (pg_stat_statements, those inside post_comment
#                                                   included; their planning too with
#                                                   COMMENTDESK_PG_SETTINGS="-c pg_stat_statements.track_planning=on")
#                                                   and the WAL they wrote
#
# Two clusters, one after the other: an empty one (the baseline), then one with HISTORY comments spread over the
# two years before the measured day, each with its automatic decision and a tenth of the held ones with a
# moderator's, on 20,000 articles by 1,000,000 readers (80 % approved, 12 % held, 8 % rejected). On each:
# 1. posting: pgbench calls post_comment (what commentd serve runs for a post) 100,000 times from 4 clients, as readers
#    who already exist (so the account lookups and rate limits read their history), each post with an idempotency key
#    as the comment box sends;
# 2. moderation: one `commentd work` drains those 100,000 and the 1,000 posted to warm up (the same backlog on both);
# 3. report: `commentd report` for a day of 100,000 comments, the day before having been reported (and stored) already;
#    the empty database is first given the week before that day, as many comments as the history has in a week (the
#    report compares the day with that week).
# Starts its own PostgreSQL clusters (deploy/local/postgres.sh) in temporary folders and removes them afterwards. The
# history is written as a large import is: the history tables' secondary indexes are dropped, the rows written, and
# the same indexes (pg_get_indexdef) built again before anything is measured. Ten million comments take about 7 GB.
# The history is partitioned as the worker keeps it (sql/0016): partitions of about a month of its comment ids each.
set -euo pipefail
cd "$(dirname "$0")/../.."
history=${1:-100000000}
source deploy/bench/lib.sh
bench_build commentd modctl
bench_cluster 55900
statements=${HISTORY_STATEMENTS:-0}
[ "$statements" = 1 ] && export COMMENTDESK_PG_SETTINGS="${COMMENTDESK_PG_SETTINGS:-} -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
bench_on_exit 'pkill -TERM -f "commentd work --worker-id bench-history"'
day=2026-11-01  # the measured day (Asia/Seoul)
readers=1000000
articles=20000
# Comment ids per history partition: about a month (HISTORY_PARTITION sets another size, e.g. to compare the same
# history in fewer or more partitions).
partition=${HISTORY_PARTITION:-$((history / 24 > 100000 ? history / 24 : 100000))}

# The default policy with its new-commenter rule approving instead of holding: the rule still counts each author's
# approved comments (through the whole history, on the second database), but a reader's comment meets the same
# verdict with or without history (in the default policy a reader without three approved comments is held, one with
# them published, and publishing costs more than holding), so the two databases are sent the same work.
mkdir "$work/policy"
cp deploy/policy/* "$work/policy/"
sed -i -e 's/^version: .*/version: "bench-history"/' -e '/id: new-commenter/,/params:/ s/action: hold/action: approve/' "$work/policy/standards-board.yaml"
grep -A2 'id: new-commenter' "$work/policy/standards-board.yaml" | grep -q 'action: approve' \
  || { echo "history.sh: new_commenter not found in the policy" >&2; exit 1; }
# Rejected comments older than this lost their text long ago (the worker's retention, as it ran on those nights).
rejected_text_days=$(awk '/^ *rejected_text_days:/ {print $2}' "$work/policy/standards-board.yaml")
[ -n "$rejected_text_days" ] || { echo "history.sh: rejected_text_days not found in the policy" >&2; exit 1; }

fresh() {
  bench_fresh
  [ "$statements" = 1 ] && sql "CREATE EXTENSION pg_stat_statements"
  MODCTL_MODERATOR=bench "$bin/modctl" policy activate "$work/policy/standards-board.yaml" >/dev/null
  sql "INSERT INTO articles (ref, title, published_at) SELECT 'a-' || g, 'Article ' || g, now() FROM generate_series(1, $articles) g"
  # Readers who have posted before carry the name they post under: a post does not rename them (a rename bumps the
  # published version of every article the reader has a published comment on, through the whole history).
  sql "INSERT INTO accounts (provider, provider_subject, display_name) SELECT 'twitter', 'r' || g, 'Reader' FROM generate_series(1, $readers) g"
}

# Comments BASE+LO … BASE+HI of N spread over DAYS days from FIRST_DAY, each with its automatic decision and a tenth of
# the held ones with a moderator's. The ids are given (the sequence is moved past them first), so that two chunks can
# be written side by side.
write_chunk() {  # LO HI N FIRST_DAY DAYS BASE
  local lo=$1 hi=$2 n=$3 first=$4 days=$5 base=$6
  local x="SELECT $base + g AS id, ('$first'::date::timestamp AT TIME ZONE 'Asia/Seoul') + (g * 86400.0 * $days / $n) * interval '1 second' AS t,
                  CASE WHEN g % 100 < 80 THEN 'approved' WHEN g % 100 < 92 THEN 'held' ELSE 'rejected' END AS s
           FROM generate_series($lo::bigint, $hi) g"
  local pruned="s = 'rejected' AND t < now() - interval '$rejected_text_days days'"  # its text gone (retention)
  local reasons="CASE s WHEN 'approved' THEN '{}'::text[] WHEN 'held' THEN ARRAY['link'] ELSE ARRAY['profanity'] END"
  # Written as a restore writes (session_replication_role = replica): no trigger fires and no foreign key is checked
  # row by row (the ids are consistent by construction; the checks into a partitioned table doubled the writing time).
  sql "SET session_replication_role = replica;
       INSERT INTO comments (id, article_id, account_id, body, submitted_at, status, status_changed_at, auth_provider, reasons,
                             erased_at)
       SELECT id, 1 + (id * 7919) % $articles, 1 + (id * 104729) % $readers,
              CASE WHEN $pruned THEN ''
                   ELSE '좋은 기사입니다. 정부의 이번 정책은 신중하게 봐야 합니다 ' || id END,
              t, s, t + interval '40 milliseconds', 'twitter', $reasons,
              CASE WHEN $pruned THEN t + interval '$rejected_text_days days' END
       FROM ($x) x;
       INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at)
       SELECT id, 'automatic', CASE s WHEN 'approved' THEN 'approve' WHEN 'held' THEN 'hold' ELSE 'reject' END, $reasons,
              'worker', t + interval '40 milliseconds' FROM ($x) x;
       INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at)
       SELECT id, 'moderator', CASE WHEN id % 2 = 0 THEN 'approve' ELSE 'reject' END, '{}', 'mod-' || (id % 7),
              t + interval '20 minutes' FROM ($x) x WHERE s = 'held' AND id % 10 = 0"
}

# N comments from FIRST_DAY for DAYS days after the existing ones, in chunks of a million, by two writers at once: one
# writes the first half in order, the other the second half. Each partition is then written in the order of its ids
# and times, as a site writes it (two writers on neighbouring chunks interleave them in the same partition's pages,
# and the planner, seeing times no longer follow the pages, read a month's partition whole for a week of it).
comments() {  # N FIRST_DAY DAYS
  local n=$1 first=$2 days=$3 base chunks half a b
  base=$(sql "SELECT last_value FROM comments_id_seq")
  sql "SELECT setval('comments_id_seq', $base + $n)" >/dev/null
  # Their partitions, as the worker's maintenance keeps them ahead (each about a month of this history); the periods of
  # those they fill are recorded once they are written.
  sql "SELECT * FROM maintain_history_partitions(3, $partition, interval '1000 years', interval '1 hour')" >/dev/null
  chunks=$(((n + 999999) / 1000000)) half=$(((chunks + 1) / 2))
  writer() {  # FIRST_CHUNK END_CHUNK
    local chunk lo
    for ((chunk = $1; chunk < $2; chunk++)); do
      lo=$((chunk * 1000000 + 1))
      write_chunk "$lo" "$((lo + 999999 < n ? lo + 999999 : n))" "$n" "$first" "$days" "$base"
      [ "$n" -lt 10000000 ] || echo "  … comments $lo to $((lo + 999999)) of $n written" >&2
    done
  }
  writer 0 "$half" & a=$!
  writer "$half" "$chunks" & b=$!
  wait "$a"
  wait "$b"
}

# pgbench: TRANSACTIONS posts from each of 4 clients. Commits are not waited for (synchronous_commit off, for these
# sessions only): the flush of the WAL to disk is the same for both databases and, on a shared disk, the noisiest part
# of a post; what is compared is the work.
post() {  # TRANSACTIONS [PGBENCH OPTION...]
  as_pg env PGOPTIONS="-c synchronous_commit=off" "$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 4 -j 2 -t "$1" "${@:2}" \
    -f "$work/post.sql" commentdesk
}

# With HISTORY_STATEMENTS=1: the statements since profile_start by database time, and the WAL written.
profile_start() {
  [ "$statements" = 1 ] && sql "SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal')" >/dev/null
  return 0
}
profile() {  # LABEL
  [ "$statements" = 1 ] || return 0
  echo "$1: statements by database time, and the WAL written"
  psql "$DATABASE_URL" -X -c "SELECT calls, round(total_exec_time) AS ms, round((total_exec_time / nullif(calls, 0))::numeric, 3) AS ms_each,
                                     round(total_plan_time) AS plan_ms,
                                     shared_blks_hit AS hit, shared_blks_read AS read, shared_blks_dirtied AS dirtied, wal_fpi AS fpi,
                                     left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
                              FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' AND query NOT LIKE 'SELECT EXISTS (SELECT % FROM comment_queue%'
                              ORDER BY total_exec_time + total_plan_time DESC LIMIT 10" \
       -c "SELECT wal_records, wal_fpi AS full_page_images, pg_size_pretty(wal_bytes) AS wal FROM pg_stat_wal"
  profile_start
}

measure() {  # LABEL
  local label=$1
  sql "VACUUM ANALYZE"
  # The writes before (the seed, the history) are flushed now, not during the measurement.
  sql "CHECKPOINT"
  # The readers' accounts start in shared buffers on both, as a site's active readers' are: writing the history (55 GB
  # at 100 million) pushed them out, and reading them back from the file system was most of posting's difference
  # (15,000 pages, 0.06 ms of 0.09 ms a post; pg_stat_statements, 100 million comments, 2026-12-04).
  sql "CREATE EXTENSION IF NOT EXISTS pg_prewarm; SELECT pg_prewarm(c.oid) FROM pg_class c
       WHERE c.oid = 'accounts'::regclass OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'accounts'::regclass)" >/dev/null
  local size
  size=$(sql "SELECT pg_size_pretty(pg_database_size('commentdesk'))")
  cat >"$work/post.sql" <<SQL
\set reader random(1, $readers)
\set article random(1, $articles)
SELECT * FROM post_comment('a-' || :article, 'twitter', 'r' || :reader, 'Reader', '오늘 기사 잘 읽었습니다 ' || :reader || ' ' || :article,
                           gen_random_uuid()::text, now(), now() + interval '1 hour');
SQL
  # A warm-up of 1,000 posts, then statistics, as autovacuum gives them within a minute: otherwise every plan is made
  # for an empty newest partition (VACUUM ANALYZE just saw it empty) and reads it whole for the rest of the run.
  post 250 >/dev/null 2>&1 || true
  sql "ANALYZE comments; ANALYZE comment_queue"
  profile_start
  post 25000 -P 100 -r >"$work/pgbench.out" 2>&1 || true
  local tps latency queued
  tps=$(awk '/tps = / {print int($3); exit}' "$work/pgbench.out")
  latency=$(awk '/latency average/ {print $4; exit}' "$work/pgbench.out")
  queued=$(sql "SELECT count(*) FROM comment_queue WHERE state = 'ready'")
  local start end
  profile "$label, posting"
  start=$(date +%s.%N)
  "$bin/commentd" work --worker-id bench-history >"$work/work.log" 2>&1 &
  while [ "$(sql "SELECT EXISTS (SELECT 1 FROM comment_queue WHERE state IN ('ready', 'running'))")" = t ]; do sleep 0.2; done
  end=$(date +%s.%N)
  pkill -TERM -f "commentd work --worker-id bench-history"; wait || true
  # Two figures: from the worker's start (its start-up, the policy and model load and its first maintenance
  # included), and between its first and its last finished batch (the steady pace, the first batch left out).
  local drain steady
  drain=$(awk -v n="$queued" -v s="$start" -v e="$end" 'BEGIN { printf "%d comments in %.1f s = %.0f/s", n, e - s, n / (e - s) }')
  steady=$(sql "SELECT round(count(*) FILTER (WHERE finished_at > first.f) / extract(epoch FROM max(finished_at) - first.f))
                FROM comment_queue, (SELECT min(finished_at) AS f FROM comment_queue WHERE state = 'done') first
                WHERE state = 'done' GROUP BY first.f")
  profile "$label, moderation"
  # What the worker warned about (a batch finished comment by comment, a failure) changes what the figure means.
  if [ -s "$work/work.log" ]; then echo "$label, the worker's log:"; tail -n 20 "$work/work.log"; fi
  # The report compares the day with the seven days before it. The history holds that week; the empty database is given
  # one of the same size (the history's comments a day) before its day, so that both reports read a week and a day and
  # differ by what lies behind them.
  [ "$label" = "$baseline" ] && comments $((history * 7 / 729)) "$(date -d "$day - 7 days" +%F)" 7
  comments 100000 "$day" 1
  sql "ANALYZE comments; ANALYZE moderation_decisions"
  # As every night: the day before was reported (and stored) the night before.
  "$bin/commentd" report --date "$(date -d "$day - 1 day" +%F)" --timezone Asia/Seoul --out "$work" >/dev/null 2>&1
  profile_start
  start=$(date +%s.%N)
  "$bin/commentd" report --date "$day" --timezone Asia/Seoul --out "$work" >/dev/null 2>&1
  end=$(date +%s.%N)
  profile "$label, report"
  local report
  report=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f s", e - s }')
  echo "$label ($size): posting $tps posts/s (latency average $latency ms); moderation $drain (steady $steady/s); report for a day of 100,000: $report"
}

# Drops the secondary indexes of comments and moderation_decisions (not the primary keys or constraints' indexes),
# keeping their definitions to build them again with `with_indexes_again`.
without_indexes() {
  sql "CREATE TABLE bench_indexes AS
       SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index
       WHERE indrelid IN ('comments'::regclass, 'moderation_decisions'::regclass)
         AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)"
  sql "SELECT 'DROP INDEX ' || name || ';' FROM bench_indexes" | psql "$DATABASE_URL" -qtAX >/dev/null
}
with_indexes_again() {
  local definition
  sql "SELECT definition FROM bench_indexes" | while IFS= read -r definition; do
    # A partitioned table's index prints as "ON ONLY" (the parent alone, to be attached later): built here on all of it.
    psql "$DATABASE_URL" -qtAX -c "SET maintenance_work_mem = '1GB'" -c "${definition/ ON ONLY / ON }" >/dev/null
  done
  sql "DROP TABLE bench_indexes"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
baseline="empty database (baseline)"
fresh
measure "$baseline"
fresh
start=$(date +%s)
without_indexes
comments "$history" "$(date -d "$day - 730 days" +%F)" 729
with_indexes_again
# Each reader's count of approved comments (sql/0019), which the comments' triggers keep and a restore carries: the
# history was written without triggers.
sql "INSERT INTO account_approvals (account_id, approved)
     SELECT account_id, count(*) FROM comments WHERE status = 'approved' AND account_id IS NOT NULL GROUP BY account_id"
# The present starts a partition of its own, as on the first day of a month: what is measured is the history behind
# it, not how far the newest partition has filled (BENCHMARKS.md). The ids between are never issued, as after a
# rollback. The history's partitions are full: their periods are recorded (the worker's maintenance does this an hour
# later).
sql "SELECT setval('comments_id_seq', (SELECT min(lower_id) FROM history_partitions WHERE lower_id > (SELECT last_value FROM comments_id_seq)) - 1)" >/dev/null
sql "SELECT * FROM maintain_history_partitions(3, $partition, interval '0', interval '1 hour')" >/dev/null
sql "SELECT count(*) || ' partitions of about ' || $partition || ' comment ids' FROM history_partitions" >&2
echo "history: $history comments with their decisions written in $(( $(date +%s) - start )) s" >&2
measure "$history comments of history"

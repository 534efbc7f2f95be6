#!/usr/bin/env bash
# Builds CommentDesk and runs it against a local PostgreSQL that this script starts (deploy/local/postgres.sh).
#
#   deploy/local/run.sh
#
# Starts the database, builds the binaries, applies the migrations (which activate the default Standards Board
# Policy), then runs the moderation worker in the foreground until Ctrl-C. The reader API joins this command when
# it lands (see README.md).
# Environment: COMMENTDESK_PGPORT (default 54329), COMMENTDESK_PGDATA (default /tmp/commentdesk-pg-PORT).
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
"$bin/modctl" status

cat >&2 <<MSG

CommentDesk is running: the moderation worker decides every comment submitted to the local database.
Submit one from another terminal, and see what happened to it:
  export DATABASE_URL=$DATABASE_URL
  psql "\$DATABASE_URL" -c "SELECT register_article('demo-1', 'https://news.example/demo-1', 'Demo', now())"
  psql "\$DATABASE_URL" -c "SELECT submit_comment('demo-1', 'twitter', '12345', 'Kim', '좋은 기사 감사합니다', NULL)"
  psql "\$DATABASE_URL" -c "SELECT c.id, c.status, d.reasons FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id"
  $bin/modctl status
Ctrl-C stops the worker (it finishes the batch in hand); deploy/local/postgres.sh stop stops the database.
MSG
exec "$bin/commentd" work --metrics-port 9464

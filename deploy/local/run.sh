#!/usr/bin/env bash
# Builds CommentDesk and runs it against a local PostgreSQL that this script starts (deploy/local/postgres.sh).
#
#   deploy/local/run.sh
#
# Today this starts the database, builds the binaries and applies the migrations; the reader API and the
# moderation worker join this command as they land (see README.md).
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

CommentDesk's database is ready.
  export DATABASE_URL=$DATABASE_URL
  $bin/commentd --help
  $bin/modctl --help
  psql "\$DATABASE_URL"
Stop the database with: deploy/local/postgres.sh stop
MSG

#!/usr/bin/env bash
# Instructions per verdict of the Standards Board Policy engine, counted by valgrind's cachegrind: a figure that does
# not drift with the load of a shared machine, for comparing two versions of the engine.
#
#   deploy/bench/policy-instructions.sh
#
# policy-benchmark runs once with one round and once with two rounds over the same 20,000 comments; the difference is
# the cost of 20,000 full verdicts, setup excluded. Swift seeds its hashing per process, which moved the count by about
# 1 % from run to run; SWIFT_DETERMINISTIC_HASHING makes it the same every run. Needs valgrind (installed from Debian
# when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v valgrind >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
swift build -c release --product policy-benchmark >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind cannot read the DWARF 5 the Swift compiler writes; the symbol table is enough.
strip --strip-debug -o "$work/policy-benchmark" "$(swift build -c release --show-bin-path)/policy-benchmark"
count() {
  SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null "$work/policy-benchmark" \
    --engine-only --rounds "$1" --corpus 20000 2>&1 >/dev/null | awk '/I *refs:/ {i=$4} /D1  misses:/ {d=$4} END {gsub(",", "", i); gsub(",", "", d); print i, d}'
}
read -r i1 d1 < <(count 1)
read -r i2 d2 < <(count 2)
awk -v i1="$i1" -v i2="$i2" -v d1="$d1" -v d2="$d2" \
  'BEGIN { printf "policy engine: %.0f instructions and %.0f L1 data misses per verdict (20,000 comments, cachegrind)\n", (i2 - i1) / 20000, (d2 - d1) / 20000 }'

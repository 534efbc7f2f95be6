#!/usr/bin/env bash
# Standards Board Policy benchmarks (release build), with their baselines measured in the same run.
#
#   deploy/bench/policy.sh
#
# 1. policy-benchmark: verdicts/s on one core (taskset -c 0) for the default policy over a seeded, realistic mix of
#    comments, beside one NSRegularExpression of every term with word boundaries; memory of the compiled policy. The
#    engine and the baseline run in alternating rounds (7 by default, `BENCH_ROUNDS`), and the figures are medians.
# 2. modctl policy check --jsonl end to end: 200,000 JSON lines through the real binary, wall-clock time.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product policy-benchmark >&2
swift build -c release --product modctl >&2
bin=$(swift build -c release --show-bin-path)
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(swift --version 2>&1 | head -1)"
$pin "$bin/policy-benchmark" --rounds "${BENCH_ROUNDS:-7}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/policy-benchmark" --write-jsonl "$work/in.jsonl" --count 200000 >/dev/null
start=$(date +%s.%N)
$pin "$bin/modctl" policy check --jsonl < "$work/in.jsonl" > "$work/out.jsonl"
end=$(date +%s.%N)
lines=$(wc -l < "$work/out.jsonl")
errors=$(grep -c '"error"' "$work/out.jsonl" || true)
awk -v n="$lines" -v s="$start" -v e="$end" -v err="$errors" \
  'BEGIN { printf "modctl policy check --jsonl: %d lines in %.2f s = %.0f comments/s end to end (%d error lines)\n", n, e - s, n / (e - s), err }'

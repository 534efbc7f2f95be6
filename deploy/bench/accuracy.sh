#!/usr/bin/env bash
# Accuracy of a Standards Board Policy on human-labelled comments that no one here wrote: per label, how many the
# policy approves, holds and rejects, and the commonest reasons and matched words on each side.
#
#   deploy/bench/accuracy.sh [POLICY.yaml]      (default: the built-in policy)
#
# The set: the Korean HateSpeech Dataset's labelled part (github.com/kocohub/korean-hate-speech; its folder in
# ACCURACY_DATA, by default where this team's machines keep it) (8,367 Korean entertainment-news comments labelled
# none/offensive/hate; CC BY-SA 4.0, see its README). First the rules on train and dev together (the policy's learned
# model left out: it was trained on train.tsv, and would be judged on its own lessons), then the whole policy, model
# included, on dev alone, which the model never saw. `SAMPLES=n` also prints n comments per
# label that went the wrong way, for finding classes of error (never to copy into the policy or the tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${ACCURACY_DATA:-../shared/datasets/kocohub-korean-hate-speech}
[ -f "$data/train.tsv" ] || { echo "accuracy: no labelled set at $data (set ACCURACY_DATA)" >&2; exit 1; }
swift build -c release --product modctl >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One file: the header once, then every labelled line of both parts.
{ cat "$data/train.tsv"; tail -n +2 "$data/dev.tsv"; } > "$work/all.tsv"
policy=()
[ $# -ge 1 ] && policy=(--policy "$1")
"$bin/modctl" policy evaluate "$work/all.tsv" --text-column comments --label-column hate --clean-label none \
  --samples "${SAMPLES:-0}" --top "${TOP:-12}" --rules-only "${policy[@]}"
echo
"$bin/modctl" policy evaluate "$data/dev.tsv" --text-column comments --label-column hate --clean-label none \
  --samples "${SAMPLES:-0}" --top "${TOP:-12}" "${policy[@]}"

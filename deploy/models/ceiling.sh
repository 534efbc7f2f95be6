#!/usr/bin/env bash
# The evidence behind BENCHMARKS.md's ceiling for bag-of-n-gram models on the shared Korean set (issue 18): logistic
# regression, a one-hidden-layer network, a three-class model, one with a bias-label model and NB-SVM beside the policy's
# rules, cross-validated on train.tsv, scored on dev.tsv; then how the cross-validated figure grows with the number of
# labelled comments (a learning curve); then everyday words as extra clean examples.
#
#   deploy/models/ceiling.sh        # about ten minutes on two cores; scikit-learn from PyPI in .build/
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${MODEL_DATA:-../shared/datasets/kocohub-korean-hate-speech}
[ -f "$data/train.tsv" ] || { echo "ceiling.sh: no labelled set at $data (set MODEL_DATA)" >&2; exit 1; }
venv=$(bash deploy/local/python-tool.sh scikit-learn 1.9.1)
swift build -c release --product modctl >&2
bin=$(swift build -c release --show-bin-path)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for split in train dev; do
  "$bin/modctl" policy evaluate "$data/$split.tsv" --text-column comments --label-column hate --clean-label none --rules-only \
    --samples 100000 >"$out/rules-$split.txt"
done
# Everyday Korean words (wordfreq's vocabulary) that the rules let through: clean one-word comments, for the last part.
words=$(bash deploy/local/python-tool.sh wordfreq 3.1.1)
{ printf 'comments\thate\n'; "$words/bin/python" deploy/local/everyday-words.py --list | sed 's/$/\tnone/'; } >"$out/words.tsv"
"$bin/modctl" policy evaluate "$out/words.tsv" --text-column comments --label-column hate --clean-label none --rules-only \
  --samples 100000 >"$out/rules-words.txt"
"$venv/bin/python" deploy/models/ceiling.py "$data" "$out"

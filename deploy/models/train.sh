#!/usr/bin/env bash
# Builds the default abuse model reproducibly: the same data, seed and code give the same file, byte for byte.
#
#   deploy/models/train.sh            → deploy/policy/abuse-ko.json, then its figures on the dev split
#
# Trained on train.tsv of the Korean HateSpeech Dataset (github.com/kocohub/korean-hate-speech; its folder in MODEL_DATA)
# only; dev.tsv is kept out and is the figure to report.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${MODEL_DATA:-../shared/datasets/kocohub-korean-hate-speech}
[ -f "$data/train.tsv" ] || { echo "train.sh: no labelled set at $data (set MODEL_DATA)" >&2; exit 1; }
swift build -c release --product modctl >&2
bin=$(swift build -c release --show-bin-path)
# Everyday Korean words (wordfreq 3.1.1's vocabulary, CC BY-SA 4.0) as extra clean examples, so that a word's fragments
# alone are no evidence: a one-word comment such as 조약 or 약국 is not held.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
words=$scratch/wordfreq-3.1.1-ko.txt   # the name is in the model's provenance
"$(bash deploy/local/python-tool.sh wordfreq 3.1.1)/bin/python" deploy/local/everyday-words.py --list >"$words"
"$bin/modctl" model train "$data/train.tsv" --text-column comments --label-column hate --clean-label none --seed 1 \
  --source "Korean HateSpeech Dataset (Moon, Cho, Lee; kocohub/korean-hate-speech f8d05dc) train.tsv, CC BY-SA 4.0; everyday words: wordfreq 3.1.1 (Robyn Speer), Korean vocabulary, CC BY-SA 4.0" \
  --clean-texts "$words" --out deploy/policy/abuse-ko.json
"$bin/modctl" model evaluate "$data/dev.tsv" --text-column comments --label-column hate --clean-label none \
  --model deploy/policy/abuse-ko.json --target-clean 0.97

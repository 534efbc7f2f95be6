#!/usr/bin/env bash
# The Scunthorpe check of the Korean term lists: no everyday Korean word (wordfreq's vocabulary, from PyPI) is held or
# rejected only by a term that sits inside it (everyday-words.py says how). Run by deploy/local/test.sh.
#
#   deploy/local/everyday-words.sh                  # the default policy, built into modctl
#   deploy/local/everyday-words.sh --policy FILE    # another policy
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=$(bash deploy/local/python-tool.sh wordfreq 3.1.1)
swift build --product modctl >&2
"$venv/bin/python" deploy/local/everyday-words.py "$(swift build --show-bin-path)/modctl" "$@"

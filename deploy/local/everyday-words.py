"""The Scunthorpe check of a policy's Korean terms, run by deploy/local/everyday-words.sh.

A Korean term matches inside words (Korean attaches particles and endings to a word, and runs words together), so a
short term can sit inside an innocent everyday word: 염병 in 전염병 (an epidemic), 애자 in 동성애자. This feeds every word
of wordfreq's Korean vocabulary (its most frequent words in Wikipedia, subtitles, news, books and the web) to
`modctl policy check --jsonl` and fails on each word whose term hits in Hangul all start inside it: the term needs `*`
(only at a word's start) or the word an allow entry. A word a term hits at its start is the term's own business.

    everyday-words.py MODCTL [--policy FILE]     the check
    everyday-words.py --list                     the words, one a line"""

import json
from importlib.metadata import version
import subprocess
import sys

import wordfreq

# The words with Hangul syllables in wordfreq's Korean list (all of it: about 27,000). `--list` prints them, one a
# line, for deploy/models/train.sh and ceiling.sh, which teach the model that they are clean.
words = [w for w in wordfreq.top_n_list("ko", 100000) if any("\uac00" <= c <= "\ud7a3" for c in w)]
if sys.argv[1:] == ["--list"]:
    print("\n".join(words))
    sys.exit(0)
modctl, policy = sys.argv[1], sys.argv[2:]
lines = "".join(json.dumps({"id": i, "body": w}, ensure_ascii=False) + "\n" for i, w in enumerate(words))
out = subprocess.run([modctl, "policy", "check", "--jsonl", *policy], input=lines, capture_output=True, text=True,
                     check=True).stdout.splitlines()
assert len(out) == len(words), f"{len(out)} verdicts for {len(words)} words"


def hangul(text):
    return any("\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f" or "\uac00" <= c <= "\ud7a3" for c in text)


verdicts = [json.loads(line) for line in out]
inside = []
for word, verdict in zip(words, verdicts):
    hits = [h for h in verdict.get("hits", []) if "start" in h and h.get("action") != "approve" and hangul(h.get("matched", ""))]
    if hits and all(h["start"] > 0 for h in hits):
        inside.append(f"  {word}: " + ", ".join(f"{h['matched']} ({h['rule']}, {h['action']})" for h in hits))
blocked = [v for v in verdicts if v["outcome"] != "approve"]
# Held by a learned model alone (a hit of category `model`): reported, not failed; the model's trainer learns these
# words as clean (deploy/models/train.sh), which is where they are mended.
by_model = [v for v in blocked if all(h.get("category") == "model" for h in v["hits"] if h.get("action") != "approve")]
print(f"everyday words: {len(words)} Korean words from wordfreq {version('wordfreq')}, {len(blocked)} held or rejected "
      f"({len(by_model)} by the learned model alone), {len(inside)} only by a term inside them")
if inside:
    print("a term sits inside these everyday words (give the term `*`, or the word an allow entry):", file=sys.stderr)
    print("\n".join(inside), file=sys.stderr)
    sys.exit(1)

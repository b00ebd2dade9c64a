"""Speed and false-alarm check of dedup.conflicts on near-duplicate BBC sentences.

Near-duplicate pairs are found without the project's matchers (so this check
does not move when they do): two sentences of the corpus that share a word
5-gram and score >= 70 on RapidFuzz's ratio, and are not identical.  Those are
the pairs the pipeline would hand to ``find_conflicts``; most restate one
claim with the same values, so every conflict reported on them is printed for
a person to judge, and the per-pair time is measured.

    .venv/bin/python benchmarks/conflicts_check.py [CORPUS_DIR] [--show N]
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz

from dedup.conflicts import find_conflicts
from dedup.conflicts.analysis import analyse

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])|\n+")


def sentences(corpus: Path) -> list[str]:
    out = []
    for path in sorted(corpus.glob("*/*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        out.extend(s.strip() for s in _SPLIT.split(text) if len(s.split()) >= 6)
    return out


def near_pairs(sents: list[str], min_ratio: float = 70.0) -> list[tuple[str, str]]:
    uniq = sorted(set(sents))
    index: dict[tuple, list[int]] = defaultdict(list)
    for i, s in enumerate(uniq):
        words = s.lower().split()
        for k in range(len(words) - 4):
            index[tuple(words[k : k + 5])].append(i)
    seen = set()
    for ids in index.values():
        if 1 < len(ids) <= 20:
            for x in ids:
                for y in ids:
                    if x < y:
                        seen.add((x, y))
    return [(uniq[x], uniq[y]) for x, y in sorted(seen) if fuzz.ratio(uniq[x], uniq[y]) >= min_ratio]


# Rewrites that keep every value: each must give NO conflict.
_SPELL = {str(i): w for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_ABBR = {m: m[:3] + "." for m in "January February August September October November December".split()}
_SAME_VALUE = [
    (re.compile(r"(\d+(?:\.\d+)?)%"), lambda m: f"{m.group(1)} per cent"),
    (re.compile(r"(\d+(?:\.\d+)?) per ?cent\b"), lambda m: f"{m.group(1)}%"),
    (re.compile(r"([$£€]\d+(?:\.\d+)?)bn\b"), lambda m: f"{m.group(1)} billion"),
    (re.compile(r"([$£€]\d+(?:\.\d+)?)m\b"), lambda m: f"{m.group(1)} million"),
    (re.compile(r"([$£€]\d+(?:\.\d+)?) billion\b"), lambda m: f"{m.group(1)}bn"),
    (re.compile(r"(?<![\w.,$£€-])([2-9]|10)(?= [a-z]{3,})(?! per)"), lambda m: _SPELL[m.group(1)]),
    (re.compile(r"(?<!ty )(?<![\w-])(two|three|four|five|six|seven|eight|nine|ten)(?= [a-z]{3,})(?! hundred| thousand| million| billion)"),
     lambda m: {v: k for k, v in _SPELL.items()}[m.group(1).lower()]),
    (re.compile(r"\b(" + "|".join(_ABBR) + r") (\d{1,2})\b"), lambda m: f"{_ABBR[m.group(1)]} {m.group(2)}"),
    (re.compile(r"\b(\d{1,2}) (" + "|".join(_ABBR) + r")\b"), lambda m: f"{m.group(2)} {m.group(1)}"),
]
# Rewrites that change one value: each should give a conflict (recall).
_NEW_VALUE = [
    (re.compile(r"(?<![\w.,])(\d+)(?=%| per ?cent)"), lambda m: str(int(m.group(1)) + 7)),
    (re.compile(r"(?<=[$£€])(\d+)(?=(?:\.\d+)?(?:bn|m| billion| million)\b)"), lambda m: str(int(m.group(1)) + 3)),
    (re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday)\b"),
     lambda m: {"Monday": "Tuesday", "Tuesday": "Wednesday", "Wednesday": "Thursday", "Thursday": "Friday", "Friday": "Monday"}[m.group(1)]),
    (re.compile(r"(?<![\w.,$£€-])([2-9])(?= [a-z]{4,})(?! per)"), lambda m: str(int(m.group(1)) + 1)),
]


def perturbation_check(sents: list[str]) -> None:
    for label, rules, want in (("same value", _SAME_VALUE, False), ("changed value", _NEW_VALUE, True)):
        n = hits = 0
        examples = []
        for s in sents:
            for rx, fn in rules:
                t, k = rx.subn(fn, s, count=1)
                if not k or t == s:
                    continue
                n += 1
                got = bool(find_conflicts(s, t))
                hits += got
                if got != want and len(examples) < 12 and not re.search(r"about|around|more than|over|up to|\(|some|nearly|almost", s):
                    examples.append((s, t, find_conflicts(s, t)))
        rate = hits / max(n, 1)
        print(f"{label}: {n} rewrites, conflict reported on {hits} ({rate:.1%}); want {'all' if want else 'none'}")
        for s, t, cs in examples:
            print("   A:", s[:160])
            print("   B:", t[:160])
            print("     ", cs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default="../shared/corpora/bbc")
    ap.add_argument("--show", type=int, default=60)
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.exists():
        corpus = Path("/work/shared/corpora/bbc")
    sents = sentences(corpus)
    pairs = near_pairs(sents)
    print(f"{len(sents)} sentences, {len(pairs)} near-duplicate pairs")

    analyse.cache_clear()
    t = time.perf_counter()
    results = [find_conflicts(a, b) for a, b in pairs]
    cold = time.perf_counter() - t
    t = time.perf_counter()
    for a, b in pairs:
        find_conflicts(a, b)
    warm = time.perf_counter() - t
    n = max(len(pairs), 1)
    print(f"per pair: {cold / n * 1e6:.0f} us cold (each sentence analysed), {warm / n * 1e6:.0f} us cached")

    perturbation_check(sents)

    flagged = [(a, b, c) for (a, b), c in zip(pairs, results) if c]
    print(f"pairs with conflicts: {len(flagged)} of {len(pairs)}")
    for a, b, cs in flagged[: args.show]:
        print("-" * 80)
        print("A:", a)
        print("B:", b)
        for c in cs:
            print(f"   {c.type}: {c.a!r} vs {c.b!r}")


if __name__ == "__main__":
    main()

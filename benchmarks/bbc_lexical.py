"""Acceptance check on the BBC corpus: exact+fuzzy links every pair of articles sharing a sentence.

    .venv/bin/python benchmarks/bbc_lexical.py [CORPUS_DIR] [--runs N]

Prints the documents read, how many article pairs share an identical
(normalized) sentence of at least MIN_WORDS words, how many of those pairs
the findings link, and the wall time of the full check (median of N runs).
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup import Settings, check  # noqa: E402
from dedup.pipeline import is_eligible  # noqa: E402


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    runs = 3
    if "--runs" in args:
        at = args.index("--runs")
        runs = int(args[at + 1])
        del args[at : at + 2]
    corpus = Path(args[0]) if args else ROOT.parent / "shared" / "corpora" / "bbc"
    settings = Settings(methods=("exact", "fuzzy"))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = check([str(corpus)], settings)
        times.append(time.perf_counter() - t0)
    docs_of = defaultdict(set)
    for s in result.sentences:
        if is_eligible(s, settings):
            docs_of[s.normalized].add(s.document.name)
    sharing = set()
    for names in docs_of.values():
        sharing.update(itertools.combinations(sorted(names), 2))
    linked = set()
    for f in result.findings:
        linked.update(itertools.combinations(sorted({o.document.name for o in f.occurrences}), 2))
    missing = sharing - linked
    print(f"documents read: {len(result.documents)}; sentences: {len(result.sentences)}")
    print(f"findings: {len(result.findings)}")
    print(f"article pairs sharing an identical sentence: {len(sharing)}; linked by a finding: {len(sharing & linked)}")
    print(f"article pairs linked only by fuzzy (near-identical) sentences: {len(linked - sharing)}")
    print(f"check time, median of {runs}: {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

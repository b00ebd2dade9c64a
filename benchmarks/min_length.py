"""How short can a repeated sentence be before repeats are boilerplate?  (MIN_WORDS, MIN_CHARS)

    .venv/bin/python benchmarks/min_length.py [CORPUS_DIR]

For every word count, takes the distinct normalized sentences that occur in two
or more articles and counts those that are *boilerplate*: they link at least
one pair of articles that share no sentence of 8+ words (so the two articles
are not copies of one story).  The default minimum is the smallest length
from which boilerplate is rare.
"""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup.documents import read_documents  # noqa: E402
from dedup.normalize import words  # noqa: E402
from dedup.pipeline import segment_documents  # noqa: E402


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "corpora" / "bbc"
    docs, _ = read_documents([corpus])
    docs_of: dict[str, set[str]] = defaultdict(set)
    for s in segment_documents(docs):
        docs_of[s.normalized].add(s.document.name)
    shared = {k: sorted(v) for k, v in docs_of.items() if len(v) > 1}
    related = set()
    for key, names in shared.items():
        if len(words(key)) >= 8:
            related.update(itertools.combinations(names, 2))
    print(f"{len(docs)} documents; {len(shared)} distinct sentences occur in 2+ documents\n")
    print(f"{'words':>5}  {'repeated':>8}  {'boilerplate':>11}  examples")
    for n in range(1, 11):
        at_n = [k for k in shared if len(words(k)) == n]
        boiler = [k for k in at_n if any(p not in related for p in itertools.combinations(shared[k], 2))]
        print(f"{n:>5}  {len(at_n):>8}  {len(boiler):>11}  {'; '.join(boiler[:4])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

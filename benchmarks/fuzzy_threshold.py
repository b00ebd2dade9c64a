"""What does a rapidfuzz ratio of 90 mean on news sentences?  (FUZZY_MIN_RATIO)

    .venv/bin/python benchmarks/fuzzy_threshold.py [--data msr_paraphrase_train.txt]

MRPC pairs are two sentences of one story, labelled paraphrase or not by
annotators.  Both sentences are normalized as dedup normalizes them, scored
with ``fuzz.ratio`` (the fuzzy matcher's verification), and for each cut the
script prints how many pairs reach it and which share of those are labelled
paraphrases.  A fuzzy repeat should be a paraphrase almost always: the cut
is where that share stays high while the pairs still differ by a word or two.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.calibrate import DEFAULT_DATA, read_mrpc  # noqa: E402
from dedup.normalize import normalize  # noqa: E402
from dedup.settings import FUZZY_MIN_RATIO  # noqa: E402

CUTS = (70, 75, 80, 85, 88, 90, 92, 95, 98)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    pairs = read_mrpc(args.data)
    scored = [(fuzz.ratio(normalize(p.text1), normalize(p.text2)), p.label) for p in pairs]
    positives = sum(label for _, label in scored)
    print(f"{len(scored):,} MRPC pairs, {positives:,} labelled paraphrase ({positives / len(scored):.0%})")
    print(f"{'ratio >=':>8} {'pairs':>6} {'paraphrases':>11} {'share':>6} {'of all paraphrases':>18}")
    for cut in CUTS:
        reached = [label for score, label in scored if score >= cut]
        hits = sum(reached)
        mark = "  <- FUZZY_MIN_RATIO" if cut == FUZZY_MIN_RATIO else ""
        share = f"{hits / len(reached):.1%}" if reached else "-"
        print(f"{cut:>8} {len(reached):>6,} {hits:>11,} {share:>6} {hits / positives:>18.1%}{mark}")


if __name__ == "__main__":
    main()

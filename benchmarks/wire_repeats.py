"""Repeat findings on wire copy as it comes: the acceptance lines of "Wire copy as it comes".

    .venv/bin/python benchmarks/wire_repeats.py [--corpus reuters_dev.jsonl] [--bbc DIR] [--runs N] [--default]

Runs ``dedup check --methods exact,fuzzy --id-field id`` (library API) on
``reuters_dev.jsonl`` (``--default``: the default methods, semantic claims included, so the
over-50 line holds claim findings too; ``benchmarks/wire_claims.py`` details those) and prints:

- findings by kind, the largest ones, and how many exceed 50 occurrences
  without being boilerplate;
- chaining: repeat findings some member of which is no near-repeat
  (``fuzz.ratio`` >= the fuzzy threshold) of any single occurrence that all
  the others are near-repeats of (0 when groups never chain);
- repeat findings whose occurrences state different figures, and how many of
  them name no conflicting detail;
- story pairs sharing a whole sentence of 6+ words, and how many no finding
  links (they must all be linked);
- the same linking count on BBC (``--bbc``), and the findings count there;
- ``story.same_story`` against the hand-labelled document pairs of
  ``benchmarks/data/reuters_same_story.jsonl`` (documents joined by a
  near-repeat whose figures differ; labelled once from their texts).

Exit status 1 when an acceptance line fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from dedup import Settings, check  # noqa: E402
from dedup.normalize import words  # noqa: E402
from dedup.pipeline import is_eligible  # noqa: E402
from dedup.story import StorySignature, same_story, states_other_figures  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"


def sharing_pairs(result, settings, min_words: int) -> set[tuple[str, str]]:
    docs_of = defaultdict(set)
    for s in result.sentences:
        if is_eligible(s, settings) and len(words(s.normalized)) >= min_words:
            docs_of[s.normalized].add(s.document.name)
    pairs = set()
    for names in docs_of.values():
        pairs.update(itertools.combinations(sorted(names), 2))
    return pairs


def linked_pairs(result) -> set[tuple[str, str]]:
    linked = set()
    for f in result.findings:
        linked.update(itertools.combinations(sorted({o.document.name for o in f.occurrences}), 2))
    return linked


def chains(finding, min_ratio: float) -> bool:
    keys = [o.normalized for o in finding.occurrences]
    distinct = list(dict.fromkeys(keys))
    return not any(all(k == c or fuzz.ratio(k, c) >= min_ratio for k in distinct) for c in distinct)


def paws_swaps() -> int:
    """How many near-identical PAWS dev pairs of each label and part ``story.swapped`` flags as an exchange.

    Parts are ``models/pairsets.py``'s (a hash of the pair ids): ``SWAP_MAX_ZIPF`` was chosen on train and
    choose, report is what it does on pairs nothing was chosen on.
    """
    sys.path.insert(0, str(ROOT / "models"))
    from pairsets import read_paws

    from dedup.normalize import normalize
    from dedup.story import swapped

    near = [p for p in read_paws() if fuzz.ratio(normalize(p.a), normalize(p.b)) >= 90]
    for part in ("train", "choose", "report"):
        for positive, name in ((False, "different meaning"), (True, "paraphrase")):
            pairs = [p for p in near if p.part == part and p.positive == positive]
            flagged = sum(swapped(p.a, p.b) is not None for p in pairs)
            print(f"PAWS dev {part}, {name}, fuzz.ratio >= 90: {len(pairs)} pairs, {flagged} flagged as swapped")
    return 0


def timed_check(paths, settings, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = check(paths, settings)
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(SHARED / "reuters_dev.jsonl"))
    parser.add_argument("--bbc", default=str(SHARED / "bbc"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--paws", action="store_true", help="only: story.swapped on PAWS dev pairs at ratio >= 90")
    parser.add_argument("--default", action="store_true", help="the default methods (exact, fuzzy, semantic)")
    args = parser.parse_args(argv[1:])
    if args.paws:
        return paws_swaps()
    failed = []

    methods = Settings().methods if args.default else ("exact", "fuzzy")
    settings = Settings(methods=methods, id_field="id")
    result, seconds = timed_check([args.corpus], settings, args.runs)
    kinds = Counter(f.kind for f in result.findings)
    print(f"reuters_dev: {len(result.documents)} stories, {len(result.findings)} findings {dict(kinds)}, "
          f"check {seconds:.1f} s (median of {args.runs})")
    threshold = settings.boilerplate_documents(len(result.documents))
    print(f"boilerplate threshold: {threshold} documents")
    for f in sorted(result.findings, key=lambda f: -len(f.occurrences))[:8]:
        docs = len({id(o.document) for o in f.occurrences})
        print(f"  {f.kind:11} {len(f.occurrences):4} occurrences, {docs:4} documents: {f.occurrences[0].text[:70]!r}")
    big = [f for f in result.findings if len(f.occurrences) > 50 and f.kind != "boilerplate"]
    print(f"findings over 50 occurrences not reported as boilerplate: {len(big)}")
    if big:
        failed.append("big findings")
    repeats = [f for f in result.findings if f.kind == "repeat"]
    chained = [f for f in repeats if chains(f, settings.fuzzy_min_ratio)]
    print(f"repeat findings that chain (no occurrence all others near-repeat): {len(chained)} of {len(repeats)}")
    if chained:
        failed.append("chains")
    differing = [f for f in repeats
                 if any(states_other_figures(f.occurrences[0].normalized, o.normalized) for o in f.occurrences)]
    silent = [f for f in differing if not f.conflicts]
    within = [f for f in differing if f.scope == "within"]
    print(f"repeat findings whose occurrences state different figures: {len(differing)} "
          f"(naming no conflicting detail: {len(silent)}; within one story: {len(within)})")
    if silent:
        failed.append("silent figure changes")
    for f in differing[:5]:
        print(f"  {[c.type for c in f.conflicts]} {[o.text[:60] for o in f.occurrences[:2]]}")
    sharing = sharing_pairs(result, settings, 6)
    missing = sharing - linked_pairs(result)
    print(f"story pairs sharing a sentence of 6+ words: {len(sharing)}; not linked: {len(missing)}")
    if missing:
        failed.append("unlinked story pairs")

    if Path(args.bbc).is_dir():
        bbc_settings = Settings(methods=methods)
        bbc, seconds = timed_check([args.bbc], bbc_settings, args.runs)
        sharing = sharing_pairs(bbc, bbc_settings, bbc_settings.min_words)
        missing = sharing - linked_pairs(bbc)
        print(f"BBC: {len(bbc.findings)} findings {dict(Counter(f.kind for f in bbc.findings))}, "
              f"check {seconds:.1f} s; article pairs sharing a sentence: {len(sharing)}, not linked: {len(missing)}")
        if missing:
            failed.append("unlinked BBC pairs")
    labels = ROOT / "benchmarks" / "data" / "reuters_same_story.jsonl"
    texts = {d.id: d.text for d in result.documents}
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    said = [same_story(StorySignature.of(texts[r["a"]]), StorySignature.of(texts[r["b"]]), settings) for r in rows]
    agree = sum((r["label"] == "same") == s for r, s in zip(rows, said))
    wrong = [r["note"] for r, s in zip(rows, said) if (r["label"] == "same") != s]
    print(f"same_story on {len(rows)} labelled document pairs: {agree} agree; disagree: {wrong}")
    print("acceptance:", "FAILED " + ", ".join(failed) if failed else "all lines hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

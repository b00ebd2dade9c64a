"""Claim findings on wire copy, and what corpus specificity does to the labelled claim pairs.

    .venv/bin/python benchmarks/wire_claims.py [--corpus reuters_dev.jsonl] [--bbc DIR] [--no-bbc]
    .venv/bin/python benchmarks/wire_claims.py --labelled [--part report|choose|all]

The first form runs a default check (exact, fuzzy, semantic; the rule decider; the embedding cache
on) of ``reuters_dev.jsonl`` (``--id-field id``) and prints the findings by kind, the claim
findings, how many claim findings exceed 50 occurrences (the acceptance line of issue 14: none
that is not boilerplate) and the largest ones with the specific words their members share; then the
same counts for BBC.

``--labelled`` decides the hand-labelled BBC and Reuters candidate pairs
(``benchmarks/data/*_claim_pairs.jsonl``) as a default check of their corpus decides them
(``verify.claim_verdicts`` with the corpus's ``Specificity``: BBC pairs with the whole BBC corpus,
Reuters pairs with reuters_dev), and with general English only (no corpus), and prints the
weighted precision and recall of both (``verifier_eval.figures``).  MRPC, PAWS and the seed
articles are checks of two or three documents, below any corpus cut: unchanged by construction.

Exit status 1 when a claim finding exceeds 50 occurrences.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

from dedup import Settings, check  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"


def report(name: str, paths: list[str], settings: Settings) -> tuple[int, int]:
    started = time.perf_counter()
    result = check(paths, settings)
    seconds = time.perf_counter() - started
    kinds = Counter(f.kind for f in result.findings)
    claims = sorted((f for f in result.findings if f.kind == "claim"), key=lambda f: -len(f.occurrences))
    big = [f for f in claims if len(f.occurrences) > 50]
    print(f"{name}: {len(result.documents)} documents, {len(result.findings)} findings {dict(kinds)}, "
          f"check {seconds:.0f} s")
    print(f"  claim findings: {len(claims)}; over 50 occurrences: {len(big)}; largest: "
          f"{len(claims[0].occurrences) if claims else 0} occurrences")
    for f in claims[:5]:
        docs = len({id(o.document) for o in f.occurrences})
        shared = f.evidence.shared if f.evidence else ()
        print(f"    {len(f.occurrences):4} occurrences, {docs:4} documents, shared {list(shared)}: "
              f"{' '.join(f.occurrences[0].text.split())[:60]!r}")
    sizes = Counter(min(len(f.occurrences), 11) for f in claims)
    print("  claim findings by occurrences (11 = 11+): " + ", ".join(f"{k}: {sizes[k]}" for k in sorted(sizes)))
    return len(claims), len(big)


def labelled(part: str) -> None:
    from pairsets import read_labelled
    from rapidfuzz import fuzz
    from verifier_eval import corpus_specificity_of, figures, memoized

    from dedup.normalize import normalize
    from dedup.pipeline import embedding_function
    from dedup.verify import claim_verdicts

    settings = Settings(claim_decider="rule")  # the rule, as its recorded figures
    embed = memoized(embedding_function(settings))
    corpus_specificity_of.cache_clear()  # --pairs-per-document sweeps the cut: count again for each value
    for source in ("bbc", "reuters"):
        pairs = [p for p in read_labelled(source) if part == "all" or p.part == part]
        specificity = corpus_specificity_of(source)
        print(f"{source}: {specificity.documents} documents, words common from {specificity.cut} documents "
              f"({len(specificity.common)} such words); {len(pairs)} labelled pairs, part {part}")
        keys_a = [normalize(p.a) for p in pairs]
        keys_b = [normalize(p.b) for p in pairs]
        vectors = dict(zip(sorted(set(keys_a) | set(keys_b)), embed(sorted(set(keys_a) | set(keys_b)))))
        cosines = np.array([float(vectors[a] @ vectors[b]) for a, b in zip(keys_a, keys_b)], dtype=np.float32)
        repeat = np.array([fuzz.ratio(a, b) >= settings.fuzzy_min_ratio for a, b in zip(keys_a, keys_b)])
        strict = [p.scope != "same_story" for p in pairs]
        candidate = cosines >= settings.semantic_min_cosine
        for name, spec in (("general English", None), ("corpus specificity", specificity)):
            verdicts = claim_verdicts([p.a for p in pairs], [p.b for p in pairs], cosines, strict, settings, spec)
            reported = (np.array([v is not None for v in verdicts]) & candidate) | repeat
            print(f"  {name:19s} {figures(pairs, reported)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(SHARED / "reuters_dev.jsonl"))
    parser.add_argument("--bbc", default=str(SHARED / "bbc"))
    parser.add_argument("--no-bbc", action="store_true")
    parser.add_argument("--labelled", action="store_true", help="only: the labelled corpus pairs, with and without")
    parser.add_argument("--part", default="report", choices=["report", "choose", "train", "all"])
    parser.add_argument("--pairs-per-document", type=float, nargs="*",
                        help="SPECIFIC_PAIRS_PER_DOCUMENT values to try (default: shipped)")
    args = parser.parse_args(argv[1:])
    if args.labelled:
        from dedup import specificity

        for value in args.pairs_per_document or [specificity.SPECIFIC_PAIRS_PER_DOCUMENT]:
            specificity.SPECIFIC_PAIRS_PER_DOCUMENT = value  # common_documents reads it at each call
            print(f"SPECIFIC_PAIRS_PER_DOCUMENT = {value}")
            labelled(args.part)
        return 0
    _, big = report("reuters_dev", [args.corpus], Settings(id_field="id", claim_decider="rule"))
    if not args.no_bbc and Path(args.bbc).is_dir():
        report("BBC", [args.bbc], Settings(claim_decider="rule"))
    print("acceptance:", "FAILED: claim findings over 50 occurrences" if big else "no claim finding over 50 occurrences")
    return 1 if big else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

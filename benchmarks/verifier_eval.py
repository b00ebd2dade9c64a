"""The claim decision (gates + rule or pair verifier) on every labelled set, by part: choose the points, report the rest.

    .venv/bin/python benchmarks/verifier_eval.py [--part choose|report] [--decider rule|verifier] [--sweep]

Each pair is decided as a default check decides it (``verify.claim_verdicts``):
the embedding cosine from the shipped MiniLM, the gates, the verifier's
probability against the shipped thresholds.  A pair of single-sentence files
(MRPC, PAWS, STS-B as a user would check them) is strict when the two
sentences' vectors (their documents' story vectors) are below
``SAME_STORY_SIMILARITY``; a near-identical pair (``fuzz.ratio`` at the fuzzy
threshold) is reported as a repeat whatever the verifier says, as a check
does.  Corpus pairs (BBC, Reuters) keep the scope fixed when they were drawn
and their stratum weights: precision and recall estimate the whole candidate
population of a default check.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import numpy as np  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from dedup import settings as defaults  # noqa: E402
from dedup.normalize import normalize  # noqa: E402
from dedup.pipeline import embedding_function  # noqa: E402
from dedup.settings import Settings  # noqa: E402
from dedup.verify import claim_verdicts  # noqa: E402
from pairsets import LabelledPair, all_pairs  # noqa: E402


def decide(pairs: list[LabelledPair], settings: Settings, embed) -> tuple[np.ndarray, np.ndarray]:
    """(reported as a claim or repeat, reported as a plain repeat) per pair."""
    keys_a = [normalize(p.a) for p in pairs]
    keys_b = [normalize(p.b) for p in pairs]
    texts = sorted(set(keys_a) | set(keys_b))
    vectors = dict(zip(texts, embed(texts)))
    cosines = np.array([float(vectors[a] @ vectors[b]) for a, b in zip(keys_a, keys_b)], dtype=np.float32)
    repeat = np.array([fuzz.ratio(a, b) >= settings.fuzzy_min_ratio for a, b in zip(keys_a, keys_b)])
    strict = [
        p.scope != "same_story" if p.scope else float(c) < settings.same_story_similarity
        for p, c in zip(pairs, cosines)
    ]
    candidate = cosines >= settings.semantic_min_cosine
    verdicts = claim_verdicts([p.a for p in pairs], [p.b for p in pairs], cosines, strict, settings)
    claim = np.array([v is not None for v in verdicts]) & candidate
    return claim | repeat, repeat


def figures(pairs: list[LabelledPair], reported: np.ndarray) -> str:
    w = np.array([p.weight for p in pairs])
    y = np.array([p.positive for p in pairs])
    tp = float((w * (reported & y)).sum())
    fp = float((w * (reported & ~y)).sum())
    pos = float((w * y).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / pos if pos else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    neg = ~y
    kept_neg = 1 - float(reported[neg].mean()) if neg.any() else float("nan")
    return f"n={len(pairs):5d} P={p:.3f} R={r:.3f} F1={f1:.3f} negatives left out={kept_neg:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="report", choices=["choose", "report", "train"])
    ap.add_argument("--decider", default=defaults.CLAIM_DECIDER, choices=defaults.CLAIM_DECIDERS)
    ap.add_argument("--sweep", action="store_true", help="thresholds 0.3-0.8 (on the choose part)")
    args = ap.parse_args()
    embed = embedding_function(Settings())
    pairs = [p for p in all_pairs() if p.part == args.part]
    points = [defaults.VERIFIER_THRESHOLD]
    if args.sweep:
        points = [round(t, 2) for t in np.arange(0.3, 0.85, 0.05)]
    for threshold in points:
        settings = Settings(claim_decider=args.decider, verifier_threshold=float(threshold))
        print(f"part {args.part}, decider {args.decider}, verifier threshold {threshold}, strict +{defaults.VERIFIER_STRICT_MARGIN}, "
              f"gate cosine {settings.verifier_min_cosine}")
        for source in ("mrpc", "paws", "stsb", "bbc", "reuters"):
            chosen = [p for p in pairs if p.source == source]
            if not chosen:
                continue
            reported, _ = decide(chosen, settings, embed)
            print(f"  {source:8s} {figures(chosen, reported)}")


if __name__ == "__main__":
    main()

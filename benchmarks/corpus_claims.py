"""How precise are claim findings in a corpus?  Scored against hand-labelled BBC candidate pairs.

    .venv/bin/python benchmarks/corpus_claims.py [--model accurate|fast]

MRPC, on which the claim model is fitted, holds pairs from one story that were
picked because they looked alike (two thirds are paraphrases).  A corpus check
meets something else: every sentence has up to 20 embedding neighbours, most of
them about the same subject but saying something different.  This script
measures the shipped decision (``dedup.claims.ClaimRule``) where it is used.

The data, ``benchmarks/data/bbc_claim_pairs.jsonl``: 377 semantic candidate
pairs from a default check of the whole BBC corpus (cosine >= 0.55, not already
linked as repeats), drawn in two stratified samples --

1. by the claim probability of the old rule (probability only, no cosine
   floors), accepted and rejected strata alike, 217 pairs;
2. by embedding cosine (0.6-1.0 across documents, 0.7-1.0 inside one and
   across different stories), 160 pairs --

and labelled blind (texts and file names only, no scores) by two separate
reviewers (LLM sessions told to judge as an editor auditing for duplicated
content): ``same`` (one claim reworded), ``overlap`` (a specific claim of one
is also asserted in the other), ``topical`` (same subject, different claims)
or ``unrelated``.  Same or overlap counts as a claim.  20 pairs of the first
sample were labelled again in the second pass: 19 of 20 got the same verdict
(``bbc_claim_pairs_agreement.jsonl``).

Each row carries its stratum weight (stratum population / pairs drawn), so the
figures below estimate the whole candidate population of the BBC run:
precision of what a rule accepts, and recall relative to the claims inside the
sampled strata (not all claims in BBC: pairs below cosine 0.55 were never
candidates).  The two samples are reported separately; with 10-20 pairs a
stratum, expect +-0.1 on any figure.

``scope`` was fixed in that run: ``within`` one article, or across articles
telling the ``same_story`` (story vectors at cosine >= 0.7) or a
``different_story``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from dedup import claims  # noqa: E402
from dedup.normalize import normalize  # noqa: E402
from dedup.pipeline import embedding_function  # noqa: E402
from dedup.settings import Settings  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "bbc_claim_pairs.jsonl"
POSITIVE = ("same", "overlap")


@dataclass(frozen=True)
class Scored:
    """One labelled pair with what the shipped model says of it today."""

    sample: int
    weight: float
    scope: str
    positive: bool
    cosine: float
    probability: float
    anchor: float
    specific: bool  # shares a name, a rare word or enough content words (ClaimRule.shares_specifics)


@dataclass(frozen=True)
class Estimate:
    accepted: float  # estimated accepted pairs in the whole run
    precision: float
    recall: float  # of the claims in the sampled strata


def load(path: Path = DATA) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(rows: list[dict], settings: Settings) -> list[Scored]:
    """Cosine, claim probability and anchor of every pair, computed by the library as a check would."""
    embed = embedding_function(settings)
    texts = sorted({normalize(r[side]) for r in rows for side in ("a", "b")})
    vectors = dict(zip(texts, embed(texts)))
    cosines = np.array([float(vectors[normalize(r["a"])] @ vectors[normalize(r["b"])]) for r in rows])
    rule = claims.ClaimRule.for_model(
        claims.model(settings.model), settings.min_score, settings.anchor_rarity, settings.claim_min_key_overlap
    )
    probabilities, specific = claims.claim_evidence(
        [r["a"] for r in rows], [r["b"] for r in rows], cosines, rule, settings.model
    )
    return [
        Scored(
            r["sample"], r["weight"], r["scope"], r["label"] in POSITIVE, float(c), float(p),
            claims.shared_anchor(r["a"], r["b"]), bool(k),
        )
        for r, c, p, k in zip(rows, cosines, probabilities, specific)
    ]


def shipped_decision(settings: Settings):
    """What ``pipeline.judge_semantic`` decides for a pair of the given scope."""
    rule = claims.ClaimRule.for_model(
        claims.model(settings.model), settings.min_score, settings.anchor_rarity, settings.claim_min_key_overlap
    )

    def decide(pair: Scored) -> bool:
        if pair.scope == "within" and not settings.within_claims:
            return False
        return rule.accepts(pair.probability, pair.cosine, pair.anchor, pair.specific, strict=pair.scope != "same_story")

    return decide


def probability_only(settings: Settings):
    """The rule before cosine floors and the shared-specifics gate (probability points only, claims
    within documents on): the baseline."""
    calibrated = claims.model(settings.model)
    rule = claims.ClaimRule(
        calibrated.threshold, calibrated.anchor_margin, calibrated.strict_threshold - calibrated.threshold,
        settings.anchor_rarity,
    )
    return lambda pair: rule.accepts(pair.probability, pair.cosine, pair.anchor, strict=pair.scope != "same_story")


def estimate(pairs: list[Scored], decide, sample: int, scopes: tuple[str, ...] | None = None) -> Estimate:
    tp = fp = positives = 0.0
    for pair in pairs:
        if pair.sample != sample or (scopes and pair.scope not in scopes):
            continue
        accepted = decide(pair)
        positives += pair.weight * pair.positive
        tp += pair.weight * (accepted and pair.positive)
        fp += pair.weight * (accepted and not pair.positive)
    return Estimate(tp + fp, tp / (tp + fp) if tp + fp else 0.0, tp / positives if positives else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="accurate", choices=["accurate", "fast"])
    args = ap.parse_args()
    settings = Settings(model=args.model, progress=False)
    pairs = score(load(), settings)
    print(f"{len(pairs)} labelled pairs, {sum(p.positive for p in pairs)} same or overlapping claims; model {args.model}")
    rules = {"probability only (before)": probability_only(settings), "shipped rule": shipped_decision(settings)}
    scopes = {"all scopes": None, "same story": ("same_story",), "different stories": ("different_story",), "within": ("within",)}
    samples = sorted({p.sample for p in pairs})  # 3: drawn by cosine x scope on 2026-12-03 (docs/claims.md)
    print(f"{'rule':28s} {'scope':18s} " + "  ".join(f"sample {s}: accepted~  P     R  " for s in samples))
    for name, decide in rules.items():
        for scope_name, scope in scopes.items():
            cells = []
            for sample in samples:
                e = estimate(pairs, decide, sample, scope)
                cells.append(f"{e.accepted:9.0f} {e.precision:5.2f} {e.recall:5.2f}")
            print(f"{name:28s} {scope_name:18s} " + "   ".join(cells))


if __name__ == "__main__":
    main()

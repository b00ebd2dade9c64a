"""Draw corpus pairs for the verifier to train on, by strata of what the shipped verifier says, for blind labelling.

    .venv/bin/python benchmarks/draw_training_pairs.py ../shared/corpora/reuters_dev.jsonl --id-field id \\
        --labelled benchmarks/data/reuters_claim_pairs.jsonl benchmarks/data/reuters_training_pairs.jsonl \\
        --out /tmp/reuters_training.jsonl --seed 11

The measured samples (``draw_claim_candidates.py``) are drawn by cosine, so
nine in ten of their pairs are ones the verifier already rejects and the
corpus errors it makes (a topical pair of one story read as an overlapping
claim) are a few dozen of them.  A training sample is drawn where those
errors are: among the pairs a default check sends the verifier (the claim
gates passed), stratified by scope (same or different story) crossed with
the verifier's claim probability, most of the draw at and above the point
where it calls a claim.  The labellers see the texts only (``--blind``: pair
id and texts, shuffled), as for the measured samples.

Pairs touching a document of a measured pair (the ``choose`` and ``report``
parts of the ``--labelled`` files) and pairs already labelled are never
drawn, so the measured parts stay what they were.  Labelled, the rows go to
``benchmarks/data/<corpus>_training_pairs.jsonl`` (``"train_only": true``),
which ``models/pairsets.py`` reads as training pairs only and the corpus
benchmarks do not read.  ``weight`` is the stratum's population over the
pairs drawn from it (the gated pairs were sampled first: ``--pool``), so the
sample also says how often the verifier is right where it was drawn.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from dedup.pipeline import corpus_specificity  # noqa: E402
from dedup.settings import Settings  # noqa: E402
from dedup.verify import claim_verdicts  # noqa: E402
from draw_claim_candidates import corpus_candidates, write_draw  # noqa: E402
from pairsets import corpus_part, measured_part  # noqa: E402

# The verifier's claim probability, in bins; the shipped points are 0.5 (same story) and 0.7 (strict).
PROBABILITY_BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.85, 1.01)
# Pairs drawn per stratum, by the bin's lower edge: most at and above the points.
PER_BIN = {0.0: 6, 0.2: 10, 0.4: 18, 0.5: 22, 0.6: 24, 0.7: 24, 0.85: 20}


def measured_documents(paths: list[Path]) -> tuple[set[str], set[tuple[str, str]]]:
    """Documents of the measured pairs (never drawn from) and every labelled pair's texts."""
    documents: set[str] = set()
    labelled: set[tuple[str, str]] = set()
    lines = [line for path in paths if path.is_file() for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)
        labelled.add(tuple(sorted((r["a"], r["b"]))))
        if r.get("train_only"):
            continue
        part = measured_part(r["a"], r["b"]) if r.get("held_out") else corpus_part(r["a"], r["b"])
        if part != "train":
            documents.update((r["doc_a"], r["doc_b"]))
    return documents, labelled


def probability_bin(p: float) -> float:
    return max(low for low in PROBABILITY_BINS[:-1] if p >= low)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="+")
    ap.add_argument("--id-field", default=None)
    ap.add_argument("--labelled", type=Path, nargs="+", required=True,
                    help="the corpus's labelled pairs, measured and training (kept out of the draw)")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--blind", type=Path, help="texts-only file for labellers (default: OUT with .blind.jsonl)")
    ap.add_argument("--pool", type=int, default=12_000, help="candidates sampled before the verifier reads them")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies the pairs drawn per stratum")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()

    settings = Settings(id_field=args.id_field, progress=True)
    documents, sentences, candidates = corpus_candidates(args.corpus, settings)
    excluded, labelled = measured_documents(args.labelled)

    def name(i: int) -> str:
        return sentences[i].document.id or sentences[i].document.name

    eligible = [
        c for c in candidates
        if not c.same_document and fuzz.ratio(c.key_a, c.key_b) < settings.fuzzy_min_ratio
        and name(c.a) not in excluded and name(c.b) not in excluded
        and tuple(sorted((c.text_a, c.text_b))) not in labelled
    ]
    rng = random.Random(args.seed)
    pool = rng.sample(eligible, min(args.pool, len(eligible)))
    verdicts = claim_verdicts([c.text_a for c in pool], [c.text_b for c in pool],
                              np.array([c.cosine for c in pool], dtype=np.float32), [c.strict for c in pool],
                              settings.replace(min_score=0.0, verifier_strict_margin=0.0, progress=False),  # a verdict for every gated pair
                              corpus_specificity(documents, settings))
    strata: dict[str, list] = defaultdict(list)
    for c, v in zip(pool, verdicts):
        if v is not None:
            scope = "different_story" if c.strict else "same_story"
            strata[f"{scope} p {probability_bin(v.claim):.2f}"].append((c, v))
    scale = len(eligible) / len(pool)
    print(f"{len(documents)} documents, {len(candidates)} candidates, {len(eligible)} eligible (no measured "
          f"document, not labelled), {len(pool)} sampled, {sum(map(len, strata.values()))} past the gates; strata:")
    drawn: list[dict] = []
    for stratum in sorted(strata):
        population = strata[stratum]
        low = float(stratum.split()[-1])
        sample = rng.sample(population, min(round(PER_BIN[low] * args.scale), len(population)))
        print(f"  {stratum:28s} {len(population):6d} gated in the pool, {len(sample)} drawn")
        for c, v in sample:
            drawn.append({
                "stratum": f"verifier {stratum}",
                "weight": round(len(population) * scale / len(sample), 3),
                "scope": stratum.split()[0],
                "doc_a": name(c.a),
                "doc_b": name(c.b),
                "a": c.text_a,
                "b": c.text_b,
                "train_only": True,
            })
    write_draw(drawn, rng, args.out, args.blind)


if __name__ == "__main__":
    main()

"""Draw semantic candidate pairs from a corpus, by strata, for blind labelling.

    .venv/bin/python benchmarks/draw_claim_candidates.py ../shared/corpora/reuters_dev.jsonl \\
        --id-field id --out benchmarks/data/reuters_claim_candidates.jsonl --per-stratum 20 --seed 7

The candidates are exactly what the claim decision reads in a default check
(``pipeline.semantic_candidates``: claim-length keys, embedding neighbours at
cosine >= the semantic floor, not already linked as repeats), across
documents only (claims inside one article are off by default).  Strata are
cosine bins crossed with scope (the two documents tell the ``same_story``
or a ``different_story``); each drawn pair carries its stratum's weight
(stratum population / pairs drawn), so labelled pairs estimate precision and
recall over the whole candidate population.

Two files are written: ``--out`` with the texts *and* the strata (for
scoring), and ``--blind`` with the texts and a pair id only, which is what
the labellers see: no scores, no strata, no order by score (shuffled).
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

from dedup.documents import read_documents  # noqa: E402
from dedup.core import Edges  # noqa: E402
from dedup.plan import Linked  # noqa: E402
from dedup.pipeline import (  # noqa: E402
    distinct_keys,
    embedding_function,
    repeat_matches,
    segment_documents,
    semantic_candidates,
)
from dedup.settings import Settings  # noqa: E402

COSINE_BINS = (0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01)


def cosine_bin(cosine: float) -> str:
    for low, high in zip(COSINE_BINS, COSINE_BINS[1:]):
        if low <= cosine < high:
            return f"cos {low:.2f}-{min(high, 1.0):.2f}"
    return f"cos <{COSINE_BINS[0]:.2f}"


def corpus_candidates(paths: list[str], settings: Settings):
    """(documents, sentences, semantic candidates) of a default check of the corpus at ``paths``."""
    documents, problems = read_documents(paths, settings)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    sentences = segment_documents(documents)
    keys = distinct_keys(sentences, settings)
    linked = Linked.of(Edges.of(repeat_matches(keys, settings)))
    return documents, sentences, semantic_candidates(keys, sentences, settings, linked, embedding_function(settings))


def write_draw(drawn: list[dict], rng: random.Random, out: Path, blind: Path | None) -> None:
    """Shuffle and number the drawn pairs; write them with their strata to ``out`` and as texts only to ``blind``."""
    rng.shuffle(drawn)
    for number, row in enumerate(drawn, 1):
        row["pair"] = number
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in drawn), encoding="utf-8")
    blind = blind or out.with_suffix(".blind.jsonl")
    blind.write_text(
        "".join(json.dumps({"pair": r["pair"], "a": r["a"], "b": r["b"]}, ensure_ascii=False) + "\n" for r in drawn),
        encoding="utf-8",
    )
    print(f"wrote {len(drawn)} pairs to {out} and {blind}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="+")
    ap.add_argument("--id-field", default=None)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--blind", type=Path, help="texts-only file for labellers (default: OUT with .blind.jsonl)")
    ap.add_argument("--per-stratum", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    settings = Settings(id_field=args.id_field, progress=True)
    documents, sentences, candidates = corpus_candidates(args.corpus, settings)
    strata: dict[str, list] = defaultdict(list)
    for c in candidates:
        if c.same_document:
            continue
        scope = "different_story" if c.strict else "same_story"
        strata[f"{scope} {cosine_bin(c.cosine)}"].append(c)
    print(f"{len(documents)} documents, {len(candidates)} candidates; strata:")
    rng = random.Random(args.seed)
    drawn: list[dict] = []
    for name in sorted(strata):
        population = strata[name]
        sample = rng.sample(population, min(args.per_stratum, len(population)))
        print(f"  {name:36s} {len(population):7d} pairs, {len(sample)} drawn")
        for c in sample:
            doc_a, doc_b = sentences[c.a].document, sentences[c.b].document
            drawn.append({
                "stratum": name,
                "weight": round(len(population) / len(sample), 3),
                "scope": name.split()[0],
                "doc_a": doc_a.id or doc_a.name,
                "doc_b": doc_b.id or doc_b.name,
                "a": c.text_a,
                "b": c.text_b,
            })
    write_draw(drawn, rng, args.out, args.blind)


if __name__ == "__main__":
    main()

"""Where does "the same story" begin?  (SAME_STORY_SIMILARITY)

    .venv/bin/python benchmarks/same_story.py [CORPUS_DIR] [--model accurate|fast]

Document vectors are the mean of a document's sentence embeddings (as
``pipeline.story_vectors`` computes them).  Compares their cosine for
article pairs that certainly tell one story (they share an identical
sentence of 8+ words: copies and updated versions) with random pairs of
articles from the same section (almost always different stories), and prints
the share of each above candidate thresholds.  Uses the embedding cache, so
run a full ``dedup check`` of the corpus first to make it fast.
"""

from __future__ import annotations

import itertools
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup import Settings  # noqa: E402
from dedup.documents import read_documents  # noqa: E402
from dedup.normalize import words  # noqa: E402
from dedup.pipeline import distinct_keys, embedding_function, segment_documents, story_vectors  # noqa: E402


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    model = "accurate"
    if "--model" in args:
        at = args.index("--model")
        model = args[at + 1]
        del args[at : at + 2]
    corpus = Path(args[0]) if args else ROOT.parent / "shared" / "corpora" / "bbc"
    settings = Settings(model=model)
    docs, _ = read_documents([corpus], settings)
    sentences = segment_documents(docs)
    keys = distinct_keys(sentences, settings)
    chosen = [i for i, k in enumerate(keys.keys) if len(words(k)) >= settings.claim_min_words]
    embeddings = embedding_function(settings)([keys.keys[i] for i in chosen])
    vectors = story_vectors(keys, chosen, embeddings, sentences)

    same = set()
    for i, key in enumerate(keys.keys):
        if len(words(key)) >= 8:
            names = sorted({id(sentences[m].document) for m in keys.members[i]})
            same.update(itertools.combinations(names, 2))
    by_section = defaultdict(list)
    for d in docs:
        by_section[Path(d.path).parent.name].append(id(d))
    rng = random.Random(0)
    other = set()
    while len(other) < 5000:
        section = rng.choice(sorted(by_section))
        a, b = rng.sample(by_section[section], 2)
        pair = (min(a, b), max(a, b))
        if pair not in same:
            other.add(pair)
    sims_same = np.array([vectors[a] @ vectors[b] for a, b in same if a in vectors and b in vectors])
    sims_other = np.array([vectors[a] @ vectors[b] for a, b in other if a in vectors and b in vectors])
    print(f"model {model}: {len(sims_same)} same-story pairs, {len(sims_other)} random same-section pairs")
    print("percentiles 5/25/50/75/95  same-story:", np.round(np.percentile(sims_same, [5, 25, 50, 75, 95]), 3))
    print("percentiles 5/25/50/75/95  random    :", np.round(np.percentile(sims_other, [5, 25, 50, 75, 95]), 3))
    print(f"{'threshold':>9}  {'same-story kept':>15}  {'random kept':>11}")
    for t in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85):
        print(f"{t:>9.2f}  {np.mean(sims_same >= t):>15.3f}  {np.mean(sims_other >= t):>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

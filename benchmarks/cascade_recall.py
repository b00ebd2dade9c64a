"""What a cheap first stage would lose: recall of the full pipeline's claim pairs under the static model.

The claim stage embeds every claim-length sentence with MiniLM, which is what
bounds a cold check.  A cascade would let the static ``fast`` model (and the
lexical gate every claim must pass) propose candidates, and embed with MiniLM
only the sentences that keep one.  This measures, on a corpus, for each
candidate floor and neighbour count of the fast model:

* recall: the share of the claim pairs the full pipeline accepts (MiniLM
  neighbours, then the decider) that the fast stage proposes;
* sentences: the share of claim-length sentences left for MiniLM;
* pairs: how many pairs reach the decider.

Run from the repository root (the embedding cache makes a second run cheap):

    .venv/bin/python benchmarks/cascade_recall.py ../shared/corpora/bbc
    .venv/bin/python benchmarks/cascade_recall.py ../shared/corpora/reuters_dev.jsonl --id-field id
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup.claims import ClaimRule, _profile, features_matrix  # noqa: E402
from dedup.claims import model as claim_model  # noqa: E402
from dedup.documents import read_documents  # noqa: E402
from dedup.core import Edges  # noqa: E402
from dedup.plan import Linked  # noqa: E402
from dedup.match.semantic import cosine_pairs  # noqa: E402
from dedup.normalize import words  # noqa: E402
from dedup.pipeline import (  # noqa: E402
    distinct_keys, embedding_function, judge_semantic, repeat_matches, segment_documents, semantic_candidates,
)
from dedup.settings import Settings  # noqa: E402

FLOORS = (0.30, 0.40, 0.50, 0.60)
TOP_KS = (20, 50)


def lexical_first(keys, sentences, chosen, accepted) -> None:
    """A lexical first stage: only sentences sharing a name or rare word with another document's sentence."""
    from collections import defaultdict

    holders: dict[str, set[int]] = defaultdict(set)  # term -> documents (by id) holding it
    terms_of: dict[int, set[str]] = {}
    for i in chosen:
        profile = _profile(sentences[keys.first(i)].text)
        terms = set(profile.entities) | set(profile.rare)
        terms_of[keys.first(i)] = terms
        for member in keys.members[i]:
            for term in terms:
                holders[term].add(id(sentences[member].document))
    kept = {s for s, terms in terms_of.items() if any(len(holders[t]) > 1 for t in terms)}
    anchored = sum(1 for a, b in accepted if terms_of.get(a, set()) & terms_of.get(b, set()))
    print(f"lexical first stage (a name or rare word shared with another document): "
          f"{len(kept) / max(1, len(chosen)):.1%} of claim-length sentences left for MiniLM; "
          f"{anchored / max(1, len(accepted)):.3f} of accepted claims share such a term")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--id-field")
    args = parser.parse_args()
    settings = Settings(id_field=args.id_field, claim_decider="rule")  # as recorded in docs/benchmarks.md
    documents, _ = read_documents(args.corpus, settings)
    sentences = segment_documents(documents)
    keys = distinct_keys(sentences, settings)
    linked = Linked.of(Edges.of(repeat_matches(keys, settings)))
    already_linked = linked.same
    candidates = semantic_candidates(keys, sentences, settings, linked, embedding_function(settings))
    _, claims = judge_semantic(candidates, settings)
    accepted = {tuple(sorted((m.a, m.b))) for m in claims}

    chosen = [i for i, key in enumerate(keys.keys) if len(words(key)) >= settings.claim_min_words]
    texts = [keys.keys[i] for i in chosen]  # what the claim stage embeds
    originals = [sentences[keys.first(i)].text for i in chosen]  # what the gate reads
    fast = settings.replace(model="fast")
    fast_vectors = embedding_function(fast)(texts)
    rule = ClaimRule.for_model(claim_model(settings.model), settings.min_score, settings.anchor_rarity,
                               settings.claim_min_key_overlap)

    print(f"# {date.today()} · {platform.node()} · {len(documents):,} documents, {len(chosen):,} claim-length keys")
    print(f"full claim stage (MiniLM): {len(candidates):,} candidates, {len(accepted):,} claims")
    lexical_first(keys, sentences, chosen, accepted)
    print("| fast floor | top k | pairs proposed | after lexical gate | sentences for MiniLM | claim recall |")
    print("|---|---|---|---|---|---|")
    for top_k in TOP_KS:
        for floor in FLOORS:
            pairs = [(ci, cj, cos) for ci, cj, cos in cosine_pairs(fast_vectors, floor, top_k)
                     if not already_linked(keys.first(chosen[ci]), keys.first(chosen[cj]))]
            if pairs:
                gate = rule.shares_specifics(features_matrix(
                    [originals[ci] for ci, _, _ in pairs], [originals[cj] for _, cj, _ in pairs],
                    np.array([cos for _, _, cos in pairs], dtype=np.float32),
                ))
            else:
                gate = np.zeros(0, dtype=bool)
            kept = [p for p, ok in zip(pairs, gate) if ok]
            proposed = {tuple(sorted((keys.first(chosen[ci]), keys.first(chosen[cj])))) for ci, cj, _ in kept}
            rows = {r for ci, cj, _ in kept for r in (ci, cj)}
            recall = len(accepted & proposed) / len(accepted) if accepted else 1.0
            print(f"| {floor:.2f} | {top_k} | {len(pairs):,} | {len(kept):,} | "
                  f"{len(rows) / max(1, len(chosen)):.1%} | {recall:.3f} |")


if __name__ == "__main__":
    main()

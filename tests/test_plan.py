"""The stage plan is written once: both engines take which stages run, their order and their gates from it."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from dedup.core import Edges, Match
from dedup.pipeline import check_documents, distinct_keys, segment_documents, semantic_candidates
from dedup.documents import read_documents
from dedup.plan import Linked, StagePlan
from dedup.settings import Settings

from .conftest import SEEDS

PACKAGE = Path(__file__).resolve().parent.parent / "dedup"


def test_the_order_is_the_plans_whatever_order_the_methods_are_given_in():
    assert StagePlan.of(Settings()).stages == ("read", "exact", "fuzzy", "claims", "templates", "group")
    assert StagePlan.of(Settings(methods=("semantic", "exact"))).stages == ("read", "exact", "claims", "templates", "group")
    assert StagePlan.of(Settings(methods=("fuzzy",))).stages == ("read", "fuzzy", "templates", "group")
    plan = StagePlan.of(Settings(claim_min_words=6))
    assert plan.embeds(6) and not plan.embeds(5)


def test_no_engine_decides_for_itself_which_methods_run():
    """``"exact" in settings.methods`` and the like live in plan.py only; an engine asks the plan."""
    for name in ("pipeline.py", "engine_ray.py", "ray_stages.py", "ray_findings.py"):
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("methods", "claim_min_words"):
                owner = ast.unparse(node.value)
                assert owner != "settings", f"{name}:{node.lineno} reads settings.{node.attr}: ask the StagePlan"


def test_linked_is_the_repeat_components():
    repeats = Edges.of([Match(1, 4, 1.0, "exact"), Match(4, 9, 0.93, "fuzzy"), Match(20, 21, 0.97, "fuzzy")])
    linked = Linked.of(repeats)
    a, b = np.array([1, 9, 1, 20, 5, 5]), np.array([9, 4, 20, 21, 6, 5])
    assert linked.joined(a, b).tolist() == [True, True, False, True, False, True]
    assert linked.same(9, 1) and not linked.same(9, 21)
    assert Linked.of(Edges.of([])).joined(np.array([3]), np.array([4])).tolist() == [False]


def test_a_pair_the_repeats_join_is_never_a_claim_candidate(tmp_path):
    """The seed article repeats its Rouhani sentence; with the repeat linked, the copy is no candidate of it."""
    settings = Settings(cache=False)
    documents, _ = read_documents([SEEDS], settings)
    sentences = segment_documents(documents)
    keys = distinct_keys(sentences, settings)
    result = check_documents(documents, Settings(methods=("exact", "fuzzy")))
    repeat = next(f for f in result.findings if f.kind == "repeat")
    first, copy = (o.index for o in repeat.occurrences[:2])
    neighbour_of_copy = next(s.index for s in sentences if s.document is repeat.occurrences[0].document
                             and s.index not in (first, copy) and len(s.text.split()) >= 6)

    twins = {sentences[first].normalized, sentences[neighbour_of_copy].normalized}
    rng = np.random.default_rng(0)

    def embed(texts):  # every key far from every other, but for the two twins
        vectors = rng.normal(size=(len(texts), 64)).astype(np.float32)
        vectors[[t in twins for t in texts]] = vectors[0] if texts[0] in twins else 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    joined = Linked.of(Edges.of([Match(first, neighbour_of_copy, 0.95, "fuzzy")]))
    pairs = {(c.a, c.b) for c in semantic_candidates(keys, sentences, settings, joined, embed)}
    unjoined = {(c.a, c.b) for c in semantic_candidates(keys, sentences, settings, Linked.of(Edges.of([])), embed)}
    pair = (min(first, neighbour_of_copy), max(first, neighbour_of_copy))
    assert pair in unjoined and pair not in pairs

"""Grouping: repeats are components, claims are representative groups that never chain."""

from __future__ import annotations

from dedup.core import Conflict, Document, Match
from dedup.group import group_findings
from dedup.pipeline import segment_documents

from .conftest import SEED_A


def _sentences(*texts: str):
    docs = [Document(path=f"doc{i}.txt", text=t) for i, t in enumerate(texts)]
    return segment_documents(docs)


def test_repeats_form_components_in_reading_order():
    s = _sentences("One sentence here. Another one there.", "One sentence here. Unrelated.", "One sentence here.")
    # Sentence indices: 0,1 (doc0), 2,3 (doc1), 4 (doc2).
    findings = group_findings(s, [Match(2, 4, 1.0, "exact"), Match(0, 2, 1.0, "exact")], [])
    assert len(findings) == 1
    f = findings[0]
    assert (f.kind, f.scope, f.methods) == ("repeat", "across", ["exact"])
    assert [o.document.path for o in f.occurrences] == ["doc0.txt", "doc1.txt", "doc2.txt"]


def test_within_scope_when_all_occurrences_share_a_document():
    s = _sentences(SEED_A.read_text(encoding="utf-8"))
    blossomed = [x.index for x in s if x.text.startswith("The relationship has blossomed")]
    findings = group_findings(s, [Match(blossomed[0], blossomed[1], 1.0, "exact")], [])
    assert [(f.kind, f.scope) for f in findings] == [("repeat", "within")]


def test_claim_groups_do_not_chain():
    s = _sentences("A one. B two. C three. D four. E five.")
    # A-B, B-C, C-D are links of a chain; B is the strongest hub.
    claims = [Match(0, 1, 0.9, "semantic"), Match(1, 2, 0.8, "semantic"), Match(2, 3, 0.7, "semantic")]
    findings = group_findings(s, [], claims)
    groups = sorted(sorted(o.index for o in f.occurrences) for f in findings)
    # B leads {A, B, C}; D is only linked to C, who is taken, so D is left alone: no A..D chain.
    assert groups == [[0, 1, 2]]
    for f in findings:
        assert f.kind == "claim" and f.score == 0.8


def test_claim_between_repeat_groups_lists_every_copy_and_conflicts():
    s = _sentences(
        "Russia is to build nine of Iran's 20 nuclear reactors. Filler sentence one here.",
        "Russia is to build nine of Iran's 20 nuclear reactors.",
        "Russia will build several new nuclear plants in Iran.",
    )
    repeats = [Match(0, 2, 1.0, "exact")]
    claims = [Match(2, 3, 0.7, "semantic")]
    seen = []

    def conflicts_of(a, b):
        seen.append((a.index, b.index))
        return [Conflict("number", "nine", "several")]

    findings = group_findings(s, repeats, claims, conflicts_of=conflicts_of)
    kinds = sorted((f.kind, len(f.occurrences)) for f in findings)
    assert kinds == [("claim", 3), ("repeat", 2)]
    claim = next(f for f in findings if f.kind == "claim")
    assert claim.conflicts == [Conflict("number", "nine", "several")]
    repeat = next(f for f in findings if f.kind == "repeat")
    assert repeat.conflicts == []  # exact repeats are never asked for conflicts
    assert all(0 not in pair or 3 in pair for pair in seen)


class UnionFind:
    """The textbook union-find: the reference ``group.components`` must agree with."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller index stays root, so a component's root is its earliest sentence.
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def test_components_are_union_find_components():
    """The array grouping a big run's driver uses finds UnionFind's components, rooted at the smallest id."""
    import numpy as np

    from dedup.group import components

    rng = np.random.default_rng(0)
    a = rng.integers(0, 3_000, 2_000) * (1 << 40)  # ids as large as a distributed run's
    b = rng.integers(0, 3_000, 2_000) * (1 << 40)
    uf = UnionFind()
    for x, y in zip(a.tolist(), b.tolist()):
        uf.union(x, y)
    ids, root = components(a, b)
    assert ids.tolist() == sorted(set(a.tolist()) | set(b.tolist()))
    assert root.tolist() == [uf.find(i) for i in ids.tolist()]


def test_groups_from_edge_arrays_equal_groups_from_matches():
    from dedup.group import Edges, group_matches

    repeats = [Match(1, 4, 1.0, "exact"), Match(4, 9, 0.93, "fuzzy"), Match(20, 21, 0.97, "fuzzy")]
    claims = [Match(1, 20, 0.8, "semantic"), Match(30, 31, 0.7, "semantic")]
    describe = lambda gs: [(g.kind, [int(i) for i in g.members], g.score, g.methods, g.representative, g.linked)  # noqa: E731
                           for g in gs]
    from_matches = describe(group_matches(repeats, claims))
    assert describe(group_matches(Edges.of(repeats), claims)) == from_matches
    assert from_matches == [
        ("claim", [1, 4, 9, 20, 21], 0.8, ("semantic",), 1, (20,)),  # same first sentence: claim, then repeat
        ("repeat", [1, 4, 9], 0.93, ("exact", "fuzzy"), 1, (9,)),  # copies 1 and 4 are one node, named 1
        ("repeat", [20, 21], 0.97, ("fuzzy",), 20, (21,)),
        ("claim", [30, 31], 0.7, ("semantic",), 30, (31,)),
    ]


def test_reduced_edges_group_the_same():
    """A pair verified in several bands arrives several times; once is enough for the same groups."""
    import numpy as np

    from dedup.group import Edges, group_matches, reduce_edges

    rng = np.random.default_rng(1)
    n = 3_000
    edges = Edges(rng.integers(0, 2_000, n), rng.integers(0, 2_000, n), rng.uniform(0.9, 1.0, n).round(4),
                  rng.integers(0, 2, n).astype(np.int8))
    keep = edges.a != edges.b
    edges = Edges(edges.a[keep], edges.b[keep], edges.score[keep], edges.method[keep])
    twice = Edges(*(np.concatenate([getattr(edges, f), getattr(edges, f)[:500]]) for f in ("a", "b", "score", "method")))
    claims = [Match(1, 1_500, 0.8, "semantic"), Match(5, 7, 0.75, "semantic")]
    describe = lambda gs: [(g.kind, [int(i) for i in g.members], g.score, g.methods, g.representative, g.linked)  # noqa: E731
                           for g in gs]
    reduced = reduce_edges(twice)
    assert len(reduced) == len(reduce_edges(edges)) <= len(edges)
    assert describe(group_matches(reduced, claims)) == describe(group_matches(edges, claims))


def test_repeat_groups_never_chain():
    """A-B, B-C near-repeats (C is no near-repeat of A): B represents, every member links to B directly."""
    import numpy as np

    from dedup.group import Edges, group_matches

    repeats = [Match(0, 1, 0.95, "fuzzy"), Match(1, 2, 0.92, "fuzzy"), Match(2, 3, 0.91, "fuzzy")]
    groups = group_matches(repeats, [])
    assert [(g.representative, g.linked, [int(i) for i in g.members], g.score) for g in groups] == [
        (1, (0, 2), [0, 1, 2], 0.92),  # 3 matched only 2, which is taken: no finding links 0 and 3
    ]
    edges = Edges(np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([0.95, 0.92, 0.91]), np.ones(3, np.int8))
    assert [g.members.tolist() for g in group_matches(edges, [])] == [[0, 1, 2]]

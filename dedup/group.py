"""Matches → findings.

Repeats (same or near-same wording) are connected components: if A is a copy
of B and B of C, all three are one repeated sentence.  Claims are not allowed
to chain that way: "A is close to B" and "B is close to C" says nothing about
A and C, so a claim group is a representative plus the sentences each
directly matched to it (greedy leader clustering in order of weighted degree,
as in community detection), never a chain of neighbours.  Repeat groups enter
claim grouping as single nodes, so a claim finding lists every copy of each
of its sentences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .core import Conflict, Finding, Match, Sentence


class UnionFind:
    """Components over sentence indices; only the indices ever touched are stored.

    A dict rather than a list so a driver holding only the match edges of a
    distributed run (indices up to 2**63) groups them the same way.
    """

    def __init__(self, n: int = 0):
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


def _scope(occurrences: Sequence[Sentence]) -> str:
    first = occurrences[0].document
    return "within" if all(s.document is first for s in occurrences) else "across"


@dataclass(frozen=True, slots=True, eq=False)
class Group:
    """A finding as sentence ids only: what the matches alone decide.

    Kept apart from the sentences so a distributed run can group on a driver
    that holds only the match edges and look the sentences up elsewhere.
    ``members`` are in reading order (ids are numbered that way); a claim
    group also names its ``representative`` and the nodes ``linked`` to it
    (each the earliest sentence of its repeat component).
    """

    kind: str
    members: Sequence[int]
    score: float
    methods: tuple[str, ...]
    representative: int | None = None
    linked: tuple[int, ...] = ()

    def compared(self) -> list[tuple[int, int]]:
        """The pairs whose conflicting details the finding lists.

        Claim members against their representative; a fuzzy (not exact)
        repeat's later occurrences against its first, where their keys differ
        (``build_finding`` checks the keys: they are not ids).
        """
        if self.kind == "claim":
            return [(self.representative, node) for node in self.linked]
        if list(self.methods) == ["exact"]:
            return []
        return [(int(self.members[0]), int(other)) for other in self.members[1:]]


@dataclass(frozen=True, eq=False)
class Edges:
    """Match edges as arrays: eight bytes an end, so millions of them fit a driver that holds nothing else."""

    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    method: np.ndarray  # index into _METHOD_ORDER

    @classmethod
    def of(cls, matches: Iterable[Match] | Edges) -> Edges:
        if isinstance(matches, Edges):
            return matches
        matches = list(matches)
        return cls(
            np.fromiter((m.a for m in matches), np.int64, len(matches)),
            np.fromiter((m.b for m in matches), np.int64, len(matches)),
            np.fromiter((m.score for m in matches), np.float64, len(matches)),
            np.fromiter((_METHOD_ORDER.index(m.method) for m in matches), np.int8, len(matches)),
        )

    def __len__(self) -> int:
        return len(self.a)


def components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every id the edges touch (sorted) and its component's root, the component's smallest id.

    Minimum-label propagation with pointer jumping, in NumPy: the same
    components as ``UnionFind`` without a dict entry per sentence.
    """
    ids = np.unique(np.concatenate([a, b]))
    ia, ib = np.searchsorted(ids, a), np.searchsorted(ids, b)
    label = np.arange(len(ids))
    while True:
        low = np.minimum(label[ia], label[ib])
        before = label.copy()
        np.minimum.at(label, ia, low)
        np.minimum.at(label, ib, low)
        label = label[label]
        if np.array_equal(label, before):
            return ids, ids[label]


def reduce_edges(edges: Edges) -> Edges:
    """Fewer edges, the same groups: per method, a star on each component's smallest id, every edge
    carrying the lowest score in its component.

    ``group_matches`` uses only the components, their lowest score and their
    methods, so it groups these exactly as it groups ``edges``.  Near-copies
    of one sentence all match each other (16 copies make 120 pairs); a worker
    sends the 15 edges of a star instead, so what reaches a driver grows with
    the sentences, not with the square of their copies.
    """
    reduced = []
    for method in np.unique(edges.method).tolist():
        mine = edges.method == method
        a, score = edges.a[mine], edges.score[mine]
        ids, root = components(a, edges.b[mine])
        edge_root = root[np.searchsorted(ids, a)]
        order = np.argsort(edge_root, kind="stable")
        edge_root = edge_root[order]
        first = np.flatnonzero(np.r_[True, edge_root[1:] != edge_root[:-1]])
        lowest = np.minimum.reduceat(score[order], first)[np.searchsorted(edge_root[first], root)]
        later = ids != root
        reduced.append(Edges(root[later], ids[later], lowest[later], np.full(int(later.sum()), method, np.int8)))
    if not reduced:
        return Edges.of([])
    return Edges(*(np.concatenate([getattr(e, f) for e in reduced]) for f in ("a", "b", "score", "method")))


def group_matches(repeat_matches: Iterable[Match] | Edges, claim_matches: Iterable[Match]) -> list[Group]:
    """Repeat groups (components) and claim groups (representative groups), in reading order of their first member."""
    repeats = Edges.of(repeat_matches)
    claim_matches = sorted(claim_matches, key=lambda m: (m.a, m.b))  # one order whoever found them
    claim_ends = np.array([i for m in claim_matches for i in (m.a, m.b)], dtype=np.int64)
    ids, root = components(np.concatenate([repeats.a, claim_ends]), np.concatenate([repeats.b, claim_ends]))
    if not len(ids):
        return []
    # Members of each root, in reading order: ids sorted by (root, id); views into one array.
    order = np.lexsort((ids, root))
    flat, flat_root = ids[order], root[order]
    starts = np.flatnonzero(np.r_[True, flat_root[1:] != flat_root[:-1]])
    ends = np.r_[starts[1:], len(flat)]
    span = {int(r): (s, e) for r, s, e in zip(flat_root[starts].tolist(), starts.tolist(), ends.tolist())}

    groups: list[Group] = []
    if len(repeats):
        edge_root = root[np.searchsorted(ids, repeats.a)]
        by_root = np.argsort(edge_root, kind="stable")
        edge_root = edge_root[by_root]
        first = np.flatnonzero(np.r_[True, edge_root[1:] != edge_root[:-1]])
        low = np.minimum.reduceat(repeats.score[by_root], first)
        used = np.bitwise_or.reduceat(np.left_shift(1, repeats.method[by_root].astype(np.int64)), first)
        for r, score, bits in zip(edge_root[first].tolist(), low.tolist(), used.tolist()):
            s, e = span[r]
            methods = tuple(m for k, m in enumerate(_METHOD_ORDER) if bits >> k & 1)
            groups.append(Group(kind="repeat", members=flat[s:e], score=round(score, 4), methods=methods))
    find = dict(zip(claim_ends.tolist(), root[np.searchsorted(ids, claim_ends)].tolist())) if len(claim_ends) else {}
    groups.extend(_claim_groups(claim_matches, find, lambda node: flat[slice(*span[node])].tolist()))
    groups.sort(key=lambda g: (int(g.members[0]), g.kind))
    return groups


def build_finding(
    group: Group,
    sentences: Sequence[Sentence] | Mapping[int, Sentence],
    conflicts_of: Callable[[Sentence, Sentence], list[Conflict]] | None = None,
) -> Finding:
    """The finding of one group, its sentences looked up in ``sentences`` (any mapping holding its members)."""
    occurrences = [sentences[i] for i in group.members]
    conflicts: list[Conflict] = []
    if conflicts_of is not None:
        pairs = [(sentences[a], sentences[b]) for a, b in group.compared()]
        if group.kind == "repeat":
            pairs = [(a, b) for a, b in pairs if a.normalized != b.normalized]
        conflicts = _conflicts(conflicts_of, pairs)
    return Finding(
        kind=group.kind,
        scope=_scope(occurrences),
        score=group.score,
        methods=list(group.methods),
        occurrences=occurrences,
        conflicts=conflicts,
    )


def group_findings(
    sentences: Sequence[Sentence] | Mapping[int, Sentence],
    repeat_matches: Iterable[Match],
    claim_matches: Iterable[Match],
    conflicts_of: Callable[[Sentence, Sentence], list[Conflict]] | None = None,
) -> list[Finding]:
    """Build repeat findings (components) and claim findings (representative groups).

    ``sentences`` maps a sentence index to its sentence: the run's whole list,
    or (a distributed run) only the sentences the matches name; nothing else
    is looked at, so both give the same findings.  ``conflicts_of(a, b)``
    lists conflicting details between two sentences; it is asked for claim
    members against their representative and for fuzzy (not exact) repeats
    against the first occurrence.
    """
    return [build_finding(g, sentences, conflicts_of) for g in group_matches(repeat_matches, claim_matches)]


_METHOD_ORDER = ["exact", "fuzzy", "semantic"]


def _conflicts(conflicts_of, pairs) -> list[Conflict]:
    """Conflicting details over pairs of occurrences, each listed once, in order of discovery."""
    found: list[Conflict] = []
    for a, b in pairs:
        for c in conflicts_of(a, b):
            if c not in found:
                found.append(c)
    return found


def _claim_groups(claim_matches, find, members_of) -> list[Group]:
    neighbours: dict[int, dict[int, Match]] = defaultdict(dict)
    for m in claim_matches:
        a, b = find[m.a], find[m.b]
        if a == b:
            continue
        for x, y in ((a, b), (b, a)):
            best = neighbours[x].get(y)
            if best is None or m.score > best.score:
                neighbours[x][y] = m
    strength = {node: sum(m.score for m in nbrs.values()) for node, nbrs in neighbours.items()}
    assigned: set[int] = set()
    groups = []
    for rep in sorted(neighbours, key=lambda node: (-strength[node], node)):
        if rep in assigned:
            continue
        group = [node for node in neighbours[rep] if node not in assigned]
        if not group:
            continue
        assigned.add(rep)
        assigned.update(group)
        links = [neighbours[rep][node] for node in group]
        groups.append(
            Group(
                kind="claim",
                members=tuple(sorted(i for node in [rep, *group] for i in members_of(node))),
                score=round(min(m.score for m in links), 4),
                methods=tuple(sorted({m.method for m in links}, key=_METHOD_ORDER.index)),
                representative=rep,
                linked=tuple(group),
            )
        )
    return groups

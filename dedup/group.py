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


@dataclass(frozen=True, slots=True)
class Group:
    """A finding as sentence ids only: what the matches alone decide.

    Kept apart from the sentences so a distributed run can group on a driver
    that holds only the match edges and look the sentences up elsewhere.
    ``members`` are in reading order (ids are numbered that way); a claim
    group also names its ``representative`` and the nodes ``linked`` to it
    (each the earliest sentence of its repeat component).
    """

    kind: str
    members: tuple[int, ...]
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
        return [(self.members[0], other) for other in self.members[1:]]


def group_matches(repeat_matches: Iterable[Match], claim_matches: Iterable[Match]) -> list[Group]:
    """Repeat groups (components) and claim groups (representative groups), in reading order of their first member."""
    uf = UnionFind()
    edges_by_root: dict[int, list[Match]] = defaultdict(list)
    repeat_matches = list(repeat_matches)
    claim_matches = sorted(claim_matches, key=lambda m: (m.a, m.b))  # one order whoever found them
    for m in repeat_matches:
        uf.union(m.a, m.b)
    for m in repeat_matches:
        edges_by_root[uf.find(m.a)].append(m)
    members: dict[int, list[int]] = defaultdict(list)
    touched = {i for m in [*repeat_matches, *claim_matches] for i in (m.a, m.b)}
    for i in sorted(touched):
        members[uf.find(i)].append(i)

    groups = [
        Group(
            kind="repeat",
            members=tuple(members[root]),
            score=round(min(m.score for m in edges), 4),
            methods=tuple(sorted({m.method for m in edges}, key=_METHOD_ORDER.index)),
        )
        for root, edges in edges_by_root.items()
    ]
    groups.extend(_claim_groups(claim_matches, uf, members))
    groups.sort(key=lambda g: (g.members[0], g.kind))
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


def _claim_groups(claim_matches, uf, members) -> list[Group]:
    neighbours: dict[int, dict[int, Match]] = defaultdict(dict)
    for m in claim_matches:
        a, b = uf.find(m.a), uf.find(m.b)
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
                members=tuple(sorted(i for node in [rep, *group] for i in members[node])),
                score=round(min(m.score for m in links), 4),
                methods=tuple(sorted({m.method for m in links}, key=_METHOD_ORDER.index)),
                representative=rep,
                linked=tuple(group),
            )
        )
    return groups

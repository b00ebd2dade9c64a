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


def _reading_order(sentences: Iterable[Sentence]) -> list[Sentence]:
    # Sentence indices are numbered in reading order (input order, then offset).
    return sorted(sentences, key=lambda s: s.index)


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

    findings: list[Finding] = []
    for root, edges in edges_by_root.items():
        occurrences = _reading_order(sentences[i] for i in members[root])
        methods = sorted({m.method for m in edges}, key=_METHOD_ORDER.index)
        conflicts: list[Conflict] = []
        if conflicts_of is not None and methods != ["exact"]:
            first = occurrences[0]
            conflicts = _conflicts(
                conflicts_of, [(first, other) for other in occurrences[1:] if other.normalized != first.normalized]
            )
        findings.append(
            Finding(
                kind="repeat",
                scope=_scope(occurrences),
                score=round(min(m.score for m in edges), 4),
                methods=methods,
                occurrences=occurrences,
                conflicts=conflicts,
            )
        )

    findings.extend(_claim_findings(sentences, claim_matches, uf, members, conflicts_of))
    findings.sort(key=lambda f: (f.first.index, f.kind))
    return findings


_METHOD_ORDER = ["exact", "fuzzy", "semantic"]


def _conflicts(conflicts_of, pairs) -> list[Conflict]:
    """Conflicting details over pairs of occurrences, each listed once, in order of discovery."""
    found: list[Conflict] = []
    for a, b in pairs:
        for c in conflicts_of(a, b):
            if c not in found:
                found.append(c)
    return found


def _claim_findings(sentences, claim_matches, uf, members, conflicts_of) -> list[Finding]:
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
    findings = []
    for rep in sorted(neighbours, key=lambda node: (-strength[node], node)):
        if rep in assigned:
            continue
        group = [node for node in neighbours[rep] if node not in assigned]
        if not group:
            continue
        assigned.add(rep)
        assigned.update(group)
        occurrences = _reading_order(sentences[i] for node in [rep, *group] for i in members[node])
        links = [neighbours[rep][node] for node in group]
        conflicts: list[Conflict] = []
        if conflicts_of is not None:
            conflicts = _conflicts(conflicts_of, [(sentences[rep], sentences[node]) for node in group])
        findings.append(
            Finding(
                kind="claim",
                scope=_scope(occurrences),
                score=round(min(m.score for m in links), 4),
                methods=sorted({m.method for m in links}, key=_METHOD_ORDER.index),
                occurrences=occurrences,
                conflicts=conflicts,
            )
        )
    return findings

"""Matches → findings.

Exact copies of one sentence are one node: copying is transitive.  Nothing
else is: "A is close to B" and "B is close to C" says nothing about A and C
(on wire copy, "Shr 39 cts vs 50 cts" ~ "Shr 38 cts vs 50 cts" ~ "Shr 38 cts
vs 56 cts" ... chained 221 different lines into one finding).  So a repeat
group, like a claim group, is a representative plus the nodes each directly
matched to it (greedy leader clustering in order of weighted degree, as in
community detection), scored by its weakest direct link.  Repeat groups enter
claim grouping as single nodes, so a claim finding lists every copy of each
of its sentences.  A repeat group spanning many documents is boilerplate (a
house phrase: "Terms were not disclosed."), reported once as such.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .core import METHOD_ORDER, ClaimEvidence, Conflict, Edges, Finding, Match, Sentence  # noqa: F401 (re-exported)


def _scope(occurrences: Sequence[Sentence]) -> str:
    first = occurrences[0].document
    return "within" if all(s.document is first for s in occurrences) else "across"


@dataclass(frozen=True, slots=True, eq=False)
class Group:
    """A finding as sentence ids only: what the matches alone decide.

    Kept apart from the sentences so a distributed run can group on a driver
    that holds only the match edges and look the sentences up elsewhere.
    ``members`` are in reading order (ids are numbered that way); every
    group names its ``representative`` and the nodes directly ``linked`` to
    it (each node the first occurrence of its key: a repeat group's, or for
    a claim group the representative of a repeat group).
    """

    kind: str
    members: Sequence[int]
    score: float
    methods: tuple[str, ...]
    representative: int | None = None
    linked: tuple[int, ...] = ()
    evidence: ClaimEvidence | None = None  # a claim group's weakest link's

    def compared(self) -> list[tuple[int, int]]:
        """The pairs whose conflicting details the finding lists: each linked node against the representative.

        Exact copies never differ and boilerplate is a house phrase, not a
        claim, so neither is compared; ``build_finding`` skips pairs whose
        keys are equal (they are ids here, not sentences).
        """
        if self.kind == "boilerplate" or self.representative is None:
            return []
        return [(self.representative, node) for node in self.linked]


def components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every id the edges touch (sorted) and its component's root, the component's smallest id.

    Minimum-label propagation with pointer jumping, in NumPy: the same
    components as a union-find, without a dict entry per sentence.
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
    """Each (pair, method) once: a pair verified in several LSH bands arrives once per band.

    Grouping reads every direct link (a repeat group is a representative and
    the sentences each directly matched to it), so the edges cannot be
    reduced further without changing the groups; what reaches a driver is
    one edge per matched pair of distinct keys, and exact copies of one key
    arrive as one star on its first occurrence.
    """
    if not len(edges):
        return edges
    table = np.stack([edges.a, edges.b, edges.method.astype(np.int64)], axis=1)
    _, first = np.unique(table, axis=0, return_index=True)
    first.sort()
    return Edges(edges.a[first], edges.b[first], edges.score[first], edges.method[first])


class _Nodes:
    """Exact copies of one key as one node, named by its first occurrence; every other sentence is its own node."""

    def __init__(self, repeats: Edges):
        exact = repeats.method == METHOD_ORDER.index("exact")
        self.ids, self.root = components(repeats.a[exact], repeats.b[exact])
        order = np.lexsort((self.ids, self.root))
        flat, flat_root = self.ids[order], self.root[order]
        starts = np.flatnonzero(np.r_[True, flat_root[1:] != flat_root[:-1]]) if len(flat) else np.zeros(0, int)
        ends = np.r_[starts[1:], len(flat)]
        self.copies = {int(flat_root[s]): flat[s:e] for s, e in zip(starts.tolist(), ends.tolist())}

    def of(self, ids: np.ndarray) -> np.ndarray:
        if not len(self.ids):
            return np.asarray(ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return np.where(self.ids[at] == ids, self.root[at], ids)

    def members(self, node: int) -> list[int]:
        found = self.copies.get(node)
        return [node] if found is None else found.tolist()


def _stars(edges: Edges, node_of) -> list[tuple[int, list[int], list[tuple[float, int]]]]:
    """Greedy leader clustering: (representative, nodes directly linked to it, their links' (score, method)).

    Nodes in order of weighted degree take every direct neighbour not taken
    yet, so no star holds two nodes that are linked only through a third.
    """
    neighbours: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
    ends_a, ends_b = node_of(edges.a).tolist(), node_of(edges.b).tolist()
    for x, y, score, method in zip(ends_a, ends_b, edges.score.tolist(), edges.method.tolist()):
        if x == y:
            continue
        for p, q in ((x, y), (y, x)):
            best = neighbours[p].get(q)
            if best is None or score > best[0]:
                neighbours[p][q] = (score, method)
    strength = {node: sum(s for s, _ in nbrs.values()) for node, nbrs in neighbours.items()}
    taken: set[int] = set()
    stars = []
    for rep in sorted(neighbours, key=lambda node: (-strength[node], node)):
        if rep in taken:
            continue
        linked = sorted(node for node in neighbours[rep] if node not in taken)
        if not linked:
            continue
        taken.add(rep)
        taken.update(linked)
        stars.append((rep, linked, [neighbours[rep][node] for node in linked]))
    return stars


def group_matches(
    repeat_matches: Iterable[Match] | Edges,
    claim_matches: Iterable[Match],
    template_matches: Iterable[Match] | Edges = (),
    *,
    document_of: Callable[[np.ndarray], np.ndarray] | None = None,
    boilerplate_documents: int | None = None,
) -> list[Group]:
    """Repeat, boilerplate and claim groups, in reading order of their first member.

    Exact copies of a key are one node; a repeat group is a representative
    node and the nodes directly near-repeating it (``_stars``), never a chain,
    scored by its weakest direct link.  With ``boilerplate_documents``, a
    repeat group, or a star of template instances (``template_matches``:
    the same wording with other figures in other stories, see ``story``)
    around one, that spans at least that many documents (``document_of``
    maps sentence ids to document ids) is one boilerplate group instead;
    smaller template stars are not findings.  Claims link repeat groups
    (every copy of each sentence is listed), never boilerplate.
    """
    repeats = Edges.of(repeat_matches)
    templates = Edges.of(template_matches)
    nodes = _Nodes(repeats)
    near = repeats.method != METHOD_ORDER.index("exact")
    near_edges = Edges(repeats.a[near], repeats.b[near], repeats.score[near], repeats.method[near])

    groups: list[Group] = []
    in_star: set[int] = set()
    for rep, linked, links in _stars(near_edges, nodes.of):
        all_nodes = [rep, *linked]
        in_star.update(all_nodes)
        members = np.array(sorted(i for node in all_nodes for i in nodes.members(node)), dtype=np.int64)
        exact = any(node in nodes.copies for node in all_nodes)
        used = {METHOD_ORDER[m] for _, m in links} | ({"exact"} if exact else set())
        methods = tuple(m for m in METHOD_ORDER if m in used)
        groups.append(Group("repeat", members, round(min(s for s, _ in links), 4), methods, rep, tuple(linked)))
    for node, copies in nodes.copies.items():
        if node not in in_star:
            groups.append(Group("repeat", copies, 1.0, ("exact",), node, ()))

    if boilerplate_documents is not None and document_of is not None:
        groups = _boilerplate(groups, templates, nodes, document_of, boilerplate_documents)

    owner = {int(i): g for g in groups for i in g.members}
    boilerplate = {int(i) for g in groups if g.kind == "boilerplate" for i in g.members}
    claim_matches = sorted(
        (m for m in claim_matches if m.a not in boilerplate and m.b not in boilerplate), key=lambda m: (m.a, m.b)
    )  # one order whoever found them

    def node_of(i: int) -> int:
        group = owner.get(i)
        return i if group is None else group.representative

    def members_of(node: int) -> list[int]:
        group = owner.get(node)
        return [node] if group is None else [int(i) for i in group.members]

    claims = _claim_groups(claim_matches, node_of, members_of)
    groups.extend(claims)
    groups.sort(key=lambda g: (int(g.members[0]), g.kind))
    return groups


def _boilerplate(groups: list[Group], templates: Edges, nodes: _Nodes, document_of, threshold: int) -> list[Group]:
    """Repeat groups, with those (and template stars) spanning ``threshold`` documents turned into boilerplate."""
    by_node = {g.representative: g for g in groups}
    group_of_node = {node: g.representative for g in groups for node in (g.representative, *g.linked)}

    def group_node(ids: np.ndarray) -> np.ndarray:
        return np.fromiter((group_of_node.get(n, n) for n in nodes.of(ids).tolist()), np.int64, len(ids))

    def members(node: int) -> list[int]:
        group = by_node.get(node)
        return [int(i) for i in group.members] if group is not None else nodes.members(node)

    result: list[Group] = []
    clustered: set[int] = set()
    for rep, linked, links in _stars(templates, group_node):
        clustered.update([rep, *linked])
        star_members = np.array(sorted(i for node in (rep, *linked) for i in members(node)), dtype=np.int64)
        if len(np.unique(document_of(star_members))) >= threshold:
            result.append(Group("boilerplate", star_members, round(min(s for s, _ in links), 4), ("fuzzy",), rep,
                                tuple(linked)))
        else:
            result.extend(by_node[node] for node in (rep, *linked) if node in by_node)
    for group in groups:
        if group.representative in clustered:
            continue
        if len(np.unique(document_of(np.asarray(group.members, dtype=np.int64)))) >= threshold:
            group = Group("boilerplate", group.members, group.score, group.methods, group.representative,
                          group.linked)
        result.append(group)
    return result


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
            conflicts = _conflicts(_with_figures(conflicts_of), pairs)
        else:
            conflicts = _conflicts(conflicts_of, pairs)
    return Finding(
        kind=group.kind,
        scope=_scope(occurrences),
        score=group.score,
        methods=list(group.methods),
        occurrences=occurrences,
        conflicts=conflicts,
        evidence=group.evidence,
    )


def group_findings(
    sentences: Sequence[Sentence] | Mapping[int, Sentence],
    repeat_matches: Iterable[Match],
    claim_matches: Iterable[Match],
    conflicts_of: Callable[[Sentence, Sentence], list[Conflict]] | None = None,
    template_matches: Iterable[Match] = (),
    boilerplate_documents: int | None = None,
) -> list[Finding]:
    """Build repeat, boilerplate and claim findings (``group_matches``) with their conflicting details.

    ``sentences`` maps a sentence index to its sentence: the run's whole list,
    or (a distributed run) only the sentences the matches name; nothing else
    is looked at, so both give the same findings.  ``conflicts_of(a, b)``
    lists conflicting details between two sentences; it is asked for each
    linked member against its group's representative.
    """
    numbers: dict[int, int] = {}  # a number per document, in order of first mention

    def document_of(ids: np.ndarray) -> np.ndarray:
        return np.fromiter((numbers.setdefault(id(sentences[i].document), len(numbers)) for i in ids.tolist()),
                           np.int64, len(ids))

    groups = group_matches(repeat_matches, claim_matches, template_matches, document_of=document_of,
                           boilerplate_documents=boilerplate_documents)
    return [build_finding(g, sentences, conflicts_of) for g in groups]


def _with_figures(conflicts_of):
    """``conflicts_of``, naming the changed figures where it finds nothing it can pair (``story``)."""
    from .story import with_figure_changes

    return lambda a, b: with_figure_changes(conflicts_of(a, b), a.text, b.text)


def _conflicts(conflicts_of, pairs) -> list[Conflict]:
    """Conflicting details over pairs of occurrences, each listed once, in order of discovery."""
    found: list[Conflict] = []
    for a, b in pairs:
        for c in conflicts_of(a, b):
            if c not in found:
                found.append(c)
    return found


def _claim_groups(claim_matches, node_of, members_of) -> list[Group]:
    neighbours: dict[int, dict[int, Match]] = defaultdict(dict)
    for m in claim_matches:
        a, b = node_of(m.a), node_of(m.b)
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
        weakest = min(links, key=lambda m: m.score)
        groups.append(
            Group(
                kind="claim",
                members=tuple(sorted(i for node in [rep, *group] for i in members_of(node))),
                score=round(weakest.score, 4),
                methods=tuple(sorted({m.method for m in links}, key=METHOD_ORDER.index)),
                representative=rep,
                linked=tuple(group),
                evidence=weakest.evidence,
            )
        )
    return groups

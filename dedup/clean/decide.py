"""Which sentences and documents a clean removes, and which occurrence each removal keeps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from ..conflicts import find_conflicts
from ..core import Document, Finding, Sentence
from ..story import changes

@dataclass
class Removal:
    sentence: Sentence
    reason: str
    kept: Sentence


def drop_documents(
    documents: Sequence[Document],
    sentences_by_doc: dict[Document, list[Sentence]],
    repeat_of: dict[Sentence, int],
    eligible: Callable[[Sentence], bool],
    doc_overlap: float,
) -> dict[Document, tuple[Document, float]]:
    """Each near-duplicate document → (the earlier surviving document it nearly duplicates, overlap).

    ``repeat_of`` gives each sentence in a repeat finding the finding's number.
    """
    rank = {d: i for i, d in enumerate(documents)}
    first_kept: dict[int, Sentence] = {}  # finding number → its first occurrence in a surviving document
    dropped: dict[Document, tuple[Document, float]] = {}
    for document in documents:
        sentences = sentences_by_doc.get(document, [])
        total = 0
        shared: Counter[Document] = Counter()
        for s in sentences:
            if not eligible(s):
                continue
            total += s.end - s.start
            finding = repeat_of.get(s)
            kept = first_kept.get(finding) if finding is not None else None
            if kept is not None:
                shared[kept.document] += s.end - s.start
        if total and shared:
            best, chars = max(shared.items(), key=lambda kv: (kv[1], -rank[kv[0]]))
            if chars / total >= doc_overlap:
                dropped[document] = (best, round(chars / total, 4))
                continue
        for s in sentences:
            finding = repeat_of.get(s)
            if finding is not None:
                first_kept.setdefault(finding, s)
    return dropped


def sentence_removals(findings: Iterable[Finding], dropped: Collection[Document]) -> dict[int, Removal]:
    """sentence index → removal; findings are taken in order, the first to claim a sentence wins."""
    removals: dict[int, Removal] = {}
    for finding in findings:
        surviving = [o for o in finding.occurrences if o.document not in dropped]
        kept = surviving[0] if surviving else None
        for other in surviving[1:]:
            if other.index in removals or kept.normalized == other.normalized:
                if other.index not in removals:
                    removals[other.index] = Removal(other, finding.kind, kept)
                continue
            # "profit rose to 93 million" is not a repeat of "... to 39 million", nor "a British ship
            # ... a French trade man" of "a French ship ... a British trade man": a near-copy whose
            # figures, dates, names or their order differ from the kept one states another fact and stays.
            if finding.kind == "claim":
                other_fact = bool(finding.conflicts and find_conflicts(kept.text, other.text))
            else:
                other_fact = bool(changes(kept.text, other.text))
            if not other_fact:
                removals[other.index] = Removal(other, finding.kind, kept)
    # A kept sentence may itself be removed (the first of a repeat, dropped as a claim):
    # point at what really survives.  Kept sentences come earlier in reading order, so this ends.
    for removal in removals.values():
        while removal.kept.index in removals:
            further = removals[removal.kept.index]
            removal.kept = further.kept
            if further.reason == "claim":
                removal.reason = "claim"
    return removals



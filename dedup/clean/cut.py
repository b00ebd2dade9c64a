"""Text surgery: cut spans out of a text with their share of whitespace, and put them back from the log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ..contract import document_ref
from ..core import Document
from .decide import Removal

def _newline_weight(space: str) -> tuple[int, int]:
    return space.count("\n") + space.count("\r") - space.count("\r\n"), len(space)


def cut_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges actually cut for ``spans`` (sorted, disjoint): each span with its share of whitespace.

    Spans separated only by whitespace form one block; a block goes with the
    smaller of the whitespace runs around it (see the module docstring), and
    the whitespace between spans of a block goes with the span before it.
    Returns one ``(cut_start, cut_end)`` per span, in order.
    """
    spans = sorted(spans)
    cuts: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and not text[spans[j][1] : spans[j + 1][0]].strip():
            j += 1
        block_start, block_end = spans[i][0], spans[j][1]
        before = block_start
        while before > 0 and text[before - 1].isspace():
            before -= 1
        after = block_end
        while after < n and text[after].isspace():
            after += 1
        at_start, at_end = before == 0, after == n
        if at_start and at_end:
            cut = (block_start, block_end)
        elif at_start:
            cut = (block_start, after)
        elif at_end:
            cut = (before, block_end)
        elif _newline_weight(text[before:block_start]) < _newline_weight(text[block_end:after]):
            cut = (before, block_end)
        else:
            cut = (block_start, after)
        for k in range(i, j + 1):
            start = cut[0] if k == i else spans[k][0]
            end = cut[1] if k == j else spans[k + 1][0]
            cuts.append((start, end))
        i = j + 1
    return cuts


def apply_cuts(text: str, cuts: Sequence[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for start, end in sorted(cuts):
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def restore(cleaned: str, removed: Iterable[dict]) -> str:
    """The original text of one document from its cleaned text and its ``removed.jsonl`` entries.

    Exact: each entry's ``space_before + text + space_after`` goes back where it was cut.
    A dropped document's entry (``reason: "document"``) restores it from ``""``.
    """
    parts, pos, shift = [], 0, 0
    for entry in sorted(removed, key=lambda e: e["start"]):
        before, after = entry.get("space_before", ""), entry.get("space_after", "")
        at = entry["start"] - len(before) - shift
        parts.append(cleaned[pos:at])
        piece = before + entry["text"] + after
        parts.append(piece)
        pos = at
        shift += len(piece)
    parts.append(cleaned[pos:])
    return "".join(parts)




def cut_documents(
    documents: Iterable[Document],
    removals: Iterable[Removal],
    dropped: Mapping[Document, tuple[Document, float]],
    output_of: Mapping[str, str],
) -> tuple[dict[Document, str | None], dict[Document, list[dict]]]:
    """Each document's cleaned text (None: written as it was, or dropped) and its ``removed.jsonl`` entries.

    ``output_of`` maps an input path to its path inside OUT.  Every document's
    entries are checked to restore its text exactly before anything is written.
    """
    by_document: dict[Document, list[Removal]] = defaultdict(list)
    for removal in removals:
        by_document[removal.sentence.document].append(removal)
    cleaned: dict[Document, str | None] = {}
    entries: dict[Document, list[dict]] = {}
    for document in documents:
        output = output_of[document.path]
        cleaned[document] = None
        if document in dropped:
            earlier, overlap = dropped[document]
            entries[document] = [{
                **document_ref(document), "output": output, "start": 0, "end": len(document.text),
                "text": document.text, "space_before": "", "space_after": "", "reason": "document",
                "overlap": overlap,
                "kept": {**document_ref(earlier), "start": 0, "end": len(earlier.text), "text": earlier.text},
            }]
            continue
        mine = sorted(by_document.get(document, []), key=lambda r: r.sentence.start)
        cuts = cut_spans(document.text, [(r.sentence.start, r.sentence.end) for r in mine])
        logged = []
        for removal, (cut_start, cut_end) in zip(mine, cuts):
            s, k = removal.sentence, removal.kept
            logged.append({
                **document_ref(document), "output": output, "start": s.start, "end": s.end, "text": s.text,
                "space_before": document.text[cut_start : s.start], "space_after": document.text[s.end : cut_end],
                "reason": removal.reason,
                "kept": {**document_ref(k.document), "start": k.start, "end": k.end, "text": k.text},
            })
        entries[document] = logged
        if not mine:
            continue
        new_text = apply_cuts(document.text, cuts)
        if restore(new_text, logged) != document.text:  # the log must always undo the clean
            raise RuntimeError(f"internal error: removals in {document.name} would not restore")
        cleaned[document] = new_text
    return cleaned, entries

"""Split news text into sentences with character offsets into the original text.

Two passes.  First the text is cut into *blocks*: paragraphs at blank lines,
and lines inside a paragraph unless the paragraph is hard-wrapped (wire copy
wrapped at a fixed width).  That is what makes headlines, datelines, bylines
and one-sentence-per-line scrapes come out as sentences of their own although
they carry no full stop.  Second, each block is split at sentence-final
punctuation with rules for what news prose puts before and after a full stop:
titles (Mr., Gov.), initials, months, multi-dot abbreviations (U.S., D.C.,
p.m.), decimals ($1.13bn) and closing quotes.

The rules were chosen against the alternatives by measurement on gold news
boundaries (``benchmarks/segment_eval.py``; figures in README).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .core import Document, Sentence

# Abbreviations that, followed by a full stop, almost never end a sentence.
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "cpl", "maj", "adm", "cmdr",
    "gov", "sen", "rep", "rev", "fr", "hon", "pres", "supt", "insp", "det", "st", "mt", "ft", "messrs",
    "jr", "sr", "no", "nos", "vs", "v", "etc", "approx", "est", "dept", "univ", "assn", "bros", "vol",
    "fig", "figs", "pp", "op", "cf", "al", "ave", "blvd", "rd",
}
_MONTHS = {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
# Company suffixes end sentences often ("...bought by Acme Inc."): a boundary
# when the next word starts a sentence, like the multi-dot abbreviations.
_AMBIGUOUS = {"inc", "corp", "co", "ltd", "plc", "llc", "bhd"}
# Words that, capitalised after an ambiguous abbreviation, signal a new sentence.
_STARTERS = {
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those",
    "there", "his", "her", "its", "their", "our", "in", "on", "at", "but", "and", "however", "meanwhile",
    "after", "before", "when", "while", "as", "if", "some", "many", "most", "officials", "police", "one",
    "mr", "mrs", "ms", "dr", "image", "photo", "according", "last", "earlier", "later", "for", "since",
}

# A candidate boundary: terminal punctuation, optional closers, whitespace.
_CANDIDATE = re.compile(r"""[.!?…]+['"’”)\]]*(?=\s+)""")
_PUNCT_RUN = re.compile(r"[.!?…]+")
_NEXT_WORD = re.compile(r"""\s+([\[("'“‘]*)(\S*)""")
_HAS_ALNUM = re.compile(r"[^\W_]")
_WORD_BEFORE = re.compile(r"([\w.&'-]*)$")

# Hard-wrapped paragraphs: lines no wider than this, broken at a space.
_WRAP_MAX_WIDTH = 100
_WRAP_MIN_FILL = 0.6


def _is_boundary(text: str, end_punct: int, match_end: int, block_end: int) -> bool:
    """Whether a sentence ends at ``match_end`` (just after the punctuation run)."""
    nxt = _NEXT_WORD.match(text, match_end, block_end)
    if not nxt:
        return True
    opener, word = nxt.group(1), nxt.group(2)
    if not word and not opener:
        return True
    if not _HAS_ALNUM.search(text, match_end, block_end):
        return False  # only scraping debris (" |", "*") follows: it belongs to this sentence
    first = (word or opener)[0]
    if first.islower():
        return False  # "5 p.m. on Friday", "Jan. last year", "he said?" — sentences do not start lowercase
    punct = text[end_punct]
    if punct != ".":
        return True
    before = _WORD_BEFORE.search(text, max(0, end_punct - 64), end_punct).group(1).lstrip("'\"(")
    token = before.lower().rstrip(".")
    if not token:
        return True
    # Decimal or a number run like "1." in "No. 1." — a full stop after digits ends a sentence.
    if token in _TITLES:
        return False
    bare_word = word.strip("\"'“”‘’()[],;:").lower()
    starts_sentence = bare_word in _STARTERS or not word[:1].isalpha()
    if token in _MONTHS or token in _AMBIGUOUS:
        return starts_sentence
    if "." in before.rstrip(".") and all(len(part) <= 3 for part in before.rstrip(".").split(".")):
        # Multi-dot abbreviation: U.S., D.C., a.m.  "U.S. President" goes on; "D.C. The" ends.
        # (Longer parts are a web address or file name, which ends a sentence like a word.)
        return starts_sentence
    if len(token) == 1 and token.isalpha() and before[:1].isupper():
        # An initial ("J. K. Rowling", "George W. Bush").
        return starts_sentence and bare_word not in {"a", "i"}
    return True


def split_block(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (one block), whitespace-trimmed."""
    end = len(text) if end is None else end
    sentence_start = start
    for m in _CANDIDATE.finditer(text, start, end):
        last_punct = _PUNCT_RUN.match(text, m.start()).end() - 1
        if _is_boundary(text, last_punct, m.end(), end):
            yield from _trimmed(text, sentence_start, m.end())
            sentence_start = m.end()
    yield from _trimmed(text, sentence_start, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def blocks(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the blocks the sentence rules run inside (see module docstring)."""
    pos = 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        yield from _paragraph_blocks(text, pos, brk.start())
        pos = brk.end()
    yield from _paragraph_blocks(text, pos, len(text))


def _paragraph_blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    lines = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        lines.append((pos, line_end))
        if nl == -1:
            break
        pos = nl + 1
    if len(lines) == 1:
        yield start, end
        return
    widths = [len(text[a:b].rstrip()) for a, b in lines]
    width = max(widths)
    # Two lines could be a headline over its first sentence; wrapping shows from three on.
    wrapped = len(lines) >= 3 and width <= _WRAP_MAX_WIDTH
    block_start = lines[0][0]
    for i in range(len(lines) - 1):
        a, b = lines[i]
        line = text[a:b].rstrip()
        next_line = text[lines[i + 1][0] : lines[i + 1][1]].lstrip()
        joins = bool(line) and bool(next_line) and not _ends_sentence(line) and (
            next_line[0].islower() or (wrapped and widths[i] >= _WRAP_MIN_FILL * width)
        )
        if not joins:
            yield block_start, b
            block_start = lines[i + 1][0]
    yield block_start, lines[-1][1]


def _ends_sentence(line: str) -> bool:
    return line.rstrip("'\"’”)]").endswith((".", "!", "?", "…", ":"))


def split_spans(text: str) -> list[tuple[int, int]]:
    """All sentence spans of a text, in order."""
    spans = []
    for a, b in blocks(text):
        spans.extend(split_block(text, a, b))
    return spans


def segment(document: Document) -> list[Sentence]:
    """The sentences of one document (normalized keys are filled in by the pipeline)."""
    return [Sentence(document, a, b) for a, b in split_spans(document.text)]

"""Split news text into sentences with character offsets into the original text.

Two passes.  First the text is cut into *blocks*: paragraphs at blank lines,
and lines inside a paragraph unless the paragraph is hard-wrapped (wire copy
wrapped at a fixed width) or laid out as wire copy (paragraphs marked by an
indent: each indented line opens a block, every other line goes on the one
above).  That is what makes headlines, datelines, bylines, table rows and
one-sentence-per-line scrapes come out as sentences of their own although
they carry no full stop.  Second, each block is split at sentence-final
punctuation (also with no space after it, as scrapes leave "world.Today")
with rules for what news prose puts before and after a full stop: titles
(Mr., Gov.), initials, months, company suffixes (Inc., Corp.), multi-dot
abbreviations (U.S., D.C., p.m.), decimals ($1.13bn), spaced ellipses,
closing quotes, and picture credits run onto a caption ("Black Widow and
Captain America Image: Nick Moreau.").

After an abbreviation the next word decides.  Lowercase goes on.  A word that
cannot continue a sentence after a noun (an article, possessive, subject
pronoun, question word, sentence adverb: ``_OPENERS``) ends it, after any
abbreviation.  Other common sentence starters (``_STARTERS``: "In", "But")
end it after a month, an initial or a company suffix, not after a dotted
abbreviation, because wire copy capitalises the word after one ("The U.S.
Has offered", "now in the U.S. For talks").  A company suffix closes a name,
so any other capitalised word ends the sentence too, unless it still belongs
to the name (a legal form, a ticker, a lone last word) or is a finite verb or
binding preposition (``_CONTINUERS``).  Figures and the gold sets they come
from: ``docs/splitter.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


# Abbreviations that, followed by a full stop, almost never end a sentence.
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "cpl", "maj", "adm", "cmdr",
    "gov", "sen", "rep", "rev", "fr", "hon", "pres", "supt", "insp", "det", "st", "mt", "ft", "messrs",
    "jr", "sr", "no", "nos", "vs", "v", "etc", "approx", "est", "dept", "univ", "assn", "bros", "vol",
    "fig", "figs", "pp", "op", "cf", "al", "ave", "blvd", "rd",
}
_MONTHS = {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
# Company suffixes close a name, so a capitalised word after one mostly opens a new
# sentence ("... Wang Laboratories Inc. Terms were not disclosed.").
_COMPANY = {"inc", "corp", "co", "ltd", "plc", "llc", "bhd"}
_NOT_TIGHT = _TITLES | _MONTHS | _COMPANY
# Legal forms that can follow a company suffix inside one name ("Nikko Securities Co. Ltd").
_LEGAL_FORMS = _COMPANY | {"ag", "nv", "gmbh", "kg", "bv", "pty", "lp", "llp", "kk", "cie"}

# Evidence that a capitalised word after an abbreviation starts a sentence comes in two
# strengths.  OPENERS cannot go on a sentence right after a noun such as "U.S." or "Inc.":
# an article or possessive starts a new noun phrase, a subject pronoun a new clause, a
# question word or sentence adverb a new sentence.  STARTERS often open sentences but
# also go on one ("in the U.S. for talks", "U.S. and Canadian"), and wire copy capitalises
# whatever follows a dotted abbreviation ("The U.S. Has offered", "the U.S. For talks"),
# so after a dotted abbreviation only an opener counts.
_OPENERS = {
    "the", "a", "an", "his", "her", "its", "their", "our", "my", "your",
    "i", "he", "she", "we", "they", "you", "it", "there",
    "how", "what", "why",
    "however", "meanwhile", "moreover", "furthermore", "nevertheless", "nonetheless",
    "mr", "mrs", "ms", "messrs",
}
_STARTERS = _OPENERS | {
    "this", "that", "these", "those", "in", "on", "at", "but", "and", "after", "before", "when",
    "while", "as", "if", "some", "many", "most", "officials", "police", "one", "dr", "image", "photo",
    "according", "last", "earlier", "later", "for", "since",
}

# Words that go on a sentence after a noun far more often than they open one: finite
# verbs (a declarative sentence does not open with one) and binding prepositions.  Wire
# copy capitalises them after "Inc." too: "stake in Telecom Plus Communications Inc. By 65 pct".
_CONTINUERS = {
    "has", "have", "had", "is", "are", "was", "were", "will", "would", "can", "could", "should",
    "did", "does", "said", "says", "and", "or", "nor", "of", "to", "by", "from", "than", "into", "vs",
}

# A candidate boundary: terminal punctuation (a spaced ellipsis ". . ." is one mark),
# optional closers, then whitespace or, in scraped text, a capitalised word at once.
_CANDIDATE = re.compile(r"""(?P<punct>\.(?:[ ]\.){2,}|[.!?…]+)['"’”)\]]*(?:(?=\s)|(?=[A-Z][a-z]))""")
# A picture credit opens a unit of its own, even run onto a caption that has no full stop
# ("Black Widow and Captain America Image: Nick Moreau.").
_CREDIT = re.compile(r"(?<=[^\W_])[ \t]+(?=(?:Image|Photo|Picture|Photograph|Credit)s?:[ \t])")
_NEXT_WORD = re.compile(r"""\s*([\[("'“‘]*)(\S*)""")
_HAS_ALNUM = re.compile(r"[^\W_]")
_WORD_BEFORE = re.compile(r"([\w.&'-]*)$")
_LETTERS_BEFORE = re.compile(r"([^\W\d_]*)$")
_WEB = re.compile(r"://|\bwww\.|@\w[\w-]*\.\w|\w\.(?:com|org|net|edu|gov|int|io|uk)\b", re.I)
_STRIP = "\"'“”‘’()[],;:.!?"

# Hard-wrapped paragraphs: lines no wider than this, broken at a space.
_WRAP_MAX_WIDTH = 100
_WRAP_MIN_FILL = 0.6


def _is_boundary(text: str, punct: str, end_punct: int, match_end: int, block_end: int) -> bool:
    """Whether a sentence ends at ``match_end``, just after ``punct`` (ending at ``end_punct``) and its closers."""
    nxt = _NEXT_WORD.match(text, match_end, block_end)
    opener, word = nxt.group(1), nxt.group(2)
    if not word and not opener:
        return True
    if not _HAS_ALNUM.search(text, match_end, block_end):
        return False  # only scraping debris (" |", "*") follows: it belongs to this sentence
    first = (word or opener)[0]
    if first.islower():
        return False  # "5 p.m. on Friday", "Jan. last year", "he said?" — sentences do not start lowercase
    bare_word = word.strip(_STRIP).lower()
    # A label ("Image: ...", "NOTE: ...") opens a new unit whatever stands before it.
    opens = bare_word in _OPENERS or (word[:1].isupper() and word.rstrip("\"'”’").endswith(":"))
    starts = opens or bare_word in _STARTERS
    if punct == ". . .":
        return opens  # a spaced ellipsis marks a gap in a quotation; only what follows shows an end
    if match_end < block_end and not text[match_end].isspace():
        return _is_tight_boundary(text, end_punct, starts)
    if not punct.endswith("."):
        return True
    token_before = text[_token_start(text, end_punct) : end_punct]
    if _WEB.search(token_before):
        return True  # a web address or e-mail ends a sentence like a word
    before = _WORD_BEFORE.search(token_before).group(1).lstrip("'\"(")
    token = before.lower().rstrip(".")
    if not token:
        return True
    if token in _TITLES:
        return False
    if token in _MONTHS:
        return starts  # "Jan. 5" goes on
    if token in _COMPANY:
        if bare_word in _CONTINUERS:
            return False
        return starts or not _continues_name(text, nxt, opener, word, bare_word, block_end)
    parts = before.rstrip(".").split(".")
    if len(parts) > 1 and all(part.isalpha() and len(part) <= 3 for part in parts):
        # Multi-dot abbreviation: U.S., D.C., p.m.  "U.S. Treasury" goes on; "D.C. The" ends.
        # (Longer parts are a web address or file name, digits a number such as "$1.13bn":
        # those end a sentence like a word.)
        return opens
    if len(token) == 1 and token.isalpha() and before[:1].isupper():
        # An initial ("J. K. Rowling", "George W. Bush").
        return starts and bare_word not in {"a", "i"}
    return True


def _token_start(text: str, end: int) -> int:
    """Start of the whitespace-delimited token that ends at ``end`` (looking back 64 characters at most)."""
    start = end
    floor = max(0, end - 64)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return start


def _continues_name(text: str, nxt: re.Match, opener: str, word: str, bare_word: str, block_end: int) -> bool:
    """Whether the word after a company suffix is still part of the name (or its ticker)."""
    if bare_word in _LEGAL_FORMS or (opener + word)[:1] in "<(":
        return True  # "Co. Ltd", "Inc. <WANG>", "Corp. (NYSE: X)"
    if not word[:1].isalpha():
        return False  # a number or quotation opens a sentence
    # A lone word before a stop or comma is the name's tail: "Nikko Securities Co. International."
    return word[-1:] in ".,;:" or nxt.end() >= block_end


def _is_tight_boundary(text: str, end_punct: int, starts: bool) -> bool:
    """A stop with a capitalised word right after it ("world.Today"), as scrapes leave it."""
    stop = end_punct
    while stop > 0 and text[stop - 1] in "'\"’”)]":
        stop -= 1
    head = _LETTERS_BEFORE.search(text, max(0, stop - 64), stop).group(1)
    if len(head) < 2 or head.lower() in _NOT_TIGHT:
        return False  # "U.S.A", "Mr.Smith", "St.Louis"
    token_start = _token_start(text, end_punct)
    token_end = end_punct
    while token_end < len(text) and not text[token_end].isspace():
        token_end += 1
    token = text[token_start:token_end]
    if "/" in token or _WEB.search(token) or re.search(r"\.[A-Za-z]", text[end_punct + 1 : token_end]):
        return False  # a web address or file name: "Halo.Bungie.Org"
    return head.islower() or starts  # "One.Tel" is a name; "Division.Those" two sentences


def split_block(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (one block), whitespace-trimmed."""
    end = len(text) if end is None else end
    cuts = [_tight_cut(text, start, m) for m in _CANDIDATE.finditer(text, start, end)
            if _is_boundary(text, m.group("punct"), m.end("punct") - 1, m.end(), end)]
    if text.find(":", start, end) != -1:
        credits = [m.start() for m in _CREDIT.finditer(text, start, end)]
        if credits:
            cuts = sorted(set(cuts).union(credits))
    sentence_start = start
    for cut in cuts:
        yield from _trimmed(text, sentence_start, cut)
        sentence_start = cut
    yield from _trimmed(text, sentence_start, end)


def _tight_cut(text: str, start: int, m: re.Match) -> int:
    """Where a sentence ends: after the closers, but a straight quote that opens the next
    sentence without a space ('carpet."It's') goes with it (quotes counted so far are even)."""
    cut = m.end()
    if cut < len(text) and not text[cut].isspace() and text[cut - 1] == '"' and text.count('"', start, cut - 1) % 2 == 0:
        return cut - 1
    return cut


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
    # Wire layout: a story's paragraphs start with an indent, not after a blank line, and
    # every line that is not indented goes on the one above it (the short first line of
    # a body whose dateline was cut, table rows wrapped onto a second line).
    indented = [text[a : a + 1] in (" ", "\t") for a, b in lines]
    wire = width <= _WRAP_MAX_WIDTH and not indented[0] and any(indented[1:])
    block_start = lines[0][0]
    for i in range(len(lines) - 1):
        a, b = lines[i]
        line = text[a:b].rstrip()
        next_line = text[lines[i + 1][0] : lines[i + 1][1]].lstrip()
        if not line or not next_line:
            joins = False
        elif wire:
            joins = not indented[i + 1]
        elif _ends_sentence(line):
            # A full line of wrapped text that ends in a full stop may end in "U.S." or
            # "Mr.": the sentence rules decide there as anywhere else in the paragraph.
            joins = wrapped and widths[i] >= _WRAP_MIN_FILL * width and line.rstrip("'\"’”)]").endswith(".")
        else:
            joins = next_line[0].islower() or (wrapped and widths[i] >= _WRAP_MIN_FILL * width)
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

"""The comparison key of a sentence: what two copies of it have in common.

News text reaches us through CMSs, wires and scrapers that each re-type the
same sentence: curly or straight quotes, en dash or hyphen, NBSP, a trailing
`` |`` from a table cell.  None of that changes what the sentence says, so it
is folded away here.  The key is only ever compared; reports quote the
original span.
"""

from __future__ import annotations

import re
import unicodedata

# Characters NFKC leaves alone but that are typographic variants of ASCII.
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)
_SPACES = re.compile(r"\s+")
# Stray marks at a sentence's edges: table bars, bullets, asterisks, dashes,
# leftover quotes and brackets that a splitter or scraper left unbalanced.
_EDGE_CHARS = " \t\n|*\u2022\u00b7#>~-_=+\"'()[]{}:;,."
_WORD = re.compile(r"\w+(?:[-'.]\w+)*")


def normalize(text: str) -> str:
    """NFKC, ASCII quotes and dashes, single spaces, case-folded, edges trimmed.

    Sentence-final ``.``/``!``/``?`` are trimmed too: "He left." and "He left"
    are one sentence whether or not a scraper kept the stop.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _SPACES.sub(" ", text).casefold()
    return text.strip(_EDGE_CHARS + "!?")


def words(normalized: str) -> list[str]:
    """Word tokens of a normalized sentence (keeps U.S., S-300, don't whole)."""
    return _WORD.findall(normalized)

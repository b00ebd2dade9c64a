"""Sentence text as every detail finder sees it, and the record each finder yields.

A same-length ASCII-ish view of the sentence (so offsets found in it are
offsets in the original), its tokens with their context keys and content-word
flags, and ``Mention``: one detail (number, money, percent, date) with its
normalised value and span.  Shared by the finders (figures, dates, names) and
by the comparison (pairing, entities), so it sits below all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


SAME_LENGTH = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
    }
)

_TOKEN = re.compile(r"[^\W_]+(?:['.-][^\W_]+)*|\S")

STOP_WORDS = frozenset(
    """a an the and or but nor so yet of to in on at by for from with as into onto
    than then that this these those there here it its it's he him his she her hers they them their
    we us our you your i me my who whom whose which what when where why how
    is are was were be been being am has have had having do does did will would shall
    should can could may might must not no also just only even still very more most
    less least much many some any all each every both either neither other another such
    own same about over under after before between during while if because although though
    whether up down out off again further once per via amid among against without within
    across along around through upon toward towards despite including s while
    now already today yesterday tomorrow last next ago""".split()
)

NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety", "hundred", "thousand", "million", "billion", "trillion",
}


_KEYS: dict[str, str] = {}


def word_key(word: str) -> str:
    """Context key of a word: lower case, no possessive, crude singular."""
    k = _KEYS.get(word)
    if k is None:
        k = _KEYS[word] = _make_key(word)
        if len(_KEYS) > 200_000:
            _KEYS.clear()
    return k


def _make_key(word: str) -> str:
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return w


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str
    word: bool  # False for punctuation
    content: bool  # a word that says what the sentence is about (no stopword, no figure)


_WORD_INFO: dict[str, tuple[str, bool, bool]] = {}
HAS_DIGIT = re.compile(r"\d")
HAS_WORD = re.compile(r"\w")


def _word_info(t: str) -> tuple[str, bool, bool]:
    """(key, is a word, is a content word) of a token text, memoised."""
    info = _WORD_INFO.get(t)
    if info is None:
        k = word_key(t)
        word = t[0].isalnum()
        content = word and k not in STOP_WORDS and k not in NUMBER_WORDS and not HAS_DIGIT.search(k)
        if len(_WORD_INFO) > 200_000:
            _WORD_INFO.clear()
        info = _WORD_INFO[t] = (k, word, content)
    return info


def tokenize(text: str) -> tuple:
    return tuple(Token(m.start(), m.end(), m.group(), *_word_info(m.group())) for m in _TOKEN.finditer(text))


@dataclass(frozen=True, slots=True)
class Mention:
    """One detail stated by a sentence: its type, normalised value and span."""

    type: str  # number | money | percent | date | entity
    value: tuple
    start: int
    end: int
    hedge: str = ""  # "", "approx", "lower" (more than), "upper" (up to)
    numeral: str = ""  # the figure as written without its scale word ("42.7")
    scaled: bool = False  # written with a scale word (million, bn, m...)
    role: str = ""  # dates: "at" / "by" / "since"; money: "conversion" for "(£600m)"


def overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < b and a < e for a, b in spans)

"""One sentence analysed once: its tokens, mentions and names, cached.

A sentence is usually in many pairs, so ``analyse`` runs each finder (dates,
vague quantifiers, figures, names) once per sentence and keeps the result;
the comparison modules read it and memoise their per-sentence contexts in it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from .dates import find_dates
from .figures import CONVERSION_GAP, VAGUE_RE, find_figures
from .names import find_names
from .text import SAME_LENGTH, Mention, overlaps, tokenize


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    tokens: tuple
    mentions: tuple
    names: tuple
    lower_words: frozenset
    cap_words: frozenset  # lower-cased words written with a capital
    starts: tuple  # token start offsets, for bisect
    ends: tuple
    contexts: dict  # Mention -> its pairing context, and "forms" -> its entities name forms, filled on demand


@lru_cache(maxsize=8192)
def analyse(original: str) -> Analysis:
    text = original.translate(SAME_LENGTH)
    tokens = tokenize(text)
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(type_: str, value: tuple, s: int, e: int, hedge: str = "", role: str = "", **info) -> None:
        mentions.append(Mention(type_, value, s, e, hedge, role=role, **info))
        taken.append((s, e))

    find_dates(text, tokens, add, taken)
    for m in VAGUE_RE.finditer(text):
        if not overlaps(taken, m.start(), m.end()):
            add("number", ("vague", m.group("v").lower()), m.start(), m.end())
    find_figures(text, add, taken)
    money = sorted((x for x in mentions if x.type == "money"), key=lambda x: x.start)
    for prev, cur in zip(money, money[1:]):
        if CONVERSION_GAP.fullmatch(text, prev.end, cur.start):
            mentions[mentions.index(cur)] = replace(cur, role="conversion")
    mentions.sort(key=lambda x: x.start)
    words = [t for t in tokens if t.word]
    lower_words = frozenset(t.key for t in words) | frozenset(t.text.lower() for t in words)
    cap_words = frozenset(t.key for t in words if t.text[0].isupper())
    return Analysis(
        original,
        tokens,
        tuple(mentions),
        find_names(tokens, text),
        lower_words,
        cap_words,
        tuple(t.start for t in tokens),
        tuple(t.end for t in tokens),
        {},
    )


def mentions(sentence: str) -> list[Mention]:
    """Every money/percent/date/number mention found in ``sentence`` (for debugging)."""
    return list(analyse(sentence).mentions)

"""Pairing two sentences' names: an entity conflict needs different names in the same slot.

A name counts as absent from the other sentence only when no word, alias
("Tories"/"Conservatives"), demonym or acronym of it is there; two absent names
conflict when they sit next to the same word(s), one of them a content word.
"""

from __future__ import annotations

import re

from .analysis import Analysis
from .names import NAME_JOINERS, Name


def _name_snippet(an: Analysis, name: Name, side: str) -> str:
    toks = an.tokens
    s = toks[name.start].start
    e = toks[name.end - 1].end
    if side == "left":
        k = name.start - 1
        while k >= 0 and toks[k].word:
            s = toks[k].start
            if toks[k].content or name.start - k == 2:
                break
            k -= 1
    else:
        k = name.end
        while k < len(toks) and toks[k].word:
            e = toks[k].end
            if toks[k].content or k - name.end == 1:
                break
            k += 1
    return an.text[s:e]


def _same_slot(an: Analysis, n1: Name, bn: Analysis, n2: Name) -> str:
    """'left' or 'right' when both names sit next to the same word(s), one of them a content word."""
    ta, tb = an.tokens, bn.tokens

    def side(toks, name, direction, width):
        if direction == "left":
            idx = range(name.start - 1, name.start - 1 - width, -1)
        else:
            idx = range(name.end, name.end + width)
        out = []
        for k in idx:
            if k < 0 or k >= len(toks) or not toks[k].word:
                return None
            out.append(toks[k])
        return out

    def coordinated(toks, name):
        k = name.start - 1
        return k >= 0 and toks[k].text.lower() in ("and", "or", ",", "&", "nor")

    for direction in ("left", "right"):
        if direction == "right" and (coordinated(ta, n1) or coordinated(tb, n2)):
            continue  # "Germany and France have..." : the slot belongs to the pair
        for width in (1, 2):
            ca = side(ta, n1, direction, width)
            cb = side(tb, n2, direction, width)
            if ca is None or cb is None:
                break
            if [t.text.lower() for t in ca] != [t.text.lower() for t in cb]:
                break
            if any(t.content for t in ca):
                return direction
    return ""


# Names news writers use interchangeably; a name of one group is "present" in
# a sentence that has any name of its group.
_ALIASES = [
    {"tory", "tories", "conservative", "conservatives"},
    {"us", "u.s", "usa", "america", "american", "americans", "united states", "washington"},
    {"uk", "u.k", "britain", "british", "united kingdom", "great britain", "england", "english"},
    {"un", "u.n", "united nations"},
    {"eu", "european union", "brussels"},
    {"lib dem", "lib dems", "liberal democrat", "liberal democrats"},
    {"russia", "russian", "moscow", "kremlin"},
    {"iran", "iranian", "tehran"},
    {"china", "chinese", "beijing"},
    {"france", "french", "paris"},
    {"germany", "german", "berlin"},
    {"spain", "spanish", "madrid"},
    {"holland", "netherlands", "dutch"},
    {"number 10", "downing street"},
    {"oscar", "oscars", "academy award", "academy awards"},
]
_ALIAS_OF = {name: frozenset(group) for group in _ALIASES for name in group}


def _name_forms(tokens: tuple) -> frozenset:
    """Lower-case words and two-word phrases of a sentence, for alias look-ups."""
    words = [t.text.lower().removesuffix("'s") for t in tokens if t.word]
    return frozenset(words) | frozenset(" ".join(p) for p in zip(words, words[1:]))


def _mentions_name(an: Analysis, name: Name) -> bool:
    """Could the other sentence (``an``) be naming the same entity?

    True when it shares a word of the name, an alias ("Tories"/"Conservatives",
    "Iran"/"Tehran"), a 4-letter prefix with one of its capitalised words
    ("Iran"/"Iranian"), or the name is its acronym or vice versa.  Erring
    towards True only ever removes a possible entity conflict.
    """
    if name.words & an.lower_words:
        return True
    forms = an.contexts.get("forms")
    if forms is None:
        forms = an.contexts["forms"] = _name_forms(an.tokens)
    phrase = " ".join(w for w in name.text.lower().removesuffix("'s").split())
    for w in [phrase, *name.words]:
        if _ALIAS_OF.get(w, frozenset()) & forms:
            return True
    for w in name.words:
        if len(w) >= 4 and any(c[:4] == w[:4] for c in an.cap_words):
            return True
    ordered = [t for t in re.findall(r"[^\W_]+", name.text) if t.lower() not in NAME_JOINERS]
    if len(ordered) > 1 and "".join(t[0] for t in ordered).lower() in an.lower_words:
        return True
    if name.text.isupper() and len(name.text) >= 2:
        for other in an.names:
            parts = [t for t in re.findall(r"[^\W_]+", other.text) if t.lower() not in NAME_JOINERS]
            if "".join(t[0] for t in parts).lower() == name.text.lower():
                return True
    return False


def pair_names(aa: Analysis, bb: Analysis) -> list[tuple[str, str, int]]:
    known = {nm.text.lower() for an in (aa, bb) for nm in an.names if not nm.initial}

    def usable(an, other):
        return [
            nm
            for nm in an.names
            if (not nm.initial or nm.text.lower() in known or len(nm.words) > 1)
            and not _mentions_name(other, nm)
        ]

    na, nb = usable(aa, bb), usable(bb, aa)
    cands = []
    for x in na:
        for y in nb:
            direction = _same_slot(aa, x, bb, y)
            if direction:
                cands.append((x, y, direction))
    out = []
    for x, y, direction in cands:
        # unambiguous both ways
        if sum(1 for c in cands if c[0] is x) == 1 and sum(1 for c in cands if c[1] is y) == 1:
            out.append(
                (_name_snippet(aa, x, direction), _name_snippet(bb, y, direction), aa.tokens[x.start].start)
            )
    return out

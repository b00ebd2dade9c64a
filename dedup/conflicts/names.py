"""Names in a sentence: the capitalised spans an entity conflict can be about.

Titles ("President", "Sir"), sentence-initial capitals, months, weekdays and
number words are not names; joiners ("Bank of England", "van") are kept inside
one.  How two sentences' names are compared is in ``entities``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dates import MONTHS, WEEKDAYS
from .text import HAS_DIGIT, NUMBER_WORDS, STOP_WORDS, Token, word_key


_TITLES = frozenset(
    """mr mrs ms miss dr prof president premier prime minister ministers foreign deputy secretary
    chancellor sir lord lady king queen prince princess general gen senator sen rep governor
    judge chief vice ambassador spokesman spokeswoman spokesperson chairman chairwoman
    director commissioner mayor pope sheikh ayatollah captain colonel lieutenant
    supreme leader st saint""".split()
)
_NAME_STOP = frozenset(
    set(STOP_WORDS)
    | set(MONTHS)
    | set(WEEKDAYS)
    | _TITLES
    | set(NUMBER_WORDS)
    | set(
        """i it's we you they he she however meanwhile but and yet so also although though
        while when after before since if as in on at for from with without despite during
        mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday today yesterday
        tomorrow last next this that these those there here what why how who the a an
        according speaking asked earlier later now then still instead overall""".split()
    )
)
NAME_JOINERS = frozenset({"of", "de", "del", "da", "di", "al", "bin", "van", "von", "der", "la", "le", "du", "y"})


_NAMEISH: dict[str, bool] = {}


def _is_name_token(t: Token) -> bool:
    if not t.word or not t.text[0].isupper():
        return False
    ok = _NAMEISH.get(t.text)
    if ok is None:
        base = t.text.lower()
        base = base[:-2] if base.endswith("'s") else base
        ok = not HAS_DIGIT.search(t.text) and base not in _NAME_STOP and word_key(base) not in _TITLES
        if len(_NAMEISH) > 200_000:
            _NAMEISH.clear()
        _NAMEISH[t.text] = ok
    return ok


@dataclass(frozen=True, slots=True)
class Name:
    start: int  # token indices
    end: int
    text: str
    words: frozenset  # lower-case words of the name, possessive stripped
    initial: bool  # begins the sentence (or a quotation): maybe just a capitalised word


def _is_title_token(t: Token) -> bool:
    return t.word and t.text[0].isupper() and word_key(t.text) in _TITLES


def find_names(tokens: tuple, text: str) -> tuple:
    """Capitalised spans ("Sergei Lavrov", "Bank of England", "Information Commissioner's Office").

    A title can start no span ("President Putin" gives "Putin", with
    "President" as its context) but may sit inside one.
    """
    names: list[Name] = []
    n = len(tokens)
    i = 0
    first_word = next((k for k, t in enumerate(tokens) if t.word), -1)
    while i < n:
        if not _is_name_token(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            if _is_name_token(tokens[j]):
                j += 1
                continue
            k = j
            if tokens[k].text in NAME_JOINERS:
                k += 1
            while k < n and _is_title_token(tokens[k]):
                k += 1
            if k > j and k < n and _is_name_token(tokens[k]):
                j = k + 1
            elif tokens[j].text in NAME_JOINERS and k > j + 1:
                j = k  # "House of Lords"
                break
            else:
                break
        prev = tokens[i - 1] if i > 0 else None
        initial = i == first_word or (prev is not None and prev.text in ('"', "'", ":", "(", "-"))
        words = frozenset(
            word_key(t.text)
            for t in tokens[i:j]
            if t.word and t.text not in NAME_JOINERS and word_key(t.text) not in _TITLES
        )
        span = text[tokens[i].start : tokens[j - 1].end]
        names.append(Name(i, j, span, words or frozenset({word_key(span)}), initial))
        i = j
    return tuple(names)

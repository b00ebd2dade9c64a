"""Figures, and whether two documents tell the same story: what separates an update from a template.

Wire copy re-uses wording with new figures all the time: "Shr 39 cts vs 50 cts"
in one company's earnings, "Shr 71 cts vs 98 cts" in another's; the Bank of
England's "provided the money market with 37 mln stg assistance" every
morning.  Those are template instances, not repeats: two different facts.  The
same wording with a changed figure is a repeat only where the two documents
tell one story, i.e. one is an update of the other ("5 killed" / "7 killed"),
and then the changed figure is the news.

What tells them apart is the rest of each document: an update keeps most of its
other figures (the re-sent earnings table changes one line), a recurring report
or another company's table changes nearly all of them.  Documents with too few
figures to say are compared by their words instead.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from .core import METHOD_ORDER, Conflict, Edges
from .normalize import words
from .settings import SWAP_MAX_ZIPF, Settings
from .specificity import zipf

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "hundred": "100", "nil": "0",
}
_FIGURE = re.compile(r"\d+(?:[.,/-]\d+)*|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")


def without_figures(text: str) -> str:
    """The wording around a text's figures: each figure one placeholder, spaces and case folded (templates)."""
    return _FIGURE.sub("#", " ".join(text.split()).casefold())


def figures(text: str) -> list[str]:
    """The figures a text states, in order, spelled-out ones as digits ("five" and "5" are one figure)."""
    return [_NUMBER_WORDS.get(m.casefold(), m) for m in _FIGURE.findall(text)]


def states_other_figures(a: str, b: str) -> bool:
    """Whether two wordings state different figures (as multisets: order and repetition count)."""
    return Counter(figures(a)) != Counter(figures(b))


def figure_difference(a: str, b: str) -> tuple[str, str] | None:
    """The figures only one side states, each side's joined, or None when they state the same ones.

    The conflict a near-repeat names when the detailed comparison
    (``conflicts.find_conflicts``) finds no pair it can vouch for: that the
    figures differ is certain even where which pairs with which is not.
    """
    fa, fb = Counter(figures(a)), Counter(figures(b))
    if fa == fb:
        return None
    only_a, only_b = fa - fb, fb - fa
    return ", ".join(only_a.elements()) or "-", ", ".join(only_b.elements()) or "-"


def with_figure_changes(found: list[Conflict], a: str, b: str) -> list[Conflict]:
    """``found`` (``conflicts.find_conflicts`` of two near-identical sentences), or, when it is empty, what
    else tells them apart: the figures only one side states (``figure_difference``), else two names or
    ordinals that changed places (``swapped``), else a negation only one side makes (``negated``).  A
    near-repeat that says another thing always says what."""
    if found:
        return found
    difference = figure_difference(a, b)
    if difference is not None:
        return [Conflict("number", *difference)]
    exchange = swapped(a, b)
    if exchange is not None:
        return [Conflict("order", *exchange)]
    negation = negated(a, b)
    return [] if negation is None else [Conflict("negation", *negation)]


_TOKEN = re.compile(r"\w+(?:[-'.]\w+)*")
# A gap that opens and closes with a list separator ("Italy, France, Pakistan, Canada", "Murray, Wayne and
# Frank"): the two exchanged spans are items of one list, and a list in another order states the same thing.
_LIST_GAP_OPENS = re.compile(r"^\s*(?:[,;/&]|\band\b|\bor\b)", re.IGNORECASE)
_LIST_GAP_CLOSES = re.compile(r"(?:[,;/&]|\band\b|\bor\b)(?:\s+the)?\s*$", re.IGNORECASE)


def swapped(a: str, b: str) -> tuple[str, str] | None:
    """Two spans that changed places, as each side has them ("British ... French" / "French ... British"); else None.

    "Earl St Vincent was a British ship ... became a French trade man" / "... a French ship ... a British
    trade man", "flights from Oslo to Rome" / "from Rome to Oslo", "the hottest month ... the coldest" /
    "the coldest month ... the hottest": the same words, the other meaning (PAWS).  An exchange is two
    edits of the word-level alignment (``difflib``) where what one side has first the other has second,
    with words between them: "Yangtze River" / "River Yangtze" is one name moved, not an exchange.  Not
    an exchange: spans of function words only (every word at or above ``SWAP_MAX_ZIPF``: "has" / "is"),
    or two items of one list ("Italy, France, Canada" / "Canada, France, Italy").  Measured on PAWS dev
    pairs at fuzz.ratio >= 90 (``benchmarks/wire_repeats.py --paws``, docs/conflicts.md).
    """
    spans_a, spans_b = list(_TOKEN.finditer(a)), list(_TOKEN.finditer(b))
    fa, fb = [m.group().casefold() for m in spans_a], [m.group().casefold() for m in spans_b]
    if fa == fb:
        return None
    for i1, i2, k1, k2, j1, j2, l1, l2 in _exchanges(fa, fb):
        if all(zipf(word) >= SWAP_MAX_ZIPF for word in fa[i1:i2] + fa[k1:k2]):
            continue
        gap = a[spans_a[i2 - 1].end():spans_a[k1].start()]
        if _LIST_GAP_OPENS.match(gap) and _LIST_GAP_CLOSES.search(gap):
            continue
        return (f"{_span(a, spans_a, i1, i2)} ... {_span(a, spans_a, k1, k2)}",
                f"{_span(b, spans_b, j1, j2)} ... {_span(b, spans_b, l1, l2)}")
    return None


def _exchanges(fa: list[str], fb: list[str]) -> Iterator[tuple[int, ...]]:
    """Candidate exchanges as token ranges: X at ``i1:i2`` and Y at ``k1:k2`` of ``fa``, Y at ``j1:j2`` and X
    at ``l1:l2`` of ``fb``, with words between.

    First the whole difference: what lies between the common start and end reads X g Y on one side and
    Y g X on the other ("from Oslo to Rome" / "from Rome to Oslo", which an alignment would read as
    "Rome to" moved).  Then any two edits of the ``difflib`` alignment that trade places, for an exchange
    beside other edits ("had a son Rishi ... for" / "had a son Clark ... after").
    """
    start = 0
    while start < min(len(fa), len(fb)) and fa[start] == fb[start]:
        start += 1
    end_a, end_b = len(fa), len(fb)
    while end_a > start and end_b > start and fa[end_a - 1] == fb[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    middle_a, middle_b = fa[start:end_a], fb[start:end_b]
    if len(middle_a) == len(middle_b):
        n = len(middle_a)
        for x in range(1, n - 1):
            for y in range(1, n - x):
                if (middle_a[:x] == middle_b[n - x:] and middle_a[n - y:] == middle_b[:y]
                        and middle_a[x:n - y] == middle_b[y:n - x]):
                    yield (start, start + x, end_a - y, end_a, start, start + y, end_b - x, end_b)
    edits = [op[1:] for op in difflib.SequenceMatcher(None, fa, fb, autojunk=False).get_opcodes() if op[0] != "equal"]
    for first, (i1, i2, j1, j2) in enumerate(edits):
        for k1, k2, l1, l2 in edits[first + 1:]:
            if i1 < i2 and k1 < k2 and fa[i1:i2] == fb[l1:l2] and fa[k1:k2] == fb[j1:j2]:
                yield (i1, i2, k1, k2, j1, j2, l1, l2)


def _span(text: str, tokens: list[re.Match], start: int, end: int) -> str:
    """The original text of tokens ``start:end``, punctuation and spacing as written."""
    return text[tokens[start].start():tokens[end - 1].end()]


_WORD_PARTS = re.compile(r"\w+(?:['\u2019]\w+)*")
_BROKEN_APOSTROPHE = re.compile(r"n[\"\u201d]t\b")
_NEGATORS = frozenset({"not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "without", "cannot"})


def _negations(tokens: list[str]) -> list[int]:
    return [i for i, t in enumerate(tokens) if t in _NEGATORS or t.endswith("n't")]


def negated(a: str, b: str) -> tuple[str, str] | None:
    """The words around a negation one sentence makes and the other does not, as each side has them; else None.

    "The company said it will raise prices" / "... will not raise prices": the same words, the opposite
    fact, and a plain repeat to every string measure.  The negation is shown with a word either side
    ("will not raise" / "will raise").
    """
    # "No-one" and "No one" both negate with "no"; a wire's "don"t" is "don't".
    ta, tb = (_WORD_PARTS.findall(_BROKEN_APOSTROPHE.sub("n't", text)) for text in (a, b))
    fa, fb = [t.casefold().replace("\u2019", "'") for t in ta], [t.casefold().replace("\u2019", "'") for t in tb]
    na, nb = _negations(fa), _negations(fb)
    if len(na) == len(nb):
        return None
    matcher = difflib.SequenceMatcher(a=fa, b=fb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (not set(range(i1, i2)) & set(na) and not set(range(j1, j2)) & set(nb)):
            continue
        return " ".join(ta[max(0, i1 - 1) : i2 + 1]), " ".join(tb[max(0, j1 - 1) : j2 + 1])
    return None


def changes(a: str, b: str) -> list[Conflict]:
    """Everything two near-identical sentences state differently: whether one says another fact."""
    from .conflicts import find_conflicts

    return with_figure_changes(find_conflicts(a, b), a, b)


@dataclass(frozen=True, slots=True)
class StorySignature:
    """What of a document decides whether another tells the same story: its distinct figures and words."""

    figures: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> StorySignature:
        return cls(frozenset(figures(text)), frozenset(w.casefold() for w in _WORD.findall(text)))


def same_story(
    a: StorySignature, b: StorySignature, settings: Settings, aside_a: Iterable[str] = (), aside_b: Iterable[str] = ()
) -> bool:
    """Whether two documents tell one story (one is an update of the other), by their other figures or their words.

    ``aside_a``/``aside_b`` are the figures of the sentences being compared,
    left out: they differ by construction.  When each document states at
    least ``settings.story_min_figures`` other figures, the share of the
    smaller side's the other also states (overlap coefficient) must reach
    ``settings.story_figure_overlap``; otherwise the word sets' Jaccard must
    reach ``settings.story_word_overlap``.
    """
    if a is b:
        return True
    fa, fb = a.figures - set(aside_a), b.figures - set(aside_b)
    if min(len(fa), len(fb)) >= settings.story_min_figures:
        return len(fa & fb) / min(len(fa), len(fb)) >= settings.story_figure_overlap
    union = len(a.words | b.words)
    return union > 0 and len(a.words & b.words) / union >= settings.story_word_overlap


def split_templates(
    edges: Edges,
    keys_of: Callable[[np.ndarray], Mapping[int, str]],
    documents_of: Callable[[np.ndarray], np.ndarray],
    signatures_of: Callable[[np.ndarray], Mapping[int, StorySignature]],
    settings: Settings,
    boilerplate_documents: int,
) -> tuple[Edges, Edges]:
    """Repeat edges → (repeats, template instances): the one place either engine tells them apart.

    A near-repeat (not exact) whose keys state other figures is a template
    instance when both sentences are in one document (two rows of one table:
    the quarter and the year) or in documents that do not tell the same
    story: they share no sentence of ``settings.story_shared_min_words`` words
    (one that is not boilerplate) and ``same_story`` says no.  Otherwise it
    stays a repeat, and its finding names the changed figures.  The lookups
    take arrays of sentence ids (or document ids) so an engine can fetch
    what they name in one go: ``keys_of`` the comparison keys, ``documents_of``
    the document of each, ``signatures_of`` each document's ``StorySignature``.
    """
    exact = edges.method == METHOD_ORDER.index("exact")
    near = np.flatnonzero(~exact)
    template = np.zeros(len(edges), dtype=bool)
    keys = keys_of(np.unique(np.concatenate([edges.a[near], edges.b[near]]))) if len(near) else {}
    differing = np.array([row for row in near.tolist() if states_other_figures(keys[int(edges.a[row])],
                                                                                  keys[int(edges.b[row])])], dtype=np.int64)
    if not len(differing):
        return edges, Edges.of([])
    doc_a, doc_b = documents_of(edges.a[differing]), documents_of(edges.b[differing])
    template[differing[doc_a == doc_b]] = True
    across = differing[doc_a != doc_b]
    doc_a, doc_b = doc_a[doc_a != doc_b], doc_b[doc_a != doc_b]
    wanted = {(min(x, y), max(x, y)) for x, y in zip(doc_a.tolist(), doc_b.tolist())}
    sharing = _sharing_a_sentence(edges, exact, documents_of, keys_of, wanted, settings, boilerplate_documents)
    signatures = signatures_of(np.unique(np.concatenate([doc_a, doc_b])))
    for row, x, y in zip(across.tolist(), doc_a.tolist(), doc_b.tolist()):
        if (min(x, y), max(x, y)) in sharing:
            continue
        key_a, key_b = keys[int(edges.a[row])], keys[int(edges.b[row])]
        template[row] = not same_story(signatures[x], signatures[y], settings, figures(key_a), figures(key_b))
    keep = ~template
    return (Edges(edges.a[keep], edges.b[keep], edges.score[keep], edges.method[keep]),
            Edges(edges.a[template], edges.b[template], edges.score[template], edges.method[template]))


def _sharing_a_sentence(edges, exact, documents_of, keys_of, wanted, settings, boilerplate_documents) -> set:
    """The ``wanted`` document pairs that share an exact copy of one sentence of enough words, not boilerplate.

    A draft that copies one sentence of an article whole and another with a
    figure changed ("owns 8% of Google" word for word, "jumped 76%" as
    "jumped 67%") draws on that article: the changed figure is a conflict,
    not a template.  Short data lines ("Qtly div 10 cts vs 10 cts prior",
    equal by chance in two companies' tables) and house phrases prove nothing.
    """
    wanted_docs = np.array(sorted({d for pair in wanted for d in pair}), dtype=np.int64)
    heads, others = edges.a[exact], edges.b[exact]
    if not len(heads):
        return set()
    doc_heads, doc_others = documents_of(heads), documents_of(others)
    touching = np.isin(doc_heads, wanted_docs) | np.isin(doc_others, wanted_docs)
    relevant = np.unique(heads[touching])
    if not len(relevant):
        return set()
    documents: dict[int, set[int]] = defaultdict(set)
    inside = np.isin(heads, relevant)
    for head, dh, do in zip(heads[inside].tolist(), doc_heads[inside].tolist(), doc_others[inside].tolist()):
        documents[head].update((dh, do))
    keys = keys_of(relevant)
    found = set()
    for head, docs in documents.items():
        if len(docs) >= boilerplate_documents or len(words(keys[head])) < settings.story_shared_min_words:
            continue
        found.update(pair for pair in itertools.combinations(sorted(docs), 2) if pair in wanted)
    return found

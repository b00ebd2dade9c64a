"""How specific a word is: general English rarity, and what the corpus being checked says of it.

``rarity`` is ``9 - zipf_frequency(word)`` from the ``wordfreq`` package's
general English frequency list: a word seen once per billion words weighs 9,
"Tehran" 5.4, "Russia" 4.1, "said" 3.0, and function words ("the", "of") 0.
Letter-digit codes (S-300, F-16) weigh 9.

General English is not the language of every corpus.  Wire copy has its own
jargon: "qtr", "shr", "mln", "qtly" are rare in general English (rarity 6.4-9)
but stand in a tenth to a half of all Reuters stories, so two earnings
headlines of two companies ("ATICO FINANCIAL CORP <ATFC> 4TH QTR NET" /
"CORADIAN CORP <CDIN> 4TH QTR NET") seemed to share a specific detail, and
claim findings of 55-79 headlines formed around "qtr".  ``Specificity`` learns
that from the corpus itself: a word held by at least ``common_documents`` of
the corpus's documents is *common* there, and weighs what a function word
weighs (0) wherever dedup asks whether two sentences share something specific
(``claims.specific_features`` for the claim gate, ``claims.shared_specifics``
for the evidence shown).  The claim probability itself keeps general English:
its weights were fitted on it.  Below the cut general English decides alone: a
check may hold two documents, where corpus counts would call every word common.

The cut grows with the corpus: a word is common when the document pairs it
joins, ``df * (df - 1) / 2``, reach ``settings.SPECIFIC_PAIRS_PER_DOCUMENT``
per document of the corpus (about ``sqrt(8 n)`` documents: 271 of reuters_dev's
9,140 stories, 134 of BBC's 2,225; never fewer than the boilerplate floor).
Both engines count with ``document_terms`` / ``count_terms`` and build the
same ``Specificity`` with ``from_counts``; an index check may pass its
archive's counts (``pipeline.check_documents(specificity=...)``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .normalize import normalize, words
from .settings import SPECIFIC_PAIRS_PER_DOCUMENT, Settings

# Rarity of a word wordfreq has never seen, and the ceiling for any word.
MAX_RARITY = 9.0
# Words this common carry no claim (articles, pronouns, auxiliaries).
STOP_ZIPF = 6.3
_HAS_DIGIT = re.compile(r"\d")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _zipf_lookup() -> Callable[[str, str], float]:
    """wordfreq is imported lazily so that importing dedup stays cheap."""
    try:
        from wordfreq import zipf_frequency
    except ImportError as exc:  # pragma: no cover - install problem, not logic
        raise RuntimeError(
            "dedup.claims needs the package wordfreq (pip install wordfreq==3.1.1) "
            "for its general English word frequencies"
        ) from exc
    return zipf_frequency


def zipf(word: str) -> float:
    return _zipf_lookup()(word, "en")


@lru_cache(maxsize=200_000)
def rarity(word: str) -> float:
    """How specific a (lower-case) word is in general English, 0 (function word) to 9 (unseen).

    Codes mixing letters and digits (S-300, F-16, G20) are model names and
    the like: wordfreq splits them into common pieces, so they are given the
    ceiling instead.
    """
    if _HAS_DIGIT.search(word) and any(c.isalpha() for c in word):
        return MAX_RARITY
    z = zipf(word)
    if z >= STOP_ZIPF:
        return 0.0
    return min(MAX_RARITY, MAX_RARITY - z) if z > 0 else MAX_RARITY


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A matching key that folds possessives and plurals ("reactors" = "reactor").

    Deliberately crude: a suffix rule is enough for news nouns and costs
    nothing; a wrong merge only ever adds a little shared weight.
    """
    if word.endswith("'s") or word.endswith("s'"):
        word = word[:-2] if word.endswith("'s") else word[:-1]
    word = word.strip("'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=50_000)
def demonym_root(word: str) -> str:
    """The place a capitalised demonym names ("syrian" -> "syria", "iranian" -> "iran").

    News states one fact as "Syria's war" and "the Syrian war".  Only the
    regular English suffixes are undone (-ian, -can, -i), and only to a
    candidate that is itself a common enough word, so names are left alone.
    """
    candidates: list[str] = []
    if word.endswith("ian"):
        candidates += [word[:-1], word[:-3], word[:-3] + "a"]  # Syria, Iran, Canada
    elif word.endswith("can"):
        candidates.append(word[:-1])  # America, Africa
    elif word.endswith("i") and len(word) > 4:
        candidates.append(word[:-1])  # Iraq, Israel, Pakistan
    for cand in candidates:
        if len(cand) >= 4 and zipf(cand) >= 3.5:
            return cand
    return word


def word_rarity(token: str, key: str) -> float:
    """General rarity of the stem when English knows it (so "Iran's" weighs as "Iran"), else of the token."""
    if key != token and zipf(key) > 0:
        return rarity(key)
    return rarity(token)


def document_terms(text: str) -> tuple[frozenset[str], int]:
    """(the word keys a document holds, as ``stem`` folds them; its word count): what a corpus counts."""
    tokens = words(normalize(text))
    return frozenset(stem(t) for t in tokens), len(tokens)


def common_documents(documents: int, settings: Settings) -> int:
    """Document frequency from which a word's corpus rarity applies, in a corpus of ``documents``."""
    pairs = SPECIFIC_PAIRS_PER_DOCUMENT * max(documents, 1)
    return max(settings.boilerplate_documents(documents), math.ceil((1 + math.sqrt(1 + 8 * pairs)) / 2))


@dataclass(frozen=True, eq=False)
class Specificity:
    """The words common in a corpus (each with its corpus rarity, for reports): no specific detail there.

    Hashed by identity: claim profiles are cached per (text, specificity).
    """

    documents: int = 0
    cut: int = 0
    common: Mapping[str, float] = field(default_factory=dict)

    def temper(self, key: str, general: float) -> float:
        """``general`` (the word's English rarity), or 0 -- a function word's -- when the word is common here."""
        return 0.0 if key in self.common else general

    def rarity(self, key: str) -> float:
        return self.temper(key, rarity(key))

    def corpus_rarity(self, key: str) -> float | None:
        """The corpus rarity of a common word (``9 - log10(df / corpus words * 1e9)``), None for the others."""
        return self.common.get(key)

    @classmethod
    def from_counts(
        cls, document_frequency: Mapping[str, int], documents: int, total_words: int, settings: Settings
    ) -> Specificity:
        """From word document frequencies over ``documents`` documents holding ``total_words`` words."""
        cut = common_documents(documents, settings)
        if documents < cut or total_words <= 0:
            return cls(documents, cut, {})
        scale = 1e9 / total_words
        common = {
            word: max(0.0, MAX_RARITY - math.log10(df * scale))
            for word, df in document_frequency.items() if df >= cut and word
        }
        return cls(documents, cut, common)

    @classmethod
    def of_texts(cls, texts: Iterable[str], settings: Settings, population: int | None = None) -> Specificity:
        """Counted over ``texts``.  With ``population`` (the texts are some documents of a bigger corpus, an
        archive's candidates) the cut and the corpus size are the population's and the counts stay those of
        the texts: a lower bound of the population's, so a word is never taken for commoner than it is."""
        counts, documents, total = count_terms(texts)
        if population is not None and population > documents > 0:
            total = round(total * population / documents)
            documents = population
        return cls.from_counts(counts, documents, total, settings)


NO_CORPUS = Specificity()


def count_terms(texts: Iterable[str]) -> tuple[Counter, int, int]:
    """(document frequency per word key, documents, words): the counts ``Specificity.from_counts`` reads."""
    counts: Counter = Counter()
    documents = total = 0
    for text in texts:
        terms, n = document_terms(text)
        counts.update(terms)
        documents += 1
        total += n
    return counts, documents, total


def shared_anchor(a: str, b: str) -> float:
    """General rarity of the rarest word two sentences share (0 when they share none).

    A word at rarity >= ``settings.CLAIM_ANCHOR_RARITY`` (a code like S-300, a
    rare name) pins two sentences to one specific thing; see
    ``claims.ClaimRule``.  It lowers the probability a claim needs, an operating
    point set on MRPC, so it stays in general English: the corpus has its say in
    the gate every claim passes first (``claims.specific_features``).
    """
    shared = _anchor_words(a) & _anchor_words(b)
    return max((rarity(w) for w in shared), default=0.0)


@lru_cache(maxsize=100_000)
def _anchor_words(text: str) -> frozenset[str]:
    """A sentence meets many candidates in corpus mode, so its words are taken once."""
    return frozenset(_possessive_stem(w) for w in words(normalize(text)) if not _ORDINAL.match(w))


def _possessive_stem(word: str) -> str:
    """"rouhani's" -> "rouhani": a possessive is not a rarer word than its name."""
    return word[:-2] if word.endswith("'s") else word

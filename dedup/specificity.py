"""How specific a word is: general English rarity, tempered by the corpus being checked.

``rarity`` is ``9 - zipf_frequency(word)`` from the ``wordfreq`` package's
general English frequency list: a word seen once per billion words weighs 9,
"Tehran" 5.4, "Russia" 4.1, "said" 3.0, and function words ("the", "of") 0.
Letter-digit codes (S-300, F-16) weigh 9.

General English is not the language of every corpus.  Wire copy has its own
jargon: "qtr", "shr", "mln", "qtly" are rare in general English (rarity 6.4-9)
but stand in a tenth to a half of all Reuters stories, so two earnings
headlines of two companies ("UNITED TOTE 1ST QTR NET" / "ACME 1ST QTR NET")
seemed to share a specific detail.  ``Specificity`` learns that from the
corpus itself: for a word held by at least ``common_documents`` of the
corpus's documents, its rarity is capped at its *corpus* rarity, the same
zipf scale estimated from its document frequency,
``9 - log10(documents holding it / words in the corpus * 1e9)``.  Below that
document count general English decides alone: a check may hold two documents,
where corpus frequencies would call every word common.

The cut (``common_documents``) grows with the corpus: a word is common when
the document pairs it joins, ``df * (df - 1) / 2``, reach
``settings.SPECIFIC_PAIRS_PER_DOCUMENT`` per document of the corpus -- then
sharing it ties as many pairs of documents as the corpus has documents, and
pins no pair to one thing (about 135 of reuters_dev's 9,140 stories, 67 of
BBC's 2,225; never fewer than the boilerplate floor).  Both engines count
with ``document_terms`` and build the same ``Specificity`` with
``from_counts``; an index check passes its archive's counts.
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
    """The corpus rarity of each word common in the corpus; other words keep their general rarity.

    Hashed by identity: claim profiles are cached per (text, specificity).
    """

    documents: int = 0
    cut: int = 0
    caps: Mapping[str, float] = field(default_factory=dict)

    def temper(self, key: str, general: float) -> float:
        """``general`` (the word's English rarity), capped by its corpus rarity when common here."""
        cap = self.caps.get(key)
        return general if cap is None or cap >= general else cap

    def rarity(self, key: str) -> float:
        return self.temper(key, rarity(key))

    @classmethod
    def from_counts(
        cls, document_frequency: Mapping[str, int], documents: int, total_words: int, settings: Settings
    ) -> Specificity:
        """From word document frequencies over ``documents`` documents holding ``total_words`` words."""
        cut = common_documents(documents, settings)
        if documents < cut or total_words <= 0:
            return cls(documents, cut, {})
        scale = 1e9 / total_words
        caps = {
            word: max(0.0, MAX_RARITY - math.log10(df * scale))
            for word, df in document_frequency.items() if df >= cut
        }
        import os  # EXPERIMENT
        if os.environ.get("DEDUP_SPEC_ZERO"):
            caps = {w: 0.0 for w in caps}
        return cls(documents, cut, caps)

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


def shared_anchor(a: str, b: str, specificity: Specificity = NO_CORPUS) -> float:
    """Rarity of the rarest word two sentences share (0 when they share none).

    A word at rarity >= ``settings.CLAIM_ANCHOR_RARITY`` (a code like S-300, a
    rare name) pins two sentences to one specific thing; see
    ``claims.ClaimRule``.  A word common in the corpus pins nothing.
    """
    shared = _anchor_words(a) & _anchor_words(b)
    return max((specificity.temper(stem(w), rarity(w)) for w in shared), default=0.0)


@lru_cache(maxsize=100_000)
def _anchor_words(text: str) -> frozenset[str]:
    """A sentence meets many candidates in corpus mode, so its words are taken once."""
    return frozenset(_possessive_stem(w) for w in words(normalize(text)) if not _ORDINAL.match(w))


def _possessive_stem(word: str) -> str:
    """"rouhani's" -> "rouhani": a possessive is not a rarer word than its name."""
    return word[:-2] if word.endswith("'s") else word

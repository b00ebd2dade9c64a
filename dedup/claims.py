"""Whether two news sentences make the same or an overlapping claim.

One cosine threshold cannot do it: within one story, different claims
("Russia has no base in Iran" / "the nuclear agenda is unclear") reach the
same embedding cosine, 0.6-0.7, as one claim reworded ("supplying Tehran with
the S-300" / "provide Tehran with an advanced S-300").  So the cosine is
combined with lexical evidence -- wording overlap, shared rare words, names
and numbers -- in a logistic regression fitted on MRPC
(``benchmarks/calibrate.py``, which prints what each feature earns there).

Features (``FEATURES``, in this order):

``cosine``
    the sentence-embedding cosine the caller already computed.
``token_set``, ``token_sort``, ``partial``
    rapidfuzz ``token_set_ratio``, ``token_sort_ratio`` and ``partial_ratio`` of
    the normalized sentences, scaled to 0-1: surface wording overlap, robust to
    reordering (sort), to one sentence containing the other (set) and to a
    shared clause inside longer text (partial).
``key_overlap``
    rarity-weighted overlap coefficient of the content words: the shared
    weight over the smaller sentence's weight, so a short claim wholly inside
    a longer sentence scores high.
``rare_shared``
    log(1 + total rarity weight of shared words that are rare in English), so
    sharing "S-300" and "Tehran" counts and sharing "said" and "Russia" barely.
``entity_overlap``
    rarity-weighted overlap coefficient of named-entity-like tokens
    (capitalised words not at sentence start, acronyms, codes like S-300),
    with demonyms folded ("Syrian" -> "syria").
``number_clash``
    1 when both sentences carry numbers (digits or number words) and none
    agree: "nine reactors" vs "20 reactors" is a different claim.
``length_ratio``
    shorter over longer content-word count: a paraphrase restates all of a
    sentence, an overlapping claim may be a clause of a longer one.

Rarity is ``specificity.rarity``, ``9 - zipf_frequency(word)`` from the
``wordfreq`` package's general English frequency list: an IDF against general
English ("Tehran" 5.4, "said" 3.0, function words 0).  Whether two sentences
share something *specific* (``specific_features``, ``shared_specifics``) also
asks the corpus being checked (``specificity.Specificity``): a word held by a
large share of its documents ("qtr", "shr" on wire copy) is no specific detail.

A caveat the numbers in the model file show: every MRPC pair, paraphrase or
not, is two sentences about one story, so sharing rare words and names does
not separate its classes and those features earn little (slightly negative)
weight there; ``partial`` and ``key_overlap`` come out negative because MRPC
calls a sentence that contains another plus more a non-paraphrase.

The weights, intercept and default operating point are stored in
``dedup/weights/claim_model.json``; they are applied here with numpy (no scikit-learn
at run time), with standardisation already folded into the weights.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from .normalize import normalize, words
from .specificity import MAX_RARITY, NO_CORPUS, Specificity, rarity, word_rarity
from .specificity import STOP_ZIPF, shared_anchor  # noqa: F401  (re-exported: their home is specificity)
from .specificity import demonym_root as _demonym_root
from .specificity import stem as _stem

MODEL_PATH = Path(__file__).resolve().parent / "weights" / "claim_model.json"

FEATURES: tuple[str, ...] = (
    "cosine",
    "token_set",
    "token_sort",
    "partial",
    "key_overlap",
    "rare_shared",
    "entity_overlap",
    "number_clash",
    "length_ratio",
)

# A word used less often than this (zipf, i.e. log10 per billion words) is
# "rare": 4.0 is ten per million words -- "reactors", "Tehran" are below it,
# "nuclear", "Russia", "said" above.
RARE_ZIPF = 4.0
# A capitalised word commoner than zipf 5.5 ("The", "But", "However") is not taken for a name.
ENTITY_MIN_RARITY = MAX_RARITY - 5.5

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "dozen": "12",
}
_THOUSANDS_SEP = re.compile(r"(?<=\d),(?=\d{3}\b)")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
# "4th", "1ST", "22nd": a number in words' clothing ("4th quarter"), never a code like S-300 or F-16.
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")
# Tokens of the original text, keeping case: words, acronyms, codes (S-300, F-16, P5+1 -> P5).
_RAW_TOKEN = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-"})


@dataclass(frozen=True, slots=True)
class _Profile:
    """Everything about one sentence that pair features need, computed once per sentence."""

    key: str  # normalized text for the rapidfuzz scores
    terms: dict[str, float]  # content-word key -> rarity
    entities: dict[str, float]  # entity key -> rarity (capitalised after the first word, acronyms, codes)
    opener: tuple[str, float] | None  # a capitalised first word: a name or just a sentence start
    numbers: frozenset[str]
    rare: dict[str, float]  # the terms rarer than RARE_ZIPF
    term_mass: float
    entity_mass: float


def _number_key(token: str) -> str | None:
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    if _ORDINAL.match(token):
        return token[:-2].lstrip("0") or "0"
    if _NUMBER.match(token):
        return token.rstrip("0").rstrip(".") if "." in token else token.lstrip("0") or "0"
    return None


def _is_shouted(tokens: Sequence[str]) -> bool:
    """Most of the words are in capitals: case marks no names here."""
    letters = [t for t in tokens if any(c.isalpha() for c in t) and len(t) > 1]
    return len(letters) >= 3 and sum(t.isupper() for t in letters) >= 0.8 * len(letters)


@lru_cache(maxsize=100_000)
def _profile(text: str, specificity: Specificity = NO_CORPUS) -> _Profile:
    """Sentences recur across many candidate pairs in corpus mode, so this is cached by text (and the
    run's ``Specificity``, by identity).  Every weight is the word's rarity tempered by the corpus."""
    temper = specificity.temper
    entities: dict[str, float] = {}
    opener: tuple[str, float] | None = None
    folded: dict[str, str] = {}  # demonym -> place, for the content words too
    raw = _RAW_TOKEN.findall(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES))
    # A headline in capitals ("UNITED TOTE INC <TOTE> 1ST QTR JAN 31 NET") says nothing by its case:
    # every word would pass for a name or an acronym, and two companies' headlines would share "QTR",
    # "JAN", "NET".  Its words count as words, its codes (1ST, 4TH) as codes.
    shouted = _is_shouted(raw)
    for position, token in enumerate(raw):
        is_code = bool(_HAS_DIGIT.search(token)) and any(c.isalpha() for c in token) and not _ORDINAL.match(token)
        bare = token.replace(".", "")
        is_acronym = not shouted and len(bare) >= 2 and bare.isupper() and bare.isalpha()
        if not (is_code or is_acronym or (token[:1].isupper() and not shouted)):
            continue
        lower = token.casefold()
        stem = _stem(lower)
        if stem in specificity.common:
            continue  # a name, acronym or code in a large share of the corpus ("U.S." on the wire) pins nothing
        weight = word_rarity(lower, stem)
        if not (is_code or is_acronym):
            # A capitalised very common word is a quote or clause opener ("The", "But"), not a name.
            if weight < ENTITY_MIN_RARITY:
                continue
            root = _demonym_root(stem)
            if root != stem:
                folded[stem] = root
                stem, weight = root, rarity(root)
                if stem in specificity.common:
                    continue
            if position == 0:
                # "Iran announced" or "Meanwhile, ...": settled against the other sentence (_entity_overlap).
                opener = (stem, max(weight, 1.0))
                continue
        entities[stem] = max(weight, 1.0)

    key = normalize(text)
    terms: dict[str, float] = {}
    numbers: set[str] = set()
    for token in words(_THOUSANDS_SEP.sub("", key)):
        number = _number_key(token)
        if number is not None:
            numbers.add(number)
            continue
        if _HAS_DIGIT.search(token) and not any(c.isalpha() for c in token):
            continue  # dates like 12.11.2013, scores 3-1: neither a word nor one number
        stem = _stem(token)
        weight = temper(stem, word_rarity(token, stem))
        if stem in folded:
            stem = folded[stem]
            weight = temper(stem, rarity(stem))
        if weight > 0:
            terms[stem] = max(weight, terms.get(stem, 0.0))
    rare = {k: w for k, w in terms.items() if w >= MAX_RARITY - RARE_ZIPF}
    return _Profile(
        key, terms, entities, opener, frozenset(numbers), rare, sum(terms.values()), sum(entities.values())
    )


def _shared(a: dict[str, float], b: dict[str, float]) -> float:
    """Weight the two sides share, each shared key at the commoner side's weight (so it is symmetric)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    shared = 0.0
    for k, w in small.items():
        other = large.get(k)
        if other is not None:
            shared += w if w < other else other
    return shared


def _entity_overlap(pa: _Profile, pb: _Profile) -> float:
    """Entity overlap coefficient; a capitalised first word counts only if the other side has it as a name."""
    shared = _shared(pa.entities, pb.entities) if pa.entities and pb.entities else 0.0
    mass_a, mass_b = pa.entity_mass, pb.entity_mass
    for own, other, is_a in ((pa.opener, pb, True), (pb.opener, pa, False)):
        if own is not None and own[0] in other.entities:
            weight = min(own[1], other.entities[own[0]])
            shared += weight
            if is_a:
                mass_a += own[1]
            else:
                mass_b += own[1]
    denom = min(mass_a, mass_b)
    return shared / denom if denom > 0 else 0.0


def _set_features(pa: _Profile, pb: _Profile) -> list[float]:
    terms_shared = _shared(pa.terms, pb.terms) if pa.terms and pb.terms else 0.0
    denom = min(pa.term_mass, pb.term_mass)
    rare_shared = _shared(pa.rare, pb.rare) if pa.rare and pb.rare else 0.0
    number_clash = 1.0 if pa.numbers and pb.numbers and not (pa.numbers & pb.numbers) else 0.0
    la, lb = len(pa.terms), len(pb.terms)
    return [
        terms_shared / denom if denom > 0 else 0.0,
        math.log1p(rare_shared),
        _entity_overlap(pa, pb),
        number_clash,
        min(la, lb) / max(la, lb) if max(la, lb) else 1.0,
    ]


def pair_features(a: str, b: str, cosine: float) -> np.ndarray:
    """The feature vector of one pair (original sentence texts), in ``FEATURES`` order."""
    pa, pb = _profile(a), _profile(b)
    return np.array(
        [
            float(cosine),
            fuzz.token_set_ratio(pa.key, pb.key) / 100.0,
            fuzz.token_sort_ratio(pa.key, pb.key) / 100.0,
            fuzz.partial_ratio(pa.key, pb.key) / 100.0,
            *_set_features(pa, pb),
        ],
        dtype=np.float64,
    )


def features_matrix(texts_a: Sequence[str], texts_b: Sequence[str], cosines: Sequence[float] | np.ndarray) -> np.ndarray:
    """Features of many pairs at once: the string scores run in rapidfuzz's C++ batch loop.

    Row i is exactly ``pair_features(texts_a[i], texts_b[i], cosines[i])``: general English rarity,
    as the claim model was fitted (``specific_features`` gives the corpus's view of what is specific).
    """
    n = len(texts_a)
    if len(texts_b) != n or len(cosines) != n:
        raise ValueError(f"texts_a, texts_b and cosines differ in length ({n}, {len(texts_b)}, {len(cosines)})")
    out = np.empty((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    profiles_a = [_profile(t) for t in texts_a]
    profiles_b = [_profile(t) for t in texts_b]
    keys_a = [p.key for p in profiles_a]
    keys_b = [p.key for p in profiles_b]
    out[:, 0] = np.asarray(cosines, dtype=np.float64)
    for column, scorer in ((1, fuzz.token_set_ratio), (2, fuzz.token_sort_ratio), (3, fuzz.partial_ratio)):
        out[:, column] = cpdist(keys_a, keys_b, scorer=scorer, dtype=np.float64, workers=-1) / 100.0
    out[:, 4:] = np.array([_set_features(pa, pb) for pa, pb in zip(profiles_a, profiles_b)], dtype=np.float64)
    return out


def specific_features(
    features: np.ndarray, texts_a: Sequence[str], texts_b: Sequence[str], specificity: Specificity
) -> np.ndarray:
    """``features`` with the word-set columns (key and entity overlap, rare words shared) recomputed with the
    words common in the corpus weighing nothing: what ``ClaimRule.shares_specifics`` reads in a corpus.

    The claim probability keeps general English (``features_matrix``): its weights were fitted on it.
    """
    if not specificity.common:
        return features
    out = features.copy()
    if len(out):
        out[:, 4:] = np.array([_set_features(_profile(a, specificity), _profile(b, specificity))
                               for a, b in zip(texts_a, texts_b)], dtype=np.float64)
    return out


@dataclass(frozen=True)
class ClaimModel:
    """The stored logistic regression and its operating points (see ``ClaimRule``)."""

    features: tuple[str, ...]
    weights: np.ndarray
    intercept: float
    threshold: float  # best F1 on the MRPC training part
    strict_threshold: float = 1.0  # keeps 90% of MRPC training paraphrases: the within-document point
    anchor_margin: float = 0.0  # down to the point keeping 98%: the band for anchored pairs
    # Cosine floors: the cosine that keeps 90% / 95% / 80% of MRPC training paraphrases
    # (see ``ClaimRule``; 0.0 in a file written before they existed).
    cosine_floor: float = 0.0
    anchor_cosine_floor: float = 0.0
    strict_cosine_floor: float = 0.0


def model_path(embedder: str = "accurate") -> Path:
    """Each embedding model has its own claim model: their cosines live on different scales."""
    return MODEL_PATH if embedder == "accurate" else MODEL_PATH.with_name(f"claim_model_{embedder}.json")


def load_model(path: Path | str = MODEL_PATH) -> ClaimModel:
    """Read a claim model file, refusing one fitted on a different feature list."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    names = tuple(data["features"])
    if names != FEATURES:
        raise RuntimeError(
            f"{path} was fitted on features {names}, but dedup.claims computes {FEATURES}; "
            "rerun benchmarks/calibrate.py"
        )
    weights = np.array([data["weights"][name] for name in names], dtype=np.float64)
    floors = data.get("cosine_floors", {})
    return ClaimModel(
        names, weights, float(data["intercept"]), float(data["threshold"]),
        float(data.get("strict_threshold", 1.0)), float(data.get("anchor_margin", 0.0)),
        float(floors.get("claim", 0.0)), float(floors.get("anchored", 0.0)), float(floors.get("strict", 0.0)),
    )


@lru_cache(maxsize=4)
def model(embedder: str = "accurate") -> ClaimModel:
    """The shipped claim model for an embedding model, read once per process."""
    return load_model(model_path(embedder))


def default_threshold(embedder: str = "accurate") -> float:
    """The probability at which a pair is reported as an overlapping claim (chosen on MRPC)."""
    return model(embedder).threshold


def probabilities(features: np.ndarray, claim_model: ClaimModel | None = None) -> np.ndarray:
    """Apply a claim model to a feature matrix (logistic of the linear score)."""
    m = claim_model or model()
    z = features @ m.weights + m.intercept
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


def shared_specifics(a: str, b: str, limit: int = 6, specificity: Specificity = NO_CORPUS) -> tuple[str, ...]:
    """The names and rare words both sentences state, rarest first: what ties a claim to one thing.

    Shown beside a claim finding so a reader sees why it was proposed
    ("s-300", "russia", "reactor"); keys are folded as the features fold them
    (lower case, stems, demonyms to places) and weighed as they weigh them, in the run's corpus.
    """
    pa, pb = _profile(a, specificity), _profile(b, specificity)
    shared: dict[str, float] = {}
    for mine, theirs in ((pa.entities, pb.entities), (pa.rare, pb.rare)):
        for key, weight in mine.items():
            if key in theirs:
                shared[key] = max(shared.get(key, 0.0), min(weight, theirs[key]))
    return tuple(k for k, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


@dataclass(frozen=True)
class ClaimRule:
    """The claim decision: a calibrated probability *and* an embedding cosine high enough.

    MRPC fits the weights, but every MRPC pair comes from one story and was
    picked because its two sentences looked alike, so it cannot teach what a
    corpus check meets most: topical pairs, two sentences about one subject
    saying different things.  On 397 hand-labelled BBC candidate pairs
    (``benchmarks/corpus_claims.py``) the MRPC probability alone kept such
    pairs by the thousand (precision 0.23) and the cosine was the better
    separator there (ROC AUC 0.81 vs 0.72), while on MRPC the probability
    beats the cosine.  So a pair must pass both: the probability point, and a
    cosine floor taken from MRPC (the cosine keeping a stated share of its
    paraphrases), so that the floors move with the embedding model.

    - across documents: probability >= ``min_score`` and cosine >=
      ``cosine_floor`` (90% of MRPC paraphrases);
    - an anchored pair -- sharing a word of rarity >= ``anchor_rarity``, a code
      like S-300 or a rare name that pins both sentences to one specific thing --
      is a claim down to ``min_score - anchor_margin`` (98% of MRPC paraphrases)
      at cosine >= ``anchor_cosine_floor`` (95%), and so is a pair whose
      probability reaches the strict point: strong lexical evidence, like an
      anchor, carries a lower cosine (on held-out MRPC this keeps the rule's
      precision above the cosine's at the same recall);
    - ``strict`` pairs (within one document, where an article restates its
      subject and repeats its names in every paragraph, or across documents
      about different stories) need ``min_score + strict_margin`` (90%) and
      cosine >= ``strict_cosine_floor`` (80%), with no anchored band;
    - and always, the two sentences share something specific (``shares_specifics``):
      a name, a rare word, or at least ``min_key_overlap`` of the content-word
      weight.  Every MRPC paraphrase does (none has a key overlap below 0.39), so
      MRPC never needed it; the static ``fast`` model does, whose cosines put
      generic quotes sharing only "said" or "think" ("They may not want him but
      they are going to get him." / "We wanted people who would still be
      around...") above its floors.
    """

    min_score: float
    anchor_margin: float = 0.0
    strict_margin: float = 0.0
    anchor_rarity: float = 7.0
    cosine_floor: float = 0.0
    anchor_cosine_floor: float = 0.0
    strict_cosine_floor: float = 0.0
    min_key_overlap: float = 0.0

    @classmethod
    def for_model(
        cls, calibrated: ClaimModel, min_score: float | None, anchor_rarity: float, min_key_overlap: float = 0.0
    ) -> ClaimRule:
        """The shipped operating points of ``calibrated``; ``min_score`` (``--min-score``) moves all three together."""
        return cls(
            calibrated.threshold if min_score is None else min_score,
            calibrated.anchor_margin,
            calibrated.strict_threshold - calibrated.threshold,
            anchor_rarity,
            calibrated.cosine_floor,
            calibrated.anchor_cosine_floor,
            calibrated.strict_cosine_floor,
            min_key_overlap,
        )

    def shares_specifics(self, features: np.ndarray) -> np.ndarray:
        """Per pair (rows of ``features_matrix``): a shared name or rare word, or enough shared content words."""
        column = FEATURES.index
        return (
            (features[:, column("rare_shared")] > 0)
            | (features[:, column("entity_overlap")] > 0)
            | (features[:, column("key_overlap")] >= self.min_key_overlap)
        )

    def accepts(
        self, probability: float, cosine: float, anchor: float, specific: bool = True, *, strict: bool = False
    ) -> bool:
        if not specific:
            return False
        if strict:
            return probability >= self.min_score + self.strict_margin and cosine >= self.strict_cosine_floor
        if probability >= self.min_score and cosine >= self.cosine_floor:
            return True
        if probability >= self.min_score + self.strict_margin and cosine >= self.anchor_cosine_floor:
            return True  # strong lexical evidence carries a lower cosine (as an anchor does)
        return (
            anchor >= self.anchor_rarity
            and probability >= self.min_score - self.anchor_margin
            and cosine >= self.anchor_cosine_floor
        )


def claim_scores(
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    cosines: Sequence[float] | np.ndarray,
    embedder: str = "accurate",
) -> np.ndarray:
    """Probability in [0, 1] that each pair makes the same or an overlapping claim.

    ``cosines`` must come from ``embedder``, whose own claim model is applied.
    """
    return probabilities(features_matrix(texts_a, texts_b, cosines), model(embedder))


def claim_evidence(
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    cosines: Sequence[float] | np.ndarray,
    rule: ClaimRule,
    embedder: str = "accurate",
    specificity: Specificity = NO_CORPUS,
) -> tuple[np.ndarray, np.ndarray]:
    """(claim probabilities, shares-something-specific flags) of many pairs: what ``rule.accepts`` weighs beside the cosine."""
    features = features_matrix(texts_a, texts_b, cosines)
    specific = rule.shares_specifics(specific_features(features, texts_a, texts_b, specificity))
    return probabilities(features, model(embedder)), specific

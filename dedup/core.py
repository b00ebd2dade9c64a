"""The nouns every stage shares: documents, sentences, matches, findings.

Offsets are always character offsets into the *decoded* document text, as in
spaCy's ``Span.start_char``; line and column are derived on demand so they can
never drift from the offsets.  Normalized text lives beside the original text,
never instead of it, so a report always quotes what the user wrote.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np


_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(eq=False)
class Document:
    """One article: a file, a JSON Lines record, or standard input.

    ``record`` is the 1-based line of a JSON Lines record inside ``path``
    (``None`` for whole files), so two records of one file stay distinct.
    """

    path: str
    text: str
    encoding: str = "utf-8"
    record: int | None = None
    id: str | None = None
    reference: bool = False  # checked against (--against), never against other references

    @property
    def name(self) -> str:
        """What a person reads to find the document again: ``path`` or ``path:record``."""
        return self.path if self.record is None else f"{self.path}:{self.record}"

    @cached_property
    def _line_starts(self) -> list[int]:
        """Lines end at LF, CRLF or a lone CR (old Mac files): a CR-only file is not one long line 1."""
        starts = [0]
        starts.extend(m.end() for m in _LINE_END.finditer(self.text))
        return starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset in ``text``."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1


@dataclass(eq=False)
class Sentence:
    """A sentence of a document: a span of its text plus the key used to compare it."""

    document: Document
    start: int
    end: int
    normalized: str = ""
    index: int = -1  # position in the flat sentence list of a run; set by the pipeline

    @property
    def text(self) -> str:
        return self.document.text[self.start : self.end]

    @property
    def line(self) -> int:
        return self.document.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.document.line_col(self.start)[1]

    @property
    def end_line_col(self) -> tuple[int, int]:
        """Line and column of the last character (inclusive), for editor ranges."""
        return self.document.line_col(max(self.start, self.end - 1))

    def __repr__(self) -> str:
        return f"Sentence({self.document.name}:{self.line}:{self.column} {self.text[:40]!r})"


@dataclass(frozen=True, slots=True)
class ClaimEvidence:
    """Why a pair of sentences was called one claim, as a reader checks it.

    ``decider`` is who decided (``rule`` or ``verifier``); ``outcome`` is
    ``same`` (one claim reworded), ``overlap`` (a specific claim of one is in
    the other) or ``claim`` (the rule cannot tell the two apart);
    ``probability`` is the decider's claim probability, ``cosine`` the
    embedding similarity that proposed the pair, and ``shared`` the specific
    names and rare words both sentences state.
    """

    decider: str
    outcome: str
    probability: float
    cosine: float
    shared: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """Evidence that two sentences (indices into the run's sentence list) say the same thing."""

    a: int
    b: int
    score: float
    method: str  # "exact" | "fuzzy" | "semantic"
    evidence: ClaimEvidence | None = field(default=None, compare=False)  # claims: what decided them


@dataclass(frozen=True, slots=True)
class Conflict:
    """A detail two occurrences of one claim disagree on (a number, date, name...)."""

    type: str
    a: str
    b: str


@dataclass
class Finding:
    """A group of two or more occurrences of one sentence or one claim.

    ``kind`` is ``repeat`` (same or near-same wording) or ``claim`` (same claim,
    other words); ``scope`` is ``within`` one document or ``across`` documents.
    Occurrences are in reading order (document order, then offset), so the
    first is the original and the rest are its repeats.
    """

    kind: str
    scope: str
    score: float
    methods: list[str]
    occurrences: list[Sentence]
    conflicts: list[Conflict] = field(default_factory=list)
    evidence: ClaimEvidence | None = None  # a claim's weakest link: outcome, probability, cosine, shared

    @property
    def fingerprint(self) -> str:
        """Content fingerprint: same kind and same sentence keys, same fingerprint, wherever they move.

        Baselines and SARIF ``partialFingerprints`` rest on it, so it never
        depends on offsets, paths, scores or conflicts.
        """
        keys = sorted({o.normalized for o in self.occurrences})
        payload = "\x1f".join([self.kind, *keys]).encode("utf-8")
        return hashlib.sha256(payload).hexdigest()[:16]

    @property
    def severity(self) -> str:
        """The fail level it reaches (``settings.FAIL_LEVELS``): a conflicting detail, else its kind."""
        return "conflict" if self.conflicts else self.kind

    @property
    def first(self) -> Sentence:
        return self.occurrences[0]

    @property
    def last(self) -> Sentence:
        return self.occurrences[-1]


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning about one input (unreadable, binary, re-encoded, empty, too big...)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class CheckResult:
    """Everything one run produced, in the order the pipeline produced it."""

    documents: list[Document]
    sentences: list[Sentence]
    findings: list[Finding]
    problems: list[Problem] = field(default_factory=list)
    # Sentences per document (by ``id``) when ``sentences`` holds only those the findings name:
    # a distributed run never brings every sentence back to one process.
    sentence_counts: dict[int, int] | None = None

    def sentence_count(self, document: Document) -> int:
        return self._counts().get(id(document), 0)

    @property
    def total_sentences(self) -> int:
        return sum(self._counts().values())

    def _counts(self) -> dict[int, int]:
        if self.sentence_counts is None:  # counted once: reports ask per document
            counts: dict[int, int] = {}
            for s in self.sentences:
                counts[id(s.document)] = counts.get(id(s.document), 0) + 1
            self.sentence_counts = counts
        return self.sentence_counts


METHOD_ORDER = ["exact", "fuzzy", "semantic"]  # an edge's method is its index here
METHOD_CODE = {method: code for code, method in enumerate(METHOD_ORDER)}  # Edges.method of each


@dataclass(frozen=True, eq=False)
class Edges:
    """Match edges as arrays: eight bytes an end, so millions of them fit a driver that holds nothing else."""

    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    method: np.ndarray  # index into METHOD_ORDER

    @classmethod
    def of(cls, matches: Iterable[Match] | Edges) -> Edges:
        if isinstance(matches, Edges):
            return matches
        matches = list(matches)
        return cls(
            np.fromiter((m.a for m in matches), np.int64, len(matches)),
            np.fromiter((m.b for m in matches), np.int64, len(matches)),
            np.fromiter((m.score for m in matches), np.float64, len(matches)),
            np.fromiter((METHOD_ORDER.index(m.method) for m in matches), np.int8, len(matches)),
        )

    def __len__(self) -> int:
        return len(self.a)

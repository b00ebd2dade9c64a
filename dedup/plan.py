"""The stage plan: which stages a check runs, in which order, behind which gates, built once from the settings.

Both engines run the same plan: ``pipeline.check_documents`` in memory, ``engine_ray`` as Ray Data
maps and shuffles.  An engine decides *who* runs a stage, never whether, when or behind which gate:

1. read, split and normalize the documents;
2. the repeat matchers of ``repeat_methods``, in ``METHOD_ORDER`` (exact, then fuzzy);
3. with ``claims``, the claim stage: keys of at least ``claim_min_words`` words are embedded, their
   neighbours searched, and a pair already joined by the repeats (``Linked``) is never judged;
4. templates and boilerplate split from the repeats (``story.split_templates``);
5. grouping into findings.

A new stage is added here, and each engine gives it a runner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .core import METHOD_ORDER, Edges
from .group import components
from .settings import Settings


@dataclass(frozen=True)
class StagePlan:
    repeat_methods: tuple[str, ...]  # the lexical matchers to run, in METHOD_ORDER
    claims: bool  # the semantic claim stage runs
    claim_min_words: int  # the claim stage's gate: shorter keys are never embedded

    @classmethod
    def of(cls, settings: Settings) -> StagePlan:
        return cls(
            tuple(m for m in METHOD_ORDER if m in settings.methods and m != "semantic"),
            "semantic" in settings.methods,
            settings.claim_min_words,
        )

    @property
    def stages(self) -> tuple[str, ...]:
        return ("read", *self.repeat_methods, *(("claims",) if self.claims else ()), "templates", "group")

    def embeds(self, word_count: int) -> bool:
        """Whether a key of ``word_count`` words enters the claim stage."""
        return word_count >= self.claim_min_words


@dataclass(frozen=True, eq=False)
class Linked:
    """The sentences the repeat edges join, by component: the claim stage's "already linked" gate.

    Arrays, not a dict per sentence, so the Ray engine ships it to the judging workers as it is.
    """

    ids: np.ndarray  # every sentence id an edge touches, sorted
    root: np.ndarray  # its component's smallest id

    @classmethod
    def of(cls, repeats: Edges) -> Linked:
        return cls(*components(repeats.a, repeats.b))

    def roots(self, sentence_ids: np.ndarray) -> np.ndarray:
        sentence_ids = np.asarray(sentence_ids, dtype=np.int64)
        if not len(self.ids):
            return sentence_ids
        at = np.minimum(np.searchsorted(self.ids, sentence_ids), len(self.ids) - 1)
        return np.where(self.ids[at] == sentence_ids, self.root[at], sentence_ids)

    def joined(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per pair: both ends already in one repeat component."""
        return self.roots(a) == self.roots(b)

    def same(self, a: int, b: int) -> bool:
        return bool(self.joined(np.array([a]), np.array([b]))[0])

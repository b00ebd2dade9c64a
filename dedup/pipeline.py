"""The checker end to end: documents → sentences → matches → findings.

Each stage is a plain function over a batch (``segment_documents``,
``distinct_keys``, ``exact_matches``, ``fuzzy_matches``, ``semantic_matches``,
``group_findings``); ``check_documents`` runs them in this process, in the
order and behind the gates of the stage plan (``plan.StagePlan``).  The Ray
engine runs the same plan and the same functions over partitions, which is
why no stage reaches into another's state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from .core import CheckResult, ClaimEvidence, Conflict, Document, Finding, Match, Sentence
from .documents import read_documents, without_drafts
from .group import Edges, group_findings
from .plan import Linked, StagePlan
from .match import exact_groups, fuzzy_pairs
from .match.semantic import cosine_pairs
from .normalize import normalize, words
from .segment import split_spans
from .settings import Settings
from .story import StorySignature, split_templates

if TYPE_CHECKING:
    from .specificity import Specificity


def segment_documents(documents: Iterable[Document]) -> list[Sentence]:
    """Split and normalize every document; sentences are numbered in reading order."""
    sentences: list[Sentence] = []
    for document in documents:
        for start, end in split_spans(document.text):
            sentence = Sentence(document, start, end, normalize(document.text[start:end]), len(sentences))
            sentences.append(sentence)
    return sentences


_INLINE_IGNORE = re.compile(r"<!--\s*dedup:\s*ignore\s*-->")


def is_eligible(sentence: Sentence, settings: Settings, ignore: Sequence[re.Pattern] = ()) -> bool:
    """Long enough to mean something on its own, and not boilerplate the user told us to skip.

    Skipped: sentences under the minimum length, sentences matching an
    ``ignore`` pattern ("Reporting by ...") and sentences on a line marked
    ``<!-- dedup: ignore -->`` (Markdown drafts).
    """
    key = sentence.normalized
    if len(key) < settings.min_chars or len(words(key)) < settings.min_words:
        return False
    if any(p.search(sentence.text) for p in ignore):
        return False
    text = sentence.document.text
    line_start = text.rfind("\n", 0, sentence.start) + 1
    line_end = text.find("\n", sentence.end)
    return not _INLINE_IGNORE.search(text, line_start, len(text) if line_end == -1 else line_end)


def eligibility(settings: Settings) -> Callable[[Sentence], bool]:
    """``is_eligible`` with the settings' ignore patterns compiled once, for every stage that filters."""
    ignore = [re.compile(p) for p in settings.ignore_patterns]
    return lambda sentence: is_eligible(sentence, settings, ignore)


@dataclass
class Keys:
    """The distinct comparison keys of a run and the sentences behind each."""

    keys: list[str]
    members: list[list[int]]  # sentence indices per key, reading order

    def first(self, key_index: int) -> int:
        return self.members[key_index][0]

    def has_draft(self, key_index: int, sentences: Sequence[Sentence]) -> bool:
        return any(not sentences[i].document.reference for i in self.members[key_index])


def distinct_keys(sentences: Sequence[Sentence], settings: Settings) -> Keys:
    eligible = list(filter(eligibility(settings), sentences))
    groups = exact_groups(s.normalized for s in eligible)
    keys = list(groups)
    return Keys(keys, [[eligible[i].index for i in groups[k]] for k in keys])


def exact_matches(keys: Keys, settings: Settings) -> list[Match]:
    """Each later occurrence of a key to its first."""
    return [Match(group[0], other, 1.0, "exact") for group in keys.members for other in group[1:]]


def fuzzy_matches(keys: Keys, settings: Settings) -> list[Match]:
    """Keys whose wording is near-identical (``match.fuzzy_pairs``), between their first occurrences."""
    return [Match(keys.first(i), keys.first(j), score, "fuzzy")
            for i, j, score in fuzzy_pairs(keys.keys, settings.fuzzy_min_ratio)]


REPEAT_MATCHERS: dict[str, Callable[[Keys, Settings], list[Match]]] = {"exact": exact_matches, "fuzzy": fuzzy_matches}


def repeat_matches(keys: Keys, settings: Settings) -> list[Match]:
    """The plan's repeat matchers, in its order, as sentence-level matches."""
    return [m for method in StagePlan.of(settings).repeat_methods for m in REPEAT_MATCHERS[method](keys, settings)]


@dataclass(frozen=True, slots=True)
class SemanticCandidate:
    """An embedding-neighbour pair in plain values, so any process can judge it.

    ``a`` and ``b`` are the sentence indices of the first occurrence of each
    key; ``same_document`` marks a pair inside one document (a claim there is
    looked for only with ``settings.within_claims``); ``strict`` says the pair
    needs the strict operating point (one document, or two documents telling
    different stories).
    """

    a: int
    b: int
    key_a: str
    key_b: str
    text_a: str
    text_b: str
    cosine: float
    same_document: bool
    strict: bool


def judge_semantic(
    candidates: Sequence[SemanticCandidate], settings: Settings, specificity: Specificity | None = None
) -> tuple[list[Match], list[Match]]:
    """Semantic candidates → (repeat matches, claim matches): the one decision both engines make.

    A pair whose wording is near-identical is a repeat found by the semantic
    method (``--methods semantic`` alone still reports repeats as repeats);
    the rest are claims when the pair verifier says so (``verify.claim_verdicts``,
    behind its cheap gates).  Claims inside one document are looked for only with
    ``settings.within_claims``.  ``specificity`` is the corpus's (``corpus_specificity``): a word common
    in it is no specific shared detail, in the decision and in the evidence shown.
    """
    from .verify import claim_verdicts  # loaded only when semantic matching runs

    repeats: list[Match] = []
    rest: list[SemanticCandidate] = []
    for c in candidates:
        if fuzz.ratio(c.key_a, c.key_b) >= settings.fuzzy_min_ratio:
            repeats.append(Match(c.a, c.b, c.cosine, "semantic"))
        elif settings.within_claims or not c.same_document:
            rest.append(c)
    verdicts = claim_verdicts(
        [c.text_a for c in rest], [c.text_b for c in rest],
        np.array([c.cosine for c in rest], dtype=np.float32), [c.strict for c in rest], settings, specificity,
    )
    from .claims import shared_specifics
    from .specificity import NO_CORPUS

    claims = [
        Match(c.a, c.b, round(v.claim, 4), "semantic", ClaimEvidence(
            settings.claim_decider, v.outcome, round(v.claim, 4), round(c.cosine, 4),
            shared_specifics(c.text_a, c.text_b, specificity=specificity or NO_CORPUS),
        ))
        for c, v in zip(rest, verdicts) if v is not None
    ]
    return repeats, claims


def semantic_candidates(
    keys: Keys,
    sentences: Sequence[Sentence],
    settings: Settings,
    linked: Linked,
    embed: Callable[[list[str]], np.ndarray],
) -> list[SemanticCandidate]:
    """Embedding neighbours of the keys the plan embeds, not already linked as repeats: what ``judge_semantic`` reads."""
    plan = StagePlan.of(settings)
    chosen = [i for i, key in enumerate(keys.keys) if plan.embeds(len(words(key)))]
    if len(chosen) < 2:
        return []
    embeddings = embed([keys.keys[i] for i in chosen])
    queries = None
    if any(s.document.reference for s in sentences):
        # Drafts against references: only rows holding a draft sentence are searched.
        queries = [c for c, i in enumerate(chosen) if keys.has_draft(i, sentences)]
    pairs = cosine_pairs(embeddings, settings.semantic_min_cosine, settings.semantic_top_k, queries=queries)
    story = story_vectors(keys, chosen, embeddings, sentences)
    firsts = np.array([keys.first(i) for i in chosen], dtype=np.int64)
    ends = np.array([(ci, cj) for ci, cj, _ in pairs], dtype=np.int64).reshape(-1, 2)
    joined = linked.joined(firsts[ends[:, 0]], firsts[ends[:, 1]])
    candidates: list[SemanticCandidate] = []
    for (ci, cj, cosine), already in zip(pairs, joined.tolist()):
        if already:
            continue
        i, j = chosen[ci], chosen[cj]
        a, b = keys.first(i), keys.first(j)
        doc_a, doc_b = sentences[a].document, sentences[b].document
        candidates.append(SemanticCandidate(
            a, b, keys.keys[i], keys.keys[j], sentences[a].text, sentences[b].text, cosine, doc_a is doc_b,
            is_strict(doc_a is doc_b, story[id(doc_a)], story[id(doc_b)], settings),
        ))
    return candidates


def semantic_matches(
    keys: Keys,
    sentences: Sequence[Sentence],
    settings: Settings,
    linked: Linked,
    embed: Callable[[list[str]], np.ndarray],
    specificity: Specificity | None = None,
) -> tuple[list[Match], list[Match]]:
    """Embedding neighbours, judged by ``judge_semantic``: (repeat matches, claim matches)."""
    return judge_semantic(semantic_candidates(keys, sentences, settings, linked, embed), settings, specificity)


def corpus_specificity(
    documents: Sequence[Document], settings: Settings, population: int | None = None
) -> Specificity:
    """The run's ``Specificity``: word document frequencies over ``documents`` (``population``: see
    ``Specificity.of_texts``).  The Ray engine counts with the same ``specificity.document_terms``."""
    from .specificity import Specificity

    return Specificity.of_texts((d.text for d in documents), settings, population)


def is_strict(same_document: bool, story_a: np.ndarray, story_b: np.ndarray, settings: Settings) -> bool:
    """The strict claim point applies within one document and between different stories."""
    return same_document or float(story_a @ story_b) < settings.same_story_similarity


def story_vector(embeddings: np.ndarray) -> np.ndarray:
    """A document's story: the unit mean of its sentence embeddings (rows in key order).

    Two articles whose vectors are close tell the same story; the claim
    model's calibration (MRPC pairs come from one news story) holds there.
    """
    mean = embeddings.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def story_vectors(
    keys: Keys, chosen: Sequence[int], embeddings: np.ndarray, sentences: Sequence[Sentence]
) -> dict[int, np.ndarray]:
    """``story_vector`` per document (by ``id``): each key counted once per document holding it."""
    rows: dict[int, list[int]] = {}
    for row, key_index in enumerate(chosen):
        for doc_id in {id(sentences[i].document) for i in keys.members[key_index]}:
            rows.setdefault(doc_id, []).append(row)
    return {doc_id: story_vector(embeddings[doc_rows]) for doc_id, doc_rows in rows.items()}


def sentence_conflicts(a: Sentence, b: Sentence) -> list[Conflict]:
    """``conflicts.find_conflicts`` on two sentences' text: the ``conflicts_of`` every engine groups with."""
    from .conflicts import find_conflicts

    return find_conflicts(a.text, b.text)


def embedding_function(settings: Settings) -> Callable[[list[str]], np.ndarray]:
    """Sentences → vectors for the configured model, through the on-disk cache.

    The model is loaded only when some sentence is not cached yet, so a warm
    re-run does no model work at all.
    """
    from .models import get_spec, load_embedder

    def model_encode(texts: list[str]) -> np.ndarray:
        embedder = load_embedder(settings.model, cache_dir=settings.cache_dir)
        return embedder.encode(texts, progress=settings.progress)

    def encode(texts: list[str]) -> np.ndarray:
        if not settings.cache:
            return model_encode(texts)
        from .cache import EmbeddingCache

        spec = get_spec(settings.model)
        cache = EmbeddingCache(spec.name, spec.sha256, settings.cache_dir)
        try:
            return cache.encode(texts, model_encode)
        finally:
            cache.close()

    return encode


def _involves_draft(sentences: Sequence[Sentence]) -> Callable[[Match], bool]:
    return lambda m: not (sentences[m.a].document.reference and sentences[m.b].document.reference)


def check_documents(
    documents: Sequence[Document], settings: Settings | None = None, *, population: int | None = None,
    specificity: Specificity | None = None,
) -> CheckResult:
    """Run every stage over documents already in memory.

    Documents marked ``reference`` are only matched against the others
    (drafts): a finding always involves a draft, never two references alone.
    ``population`` is the corpus the boilerplate threshold is measured
    against when ``documents`` are drawn from a bigger one (an archive's
    candidates); by default, ``documents`` themselves.  Claims weigh words by ``specificity``, the
    corpus's word document frequencies (by default counted over ``documents`` against ``population``;
    an index passes its archive's).
    """
    settings = settings or Settings()
    say = _narrator(settings)
    sentences = segment_documents(documents)
    keys = distinct_keys(sentences, settings)
    say(f"{len(documents):,} documents, {len(sentences):,} sentences, {len(keys.keys):,} distinct; matching repeats")
    keep = _involves_draft(sentences)
    repeats = [m for m in repeat_matches(keys, settings) if keep(m)]
    claims: list[Match] = []
    if StagePlan.of(settings).claims:
        say(f"{len(repeats):,} repeat links; embedding and judging claim candidates")
        more_repeats, claims = semantic_matches(
            keys,
            sentences,
            settings,
            Linked.of(Edges.of(repeats)),
            embedding_function(settings),
            specificity or corpus_specificity(documents, settings, population),
        )
        repeats.extend(m for m in more_repeats if keep(m))
        claims = [m for m in claims if keep(m)]
    say(f"{len(claims):,} claim links; grouping")
    boilerplate = settings.boilerplate_documents(len(documents) if population is None else population)
    document_index = {id(d): n for n, d in enumerate(documents)}
    sentence_document = np.fromiter((document_index[id(s.document)] for s in sentences), np.int64, len(sentences))
    repeat_edges, templates = split_templates(
        Edges.of(repeats),
        lambda ids: {i: sentences[i].normalized for i in ids.tolist()},
        lambda ids: sentence_document[ids],
        lambda docs: {d: StorySignature.of(documents[d].text) for d in docs.tolist()},
        settings, boilerplate,
    )
    findings = group_findings(sentences, repeat_edges, claims, sentence_conflicts, templates, boilerplate)
    return CheckResult(list(documents), sentences, shown(findings, settings))


def _narrator(settings: Settings) -> Callable[[str], None]:
    """Stage lines on stderr when ``settings.progress`` (the CLI on a terminal): a long run says where it is,
    between the embedding bar and the end (a warm run has no model work to show a bar for)."""
    if not settings.progress:
        return lambda message: None
    import sys
    import time

    started = time.perf_counter()
    return lambda message: print(f"dedup: [{time.perf_counter() - started:5.1f} s] {message}", file=sys.stderr,
                                 flush=True)


def shown(findings: list[Finding], settings: Settings) -> list[Finding]:
    """The findings a run reports: boilerplate only when ``settings.boilerplate`` is ``show``."""
    if settings.boilerplate == "show":
        return findings
    return [f for f in findings if f.kind != "boilerplate"]


def _signatures(sentences: Sequence[Sentence]) -> Callable[[int], StorySignature]:
    """Each document's ``StorySignature`` by ``id``, made on first request (only pairs with other figures ask)."""
    documents = {id(s.document): s.document for s in sentences}
    made: dict[int, StorySignature] = {}

    def signature_of(doc_id: int) -> StorySignature:
        if doc_id not in made:
            made[doc_id] = StorySignature.of(documents[doc_id].text)
        return made[doc_id]

    return signature_of


def check(
    paths: Iterable[str],
    settings: Settings | None = None,
    *,
    against: Iterable[str] = (),
    stdin=None,
) -> CheckResult:
    """Read ``paths`` (files, directories, ``-``) and check them; problems are returned, not raised.

    With ``against``, those paths are references: the drafts in ``paths`` are
    checked among themselves and against them, references never against
    each other.
    """
    settings = settings or Settings()
    documents, problems = read_documents(paths, settings, stdin=stdin)
    against = list(against)
    if against:
        references, more = read_documents(against, settings)
        references = without_drafts(references, documents)
        for document in references:
            document.reference = True
        documents.extend(references)
        problems.extend(more)
    result = check_documents(documents, settings)
    result.problems = problems
    return result

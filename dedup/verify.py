"""The pair verifier: a cross-encoder that reads two sentences together and decides whether they share a claim.

The embedding search only proposes candidates; a bi-encoder cosine scores
each sentence alone and cannot tell "the same claim" from "the same subject".
The verifier (trained by ``models/build_verifier.py`` from the packaged
all-MiniLM-L6-v2 weights, shipped in ``dedup/weights/verifier/``) attends
across the pair and gives two probabilities: ``claim`` (the pair shares a
specific claim: the same one, or an overlapping one) and ``same`` (one claim
reworded).  Its graph's sha256 is pinned here and checked at load; it runs on
ONNX Runtime with the MiniLM package's own tokenizer, offline.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import settings as settings_module
from .models import ModelError, available_cores, get_spec, progress_bar, sha256_of, verify
from .story import without_figures

VERIFIER_DIR = Path(__file__).resolve().parent / "weights" / "verifier"
# Pinned from models/build_verifier.py's output (also in models/README.md).
VERIFIER_SHA256 = "efeff5ced602cb79c52e43f36da682dd222de42e72ea541f31d8eff30f427e30"
OUTCOMES = ("different", "overlap", "same")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the verifier says of one pair."""

    claim: float  # probability the two sentences share a specific claim
    same: float  # probability they are one claim reworded (-1: the decider does not say)

    @property
    def outcome(self) -> str:
        """Of a pair decided to be a claim: ``same`` or ``overlap`` (``claim`` when the decider cannot tell)."""
        if self.same < 0:
            return "claim"
        # read from the module at each call, so a benchmark can sweep the point
        return "same" if self.same >= settings_module.VERIFIER_SAME_POINT else "overlap"


class PairVerifier:
    """Loaded once per process (``load_verifier``); ``probabilities`` batches pairs by token count."""

    def __init__(self, directory: Path = VERIFIER_DIR, expected_sha256: str | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        graph = directory / "verifier.onnx"
        meta_path = directory / "verifier.json"
        if not graph.is_file() or not meta_path.is_file():
            raise ModelError(f"pair verifier not found in {directory} (rebuild with models/build_verifier.py)")
        expected = expected_sha256 or VERIFIER_SHA256
        actual = sha256_of(graph)
        if actual != expected:
            raise ModelError(
                f"pair verifier: checksum mismatch for {graph}\n  expected sha256 {expected}\n"
                f"  found    sha256 {actual}\nThe file is corrupted or not the verifier dedup was measured with."
            )
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        self.heads = tuple(self.meta["heads"])
        # The tokenizer is MiniLM's own, from the checksum-verified package the verifier was trained from.
        source = verify(get_spec("accurate"))
        self.tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(self.meta["max_tokens"]), strategy="longest_first")
        options = ort.SessionOptions()
        options.intra_op_num_threads = available_cores()
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def probabilities(self, pairs: list[tuple[str, str]], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Rows of (claim, same) probabilities, in input order.

        ``progress`` shows a bar on stderr: a first whole-corpus check spends minutes here after the
        embedding bar has ended (whole BBC: ~29,000 pairs at 110-180 a second on 2 cores).
        """
        out = np.zeros((len(pairs), len(self.heads)), dtype=np.float32)
        if not pairs:
            return out
        bar = progress_bar(progress, len(pairs), "Verifying", "pair")
        encodings = self.tokenizer.encode_batch([(a.strip(), b.strip()) for a, b in pairs])
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(pairs), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for r, i in enumerate(rows.tolist()):
                n = int(lengths[i])
                ids[r, :n], mask[r, :n], types[r, :n] = encodings[i].ids, 1, encodings[i].type_ids
            logits = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            out[rows] = 1.0 / (1.0 + np.exp(-logits))
            bar.update(len(rows))
        bar.close()
        return out

    def verdicts(self, pairs: list[tuple[str, str]], progress: bool = False) -> list[Verdict]:
        p = self.probabilities(pairs, progress=progress)
        claim, same = self.heads.index("claim"), self.heads.index("same")
        return [Verdict(float(row[claim]), float(row[same])) for row in p]


def template_similarity(texts_a: list[str], texts_b: list[str]) -> np.ndarray:
    """fuzz.ratio (0-100) of each pair with every figure replaced by one placeholder."""
    from rapidfuzz import fuzz

    return np.array([fuzz.ratio(without_figures(a), without_figures(b)) for a, b in zip(texts_a, texts_b)],
                    dtype=np.float64)


@lru_cache(maxsize=1)
def load_verifier() -> PairVerifier:
    return PairVerifier()


def reading_order(a: str, b: str) -> tuple[str, str]:
    """The one order the verifier reads a pair in: the two texts sorted.

    A cross-encoder's probability depends on which sentence comes first (6.2% of the choose parts'
    decisions at 0.5 flip when the two are swapped), and which comes first in a run is an accident of
    input order: a draft checked against an archive comes first, the same draft inside a whole-corpus
    check last.  One fixed order gives the same two sentences the same verdict however a run meets them.
    """
    return (a, b) if a <= b else (b, a)


def cached_verdicts(pairs: list[tuple[str, str]], settings) -> list[Verdict]:
    """The verifier's verdicts, each pair read in ``reading_order``, through the on-disk cache (``dedup/cache.py``).

    The verifier is the costliest stage after embedding (a whole-BBC check reads ~29,000 pairs), so
    a warm re-run must not read any pair twice; the graph is loaded (and its checksum checked) only
    when some pair is new.  The cache file is named by the pinned graph checksum and the verifier's
    settings file (inputs, heads, token limit), so a retrained verifier never reads another's verdicts.
    """
    ordered = [reading_order(a, b) for a, b in pairs]
    if not settings.cache:
        return load_verifier().verdicts(ordered, progress=settings.progress)
    from .cache import EmbeddingCache

    keys = [json.dumps(pair, ensure_ascii=False) for pair in ordered]
    by_key = dict(zip(keys, ordered))

    def score(missing: list[str]) -> np.ndarray:
        verifier = load_verifier()
        columns = [verifier.heads.index("claim"), verifier.heads.index("same")]
        return verifier.probabilities([by_key[k] for k in missing], progress=settings.progress)[:, columns]

    meta = VERIFIER_DIR / "verifier.json"
    if not meta.is_file():
        load_verifier()  # raises the error that says the verifier is missing and how to rebuild it
    identity = hashlib.sha256((VERIFIER_SHA256 + meta.read_text(encoding="utf-8")).encode())
    cache = EmbeddingCache("verifier", identity.hexdigest(), settings.cache_dir)
    try:
        rows = cache.encode(keys, score)
    finally:
        cache.close()
    return [Verdict(float(claim), float(same)) for claim, same in rows]


def claim_verdicts(
    texts_a: list[str],
    texts_b: list[str],
    cosines: np.ndarray,
    strict: list[bool],
    settings,
    specificity=None,
) -> list[Verdict | None]:
    """The one claim decision of dedup, for every engine and command.

    Returns, per pair, a ``Verdict`` when the pair is a claim, else ``None``.
    Both deciders share the gates: the two sentences share something specific
    (a name, a rare word, or enough content words) and do not state only
    disagreeing figures.  ``settings.claim_decider`` then says who decides:

    - ``rule``: the calibrated claim model's probability and the
      cosine floors (``claims.ClaimRule``); the verdict's ``same`` is unknown (-1);
    - ``verifier`` (default): the cross-encoder's claim probability at
      ``settings.verifier_threshold`` (strict pairs: plus
      ``settings.verifier_strict_margin``), for pairs at the gate cosine;
      two sentences that share nearly all their words need only
      ``settings.verifier_lexical_point`` (plus the margin if strict), since
      the verifier underrates shared wording; ``settings.min_score``, when
      given, is the one point for every pair;
    - ``both``: a claim only where the rule accepts it and the verifier
      does at ``settings.both_verifier_threshold``: the two err on different
      pairs (the rule on wire data lines, the verifier on topical prose), so
      their agreement is the precise decision; the verdict is the verifier's.

    ``strict`` pairs (within one document, or across documents telling
    different stories) need the stricter point of either decider.  ``specificity`` is the run's corpus
    (``specificity.Specificity``): words common there are no specific shared detail in the gate.
    """
    from .claims import FEATURES, ClaimRule, features_matrix, probabilities, specific_features
    from .claims import model as claim_model
    from .specificity import NO_CORPUS, shared_anchor
    from .settings import TEMPLATE_MIN_RATIO

    out: list[Verdict | None] = [None] * len(texts_a)
    if not texts_a:
        return out
    calibrated = claim_model(settings.model)
    specificity = specificity or NO_CORPUS
    features = features_matrix(texts_a, texts_b, cosines)
    rule = ClaimRule.for_model(
        calibrated,
        settings.min_score if settings.claim_decider == "rule" else None,
        settings.anchor_rarity,
        settings.claim_min_key_overlap,
    )
    specific = rule.shares_specifics(specific_features(features, texts_a, texts_b, specificity))
    # Both sentences state figures, none agree, and the words around the figures are one template:
    # two data lines ("Revs 44.1 mln vs 34.4 mln" / "Revs 43.7 mln vs 32.4 mln", "Shr loss 14 cts vs
    # loss 31 cts" / "Shr loss seven cts vs loss 64 cts"), not one claim.  Prose whose figures differ
    # ("nine of Iran's 20 reactors" / "several new plants ... by 2014") is left to the decider: that is
    # an overlapping claim with a conflicting detail.
    clash = np.flatnonzero(features[:, FEATURES.index("number_clash")] > 0)  # few pairs: mask only those
    template = clash[template_similarity([texts_a[i] for i in clash], [texts_b[i] for i in clash]) >= TEMPLATE_MIN_RATIO]
    specific[template] = False
    gated = np.flatnonzero(specific).tolist()
    if settings.claim_decider in ("rule", "both"):
        scores = probabilities(features, calibrated)
        accepted = [i for i in gated if rule.accepts(float(scores[i]), float(cosines[i]),
                                                     shared_anchor(texts_a[i], texts_b[i]), True, strict=strict[i])]
        if settings.claim_decider == "rule":
            for i in accepted:
                out[i] = Verdict(round(float(scores[i]), 4), -1.0)
            return out
        gated = accepted  # both: the verifier reads only the pairs the rule accepts, at its own point
    gated = [i for i in gated if cosines[i] >= settings.verifier_gate_cosine]
    if not gated:
        return out
    verdicts = cached_verdicts([(texts_a[i], texts_b[i]) for i in gated], settings)
    threshold = settings.verifier_point if settings.min_score is None else settings.min_score
    # Nearly the same words, in any order (the token_sort feature, 0-1): the lexical point.
    shares_words = features[:, FEATURES.index("token_sort")] * 100.0 >= settings.verifier_lexical_min_ratio
    lexical = (settings.min_score is None and settings.claim_decider == "verifier"
               and settings.verifier_lexical_point < threshold)
    for i, verdict in zip(gated, verdicts):
        point = settings.verifier_lexical_point if lexical and shares_words[i] else threshold
        needed = min(1.0, point + settings.verifier_strict_margin) if strict[i] else point
        if verdict.claim >= needed:
            out[i] = verdict
    return out

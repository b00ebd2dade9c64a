"""Every threshold and default of dedup, in one place, with the measurement behind it.

The figures quoted here are reproduced by the scripts in ``benchmarks/`` and
written up in README ("How the defaults were chosen").  Change a default here
and nowhere else; the CLI and the Python API both read this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

METHODS = ("exact", "fuzzy", "semantic")

# Sentences shorter than this are never matched (they stay in the document).
# Measured on the BBC corpus (benchmarks/min_length.py): of the distinct
# sentences that occur in two or more articles, those of 1-3 words are mostly
# boilerplate shared by unrelated stories (datelines "tuesday, 1 march",
# referee credits "p dowd (staffordshire", "key match stats", "why?"), while
# from 4 words up nearly every one is a copied headline or sentence of the same
# story (1 boilerplate of 41 four-word repeats, 0 of 74 five-word ones).
# MIN_CHARS drops what slips through the word count: "h webb (s yorkshire".
MIN_WORDS = 4
MIN_CHARS = 20
# A claim needs more words than a repeat: four identical words are evidence of
# copying, four similar words are rarely the same claim.
CLAIM_MIN_WORDS = 6

# Fuzzy repeat: rapidfuzz ``fuzz.ratio`` (normalized Indel similarity, 0-100)
# of the normalized sentences.  At >= 90 a pair differs by a word or a few
# characters (typo, "said" -> "says", a dropped clause end).  On MRPC
# (benchmarks/fuzzy_threshold.py, normalized sentences), 166 of the 168 pairs at
# >= 90 are labelled paraphrases (98.8%); at >= 80 only 92% are, at >= 85 97.3%.
FUZZY_MIN_RATIO = 90.0

# MinHash-LSH blocking for the fuzzy matcher.  A fuzz.ratio of 90 on sentences
# of >= 6 words implies a word-set Jaccard well above 0.5, so candidates are
# blocked at Jaccard 0.5 and bands/rows are derived from that threshold as
# datasketch does (minimising weighted false positive + false negative mass).
LSH_NUM_PERM = 128
LSH_JACCARD = 0.5

# Semantic candidates: pairs whose embedding cosine reaches this floor are
# scored by the claim model; below it no overlap was seen on MRPC positives
# worth the cost (see benchmarks/calibrate.py).  Each sentence keeps at most
# SEMANTIC_TOP_K neighbours so topical corpora cannot blow up quadratically.
SEMANTIC_MIN_COSINE = 0.55
SEMANTIC_TOP_K = 20

# Approximate nearest-neighbour search (dedup/match/semantic.py) from this many
# searched rows up; exact blocked search below.  FAISS IVF (k-means cells)
# was measured against usearch and FAISS HNSW on BBC MiniLM embeddings (2
# cores, benchmarks/ann_search.py --peers): both HNSW builds cost as much as
# exact search at 38k rows (18-26 s vs 17.5 s, load ~3); IVF about half.  Exact
# vs IVF (idle, medians of 3): 10k rows 0.67 s vs 0.85 s, 15k 1.58 vs 1.55 (IVF
# pays from here), 20k 3.01 vs 2.37, 38k (all BBC) 10.3 vs 5.9 (1.76x).
# ANN_NPROBE cells of ANN_CELLS_PER_SQRT_ROW * sqrt(n) are visited per row:
# at 48, recall of the exact pairs 0.998-0.9998 from 5k to 38k rows, 0.991
# with one row in three as queries (32: 0.995 and 0.984; 64: 0.999 and 0.994
# at 1.2x the time).  ANN_MARGIN extra neighbours per row are asked for beyond
# top_k, so near-ties do not push out a row's last true neighbour.
ANN_MIN_ROWS = 15_000
ANN_CELLS_PER_SQRT_ROW = 4
ANN_NPROBE = 48
ANN_MARGIN = 10

# Claim operating points.  Each embedding model has its own claim model
# (dedup/weights/claim_model.json for accurate, dedup/weights/claim_model_fast.json for
# fast; their cosines live on different scales), fitted and measured by
# benchmarks/calibrate.py, which stores in it (see claims.ClaimRule):
# - ``threshold``: best F1 on the MRPC training part (accurate: 0.400, held-out
#   F1 0.826 vs 0.821 for cosine alone): the default across documents;
# - ``anchor_margin``: pairs that share an anchor, a word of rarity >=
#   CLAIM_ANCHOR_RARITY (9 - wordfreq zipf: a code like S-300, a rare name),
#   count down to threshold - anchor_margin, the point that keeps 98% of MRPC
#   paraphrases.  MRPC cannot teach the value of a shared specific term (all
#   its pairs share one story);
# - ``strict_threshold``: keeps 90% of MRPC paraphrases (accurate: held-out
#   precision 0.768): the point inside one document and across different
#   stories, with no anchored band;
# - ``cosine_floors``: a claim also needs the embedding cosine that keeps 90%
#   (anchored pairs: 95%, strict pairs: 80%) of MRPC paraphrases.  Measured on
#   377 hand-labelled BBC candidate pairs (benchmarks/corpus_claims.py): the
#   probability alone let through topical pairs by the thousand (estimated
#   precision 0.23 over ~13,000 accepted pairs); with the floors and within-
#   document claims off, see README "Claims in a corpus".
# ``--min-score`` replaces ``threshold``; the other two move with it.
# And a claim shares something specific: a name, a rare word, or at least
# CLAIM_MIN_KEY_OVERLAP of the rarity-weighted content-word weight (the claim
# model's ``key_overlap`` feature, 0-1; no MRPC paraphrase is below 0.39).  Of
# the labelled BBC pairs, 7 of 99 claims and 75 of 278 others share none of
# these.  It matters most for the static fast model, whose cosines rank
# generic quotes sharing only "said" or "think" as neighbours.
CLAIM_MIN_KEY_OVERLAP = 0.3
CLAIM_ANCHOR_RARITY = 7.0
# Specificity learned from the corpus (dedup/specificity.py): a word held by so many of the corpus's
# documents that the document pairs it joins, df * (df - 1) / 2, reach SPECIFIC_PAIRS_PER_DOCUMENT per
# document (about sqrt(8 n) documents: 271 of reuters_dev's 9,140, 134 of BBC's 2,225; never fewer than
# the boilerplate floor) is no specific shared detail there: it weighs 0 in the claim gate and the
# evidence shown.  Wire jargon rare in general English ("qtr" in 974 stories, "shr", "mln", "qtly") stops
# passing for one.  Measured on reuters_dev (benchmarks/wire_claims.py; docs/claims.md): at 1 and 2
# the labelled Reuters pairs lose recall (0.366 -> 0.244, all parts); at 4 claim findings over 50
# occurrences go from 4 to 0 (largest 79 -> 47), Reuters P/R 0.192/0.366 -> 0.259/0.326 (report part
# 0.516/0.488 -> 0.606/0.488), BBC 0.440/0.435 -> 0.440/0.437; at 8 and 16 a 52-headline hub remains.
SPECIFIC_PAIRS_PER_DOCUMENT = 4.0
# Across documents, the default point applies to articles telling the same
# story: the cosine of their mean sentence embeddings reaches this.  Between
# articles about different stories (BBC: a football transfer and a boardroom
# row share "important people of the club") the strict point applies.
# Measured in benchmarks/same_story.py.
SAME_STORY_SIMILARITY = 0.7
# Claims between two sentences of one article ("restatements") are off by
# default: on the labelled BBC pairs fewer than 3 in 10 were the same claim at
# any threshold (an article keeps returning to its subject in new words);
# repeats inside an article (exact, fuzzy, near-identical) are always reported.
WITHIN_CLAIMS = False

# Near-repeats whose figures differ (dedup/story.py).  Across documents they are an update (a repeat
# naming the changed figures) only when the documents tell one story: leaving out the two sentences'
# own figures, when each document states at least STORY_MIN_FIGURES other figures, at least
# STORY_FIGURE_OVERLAP of the smaller side's are also in the other (an update keeps its other figures;
# another company's earnings table or next week's money-supply report changes nearly all of them);
# with no other figures, the documents' word sets reach a Jaccard of STORY_WORD_OVERLAP.  Otherwise,
# and always inside one document (the quarter's row and the year's), they are template instances:
# not repeats.  On 22 hand-labelled reuters_dev document pairs joined by such a near-repeat
# (benchmarks/data/reuters_same_story.jsonl, benchmarks/wire_repeats.py) all 16 different stories
# are told apart and 3 of 6 same stories are taken for different: it errs towards silence.  At 0.5
# instead of 0.8, bond issues and money-market reports of different days passed as updates.
# Documents that share an exact sentence of STORY_SHARED_MIN_WORDS+ words (not boilerplate) tell one
# story whatever their figures: one draws on the other.  Shorter shared lines are data rows equal by
# chance in two companies' tables ("Qtly div 10 cts vs 10 cts prior": 7 words).
STORY_SHARED_MIN_WORDS = 8
STORY_MIN_FIGURES = 1
STORY_FIGURE_OVERLAP = 0.8
STORY_WORD_OVERLAP = 0.8
# Boilerplate: a repeat group (or a star of template instances) spanning at least
# max(BOILERPLATE_MIN_DOCUMENTS, BOILERPLATE_LOG2_SHARE * log2(documents in the run)) documents is a
# house phrase, reported once as boilerplate.  Measured with the threshold off
# (benchmarks/wire_repeats.py, docs/repeats.md): on BBC (2,225 articles) the widest groups of one
# story span 4-5 articles (a quote retold) and the first house phrases 7-8 (columnists' bylines);
# on reuters_dev (9,140 stories) every group spanning 4+ stories is a house phrase or a recurring
# line ("Value was not disclosed." 6, "Terms were not disclosed." 32).  How many articles retell one
# story grows slowly with a corpus (a longer span of time), hence the slowly growing term: 6 for
# BBC, 7 for reuters_dev, 10 for a million documents.
BOILERPLATE_MIN_DOCUMENTS = 6
BOILERPLATE_LOG2_SHARE = 0.5
BOILERPLATE_CHOICES = ("show", "hide")

# The pair verifier (dedup/verify.py, built by models/build_verifier.py) decides claims.  A pair
# reaches it only past cheap gates: it shares something specific (CLAIM_MIN_KEY_OVERLAP above) and
# its embedding cosine reaches VERIFIER_MIN_COSINE.  VERIFIER_THRESHOLD is the claim probability
# reported across documents telling one story; strict pairs (different stories, within one document)
# need VERIFIER_STRICT_MARGIN more.  Chosen on the ``choose`` parts (benchmarks/verifier_eval.py --sweep,
# 0.3-0.8, 2026-12-03): MRPC F1 0.79-0.81 from 0.3 to 0.6; 0.4 has the best F1 on MRPC, BBC and
# Reuters (0.807, 0.351, 0.637 against 0.804, 0.316, 0.518 at 0.5) at a lower MRPC precision (0.754
# against 0.775) and links far more PAWS different-meaning pairs (0.170 of them left out against 0.651
# at 0.5, 2026-12-07; both without the lexical point below), and the corpus gains rest on 8-70 claims;
# these figures at the gate cosine 0.6.  At 0.63 the report parts keep almost none of 0.4's gains (MRPC 0.838
# against 0.843, STS-B 0.803 against 0.806, BBC 0.462 against 0.459 with precision 0.777 against 0.814,
# 2026-12-07), so 0.5 stays (docs/claims.md).
# Two sentences that both state figures, none agreeing, whose wording with every figure masked reaches
# this fuzz.ratio are two instances of one template (wire data lines), never one claim
# (dedup/verify.py).  On all 320 labelled reuters_dev pairs it lifts the rule's precision from 0.084
# to 0.192 at the same recall (0.366); BBC unchanged (0.440 / 0.435); docs/claims.md.
TEMPLATE_MIN_RATIO = 70.0
# Two spans of a near-repeat that changed places are an ``order`` conflict (``story.swapped``) unless
# every word of them is this common (zipf, wordfreq): "has" / "is" (7.0 and up) exchanged is a garbled
# sentence, "hottest" / "coldest" or "city" / "town" (below 6) another fact.  Chosen on PAWS dev's train
# and choose parts at fuzz.ratio >= 90 (5.5, 6.0, 6.5 flag the same choose pairs; 6.5 flags 16 train
# paraphrases against 9); report part: docs/conflicts.md.
SWAP_MAX_ZIPF = 6.0
# CLAIM_DECIDER: "verifier" (the pair verifier, default), "rule" (the calibrated claim model) or "both"
# (a claim only where the two agree; ``--claim-decider``).  Measured 2026-12-07 on the choose parts
# (MRPC 391, STS-B 698, blind-labelled BBC 225 and reuters_dev 210 candidate pairs, gated with their
# corpus's specificity as a check of that corpus gates them; the samples labelled after the verifier
# was trained are held out from it whole), the verifier's F1 is above the rule's on every set (0.807,
# 0.795, 0.316, 0.518 against 0.789, 0.759, 0.299, 0.508; the report parts agree), its corpus claims
# are right more often (BBC report precision 0.814 vs 0.493, Reuters choose 0.479 vs 0.410) at about
# the rule's BBC recall (0.320 vs 0.337 report), and it alone
# keeps PAWS swaps apart (0.83-0.85 vs 0.05).  It costs a cross-encoder pass over the gated pairs (docs/claims.md: a first
# whole-BBC check 2.4-3.2x the rule's, a re-run the same, verdicts cached); "rule" is the fast
# choice, "both" the most precise on BBC with the fewest claims.
CLAIM_DECIDERS = ("rule", "verifier", "both")
CLAIM_DECIDER = "verifier"
# VERIFIER_MIN_COSINE: the embedding cosine a pair needs before the verifier reads it, per model (their
# cosines live on different scales).  Chosen on the choose parts by the mean F1 over MRPC, STS-B, BBC and
# reuters_dev (benchmarks/verifier_eval.py --min-cosine 0.6-0.7, 2026-12-07): MiniLM 0.602 at 0.60,
# 0.603 at 0.62, 0.609 at 0.63 (MRPC 0.807 vs 0.809 at 0.60, STS-B 0.795 vs 0.787, BBC 0.316 vs 0.294,
# Reuters 0.518 both; precision higher on each), 0.564 at 0.64 (a Reuters claim lost).  The report parts
# agree (mean 0.654 vs 0.636: MRPC 0.843 vs 0.848, STS-B 0.806 vs 0.810, BBC precision 0.814 vs 0.652,
# Reuters 0.419 vs 0.348, recall kept).  On whole BBC the verifier reads a third fewer pairs
# (18,614 against 28,746; claim findings 1,114 against 1,177; docs/claims.md).  The fast model keeps 0.6: at 0.63 its BBC and STS-B choose F1 fall (0.481 vs
# 0.522, 0.778 vs 0.786).
VERIFIER_MIN_COSINE = {"accurate": 0.63, "fast": 0.6}
VERIFIER_THRESHOLD = 0.5
VERIFIER_STRICT_MARGIN = 0.2
# Two sentences that share nearly all their words (fuzz.token_sort_ratio of the normalized keys at
# VERIFIER_LEXICAL_MIN_RATIO or more, word order aside) are a claim at VERIFIER_LEXICAL_POINT (strict
# pairs: plus the margin): sharing the words is evidence the verifier, trained on few such pairs,
# underrates (it ranks PAWS little better than chance).  Whether they are the *same* claim stays its
# ``same`` call; what it does not call the same (a swap of roles, a changed detail) is linked as an
# overlap, which is what an editor needs to see of two sentences in one wording.  Only the verifier
# decider, and only without --min-score.  Chosen on the choose parts (verifier_eval.py --lexical-point
# 0.2-0.5 --lexical-ratio 80 85 90, 2026-12-07): PAWS paraphrases linked 0.702 at 0.5 (off), 0.925 at
# 0.4, 0.994 at 0.3 (ratio 85), with MRPC F1 0.804 -> 0.809 and STS-B, BBC and Reuters F1 within 0.004
# at every point; PAWS different-meaning pairs left out fall 0.651 -> 0.179 (linked as overlaps: those
# not called the same stay 0.826).  Unlike a global 0.4 (above), it costs MRPC no precision (0.775 ->
# 0.777).  0.4 is the highest point that links 90% of the paraphrases.  Report parts: PAWS 0.669 ->
# 0.888, MRPC 0.840 -> 0.843, BBC 0.458 -> 0.459, STS-B and Reuters unchanged (docs/claims.md; the choose
# figures above at the gate cosine 0.6).  At that gate, whole
# BBC: 6 claim findings more (1,177), each one claim reworded; reuters_dev: 14 more (2,944), about
# half of them generic lines of different issues ("NOTE: Company went public in May 1986").
VERIFIER_LEXICAL_MIN_RATIO = 85.0
VERIFIER_LEXICAL_POINT = 0.4
# A claim the verifier decides is the ``same`` claim when its ``same`` probability reaches this point,
# else an ``overlap`` (shown in findings, the contract and the audit; ``clean`` does not read it, and a
# near-repeat is never re-decided).  Chosen on the choose parts among 0.3-0.9 by 0.1 by the mean F1 of
# the same call over MRPC, PAWS, STS-B and BBC (benchmarks/verifier_eval.py --same-point; a partial
# overlap counts as not the same): 0.6 gives 0.669 against 0.647 at 0.5 and 0.668 at 0.7 (PAWS
# different-meaning pairs not called the same 0.826 vs 0.676 at 0.5).  On the
# report parts 0.6 gives 0.645 against 0.662 at 0.5 (BBC 0.271 vs 0.345 on 37 same claims) and PAWS
# 0.849 vs 0.707.  Reuters (2-3 same claims a part) is left out of the choice.
VERIFIER_SAME_POINT = 0.6
# The verifier's point when it confirms what the rule accepted (``both``), chosen on the choose parts
# among 0.2 / 0.3 / 0.5 (benchmarks/verifier_eval.py --decider both --sweep): the best BBC F1 (0.291,
# against 0.238 / 0.264) at the same MRPC F1 (0.789-0.792) and reuters_dev precision (0.761).
BOTH_VERIFIER_THRESHOLD = 0.3

DEFAULT_MODEL = "accurate"

# How the accurate model (MiniLM) runs.  "onnx": ONNX Runtime fp32 on a graph
# exported from the same weights, inputs batched by token count; "torch":
# sentence-transformers, the fallback when onnxruntime is missing or the
# export fails.  ``DEDUP_BACKEND`` overrides.  Measured round-robin by
# benchmarks/embed_speed.py on 2,000 BBC sentences (2 cores, idle, medians of
# 3): 296 sentences/s, 1.71x sentence-transformers batch 32 (173/s), vectors at
# cosine >= 0.9999998 per sentence with every nearest neighbour and every pair
# at cosine >= 0.6 unchanged, so the embedding cache is shared by both
# (tests/test_models.py asserts >= 0.9999).  int8 dynamic quantization runs
# 2.1-2.4x but keeps only 0.85-0.91 of the claim pairs fp32 accepts on whole
# BBC (0.98 with both FFN layers left fp32, at 1.25x): rejected
# (benchmarks/int8_study.py, docs/benchmarks.md).
EMBEDDING_BACKENDS = ("onnx", "torch")
EMBEDDING_BACKEND = "onnx"
# Sentences per model call.  With inputs sorted by token count there is little
# padding; on ONNX Runtime 64 gave 289 sentences/s, 32 247/s, 128 129/s (1,000
# BBC sentences, round-robin, load ~1.3).
EMBED_BATCH_SIZE = 64
# ONNX Runtime's worker threads busy-wait between operators by default.  On a
# machine shared with other jobs that spinning steals the cores the other
# thread needs: with it off, 35 vs 23 sentences/s on 1,500 BBC sentences at
# load ~6 (inputs padded to 128 tokens, one run each: indicative only).
ONNX_SPINNING = False

# Files larger than this are skipped with a warning rather than read whole.
MAX_FILE_BYTES = 50 * 1024 * 1024

# Files read when walking a directory (files named explicitly are read whatever their name).
TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl",)
# Parquet shards (one document per row) are read when named or matched by --include '*.parquet';
# the Ray engine, made for datasets stored that way, reads them in directories by default.
PARQUET_SUFFIXES = (".parquet",)
INCLUDE = ("*.txt", "*.md", "*.jsonl")
# Always skipped inside directories: the removal log `dedup clean` writes, so that
# checking a cleaned corpus does not read back the sentences it removed.
EXCLUDE = ("removed.jsonl",)

# Fail levels for CI, lowest first: a run fails on findings at or above the level.
# Boilerplate (a house phrase: a draft using "Terms were not disclosed." has
# copied no one) is listed but fails only at its own level; a claim is a lead
# for an editor, a repeat is a defect, a conflicting detail (two versions of
# one fact) is the most urgent.
FAIL_LEVELS = ("boilerplate", "claim", "repeat", "conflict", "none")
DEFAULT_FAIL_ON = "claim"  # any finding but boilerplate fails

# dedup clean --drop-docs: a document is a near-duplicate of an earlier one when
# at least this share of its eligible sentences' characters repeats that one
# document (a rewrite that keeps four sentences in five).
DOC_OVERLAP = 0.8

# The Ray engine (dedup/engine_ray.py).  RAY_WORKERS: CPUs of the local Ray it
# starts, and embedding actors (this project's machines have 2 cores).
# RAY_PARTITION_ROWS: rows per shuffle partition; more rows make more partitions
# so that a partition fits a worker.  Semantic search partitions the embedding
# space: RAY_SEMANTIC_PARTITION_KEYS keys on average per partition (each key is
# in RAY_SEMANTIC_PROBES of them), centroids trained on RAY_SEMANTIC_SAMPLE keys.
# Whole BBC (~38,000 keys), accurate model, against the local exact search:
# 8,000 keys (10 partitions) kept 97.9% of the claim occurrence pairs, 16,000
# (5 partitions) 99.4%, at the same wall time on 2 cores.
RAY_WORKERS = 2
RAY_PARTITION_ROWS = 200_000
RAY_SEMANTIC_PARTITION_KEYS = 16_000
RAY_SEMANTIC_SAMPLE = 20_000
RAY_SEMANTIC_PROBES = 2


@dataclass(frozen=True)
class Settings:
    """One run's choices.  Build with ``Settings(**overrides)`` or ``settings.replace(...)``."""

    methods: tuple[str, ...] = METHODS
    min_words: int = MIN_WORDS
    min_chars: int = MIN_CHARS
    claim_min_words: int = CLAIM_MIN_WORDS
    fuzzy_min_ratio: float = FUZZY_MIN_RATIO
    semantic_min_cosine: float = SEMANTIC_MIN_COSINE
    semantic_top_k: int = SEMANTIC_TOP_K
    min_score: float | None = None  # None: the decider's points (VERIFIER_THRESHOLD, _LEXICAL_POINT; BOTH_...; the rule's)
    claim_decider: str = CLAIM_DECIDER
    verifier_min_cosine: float | None = None  # None: VERIFIER_MIN_COSINE of the model (verifier_gate_cosine)
    verifier_threshold: float = VERIFIER_THRESHOLD
    both_verifier_threshold: float = BOTH_VERIFIER_THRESHOLD
    verifier_strict_margin: float = VERIFIER_STRICT_MARGIN  # strict pairs need this much more
    verifier_lexical_min_ratio: float = VERIFIER_LEXICAL_MIN_RATIO  # token_sort_ratio (0-100) of a shared wording
    verifier_lexical_point: float = VERIFIER_LEXICAL_POINT  # the claim point of such pairs
    anchor_rarity: float = CLAIM_ANCHOR_RARITY
    claim_min_key_overlap: float = CLAIM_MIN_KEY_OVERLAP
    same_story_similarity: float = SAME_STORY_SIMILARITY
    story_min_figures: int = STORY_MIN_FIGURES
    story_shared_min_words: int = STORY_SHARED_MIN_WORDS
    story_figure_overlap: float = STORY_FIGURE_OVERLAP
    story_word_overlap: float = STORY_WORD_OVERLAP
    boilerplate: str = "show"  # "show": one boilerplate finding per house phrase; "hide": none
    boilerplate_min_documents: int = BOILERPLATE_MIN_DOCUMENTS
    within_claims: bool = WITHIN_CLAIMS
    model: str = DEFAULT_MODEL
    text_field: str = "text"
    id_field: str | None = None
    max_file_bytes: int = MAX_FILE_BYTES
    ignore_patterns: tuple[str, ...] = field(default=())
    include: tuple[str, ...] = INCLUDE
    cache: bool = True  # embeddings and verifier verdicts cached on disk by content and model (dedup/cache.py)
    cache_dir: str | None = None
    progress: bool = False  # progress bars on stderr for long model work
    exclude: tuple[str, ...] = EXCLUDE

    def __post_init__(self) -> None:
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ValueError(
                f"unknown method(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(METHODS)}"
            )
        if self.claim_decider not in CLAIM_DECIDERS:
            raise ValueError(f"unknown claim decider {self.claim_decider!r}; choose from {', '.join(CLAIM_DECIDERS)}")
        if self.boilerplate not in BOILERPLATE_CHOICES:
            raise ValueError(f"unknown boilerplate choice {self.boilerplate!r}; choose from {', '.join(BOILERPLATE_CHOICES)}")
        if self.min_score is not None and not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score must be between 0 and 1, got {self.min_score}")

    def boilerplate_documents(self, documents: int) -> int:
        """How many documents a phrase must span to be boilerplate in a run of ``documents``."""
        return max(self.boilerplate_min_documents, math.ceil(BOILERPLATE_LOG2_SHARE * math.log2(max(documents, 1))))

    @property
    def verifier_gate_cosine(self) -> float:
        """The cosine a pair needs before the verifier reads it: ``verifier_min_cosine``, or the model's own."""
        if self.verifier_min_cosine is not None:
            return self.verifier_min_cosine
        return VERIFIER_MIN_COSINE.get(self.model, VERIFIER_MIN_COSINE[DEFAULT_MODEL])

    @property
    def verifier_point(self) -> float:
        """The verifier's own claim point under this decider (``min_score``, when given, overrides it)."""
        return self.verifier_threshold if self.claim_decider == "verifier" else self.both_verifier_threshold

    def replace(self, **changes) -> "Settings":
        return replace(self, **changes)

"""The pair verifier on real labelled pairs, its checksum refusal, and the shared claim gates."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from dedup.models import ModelError
from dedup.settings import Settings
from dedup.verify import VERIFIER_DIR, PairVerifier, claim_verdicts, load_verifier, reading_order

pytestmark = pytest.mark.slow


def report_pairs(source: str):
    """A set's report part: never trained on, never used to choose a point."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "models"))
    from pairsets import all_pairs

    return [p for p in all_pairs() if p.part == "report" and p.source == source and p.claim is not None]


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels], scores[~labels]
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


# Report-part ROC AUC of the claim head, 2-epoch verifier (2026-12-07): MRPC 0.836 (MiniLM cosine ~0.75),
# STS-B 0.952, blind-labelled BBC 0.857 and reuters_dev 0.922 candidates (unweighted: a ranking check).
# PAWS is left out: the verifier ranks it at chance (0.55); its swaps are told apart by story.swapped (test_wire).
@pytest.mark.parametrize(("source", "floor"), [("mrpc", 0.82), ("stsb", 0.93), ("bbc", 0.82), ("reuters", 0.88)])
def test_verifier_ranks_held_out_pairs_of_each_set(source, floor):
    pairs = report_pairs(source)
    scores = load_verifier().probabilities([(p.a, p.b) for p in pairs])[:, 0]
    labels = np.array([bool(p.claim) for p in pairs])
    assert len(pairs) > 250 and labels.any() and (~labels).any()
    assert roc_auc(scores, labels) > floor


def test_the_same_call_on_held_out_mrpc(monkeypatch):
    """A claim called the ``same`` is one claim reworded far more often than not, and the call follows the setting."""
    from dedup import settings

    pairs = report_pairs("mrpc")
    verdicts = load_verifier().verdicts([(p.a, p.b) for p in pairs])
    paraphrase = {i for i, p in enumerate(pairs) if p.same > 0.5}

    def called_same():
        return {i for i, v in enumerate(verdicts) if v.claim >= settings.VERIFIER_THRESHOLD and v.outcome == "same"}

    shipped = called_same()
    assert len(shipped & paraphrase) / len(shipped) > 0.85  # 0.878 of 230 at 0.6 (0.862 of 247 at 0.5)
    monkeypatch.setattr(settings, "VERIFIER_SAME_POINT", 0.95)
    stricter = called_same()
    assert stricter < shipped and all(verdicts[i].same >= 0.95 for i in stricter)


def test_verifier_refuses_tampered_weights(tmp_path):
    copy = tmp_path / "verifier"
    shutil.copytree(VERIFIER_DIR, copy)
    graph = copy / "verifier.onnx"
    data = bytearray(graph.read_bytes())
    data[-1] ^= 0xFF
    graph.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum mismatch"):
        PairVerifier(copy)


def test_verifier_loads_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    verifier = PairVerifier()
    assert verifier.heads == ("claim", "same")
    assert verifier.probabilities([]).shape == (0, 2)


# Real data lines of reuters_dev.jsonl that the old decision linked as one claim (labelled topical
# twice, blind): both state figures and none agree.
TEMPLATE_LINES = [
    ("Revs 44.1 mln vs 34.4 mln", "Revs 43.7 mln vs 32.4 mln"),
    ("Shr loss 14 cts vs loss 31 cts", "Shr loss seven cts vs loss 64 cts"),
    ("Sales 692.1 mln vs 596.8 mln", "Sales 76.6 mln vs 68.0 mln"),
]


@pytest.mark.parametrize("decider", ["rule", "verifier"])
def test_template_data_lines_are_not_claims(decider):
    a, b = zip(*TEMPLATE_LINES)
    verdicts = claim_verdicts(list(a), list(b), np.full(len(a), 0.9, dtype=np.float32), [False] * len(a),
                              Settings(claim_decider=decider))
    assert verdicts == [None, None, None]


HUNGARY = (
    "Hungary is to devalue the forint by an average of eight pct against Western currencies, "
    "the official news agency MTI said.",
    "The official news agency MTI said today Hungary would devalue by eight pct and it expected new rates soon.",
)  # reuters_dev pair labelled "overlap" by both reviewers


@pytest.mark.parametrize("decider", [
    "rule",
    pytest.param("verifier", marks=pytest.mark.xfail(
        reason="known miss: the 2-epoch verifier scores this wire overlap 0.28 (docs/claims.md)", strict=True)),
])
def test_deciders_accept_a_reworded_wire_claim(decider):
    a, b = HUNGARY
    verdict = claim_verdicts([a], [b], np.array([0.85], dtype=np.float32), [False], Settings(claim_decider=decider))[0]
    assert verdict is not None, decider
    assert verdict.outcome in ("claim", "same", "overlap")


# The seed articles' reactors and S-300 claims: one sentence of 000 against two of 002 (labelled overlap).
SEED_CLAIM = ("Russia is to build nine of Iran's 20 nuclear reactors in the coming years and has also emerged as a "
              "long-term arms partner for Iran, supplying Tehran with the S-300 air defence system.")
SEED_OVERLAPS = [
    "Iran's Zarif insisted during a press conference that Russia make good on a promise to provide Tehran "
    "with an advanced S-300 weapons system.",
    "While the Lavrov-Zarif nuclear agenda is not entirely clear at this point, the leaders could elaborate on "
    "a recently signed agreement that commits Russia to build several new nuclear plants in Iran by as early as 2014.",
]


def test_verifier_accepts_the_seed_overlaps():
    """The seed articles' reactors and S-300 claims, one sentence of 000 against two of 002 (labelled overlap)."""
    a, others = SEED_CLAIM, SEED_OVERLAPS
    verdicts = load_verifier().verdicts([(a, b) for b in others])
    assert all(v.claim >= 0.5 and v.outcome == "overlap" for v in verdicts), verdicts


def test_a_cold_run_shows_the_verifier_at_work(tmp_path, capsys):
    """A first corpus check spends minutes verifying after the embedding bar ends: a bar says so; a warm run has none."""
    from dedup import verify

    settings = Settings(cache_dir=str(tmp_path), progress=True)
    pairs = [(SEED_CLAIM, b) for b in SEED_OVERLAPS]
    verify.cached_verdicts(pairs, settings)
    shown = capsys.readouterr().err
    assert "Verifying" in shown and f"{len(pairs)}/{len(pairs)}" in shown
    verify.cached_verdicts(pairs, settings)
    assert "Verifying" not in capsys.readouterr().err
    verify.cached_verdicts(pairs, settings.replace(progress=False, cache=False))
    assert "Verifying" not in capsys.readouterr().err


def test_a_warm_run_reads_every_verdict_from_the_cache(tmp_path, monkeypatch):
    """The second check of the same pairs loads no verifier, in either order: a pair is read one way."""
    from dedup import verify

    settings = Settings(cache_dir=str(tmp_path))
    pairs = [(SEED_CLAIM, b) for b in SEED_OVERLAPS]
    cold = verify.cached_verdicts(pairs, settings)
    assert cold == load_verifier().verdicts([verify.reading_order(a, b) for a, b in pairs])
    assert list(tmp_path.glob("embeddings-verifier-*.sqlite"))

    def no_verifier():
        raise AssertionError("the verifier was loaded on a warm run")

    monkeypatch.setattr(verify, "load_verifier", no_verifier)
    assert verify.cached_verdicts(pairs, settings) == cold
    assert verify.cached_verdicts([(b, a) for a, b in pairs], settings) == cold  # a draft first or last: one verdict
    with pytest.raises(AssertionError, match="warm run"):
        verify.cached_verdicts([(SEED_OVERLAPS[0], SEED_OVERLAPS[1])], settings)  # a new pair needs the model


def test_no_cache_writes_no_verdict_file(tmp_path):
    from dedup import verify

    verify.cached_verdicts([(SEED_CLAIM, SEED_OVERLAPS[0])], Settings(cache=False, cache_dir=str(tmp_path)))
    assert not list(tmp_path.iterdir())


def test_wire_template_negatives_keep_out_the_measured_pairs():
    """The training-only data lines come from stories outside the labelled pairs' choose and report parts."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "models"))
    from pairsets import _FIGURE, held_out_corpus_texts, wire_template_negatives

    negatives = wire_template_negatives()
    documents, texts = held_out_corpus_texts()
    assert len(negatives) > 500 and documents and texts
    assert all(p.part == "train" and p.claim == 0.0 and p.a != p.b for p in negatives)
    assert not {p.a for p in negatives} & texts and not {p.b for p in negatives} & texts
    mask = lambda t: _FIGURE.sub("#", t.casefold())  # noqa: E731
    assert all(mask(p.a) == mask(p.b) for p in negatives)  # one template, other figures


@pytest.mark.parametrize("source", ["bbc", "reuters"])
def test_training_samples_keep_out_of_the_measured_parts(source):
    """Pairs drawn for training touch no document of a measured pair, label nothing twice, and only ever train."""
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "models"))
    from pairsets import LABELLED, TRAINING, all_pairs, read_training

    measured = {(p.a, p.b) for p in all_pairs() if p.source == source and p.part != "train"}
    rows = [json.loads(line) for line in TRAINING[source].read_text(encoding="utf-8").splitlines() if line.strip()]
    measured_rows = [json.loads(line) for line in LABELLED[source].read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = {(r["a"], r["b"]) for r in measured_rows}
    documents = {d for r in measured_rows if (r["a"], r["b"]) in measured for d in (r["doc_a"], r["doc_b"])}
    training = read_training(source)
    assert len(documents) > 100
    assert len(training) == len(rows) > 200 and all(p.part == "train" for p in training)
    assert any(p.positive for p in training) and not all(p.positive for p in training)
    assert not {(r["a"], r["b"]) for r in rows} & texts
    assert not {d for r in rows for d in (r["doc_a"], r["doc_b"])} & documents
    assert all(r["label"] in (r["label_1"], r["label_2"]) for r in rows)  # two blind labels, one kept


FEES = (  # reuters_dev, two eurobond issues of different stories: labelled topical twice, blind
    "Fees comprise one pct selling concession with 55 basis points for management and underwriting combined.",
    "Fees comprise one pct selling concession and 1/2 pct for management and underwriting.",
)


def test_both_reports_only_what_the_rule_and_the_verifier_each_accept():
    """``both``: the rule's acceptance confirmed by the verifier at its own point; the verdict is the verifier's."""
    pairs = [(SEED_CLAIM, SEED_OVERLAPS[0]), HUNGARY, FEES, *TEMPLATE_LINES]
    a, b = (list(x) for x in zip(*pairs))
    cosines = np.full(len(pairs), 0.85, dtype=np.float32)
    strict = [False] * len(pairs)
    rule = claim_verdicts(a, b, cosines, strict, Settings(claim_decider="rule"))
    both = claim_verdicts(a, b, cosines, strict, Settings(claim_decider="both"))
    confirming = claim_verdicts(a, b, cosines, strict, Settings(claim_decider="verifier", verifier_threshold=0.3))
    for r, v, got in zip(rule, confirming, both):
        assert (got is not None) == (r is not None and v is not None)
        if got is not None:
            assert got == v  # the verifier's probability and outcome
    assert both[0] is not None and both[0].outcome == "overlap"  # the seeds' S-300, as the verifier reads it
    assert rule[2] is not None and both[2] is None  # the rule links two fee lines; the verifier does not confirm


def test_strict_pairs_need_the_margin_on_top_of_the_point():
    """Two stories or one document: the seeds' reactors overlap (claim probability ~0.64) clears 0.5 only across one story.

    The margin is a setting, so a script that wants a verdict for every gated pair passes 0 instead of
    patching the module.
    """
    a, b = [SEED_CLAIM], [SEED_OVERLAPS[1]]
    cosines = np.array([0.75], dtype=np.float32)
    probability = load_verifier().verdicts([reading_order(a[0], b[0])])[0].claim
    settings = Settings()
    assert settings.verifier_threshold <= probability < settings.verifier_threshold + settings.verifier_strict_margin
    assert claim_verdicts(a, b, cosines, [False], Settings())[0] is not None
    assert claim_verdicts(a, b, cosines, [True], Settings())[0] is None
    assert claim_verdicts(a, b, cosines, [True], Settings(verifier_strict_margin=0.0))[0] is not None


RELEASED = (  # BBC, two articles: one claim reworded, which the verifier reads at a claim probability of ~0.45
    "It was released in the US, and reached number 13 in the singles chart.",
    "The original track was released in the US, and reached number 13 in the singles chart.",
)
CONTENTION = (  # MRPC train, not a paraphrase (the second adds the front-nine score), probability ~0.43
    "\"I had one bad stretch of holes that put me out of contention to win,\" Woods said.",
    "\"I had one bad stretch of holes that put me out of contention,\" Woods said, referring to his 42 on the "
    "front nine Saturday.",
)


def test_sentences_sharing_nearly_all_their_words_need_only_the_lexical_point():
    """Below the claim point, above the lexical one: linked only when the two share nearly every word."""
    from dedup.claims import FEATURES, features_matrix

    settings = Settings()
    pairs = [RELEASED, CONTENTION]
    probabilities = [v.claim for v in load_verifier().verdicts([reading_order(a, b) for a, b in pairs])]
    assert all(settings.verifier_lexical_point <= p < settings.verifier_threshold for p in probabilities), probabilities
    a, b = (list(x) for x in zip(*pairs))
    cosines = np.full(len(pairs), 0.8, dtype=np.float32)
    shared = features_matrix(a, b, cosines)[:, FEATURES.index("token_sort")] * 100
    assert shared[0] >= settings.verifier_lexical_min_ratio > shared[1], shared
    linked = claim_verdicts(a, b, cosines, [False, False], settings)
    assert linked[0] is not None and linked[0].outcome == "overlap" and linked[1] is None
    without = claim_verdicts(a, b, cosines, [False, False], settings.replace(verifier_lexical_point=0.5))
    assert without == [None, None]
    # A strict pair adds the margin to the lexical point too (0.6 here).
    assert claim_verdicts(a, b, cosines, [True, False], settings)[0] is None
    # A point the user gives (--min-score) is the one point for every pair.
    assert claim_verdicts(a, b, cosines, [False, False], settings.replace(min_score=0.5)) == [None, None]


ROCKET = (  # seeds/002, two sentences of one article on the rocket launch: MiniLM cosine ~0.60, verifier ~0.95
    "Iran announced new military achievements just hours before Lavrov\u2019s scheduled arrival and promised to "
    "launch a new rocket into space by the end of next week.",
    "Iran also is scheduled to continue its exploration of space next week when it launches a rocket some 75 "
    "miles into the atmosphere.",
)


def test_the_gate_cosine_is_the_models_own_and_keeps_low_cosine_pairs_from_the_verifier():
    """MiniLM's gate (0.63) leaves out a pair the verifier would accept; a gate at the pair's cosine reads it."""
    from dedup.normalize import normalize
    from dedup.pipeline import embedding_function

    vectors = embedding_function(Settings())([normalize(t) for t in ROCKET])  # a check embeds the keys
    cosine = float(np.dot(vectors[0], vectors[1]))
    assert cosine < Settings().verifier_gate_cosine
    assert Settings(model="fast").verifier_gate_cosine < Settings().verifier_gate_cosine  # each model its own scale
    cosines = np.array([cosine], dtype=np.float32)
    a, b = [ROCKET[0]], [ROCKET[1]]
    assert claim_verdicts(a, b, cosines, [True], Settings())[0] is None
    verdict = claim_verdicts(a, b, cosines, [True], Settings(verifier_min_cosine=cosine))[0]
    assert verdict is not None and verdict.claim >= 0.7

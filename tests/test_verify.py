"""The pair verifier on real labelled pairs, its checksum refusal, and the shared claim gates."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from dedup.models import ModelError
from dedup.settings import Settings
from dedup.verify import VERIFIER_DIR, PairVerifier, claim_verdicts, load_verifier

pytestmark = pytest.mark.slow


def test_verifier_ranks_held_out_mrpc_pairs():
    """On MRPC's report part (never trained on, never used to choose a point): ROC AUC well above the cosine's."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "models"))
    from pairsets import read_mrpc

    pairs = [p for p in read_mrpc() if p.part == "report"]
    scores = load_verifier().probabilities([(p.a, p.b) for p in pairs])[:, 0]
    labels = np.array([p.same for p in pairs]) > 0.5
    pos, neg = scores[labels], scores[~labels]
    auc = float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())
    assert len(pairs) > 300
    assert auc > 0.85  # MiniLM cosine on the same pairs: ~0.75


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


def test_both_deciders_accept_a_reworded_wire_claim():
    # reuters_dev pair labelled "overlap" by both reviewers.
    a = ("Hungary is to devalue the forint by an average of eight pct against Western currencies, "
         "the official news agency MTI said.")
    b = "The official news agency MTI said today Hungary would devalue by eight pct and it expected new rates soon."
    for decider in ("rule", "verifier"):
        verdict = claim_verdicts([a], [b], np.array([0.85], dtype=np.float32), [False], Settings(claim_decider=decider))[0]
        assert verdict is not None, decider
        assert verdict.outcome in ("claim", "same", "overlap")

"""Models load offline from pinned, checksummed files and refuse anything else."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.models import MODELS, PROJECT_MODELS_DIR, ModelError, get_spec, sha256_of, verify

from dedup.documents import read_documents
from dedup.settings import Settings

from .conftest import SEEDS


def test_pinned_checksums_match_the_installed_weights():
    for name in MODELS:
        spec = get_spec(name)
        directory = verify(spec)
        assert sha256_of(directory / spec.weights_file) == spec.sha256
    assert get_spec("accurate").sha256 == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@pytest.fixture
def tampered_models(tmp_path, monkeypatch):
    copy = tmp_path / "models"
    shutil.copytree(PROJECT_MODELS_DIR / "fast", copy / "fast")
    weights = copy / "fast" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # one flipped byte
    weights.write_bytes(bytes(data))
    monkeypatch.setenv("DEDUP_MODELS_DIR", str(copy))
    return copy


def test_tampered_fast_model_is_refused(tampered_models):
    with pytest.raises(ModelError, match="checksum mismatch"):
        verify(get_spec("fast"))


def test_tampered_model_cli_error_is_clear(tampered_models):
    result = CliRunner().invoke(main, ["check", str(SEEDS), "--model", "fast", "--no-cache"])
    assert result.exit_code == 3
    assert "checksum mismatch" in result.stderr and "expected sha256 3ad0f7" in result.stderr


def test_missing_fast_model_is_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("DEDUP_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelError, match="weights not found"):
        verify(get_spec("fast"))


@pytest.mark.slow
def test_both_models_embed_offline_and_agree_on_paraphrases(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from dedup.models import load_embedder

    a = "Russia is to build nine of Iran's 20 nuclear reactors in the coming years."
    b = "An agreement commits Russia to build several new nuclear plants in Iran."
    c = "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn."
    for name, dims in (("accurate", 384), ("fast", 256)):
        vectors = load_embedder(name).encode([a, b, c])
        assert vectors.shape == (3, dims)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
        assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def _bbc_claim_keys(bbc, n: int) -> list[str]:
    """Distinct BBC sentences as dedup embeds them (normalized keys of >= claim_min_words words)."""
    from dedup.normalize import words
    from dedup.pipeline import distinct_keys, segment_documents

    settings = Settings()
    docs, _ = read_documents([bbc / "business", bbc / "sport"], settings)
    keys = distinct_keys(segment_documents(docs[::12]), settings).keys
    return [k for k in keys if len(words(k)) >= settings.claim_min_words][:n]


@pytest.mark.slow
def test_onnx_backend_gives_the_sentence_transformers_vectors(bbc, tmp_path):
    """The cache is keyed by the weights' checksum only: that is sound only while both backends agree this closely."""
    from dedup.models import load_embedder

    texts = _bbc_claim_keys(bbc, 600)
    assert len(texts) >= 500
    onnx = load_embedder("accurate", backend="onnx", cache_dir=tmp_path)
    torch = load_embedder("accurate", backend="torch")
    assert onnx.backend == "onnx" and torch.backend == "torch"
    ours, reference = onnx.encode(texts), torch.encode(texts, batch_size=32)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.9999, cosines.min()

    def nearest(vectors):
        sims = vectors @ vectors.T
        np.fill_diagonal(sims, -2.0)
        return sims.argmax(axis=1)

    assert (nearest(ours) == nearest(reference)).mean() >= 0.995
    # Token counts decide the batches; a different batching must not change a vector.
    np.testing.assert_allclose(onnx.encode(texts[::-1])[::-1], ours, atol=1e-5)


@pytest.mark.slow
def test_onnx_tokenizer_is_the_models_tokenizer(bbc):
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    directory = verify(get_spec("accurate"))
    texts = _bbc_claim_keys(bbc, 2000) + ["word " * 400]  # one past max_seq_length: truncated alike
    ours = Tokenizer.from_file(str(directory / "tokenizer.json"))
    ours.no_padding()
    ours.enable_truncation(256)
    theirs = AutoTokenizer.from_pretrained(str(directory))(texts, truncation=True, max_length=256)["input_ids"]
    assert [e.ids for e in ours.encode_batch(texts)] == theirs


@pytest.mark.slow
def test_corrupted_onnx_file_is_rebuilt(tmp_path):
    from dedup.models import Embedder

    first = Embedder(get_spec("accurate"), "onnx", tmp_path)
    (path,) = (tmp_path / "onnx").glob("*.onnx")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    again = Embedder(get_spec("accurate"), "onnx", tmp_path)
    assert sha256_of(path) == path.with_suffix(".onnx.sha256").read_text().strip()
    text = ["Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn."]
    np.testing.assert_allclose(again.encode(text), first.encode(text), atol=1e-6)
    assert not list((tmp_path / "onnx").glob("*.tmp"))  # no half-written files left behind


@pytest.mark.slow
def test_missing_onnxruntime_falls_back_with_one_warning(monkeypatch, capsys, tmp_path):
    import sys

    from dedup.models import Embedder

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    embedder = Embedder(get_spec("accurate"), "onnx", tmp_path)
    assert embedder.backend == "torch"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ONNX Runtime backend unavailable" in err[0]


def test_backend_comes_from_the_environment(monkeypatch):
    from dedup.models import chosen_backend

    monkeypatch.setenv("DEDUP_BACKEND", "torch")
    assert chosen_backend() == "torch"
    assert chosen_backend("onnx") == "onnx"
    monkeypatch.setenv("DEDUP_BACKEND", "tensorflow")
    with pytest.raises(ModelError, match="unknown backend"):
        chosen_backend()

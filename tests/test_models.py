"""Models load offline from pinned, checksummed files and refuse anything else."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.models import MODELS, PROJECT_MODELS_DIR, ModelError, get_spec, sha256_of, verify

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

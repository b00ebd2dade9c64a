"""The embedding cache: hits on re-runs, keyed by model checksum, never serving another model's vectors."""

from __future__ import annotations

import numpy as np

from dedup.cache import EmbeddingCache

from .conftest import SEED_A

SENTENCES = [line for line in SEED_A.read_text(encoding="utf-8").splitlines() if line.strip()]


class CountingEncoder:
    """A deterministic stand-in for a model: counts what it is asked to encode."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, texts):
        self.seen.extend(texts)
        out = np.array([[len(t), t.count("e"), t.count(" ")] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_second_run_is_all_hits(tmp_path):
    encoder = CountingEncoder()
    cache = EmbeddingCache("accurate", "ab" * 32, tmp_path)
    first = cache.encode(SENTENCES, encoder)
    assert cache.misses == len(set(SENTENCES)) or cache.misses == len(SENTENCES)
    cache.close()
    cache = EmbeddingCache("accurate", "ab" * 32, tmp_path)
    calls_before = len(encoder.seen)
    second = cache.encode(SENTENCES, encoder)
    assert len(encoder.seen) == calls_before  # no model work
    assert cache.hits == len(SENTENCES) and cache.misses == 0
    np.testing.assert_array_equal(first, second)


def test_partial_hits_compute_only_the_new(tmp_path):
    encoder = CountingEncoder()
    cache = EmbeddingCache("fast", "cd" * 32, tmp_path)
    cache.encode(SENTENCES[:5], encoder)
    encoder.seen.clear()
    out = cache.encode(SENTENCES[3:8], encoder)
    assert encoder.seen == SENTENCES[5:8]
    np.testing.assert_allclose(out, CountingEncoder()(SENTENCES[3:8]))


def test_other_checksum_is_another_cache(tmp_path):
    encoder = CountingEncoder()
    EmbeddingCache("accurate", "ab" * 32, tmp_path).encode(SENTENCES, encoder)
    other = EmbeddingCache("accurate", "ef" * 32, tmp_path)
    assert len(other) == 0
    encoder.seen.clear()
    other.encode(SENTENCES[:2], encoder)
    assert encoder.seen == SENTENCES[:2]

"""Matchers on real text: exact keys, MinHash-LSH blocking against brute force, cosine search."""

from __future__ import annotations

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from dedup.documents import read_documents
from dedup.match import exact_groups, fuzzy_pairs, key_hash
from dedup.match import minhash
from dedup.match.semantic import cosine_pairs
from dedup.pipeline import distinct_keys, segment_documents
from dedup.settings import Settings

from .conftest import SEEDS


def test_exact_groups_keep_reading_order():
    groups = exact_groups(["a b", "c d", "a b", "a b"])
    assert groups == {"a b": [0, 2, 3], "c d": [1]}
    assert key_hash("a b") == key_hash("a b") != key_hash("a c")


def test_optimal_bands_follow_threshold():
    loose, strict = minhash.optimal_bands(0.3, 128), minhash.optimal_bands(0.8, 128)
    for bands, rows in (loose, strict):
        assert bands * rows <= 128
    # A stricter threshold needs more rows per band (harder to collide).
    assert strict[1] > loose[1]


def test_signatures_estimate_jaccard():
    a = "the relationship has blossomed under rouhani despite a complicated history".split()
    b = a[:-1] + ["past"]
    sigs = minhash.signatures([a, b, ["unrelated", "words", "only"]], 256)
    estimate = float(np.mean(sigs[0] == sigs[1]))
    true = len(set(a) & set(b)) / len(set(a) | set(b))
    assert abs(estimate - true) < 0.12
    assert float(np.mean(sigs[0] == sigs[2])) < 0.05


@pytest.fixture(scope="module")
def bbc_business_keys(bbc):
    docs, _ = read_documents([bbc / "business"])
    sentences = segment_documents(docs)
    return distinct_keys(sentences, Settings()).keys


def test_signatures_equal_the_textbook_minhash_on_real_text(bbc_business_keys, monkeypatch):
    """Each distinct word is permuted once per chunk; the result must be the per-occurrence minimum.

    The permutation is datasketch's: (a*h + b) in wrapping 64-bit arithmetic, mod 2^61-1, low 32 bits.
    """
    from dedup.normalize import words

    sets = [sorted(set(words(k))) for k in bbc_business_keys[:1500]] + [[]]
    monkeypatch.setattr(minhash, "_CHUNK_TOKENS", 5_000)  # several chunks, words recurring across them
    a, b = minhash._permutations(64)
    expected = np.full((len(sets), 64), (1 << 32) - 1, dtype=np.uint64)
    for row, tokens in enumerate(sets):
        for token in tokens:
            h = minhash._token_hash(token)
            permuted = np.array([(((h * int(x) + int(y)) & ((1 << 64) - 1)) % ((1 << 61) - 1)) & ((1 << 32) - 1)
                                 for x, y in zip(a, b)], dtype=np.uint64)
            expected[row] = np.minimum(expected[row], permuted)
    assert np.array_equal(minhash.signatures(sets, 64), expected.astype(np.uint32))


def _pairs_by_bucket(keys: np.ndarray, max_bucket: int) -> set[tuple[int, int]]:
    """The definition: in each band, items sharing a key, each paired with the next ``max_bucket`` in id order."""
    pairs = set()
    for band in range(keys.shape[1]):
        buckets: dict[int, list[int]] = {}
        for item, key in enumerate(keys[:, band].tolist()):
            buckets.setdefault(key, []).append(item)
        for members in buckets.values():
            for x, i in enumerate(members):
                pairs.update((i, j) for j in members[x + 1 : x + 1 + max_bucket])
    return pairs


def test_candidate_pairs_are_the_bucket_pairs_on_near_copies(bbc_business_keys):
    """Blocking is vectorised by offset; it must give exactly the pairs of every bucket, windowed alike."""
    from dedup.match.fuzzy import candidate_keys

    originals = bbc_business_keys[:600]
    # Near copies as a wire rewrite makes them: one word changed, so most buckets hold two or three keys.
    copies = [" ".join(w + "s" if n == 2 else w for n, w in enumerate(k.split())) for k in originals[::2]]
    keys = candidate_keys(originals + copies + [originals[5]] * 12)  # and one bucket of 13 identical keys
    for window in (500, 3):
        found = minhash.candidate_pairs(keys, max_bucket=window)
        assert found.dtype == np.int64 and np.all(found[:, 0] < found[:, 1])
        assert [tuple(p) for p in found.tolist()] == sorted(_pairs_by_bucket(keys, window))
    assert len(minhash.candidate_pairs(keys)) > 300 + 78  # the copies and the 13-key bucket are there
    assert minhash.candidate_pairs(keys[:1]).shape == (0, 2)


def test_lsh_blocking_finds_what_brute_force_finds(bbc_business_keys):
    keys = bbc_business_keys
    assert len(keys) > 8000
    brute = set()
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=90, workers=-1, dtype=np.uint8)
    for i, j in zip(*np.nonzero(scores)):
        if i < j:
            brute.add((int(i), int(j)))
    found = {(i, j) for i, j, _ in fuzzy_pairs(keys, 90)}
    assert len(brute) > 30  # the business section has real near-duplicates
    assert found <= brute
    assert len(found & brute) / len(brute) >= 0.98


def test_cosine_pairs_match_brute_force_and_respect_top_k():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 32)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    near = base[:50] + 0.05 * rng.normal(size=(50, 32)).astype(np.float32)
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    emb = np.vstack([base, near])
    sims = emb @ emb.T
    expected = {(i, j) for i in range(len(emb)) for j in range(i + 1, len(emb)) if sims[i, j] >= 0.9}
    got = {(i, j) for i, j, _ in cosine_pairs(emb, 0.9, top_k=10)}
    assert got == expected and len(expected) >= 50
    only_one = cosine_pairs(emb, -1.0, top_k=1)
    assert len(only_one) <= len(emb)


def test_seed_keys_exclude_short_boilerplate():
    docs, _ = read_documents([SEEDS])
    keys = distinct_keys(segment_documents(docs), Settings()).keys
    assert "december 11, 2013" not in keys and "sergei lavrov / ap" not in keys
    assert "iran, russia boost ties" in keys  # a 4-word headline is kept


@pytest.fixture(scope="module")
def bbc_embeddings(bbc):
    """MiniLM vectors of ~3,000 distinct BBC sentences, as the semantic matcher receives them."""
    from dedup.normalize import words
    from dedup.pipeline import embedding_function

    settings = Settings()
    docs, _ = read_documents([bbc / "politics", bbc / "tech"], settings)
    keys = [k for k in distinct_keys(segment_documents(docs[::3]), settings).keys if len(words(k)) >= 6]
    return embedding_function(settings)(keys[:3000])


@pytest.mark.slow
def test_ann_finds_what_exact_search_finds_on_bbc(bbc_embeddings):
    emb = bbc_embeddings
    assert len(emb) >= 2500
    exact = {(i, j): s for i, j, s in cosine_pairs(emb, 0.55, 20, ann_min_rows=1 << 62)}
    ann = {(i, j): s for i, j, s in cosine_pairs(emb, 0.55, 20, ann_min_rows=0)}  # forced past the threshold
    assert len(exact) > 2000
    assert len(exact.keys() & ann.keys()) / len(exact) >= 0.99
    # Cosines are recomputed, never the index's estimate: a found pair has its exact score.
    assert max(abs(exact[p] - ann[p]) for p in exact.keys() & ann.keys()) < 1e-5
    assert all(s >= 0.55 for s in ann.values())
    assert cosine_pairs(emb, 0.55, 20, ann_min_rows=0) == [(i, j, s) for (i, j), s in ann.items()]  # same every run


@pytest.mark.slow
def test_ann_with_queries_only_searches_their_rows(bbc_embeddings):
    emb = bbc_embeddings
    queries = np.arange(0, len(emb), 5)
    exact = {(i, j) for i, j, _ in cosine_pairs(emb, 0.55, 20, queries=queries, ann_min_rows=1 << 62)}
    ann = {(i, j) for i, j, _ in cosine_pairs(emb, 0.55, 20, queries=queries, ann_min_rows=0)}
    chosen = set(queries.tolist())
    assert all(i in chosen or j in chosen for i, j in ann)
    assert len(exact & ann) / len(exact) >= 0.99


def test_ann_threshold_is_a_setting():
    from dedup.settings import ANN_MIN_ROWS

    rng = np.random.default_rng(1)
    emb = rng.normal(size=(400, 16)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    assert ANN_MIN_ROWS > len(emb)  # small inputs take the exact path by default
    exact = cosine_pairs(emb, 0.6, 5)
    assert exact == cosine_pairs(emb, 0.6, 5, ann_min_rows=1 << 62)
    # So few rows make so few cells that every cell is probed: the index then finds exactly what exact search does.
    forced = cosine_pairs(emb, 0.6, 5, ann_min_rows=0)
    assert [(i, j) for i, j, _ in forced] == [(i, j) for i, j, _ in exact] and len(exact) > 20
    np.testing.assert_allclose([s for *_, s in forced], [s for *_, s in exact], atol=1e-6)

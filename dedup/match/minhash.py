"""MinHash signatures and LSH banding, vectorised with NumPy.

This is the candidate-blocking step of the fuzzy matcher: instead of scoring
all n² sentence pairs, only pairs that share a whole band of their MinHash
signature are scored.  As in datasketch's ``MinHashLSH``, the number of bands
and rows is derived from the Jaccard threshold the caller wants, by minimising
the (equally weighted) false-positive and false-negative probability mass.

Token hashes are BLAKE2b-derived and the permutations come from a fixed seed,
so signatures, and therefore candidate keys, are identical in every process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_SEED = 1
_CHUNK_TOKENS = 200_000


def _integrate(f, a: float, b: float, steps: int = 200) -> float:
    xs = np.linspace(a, b, steps)
    return float(np.trapezoid(f(xs), xs))


@lru_cache(maxsize=32)
def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) with bands*rows <= num_perm minimising FP + FN mass around ``threshold``."""
    best, best_error = (1, num_perm), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = _integrate(lambda s: 1 - (1 - s**rows) ** bands, 0.0, threshold)
            fn = _integrate(lambda s: (1 - s**rows) ** bands, threshold, 1.0)
            if fp + fn < best_error:
                best, best_error = (bands, rows), fp + fn
    return best


def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "little")


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(_SEED)
    a = rng.randint(1, int(_MERSENNE), size=num_perm, dtype=np.uint64)
    b = rng.randint(0, int(_MERSENNE), size=num_perm, dtype=np.uint64)
    return a, b


def signatures(token_sets: Sequence[Sequence[str]], num_perm: int) -> np.ndarray:
    """One MinHash signature (uint32[num_perm]) per token set; empty sets get all-max signatures.

    A token is hashed once per call and permuted once per chunk (most words
    recur), and the minimum is taken over a gather of those rows: the same
    signatures as permuting every occurrence, at a fraction of the work.
    """
    a, b = _permutations(num_perm)
    out = np.full((len(token_sets), num_perm), np.uint32(_MAX_HASH), dtype=np.uint32)
    index: dict[str, int] = {}
    hashes: list[int] = []

    def token_id(token: str) -> int:
        found = index.get(token)
        if found is None:
            found = index[token] = len(hashes)
            hashes.append(_token_hash(token))
        return found

    start = 0
    while start < len(token_sets):
        # Take whole sets until the chunk holds about _CHUNK_TOKENS tokens (bounded memory).
        stop, count = start, 0
        while stop < len(token_sets) and (count == 0 or count + len(token_sets[stop]) <= _CHUNK_TOKENS):
            count += len(token_sets[stop])
            stop += 1
        lengths = np.fromiter((len(token_sets[i]) for i in range(start, stop)), dtype=np.int64, count=stop - start)
        ids = np.fromiter(
            (token_id(t) for i in range(start, stop) for t in token_sets[i]), dtype=np.int64, count=int(lengths.sum())
        )
        if ids.size:
            distinct, inverse = np.unique(ids, return_inverse=True)
            token_hashes = np.fromiter((hashes[i] for i in distinct.tolist()), dtype=np.uint64, count=distinct.size)
            with np.errstate(over="ignore"):
                permuted = (((token_hashes[:, None] * a[None, :] + b[None, :]) % _MERSENNE) & _MAX_HASH).astype(np.uint32)
            nonempty = np.flatnonzero(lengths)
            offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
            out[start + nonempty] = np.minimum.reduceat(permuted[inverse], offsets, axis=0)
        start = stop
    return out


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """uint64 key per (item, band): items sharing a key in some band are candidates."""
    rng = np.random.RandomState(_SEED + 1)
    mix = rng.randint(1, 1 << 62, size=rows, dtype=np.uint64) | np.uint64(1)
    keys = np.empty((sigs.shape[0], bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            block = sigs[:, band * rows : (band + 1) * rows].astype(np.uint64)
            keys[:, band] = (block * mix[None, :]).sum(axis=1, dtype=np.uint64) ^ np.uint64(band)
    return keys


def candidate_pairs(keys: np.ndarray, max_bucket: int = 500) -> np.ndarray:
    """Unique (i, j), i < j, of items that share a band key.

    A bucket larger than ``max_bucket`` is compared only along its sorted
    order with a window of ``max_bucket`` (so a degenerate band cannot make
    the step quadratic); real near-duplicate groups are far smaller.

    Vectorised by offset rather than by bucket: step ``k`` pairs every item
    with the one ``k`` places after it in its bucket, over the items whose
    bucket is still longer than ``k``.  A corpus of near-duplicates has a
    small bucket for nearly every item in every band, and a Python loop over
    the buckets cost more than everything else in the fuzzy stage.
    """
    n_items, n_bands = keys.shape
    if n_items < 2:
        return np.zeros((0, 2), dtype=np.int64)
    codes = []
    for band in range(n_bands):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        sorted_keys = column[order]
        boundaries = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
        sizes = np.diff(np.concatenate(([0], boundaries, [n_items])))
        bucket_end = np.repeat(np.concatenate((boundaries, [n_items])), sizes)  # per sorted position
        active = np.flatnonzero(bucket_end - np.arange(n_items) > 1)
        offset = 1
        while active.size and offset <= max_bucket:
            left, right = order[active], order[active + offset]
            codes.append(np.minimum(left, right).astype(np.int64) * n_items + np.maximum(left, right))
            offset += 1
            active = active[bucket_end[active] - active > offset]
    if not codes:
        return np.zeros((0, 2), dtype=np.int64)
    unique = np.unique(np.concatenate(codes))
    return np.stack((unique // n_items, unique % n_items), axis=1)

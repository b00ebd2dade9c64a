"""Fuzzy matching: near-identical wording, found by MinHash-LSH and confirmed by rapidfuzz.

Blocking uses word-set MinHash (a sentence with one word changed keeps most of
its word set) and the verification is ``rapidfuzz.fuzz.ratio`` on the
normalized keys, the normalized Indel similarity that also sees character
edits (typos, "said"/"says").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz

from ..normalize import words
from ..settings import LSH_JACCARD, LSH_NUM_PERM
from . import minhash

KeyPair = tuple[int, int, float]


def candidate_keys(keys: Sequence[str], threshold: float = LSH_JACCARD, num_perm: int = LSH_NUM_PERM) -> np.ndarray:
    """LSH band keys (uint64, one row per key): the blocking step, usable per batch."""
    bands, rows = minhash.optimal_bands(threshold, num_perm)
    sigs = minhash.signatures([sorted(set(words(k))) for k in keys], num_perm)
    return minhash.band_keys(sigs, bands, rows)


def verify(keys: Sequence[str], pairs: np.ndarray, min_ratio: float) -> list[KeyPair]:
    """Keep the candidate pairs whose fuzz.ratio reaches ``min_ratio``; score in [0, 1]."""
    found = []
    # The Indel ratio of two strings cannot exceed 2*min(len)/(len_a+len_b): skip hopeless pairs.
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    for i, j in pairs.tolist():
        la, lb = lengths[i], lengths[j]
        if 200.0 * min(la, lb) / (la + lb) < min_ratio:
            continue
        score = fuzz.ratio(keys[i], keys[j], score_cutoff=min_ratio)
        if score:
            found.append((i, j, score / 100.0))
    return found


def fuzzy_pairs(keys: Sequence[str], min_ratio: float) -> list[KeyPair]:
    """Pairs of distinct keys with near-identical wording."""
    if len(keys) < 2:
        return []
    return verify(keys, minhash.candidate_pairs(candidate_keys(keys)), min_ratio)

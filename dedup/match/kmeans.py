"""Spherical k-means: the partitions of the embedding space a distributed semantic search probes."""

from __future__ import annotations

import numpy as np


def kmeans(sample: np.ndarray, k: int, iterations: int = 25, seed: int = 0) -> np.ndarray:
    """Spherical k-means (k-means++ start, fixed seed): unit centroids of the sampled embeddings."""
    rng = np.random.default_rng(seed)
    k = max(1, min(k, len(sample)))
    centroids = [sample[rng.integers(len(sample))]]
    for _ in range(1, k):
        distance = np.clip(1.0 - np.max(sample @ np.array(centroids).T, axis=1), 0.0, None)
        total = distance.sum()
        pick = rng.integers(len(sample)) if total <= 0 else rng.choice(len(sample), p=distance / total)
        centroids.append(sample[pick])
    centroids = np.array(centroids)
    for _ in range(iterations):
        assignment = np.argmax(sample @ centroids.T, axis=1)
        for c in range(k):
            members = sample[assignment == c]
            if len(members):
                mean = members.mean(axis=0)
                centroids[c] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return centroids.astype(np.float32)

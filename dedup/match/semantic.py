"""Semantic candidates: sentence pairs whose embeddings are close.

Exact blocked search: the normalized embedding matrix is multiplied against
itself one block of rows at a time, so memory stays at block × n floats while
every pair above the floor is found (no approximation to explain away).  Each
sentence keeps at most ``top_k`` neighbours: in a topical corpus hundreds of
sentences can clear a loose floor, and only the nearest can be the same claim.
"""

from __future__ import annotations

import numpy as np

KeyPair = tuple[int, int, float]
_BLOCK_ROWS = 1024


def cosine_pairs(
    embeddings: np.ndarray,
    min_cosine: float,
    top_k: int,
    *,
    queries: np.ndarray | None = None,
) -> list[KeyPair]:
    """Pairs (i, j, cosine), i < j, with cosine >= ``min_cosine``, at most ``top_k`` per row.

    With ``queries`` (row indices), only pairs involving a query row are
    searched: the same function serves "everything against everything" and
    "these drafts against that archive".
    """
    n = embeddings.shape[0]
    if n < 2:
        return []
    rows = np.arange(n) if queries is None else np.asarray(queries, dtype=np.int64)
    found: dict[tuple[int, int], float] = {}
    for start in range(0, len(rows), _BLOCK_ROWS):
        block_rows = rows[start : start + _BLOCK_ROWS]
        sims = embeddings[block_rows] @ embeddings.T
        sims[np.arange(len(block_rows)), block_rows] = -1.0  # never match a sentence with itself
        r, c = np.nonzero(sims >= min_cosine)
        if not len(r):
            continue
        values = sims[r, c]
        # Keep the top_k per row: sort by (row, -value) and cut each row's run.
        order = np.lexsort((-values, r))
        r, c, values = r[order], c[order], values[order]
        row_start = np.searchsorted(r, r, side="left")
        keep = (np.arange(len(r)) - row_start) < top_k
        for ri, ci, v in zip(block_rows[r[keep]].tolist(), c[keep].tolist(), values[keep].tolist()):
            pair = (ri, ci) if ri < ci else (ci, ri)
            if found.get(pair, -2.0) < v:
                found[pair] = v
    return [(i, j, min(1.0, s)) for (i, j), s in sorted(found.items())]

"""Semantic candidates: sentence pairs whose embeddings are close.

Below ``settings.ANN_MIN_ROWS`` searched rows, exact blocked search: the
normalized embedding matrix is multiplied against itself one block of rows at
a time, so memory stays at block × n floats while every pair above the floor
is found.  From there on the quadratic product costs more than an approximate
index: a FAISS inverted-file index (IVF, k-means cells, a fixed seed, so
the same input gives the same pairs on every run) proposes ``top_k`` plus a
margin of neighbours per row, and their cosines are recomputed exactly from
the embeddings, so every returned score is the one exact search would give;
an approximate run can only miss a pair (recall measured >= 0.99 on BBC,
``benchmarks/ann_search.py``), never misreport one.

Each sentence keeps at most ``top_k`` neighbours: in a topical corpus
hundreds of sentences can clear a loose floor, and only the nearest can be
the same claim.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ..settings import ANN_MARGIN, ANN_MIN_ROWS, ANN_NPROBE, ANN_CELLS_PER_SQRT_ROW

KeyPair = tuple[int, int, float]
_BLOCK_ROWS = 1024
# FAISS's k-means wants >= 39 training points per cell and says so on stderr otherwise.
_MIN_POINTS_PER_CELL = 39


def cosine_pairs(
    embeddings: np.ndarray,
    min_cosine: float,
    top_k: int,
    *,
    queries: np.ndarray | None = None,
    ann_min_rows: int | None = None,
) -> list[KeyPair]:
    """Pairs (i, j, cosine), i < j, with cosine >= ``min_cosine``, at most ``top_k`` per row.

    With ``queries`` (row indices), only pairs involving a query row are
    searched: the same function serves "everything against everything" and
    "these drafts against that archive".  ``ann_min_rows`` overrides the
    number of searched rows from which the approximate index is used.
    """
    n = embeddings.shape[0]
    if n < 2:
        return []
    rows = np.arange(n) if queries is None else np.asarray(queries, dtype=np.int64)
    threshold = ANN_MIN_ROWS if ann_min_rows is None else ann_min_rows
    blocks = _exact_blocks(embeddings, rows)
    if len(rows) >= threshold:
        try:
            blocks = _ann_blocks(embeddings, rows, top_k + ANN_MARGIN)
        except ImportError:  # faiss missing: exact search is slower, never wrong
            pass
    found: dict[tuple[int, int], float] = {}
    for block_rows, columns, sims in blocks:
        r, c = np.nonzero(sims >= min_cosine)
        if not len(r):
            continue
        values, cols = sims[r, c], columns[r, c]
        keep = top_k_per_row(r, cols, values, top_k)
        for ri, ci, v in zip(block_rows[r[keep]].tolist(), cols[keep].tolist(), values[keep].tolist()):
            pair = (ri, ci) if ri < ci else (ci, ri)
            if found.get(pair, -2.0) < v:
                found[pair] = v
    return [(i, j, min(1.0, s)) for (i, j), s in sorted(found.items())]


def top_k_per_row(rows: np.ndarray, columns: np.ndarray, values: np.ndarray, top_k: int) -> np.ndarray:
    """Indices of each row's ``top_k`` highest values, ties to the lower column: the one cut both engines make.

    Sorted by (row, -value, column), so the indices come in that order.
    """
    order = np.lexsort((columns, -values, rows))
    ranked = rows[order]
    rank = np.arange(len(ranked)) - np.searchsorted(ranked, ranked, side="left")
    return order[rank < top_k]


Block = tuple[np.ndarray, np.ndarray, np.ndarray]  # searched rows, candidate columns, their cosines


def _exact_blocks(embeddings: np.ndarray, rows: np.ndarray) -> Iterator[Block]:
    n = embeddings.shape[0]
    for start in range(0, len(rows), _BLOCK_ROWS):
        block_rows = rows[start : start + _BLOCK_ROWS]
        sims = embeddings[block_rows] @ embeddings.T
        sims[np.arange(len(block_rows)), block_rows] = -np.inf  # never match a sentence with itself
        yield block_rows, np.broadcast_to(np.arange(n), sims.shape), sims


def _ann_blocks(embeddings: np.ndarray, rows: np.ndarray, k: int) -> Iterator[Block]:
    """Candidates from an IVF index; cosines recomputed from the embeddings themselves."""
    neighbours = ann_neighbours(embeddings, rows, k)
    for start in range(0, len(rows), _BLOCK_ROWS):
        block_rows = rows[start : start + _BLOCK_ROWS]
        columns = neighbours[start : start + _BLOCK_ROWS]
        gathered = embeddings[np.maximum(columns, 0)]  # -1: fewer than k found; masked below
        sims = np.einsum("rd,rkd->rk", embeddings[block_rows], gathered)
        sims[(columns < 0) | (columns == block_rows[:, None])] = -np.inf
        yield block_rows, columns, sims


def ann_neighbours(embeddings: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Row ids of about the ``k`` nearest neighbours of each of ``rows`` (``-1`` pads), by inner product.

    The cell count grows with the square root of the corpus (the usual IVF
    rule) and ``ANN_NPROBE`` cells are visited per query: the pair recall
    and speed measured in ``benchmarks/ann_search.py``.  k-means has a fixed
    seed, so the index, and the pairs, are the same on every run.
    """
    import faiss

    from ..models import available_cores

    faiss.omp_set_num_threads(available_cores())
    data = np.ascontiguousarray(embeddings, dtype=np.float32)
    n, dims = data.shape
    cells = max(1, min(int(ANN_CELLS_PER_SQRT_ROW * math.sqrt(n)), n // _MIN_POINTS_PER_CELL))
    quantizer = faiss.IndexFlatIP(dims)
    index = faiss.IndexIVFFlat(quantizer, dims, cells, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = 1234
    index.train(data)
    index.add(data)
    index.nprobe = min(ANN_NPROBE, cells)
    _, ids = index.search(np.ascontiguousarray(data[rows]), min(k + 1, n))  # +1: a row finds itself
    return ids.astype(np.int64)

"""Where does approximate nearest-neighbour search pay, and what does it miss?

    python benchmarks/ann_search.py [--sizes 5000,10000,15000,20000,all] [--repeats 3] [--peers]

Embeddings are dedup's own: the MiniLM vectors of the distinct BBC sentences
of >= claim_min_words words (through the embedding cache, so a second run
does no model work), the first n of them in corpus order for each size.
For each size, ``cosine_pairs`` runs exact (blocked matrix product) and
approximate (FAISS IVF, settings.ANN_*), round-robin ``--repeats`` times;
reported: median seconds, exact/ANN ratio, and the recall of the exact pairs
(cosine >= SEMANTIC_MIN_COSINE, top SEMANTIC_TOP_K per row), for the full
search and for one row in three as ``queries``.  ``--peers`` also times the
candidate indexes that were considered: usearch HNSW and FAISS HNSW.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CORPUS = Path(os.environ.get("DEDUP_SHARED", Path(__file__).resolve().parent.parent.parent / "shared")) / "corpora" / "bbc"


def bbc_embeddings() -> np.ndarray:
    from dedup.documents import read_documents
    from dedup.normalize import words
    from dedup.pipeline import distinct_keys, embedding_function, segment_documents
    from dedup.settings import Settings

    settings = Settings(progress=sys.stderr.isatty())
    docs, _ = read_documents([CORPUS], settings)
    keys = [k for k in distinct_keys(segment_documents(docs), settings).keys if len(words(k)) >= settings.claim_min_words]
    return embedding_function(settings)(keys)


def hnsw_pairs(kind: str, emb: np.ndarray, min_cosine: float, top_k: int) -> set[tuple[int, int]]:
    """Pairs from an HNSW candidate list, cosines recomputed: the alternatives to IVF."""
    k = top_k + 11
    if kind == "usearch":
        from usearch.index import Index

        index = Index(ndim=emb.shape[1], metric="ip", dtype="f32", connectivity=16, expansion_add=128, expansion_search=64)
        index.add(np.arange(len(emb)), emb, threads=1)  # one thread: a deterministic graph
        ids = np.asarray(index.search(emb, k, threads=2).keys).astype(np.int64)
    else:
        import faiss

        index = faiss.IndexHNSWFlat(emb.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 128
        index.add(emb)
        index.hnsw.efSearch = 64
        ids = index.search(emb, k)[1].astype(np.int64)
    pairs = set()
    for r, cols in enumerate(ids):
        cols = cols[(cols >= 0) & (cols != r)]
        sims = emb[cols] @ emb[r]
        order = np.lexsort((cols, -sims))
        for c in cols[order][sims[order] >= min_cosine][:top_k].tolist():
            pairs.add((min(r, c), max(r, c)))
    return pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5000,10000,15000,20000,all")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--peers", action="store_true", help="also time usearch and FAISS HNSW")
    args = ap.parse_args()
    from dedup.match.semantic import cosine_pairs
    from dedup.settings import ANN_NPROBE, SEMANTIC_MIN_COSINE, SEMANTIC_TOP_K

    emb = bbc_embeddings()
    print(f"{len(emb)} BBC sentence embeddings; load {os.getloadavg()[0]:.2f}; IVF nprobe {ANN_NPROBE}", flush=True)
    never, always = 1 << 62, 0
    print(f"{'rows':>7s} {'exact s':>8s} {'ANN s':>7s} {'exact/ANN':>9s} {'recall':>7s} {'recall (queries)':>16s}")
    for size in args.sizes.split(","):
        n = len(emb) if size == "all" else min(int(size), len(emb))
        e = np.ascontiguousarray(emb[:n])
        times: dict[str, list[float]] = {"exact": [], "ann": []}
        results = {}
        for _ in range(args.repeats):
            for name, threshold in (("exact", never), ("ann", always)):
                t0 = time.perf_counter()
                results[name] = cosine_pairs(e, SEMANTIC_MIN_COSINE, SEMANTIC_TOP_K, ann_min_rows=threshold)
                times[name].append(time.perf_counter() - t0)
        exact = {(i, j) for i, j, _ in results["exact"]}
        ann = {(i, j) for i, j, _ in results["ann"]}
        queries = np.arange(0, n, 3)
        exact_q = {(i, j) for i, j, _ in cosine_pairs(e, SEMANTIC_MIN_COSINE, SEMANTIC_TOP_K, queries=queries, ann_min_rows=never)}
        ann_q = {(i, j) for i, j, _ in cosine_pairs(e, SEMANTIC_MIN_COSINE, SEMANTIC_TOP_K, queries=queries, ann_min_rows=always)}
        te, ta = statistics.median(times["exact"]), statistics.median(times["ann"])
        print(f"{n:7d} {te:8.2f} {ta:7.2f} {te / ta:9.2f} {len(exact & ann) / len(exact):7.4f} "
              f"{len(exact_q & ann_q) / len(exact_q):16.4f}", flush=True)
        if args.peers:
            for kind in ("usearch", "faiss-hnsw"):
                t0 = time.perf_counter()
                got = hnsw_pairs(kind, e, SEMANTIC_MIN_COSINE, SEMANTIC_TOP_K)
                print(f"        {kind}: {time.perf_counter() - t0:.2f} s, recall {len(exact & got) / len(exact):.4f}", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

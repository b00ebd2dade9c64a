"""The Ray engine's stage adapters: the library's stages (reading, splitting, exact, fuzzy, semantic
search and judging) as ``map_batches`` / ``map_groups`` functions over Arrow rows, and the row ids.

Sentence ids are order-preserving 64-bit numbers (input file, record, sentence), so "first
occurrence" and every tie-break fall where the local run puts them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .core import METHOD_CODE, ClaimEvidence, Match, Problem
from .documents import read_file
from .group import Edges, reduce_edges
from .match import exact_groups, key_hash
from .match.exact import signed64
from .match import minhash
from .match.fuzzy import candidate_keys, verify
from .match.semantic import cosine_pairs, top_k_per_row
from .normalize import words
from .pipeline import SemanticCandidate, eligibility, is_strict, judge_semantic, segment_documents
from .plan import Linked
from .pipeline import embedding_function, story_vector
from .settings import RAY_PARTITION_ROWS
from .settings import Settings


# Bits of a sentence id: input file | record in the file | sentence in the document.
FILE_BITS, RECORD_BITS, SENTENCE_BITS = 20, 23, 20

DOC, SENTENCE, PROBLEM, MEMBER = 0, 1, 2, 3



# --------------------------------------------------------------------------- ids


def doc_key(file_rank: int, record: int | None) -> int:
    return (file_rank << RECORD_BITS) | (record or 0)


def sentence_id(doc: int, position: int) -> int:
    return (doc << SENTENCE_BITS) | position



# --------------------------------------------------------------------------- stage 1: read, split, hash


def _schema():
    import pyarrow as pa

    return pa.schema([
        ("kind", pa.int8()), ("rank", pa.int64()), ("doc", pa.int64()), ("sid", pa.int64()),
        ("h", pa.int64()), ("key", pa.string()), ("text", pa.string()),
        ("start", pa.int64()), ("end", pa.int64()), ("nwords", pa.int64()), ("path", pa.string()),
        ("record", pa.int64()), ("id", pa.string()), ("encoding", pa.string()), ("count", pa.int64()),
        ("message", pa.string()),
    ])


def read_stage(batch: dict, settings: Settings):
    """Input files → one row per document, per eligible sentence and per input problem."""
    import pyarrow as pa

    rows: list[dict] = []
    eligible = eligibility(settings)
    for rank, path in zip(batch["rank"].tolist(), batch["path"].tolist()):
        problems: list[Problem] = []
        for document in read_file(Path(path), settings, problems):
            record = document.record or 0
            if record >= 1 << RECORD_BITS:
                problems.append(Problem(document.name, f"skipped: more than {1 << RECORD_BITS:,} records in one file"))
                continue
            doc = doc_key(rank, document.record)
            sentences = segment_documents([document])
            if len(sentences) >= 1 << SENTENCE_BITS:
                problems.append(Problem(document.name, f"skipped: more than {1 << SENTENCE_BITS:,} sentences"))
                continue
            rows.append({
                "kind": DOC, "rank": rank, "doc": doc, "text": document.text, "path": document.path,
                "record": document.record, "id": document.id, "encoding": document.encoding,
                "count": len(sentences),
            })
            for s in sentences:
                if not eligible(s):
                    continue
                h = signed64(key_hash(s.normalized))
                rows.append({
                    "kind": SENTENCE, "rank": rank, "doc": doc, "sid": sentence_id(doc, s.index), "h": h,
                    "key": s.normalized, "text": s.text, "start": s.start, "end": s.end,
                    "nwords": len(words(s.normalized)),
                })
        rows.extend({"kind": PROBLEM, "rank": rank, "path": p.path, "message": p.message} for p in problems)
    return pa.Table.from_pylist(rows, schema=_schema())


def select_rows(table, kind: int, columns: Sequence[str]):
    import pyarrow.compute as pc

    return table.filter(pc.equal(table["kind"], kind)).select(list(columns))


def sentence_stage(table, partitions: int):
    """Sentence rows with their shuffle partition: the key hash modulo the partition count."""
    import pyarrow as pa

    table = select_rows(table, SENTENCE, ["sid", "doc", "h", "key", "text", "nwords"])
    return table.append_column("part", pa.array(table["h"].to_numpy() % partitions))


def with_words_stage(table, min_words: int):
    import pyarrow.compute as pc

    return table.filter(pc.greater_equal(table["nwords"], min_words))


# --------------------------------------------------------------------------- stage 2: exact


def exact_stage(table):
    """One hash partition → one row per distinct key: its first occurrence and every member."""
    import pyarrow as pa

    table = table.sort_by("sid")
    keys = table["key"].to_pylist()
    sids = table["sid"].to_pylist()
    docs = table["doc"].to_pylist()
    texts = table["text"].to_pylist()
    nwords = table["nwords"].to_pylist()
    out = {"kid": [], "key": [], "text": [], "doc": [], "nwords": [], "members": [], "docs": []}
    for key, positions in exact_groups(keys).items():
        first = positions[0]
        out["kid"].append(sids[first])
        out["key"].append(key)
        out["text"].append(texts[first])
        out["doc"].append(docs[first])
        out["nwords"].append(nwords[first])
        out["members"].append([sids[p] for p in positions])
        out["docs"].append(sorted({docs[p] for p in positions}))
    return pa.table(out, schema=pa.schema([
        ("kid", pa.int64()), ("key", pa.string()), ("text", pa.string()), ("doc", pa.int64()),
        ("nwords", pa.int64()), ("members", pa.list_(pa.int64())), ("docs", pa.list_(pa.int64())),
    ]))


# --------------------------------------------------------------------------- stage 3: fuzzy


def band_stage(table, partitions: int):
    """Distinct keys → one row per (key, LSH band), partitioned by band key.

    A band key already mixes in its band (``minhash.band_keys``), so it alone
    names a bucket: no band column travels through the shuffle.
    """
    import pyarrow as pa

    keys = table["key"].to_pylist()
    bands = candidate_keys(keys).view(np.int64) if keys else np.zeros((0, 1), dtype=np.int64)
    n_bands = bands.shape[1]
    kid = np.repeat(table["kid"].to_numpy(), n_bands)
    flat = bands.reshape(-1)
    return pa.table({
        "part": flat % partitions, "bkey": flat, "kid": kid,
        "key": pa.array(np.repeat(np.array(keys, dtype=object), n_bands), type=pa.string()),
    })


def fuzzy_stage(table, min_ratio: float, partitions: int):
    """One band-key partition → its verified fuzzy edges, as stars.

    The rows are (key, band) pairs; keys sharing a band key are candidates, as
    in ``minhash.candidate_pairs`` locally.  A pair that shares several bands
    held by this partition is verified once; one sharing bands that landed in
    other partitions is verified there too, and ``reduce_edges`` merges them.
    """
    import pyarrow as pa

    if table.num_rows < 2:
        return _edge_table(Edges.of([]), partitions)
    table = table.sort_by([("kid", "ascending")])  # a bucket over max_bucket is windowed in id order
    kid = table["kid"].to_numpy()
    rows = minhash.candidate_pairs(table["bkey"].to_numpy()[:, None])  # one bucket per band key
    distinct, first_row, inverse = np.unique(kid, return_index=True, return_inverse=True)
    pairs = np.unique(np.sort(inverse[rows], axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    texts = table["key"].take(pa.array(first_row)).to_pylist()
    found = verify(texts, pairs, min_ratio)
    a = np.array([distinct[i] for i, _, _ in found], dtype=np.int64)
    b = np.array([distinct[j] for _, j, _ in found], dtype=np.int64)
    scores = np.array([score for _, _, score in found], dtype=np.float64)
    return _edge_table(reduce_edges(Edges(a, b, scores, np.full(len(a), METHOD_CODE["fuzzy"], np.int8))), partitions)


def _edge_table(edges: Edges, partitions: int):
    import pyarrow as pa

    return pa.table({"a": pa.array(edges.a, pa.int64()), "b": pa.array(edges.b, pa.int64()),
                     "score": pa.array(edges.score, pa.float64()), "part": pa.array(edges.a % partitions, pa.int64())})


# --------------------------------------------------------------------------- stage 4: semantic


class EmbedStage:
    """An actor: the embedding model is loaded once and reused for every batch it is given."""

    def __init__(self, settings: Settings):
        self.encode = embedding_function(settings)

    def __call__(self, table):
        import pyarrow as pa

        vectors = self.encode(table["key"].to_pylist()).astype(np.float32)
        return table.append_column("vec", pa.array([v.tobytes() for v in vectors], pa.binary()))


def _vectors(column) -> np.ndarray:
    return np.stack([np.frombuffer(v, dtype=np.float32) for v in column.to_pylist()])


def assign_stage(table, centroids: np.ndarray, probes: int):
    """Each key goes to its ``probes`` nearest centroids (SemDeDup's partitions, with overlap)."""
    import pyarrow as pa

    vectors = _vectors(table["vec"])
    probes = min(probes, len(centroids))
    nearest = np.argsort(-(vectors @ centroids.T), axis=1)[:, :probes]
    rows = np.repeat(np.arange(len(table)), probes)
    out = table.take(pa.array(rows))
    return out.append_column("part", pa.array(nearest.reshape(-1).astype(np.int64)))


def search_stage(table, min_cosine: float, top_k: int, partitions: int):
    """One partition of the space → candidate neighbours (both directions), by exact search inside it."""
    import pyarrow as pa

    table = table.sort_by("kid")
    vectors = _vectors(table["vec"])
    pairs = cosine_pairs(vectors, min_cosine, top_k)
    i, j, cos = (np.array(x, dtype=t) for x, t in zip(zip(*pairs), (np.int64, np.int64, np.float64))) if pairs else (
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
    rows, nbrs = np.concatenate([i, j]), np.concatenate([j, i])
    side = table.select(["kid", "key", "text", "doc"])
    out = side.take(pa.array(rows)).rename_columns(["row", "key_r", "text_r", "doc_r"])
    for name, column in zip(["nbr", "key_n", "text_n", "doc_n"], side.take(pa.array(nbrs)).columns):
        out = out.append_column(name, column)
    out = out.append_column("cos", pa.array(np.concatenate([cos, cos])))
    return out.append_column("part", pa.array(out["row"].to_numpy() % partitions))


def top_k_stage(table, top_k: int, partitions: int):
    """Each key keeps its ``top_k`` nearest candidates over all its partitions, as the local search does."""
    import pyarrow as pa

    row, nbr, cos = table["row"].to_numpy(), table["nbr"].to_numpy(), table["cos"].to_numpy()
    order = np.lexsort((-cos, nbr, row))
    first = np.ones(len(row), dtype=bool)
    first[1:] = (row[order][1:] != row[order][:-1]) | (nbr[order][1:] != nbr[order][:-1])
    table = table.take(pa.array(order[first]))  # a neighbour found in two partitions, once
    row, nbr, cos = table["row"].to_numpy(), table["nbr"].to_numpy(), table["cos"].to_numpy()
    table = table.take(pa.array(top_k_per_row(row, nbr, cos, top_k)))
    # Canonical pair order (a < b), each side's key, text and document with it.
    row, nbr = table["row"].to_numpy(), table["nbr"].to_numpy()
    swap = nbr < row
    out = {"cos": table["cos"]}
    for end, (mine, other) in (("a", ("r", "n")), ("b", ("n", "r"))):
        for field, source in (("", "row"), ("key_", "key"), ("text_", "text"), ("doc_", "doc")):
            ids = {"r": "row", "n": "nbr"}
            first_name = ids[mine] if source == "row" else f"{source}_{mine}"
            second_name = ids[other] if source == "row" else f"{source}_{other}"
            out[f"{field}{end}" if field else end] = pa.array(np.where(
                swap, table[second_name].to_numpy(zero_copy_only=False), table[first_name].to_numpy(zero_copy_only=False)
            ))
    result = pa.table(out)
    return result.append_column("part", pa.array(result["a"].to_numpy() % partitions))


def unique_pairs_stage(table):
    import pyarrow as pa

    a, b, cos = table["a"].to_numpy(), table["b"].to_numpy(), table["cos"].to_numpy()
    order = np.lexsort((-cos, b, a))
    a, b = a[order], b[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return table.take(pa.array(order[first])).drop_columns(["part"])


def story_rows_stage(table, partitions: int):
    """Keys → one row per (document holding the key, key), to average into story vectors."""
    import pyarrow as pa

    docs = table["docs"].to_pylist()
    rows = np.repeat(np.arange(len(table)), [len(d) for d in docs])
    out = table.select(["kid", "vec"]).take(pa.array(rows, pa.int64()))
    doc = np.array([d for ds in docs for d in ds], dtype=np.int64)
    return out.append_column("sdoc", pa.array(doc)).append_column("part", pa.array(doc % partitions))


def story_stage(table):
    import pyarrow as pa

    table = table.sort_by([("sdoc", "ascending"), ("kid", "ascending")])
    doc = table["sdoc"].to_numpy()
    vectors = _vectors(table["vec"])
    starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    ends = np.r_[starts[1:], len(doc)]
    stories = [story_vector(vectors[s:e]).astype(np.float32).tobytes() for s, e in zip(starts, ends)]
    return pa.table({"sdoc": doc[starts], "story": pa.array(stories, pa.binary())})


def terms_stage(table):
    """Document rows → one row per word key with how many of the batch's documents hold it
    (``specificity.document_terms``, as the local run counts), and the row ``""`` holding their word count."""
    import pyarrow as pa

    from .specificity import count_terms

    counts, _, total = count_terms(text or "" for text in select_rows(table, DOC, ["text"])["text"].to_pylist())
    counts[""] = total  # no word key is empty
    return pa.table({"term": pa.array(list(counts), pa.string()), "df": pa.array(list(counts.values()), pa.int64())})


def common_terms_stage(table, cut: int):
    """Summed counts → the words at or above the corpus cut, and the word-count row."""
    import pyarrow.compute as pc

    df = table["sum(df)"]
    return table.filter(pc.or_(pc.greater_equal(df, cut), pc.equal(table["term"], "")))


def judge_stage(table, settings: Settings, stories: list, specificity=None, linked: Linked | None = None):
    """Candidate pairs with both keys' text → semantic repeat and claim edges.

    ``stories`` holds the object references of the story-vector blocks; each
    judging task reads them from the object store (never through the driver).
    ``specificity`` is the corpus's (``engine_ray``: counted by ``terms_stage``).
    A pair ``linked`` already joins is never judged, as in the local engine (the plan's gate).
    """
    import pyarrow as pa
    import ray

    if linked is not None and table.num_rows:
        table = table.filter(pa.array(~linked.joined(table["a"].to_numpy(), table["b"].to_numpy())))

    story = {}
    for block in ray.get(ray.get(stories[0])):  # the list of block references, then the blocks
        for doc, vector in zip(block["sdoc"].to_pylist(), block["story"].to_pylist()):
            story[doc] = np.frombuffer(vector, np.float32)
    cols = {name: table[name].to_pylist() for name in
            ("a", "b", "cos", "key_a", "key_b", "text_a", "text_b", "doc_a", "doc_b")}
    candidates = [
        SemanticCandidate(
            a, b, key_a, key_b, text_a, text_b, min(1.0, cos), doc_a == doc_b,
            is_strict(doc_a == doc_b, story[doc_a], story[doc_b], settings),
        )
        for a, b, cos, key_a, key_b, text_a, text_b, doc_a, doc_b in zip(*cols.values())
    ]
    repeats, claims = judge_semantic(candidates, settings, specificity)
    edges = [*((m, "repeat") for m in repeats), *((m, "claim") for m in claims)]
    return pa.table({
        "a": pa.array([m.a for m, _ in edges], pa.int64()), "b": pa.array([m.b for m, _ in edges], pa.int64()),
        "score": pa.array([m.score for m, _ in edges], pa.float64()),
        "kind": pa.array([k for _, k in edges], pa.string()),
        "evidence": pa.array([None if m.evidence is None else json.dumps(dataclasses.astuple(m.evidence))
                              for m, _ in edges], pa.string()),
    })


def evidence_of_row(described: str | None) -> ClaimEvidence | None:
    """A claim's evidence back from the JSON row it travelled in."""
    if described is None:
        return None
    decider, outcome, probability, cosine, shared = json.loads(described)
    return ClaimEvidence(decider, outcome, probability, cosine, tuple(shared))


def sampled_stage(table, fraction: float):
    """Rows whose key id hashes below ``fraction``: a deterministic sample of the keys."""
    kid = table["kid"].to_numpy().astype(np.uint64)
    mixed = (kid * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(11)  # Fibonacci hashing, top 53 bits
    return table.filter(mixed.astype(np.float64) / float(1 << 53) < fraction)


# --------------------------------------------------------------------------- rows and edges of a run


@dataclass
class RunEdges:
    repeats: Edges  # arrays: most of a big run's edges are repeats
    claims: list[Match]
    templates: Edges = Edges.of([])  # same wording, other figures, other stories (``story.split_templates``)


def partition_count(count: int, workers: int) -> int:
    return max(2 * workers, math.ceil(count / RAY_PARTITION_ROWS))


def document_count(base) -> int:
    return base.map_batches(select_rows, fn_kwargs={"kind": DOC, "columns": ["doc"]}, batch_format="pyarrow").count()


def rows_in(table, column: str, wanted: np.ndarray, kind: int, columns: Sequence[str]):
    import pyarrow as pa
    import pyarrow.compute as pc

    table = select_rows(table, kind, [column, *[c for c in columns if c != column]])
    return table.filter(pc.is_in(table[column], value_set=pa.array(wanted, pa.int64())))

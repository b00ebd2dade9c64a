"""The same pipeline on a Ray cluster: Ray Data runs the library's stages over batches.

This module only decides *who runs* the stages; what they do lives in the
library (``documents.read_file``, ``pipeline.segment_documents`` and
``eligibility``, ``match.key_hash`` and ``exact_groups``, ``fuzzy.candidate_keys``
and ``verify``, ``minhash.candidate_pairs``, ``semantic.cosine_pairs``,
``pipeline.story_vector`` and ``judge_semantic``, ``group.group_matches`` and ``build_finding``), so
a finding means the same thing on both engines.

1. read + split + normalize + hash: ``map_batches`` over the input files.
2. exact: a shuffle on the key hash; each partition groups its keys exactly.
3. fuzzy: MinHash-LSH band keys per batch, a shuffle on the band key, rapidfuzz
   verification in the workers; verified pairs leave the workers as one star per
   component (``group.reduce_edges``), which groups the same.
4. semantic: embeddings from an actor pool (the model is loaded once per actor);
   candidates from a partitioned space as in SemDeDup (spherical k-means
   centroids trained on a sample, each key searched exactly in its nearest two
   partitions), each key's ``top_k`` cut globally, then judged in the workers.
5. grouping: the driver receives the confirmed match edges only and groups
   their ids with ``group.group_matches`` (repeats as components, claims
   around representatives).  With an output directory the findings are then
   built where the text is: a shuffle on the document turns each (sentence,
   finding) pair into its occurrence record, a shuffle on the finding
   assembles each finding with ``group.build_finding`` and
   ``json_report.finding_dict`` and writes it, so the driver never holds a
   document, a sentence or a finding.  Without one, the driver fetches the
   sentences and documents the edges name and builds the report it prints.

Sentence ids are order-preserving 64-bit numbers (input file, record, sentence),
so "first occurrence" and every tie-break fall where the local run puts them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import pickle
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .core import CheckResult, ClaimEvidence, Document, Match, Problem, Sentence
from .documents import STDIN, iter_input_files, read_file
from .files import write_atomic
from .group import Edges, Group, build_finding, components, group_findings, group_matches, reduce_edges
from .match import exact_groups, key_hash
from .match.exact import signed64
from .match import minhash
from .match.fuzzy import candidate_keys, verify
from .match.semantic import cosine_pairs
from .normalize import words
from .pipeline import SemanticCandidate, sentence_conflicts, eligibility, is_strict, judge_semantic, segment_documents, shown
from .pipeline import embedding_function, story_vector
from .settings import PARQUET_SUFFIXES, RAY_PARTITION_ROWS, RAY_SEMANTIC_PARTITION_KEYS, RAY_SEMANTIC_PROBES
from .settings import RAY_SEMANTIC_SAMPLE, RAY_WORKERS, Settings
from .story import StorySignature, split_templates

# Bits of a sentence id: input file | record in the file | sentence in the document.
FILE_BITS, RECORD_BITS, SENTENCE_BITS = 20, 23, 20

DOC, SENTENCE, PROBLEM, MEMBER = 0, 1, 2, 3


class RayEngineError(ValueError):
    """A request the Ray engine cannot run (the CLI exits 2)."""


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide to run.

    ``address`` ``None`` starts a local Ray with ``workers`` CPUs bound to
    loopback; ``"auto"`` or ``"ray://host:10001"`` joins an existing cluster.
    ``workers`` is also the size of the embedding actor pool.
    ``partition_keys`` overrides ``RAY_SEMANTIC_PARTITION_KEYS`` (tests use it to
    force several partitions on a small corpus).
    """

    address: str | None = None
    workers: int = RAY_WORKERS
    output_dir: str | None = None
    partition_keys: int = RAY_SEMANTIC_PARTITION_KEYS


# --------------------------------------------------------------------------- ids


def doc_key(file_rank: int, record: int | None) -> int:
    return (file_rank << RECORD_BITS) | (record or 0)


def sentence_id(doc: int, position: int) -> int:
    return (doc << SENTENCE_BITS) | position


# --------------------------------------------------------------------------- cluster


# Ray 2.60 replaces a 127.0.0.1 node address by the host's own and then listens on every
# interface; in its single-node mode (this variable at 0, made for laptops) it takes 127.0.0.1
# and listens there alone (measured with ``ss -ltnp``).  A local engine is one node.
_SINGLE_NODE_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def connect(address: str | None, workers: int) -> bool:
    """Join or start Ray; True when this call started it (so the caller shuts it down)."""
    import ray

    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address:
        ray.init(address=address, **quiet)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, _node_ip_address="127.0.0.1", **quiet)
    return True


@contextmanager
def _loopback_only(local: bool):
    """A local Ray started in single-node mode, so it listens on loopback alone; put back after.

    The driver reads the mode from ``ray_constants`` (set when ray was first
    imported) and the processes Ray starts read it from the environment, so
    both are set for the session and restored when it ends (a later
    ``--ray-address`` in the same process joins a cluster normally).
    """
    if not local:
        yield
        return
    import ray._private.ray_constants as constants

    saved_env, saved_flag = os.environ.get(_SINGLE_NODE_ENV), getattr(constants, "ENABLE_RAY_CLUSTER", True)
    os.environ[_SINGLE_NODE_ENV] = "0"
    constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        constants.ENABLE_RAY_CLUSTER = saved_flag
        if saved_env is None:
            os.environ.pop(_SINGLE_NODE_ENV, None)
        else:
            os.environ[_SINGLE_NODE_ENV] = saved_env


@contextmanager
def session(address: str | None = None, workers: int = RAY_WORKERS):
    """Ray connected for the block: started here (and stopped after) unless already connected."""
    import ray

    with _loopback_only(local=not address and not ray.is_initialized()):
        started = connect(address, workers)
        try:
            yield
        finally:
            if started:
                ray.shutdown()


def _data_context(progress: bool) -> None:
    import os as _os

    from ray.data import DataContext
    from ray.data.context import ShuffleStrategy

    context = DataContext.get_current()
    context.enable_progress_bars = progress
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False
    strategy = _os.environ.get("DEDUP_RAY_SHUFFLE", "sort_shuffle_pull_based")
    context.shuffle_strategy = ShuffleStrategy(strategy)
    logging.getLogger("ray.data").setLevel(logging.WARNING)


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


def _select(table, kind: int, columns: Sequence[str]):
    import pyarrow.compute as pc

    return table.filter(pc.equal(table["kind"], kind)).select(list(columns))


def sentence_stage(table, partitions: int):
    """Sentence rows with their shuffle partition: the key hash modulo the partition count."""
    import pyarrow as pa

    table = _select(table, SENTENCE, ["sid", "doc", "h", "key", "text", "nwords"])
    return table.append_column("part", pa.array(table["h"].to_numpy() % partitions))


def _with_words(table, min_words: int):
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
    return _edge_table(reduce_edges(Edges(a, b, scores, np.ones(len(a), np.int8))), partitions)


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
    order = np.lexsort((nbr, -cos, row))
    row = row[order]
    rank = np.arange(len(row)) - np.searchsorted(row, row, side="left")
    table = table.take(pa.array(order[rank < top_k]))
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


def judge_stage(table, settings: Settings, stories: list):
    """Candidate pairs with both keys' text → semantic repeat and claim edges.

    ``stories`` holds the object references of the story-vector blocks; each
    judging task reads them from the object store (never through the driver).
    """
    import pyarrow as pa
    import ray

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
    repeats, claims = judge_semantic(candidates, settings)
    edges = [*((m, "repeat") for m in repeats), *((m, "claim") for m in claims)]
    return pa.table({
        "a": pa.array([m.a for m, _ in edges], pa.int64()), "b": pa.array([m.b for m, _ in edges], pa.int64()),
        "score": pa.array([m.score for m, _ in edges], pa.float64()),
        "kind": pa.array([k for _, k in edges], pa.string()),
        "evidence": pa.array([None if m.evidence is None else json.dumps(dataclasses.astuple(m.evidence))
                              for m, _ in edges], pa.string()),
    })


def _evidence(described: str | None) -> ClaimEvidence | None:
    """A claim's evidence back from the JSON row it travelled in."""
    if described is None:
        return None
    decider, outcome, probability, cosine, shared = json.loads(described)
    return ClaimEvidence(decider, outcome, probability, cosine, tuple(shared))


def _sampled(table, fraction: float):
    """Rows whose key id hashes below ``fraction``: a deterministic sample of the keys."""
    kid = table["kid"].to_numpy().astype(np.uint64)
    mixed = (kid * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(11)  # Fibonacci hashing, top 53 bits
    return table.filter(mixed.astype(np.float64) / float(1 << 53) < fraction)


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


# --------------------------------------------------------------------------- the run


@dataclass
class _Edges:
    repeats: Edges  # arrays: most of a big run's edges are repeats
    claims: list[Match]
    templates: Edges = Edges.of([])  # same wording, other figures, other stories (``story.split_templates``)


def _list_inputs(paths: Iterable[str], settings: Settings) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    paths = [str(p) for p in paths]
    if STDIN in paths:
        raise RayEngineError("standard input cannot be read by the Ray engine: give files or directories")
    include = tuple(dict.fromkeys((*settings.include, *(f"*{s}" for s in PARQUET_SUFFIXES))))
    files = [str(f) for f in iter_input_files(paths, problems, include, settings.exclude)]
    if len(files) >= 1 << FILE_BITS:
        raise RayEngineError(f"more than {1 << FILE_BITS:,} input files: pack them into JSON Lines or Parquet shards")
    return files, problems


def _partitions(count: int, workers: int) -> int:
    return max(2 * workers, math.ceil(count / RAY_PARTITION_ROWS))


def _semantic_edges(keys, settings: Settings, options: RayOptions, partitions: int) -> list[tuple[Match, str]]:
    from ray.data import ActorPoolStrategy

    chosen = keys.map_batches(
        _with_words, fn_kwargs={"min_words": settings.claim_min_words}, batch_format="pyarrow"
    ).select_columns(["kid", "key", "text", "doc", "docs"])
    embedded = chosen.map_batches(
        EmbedStage, fn_constructor_kwargs={"settings": settings}, batch_format="pyarrow", batch_size=1024,
        compute=ActorPoolStrategy(size=options.workers),
    ).materialize()
    n = embedded.count()
    if n < 2:
        return []
    k = max(1, round(RAY_SEMANTIC_PROBES * n / options.partition_keys))
    if k > 1:
        fraction = min(1.0, RAY_SEMANTIC_SAMPLE / n)
        # A sample chosen by a hash of the key id and sorted by it: the same centroids on every run,
        # whatever the block layout (Ray's random_sample and take_all order depend on it).
        sample_rows = embedded.select_columns(["kid", "vec"]).map_batches(
            _sampled, fn_kwargs={"fraction": fraction}, batch_format="pyarrow"
        ).take_all()
        sample_rows.sort(key=lambda r: r["kid"])
        sample = np.stack([np.frombuffer(r["vec"], np.float32) for r in sample_rows])
        centroids = kmeans(sample, k)
    else:
        centroids = np.ones((1, 1), dtype=np.float32)
    if len(centroids) == 1:
        assigned = embedded.map_batches(
            lambda t: t.append_column("part", _zeros(len(t))), batch_format="pyarrow"
        )
    else:
        assigned = embedded.map_batches(
            assign_stage, fn_kwargs={"centroids": centroids, "probes": RAY_SEMANTIC_PROBES}, batch_format="pyarrow"
        )
    neighbours = assigned.select_columns(["kid", "key", "text", "doc", "vec", "part"]).groupby("part").map_groups(
        search_stage, batch_format="pyarrow",
        fn_kwargs={"min_cosine": settings.semantic_min_cosine, "top_k": settings.semantic_top_k, "partitions": partitions},
    )
    pairs = (
        neighbours.groupby("part").map_groups(
            top_k_stage, batch_format="pyarrow", fn_kwargs={"top_k": settings.semantic_top_k, "partitions": partitions}
        )
        .groupby("part").map_groups(unique_pairs_stage, batch_format="pyarrow")
    )
    stories = embedded.select_columns(["kid", "vec", "docs"]).map_batches(
        story_rows_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow"
    ).groupby("part").map_groups(story_stage, batch_format="pyarrow").materialize()
    import ray

    story_refs = ray.put(stories.to_arrow_refs())
    judged = pairs.map_batches(
        judge_stage, fn_kwargs={"settings": settings, "stories": [story_refs]}, batch_format="pyarrow"
    )
    return [
        (Match(int(row["a"]), int(row["b"]), float(row["score"]), "semantic", _evidence(row["evidence"])), row["kind"])
        for row in judged.take_all()
    ]


def _zeros(n: int):
    import pyarrow as pa

    return pa.array(np.zeros(n, dtype=np.int64))


def _run(paths: Iterable[str], settings: Settings, options: RayOptions):
    """The stages; returns (base dataset, edges, problems) with Ray already connected."""
    import ray.data

    files, problems = _list_inputs(paths, settings)
    if not files:
        return None, _Edges(Edges.of([]), []), problems
    listing = ray.data.from_items([{"rank": r, "path": p} for r, p in enumerate(files)],
                                  override_num_blocks=max(1, min(len(files), 8 * options.workers)))
    base = listing.map_batches(
        read_stage, fn_kwargs={"settings": settings}, batch_format="numpy", batch_size=16,
    ).materialize()
    partitions = _partitions(base.count(), options.workers)
    problem_rows = base.map_batches(
        _select, fn_kwargs={"kind": PROBLEM, "columns": ["rank", "path", "message"]}, batch_format="pyarrow"
    ).take_all()
    problems.extend(Problem(r["path"], r["message"]) for r in sorted(problem_rows, key=lambda r: r["rank"]))

    sentences = base.map_batches(sentence_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow")
    keys = sentences.groupby("part").map_groups(exact_stage, batch_format="pyarrow").materialize()
    found: list[Edges] = []
    if "exact" in settings.methods:
        found.extend(exact_edges(batch) for batch in keys.select_columns(["members"]).map_batches(
            _repeated, batch_format="pyarrow"
        ).iter_batches(batch_format="pyarrow", batch_size=None))
    if "fuzzy" in settings.methods:
        found.append(_fetch_edges(keys.select_columns(["kid", "key"]).map_batches(
            band_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow"
        ).groupby("part").map_groups(
            fuzzy_stage, fn_kwargs={"min_ratio": settings.fuzzy_min_ratio, "partitions": partitions},
            batch_format="pyarrow",
        ).groupby("part").map_groups(reduce_edges_stage, batch_format="pyarrow")))
    repeats = _concatenate(found)
    claims: list[Match] = []
    if "semantic" in settings.methods:
        ids, root = components(repeats.a, repeats.b)

        def find(i: int) -> int:
            at = int(np.searchsorted(ids, i))
            return int(root[at]) if at < len(ids) and ids[at] == i else i

        # The local path skips pairs already linked by a repeat before judging; same filter, after.
        semantic_repeats = []
        for match, kind in sorted(_semantic_edges(keys, settings, options, partitions), key=lambda e: (e[0].a, e[0].b)):
            if find(match.a) != find(match.b):
                (semantic_repeats if kind == "repeat" else claims).append(match)
        repeats = _concatenate([repeats, Edges.of(semantic_repeats)])
    repeats, templates = _split_templates(base, repeats, settings)
    return base, _Edges(repeats, claims, templates), problems


def _split_templates(base, repeats: Edges, settings: Settings) -> tuple[Edges, Edges]:
    """``story.split_templates`` on the driver, its lookups fetched from the workers (few rows: the ends of
    near-repeats, and the documents of those whose figures differ)."""

    def keys_of(ids: np.ndarray) -> dict[int, str]:
        return {int(r["sid"]): r["key"] for r in base.map_batches(
            _rows_in, batch_format="pyarrow",
            fn_kwargs={"column": "sid", "wanted": ids, "kind": SENTENCE, "columns": ["sid", "key"]},
        ).take_all()} if len(ids) else {}

    def signatures_of(docs: np.ndarray) -> dict[int, StorySignature]:
        return {int(r["doc"]): StorySignature.of(r["text"] or "") for r in base.map_batches(
            _rows_in, batch_format="pyarrow",
            fn_kwargs={"column": "doc", "wanted": docs, "kind": DOC, "columns": ["doc", "text"]},
        ).take_all()} if len(docs) else {}

    return split_templates(repeats, keys_of, lambda ids: ids >> SENTENCE_BITS, signatures_of, settings,
                           settings.boilerplate_documents(_document_count(base)))


def _document_count(base) -> int:
    return base.map_batches(_select, fn_kwargs={"kind": DOC, "columns": ["doc"]}, batch_format="pyarrow").count()


def exact_edges(table) -> Edges:
    """Keys' member lists → exact edges, each later occurrence to the key's first, as arrays."""
    import pyarrow.compute as pc

    members = table["members"]
    flat = pc.list_flatten(members).to_numpy()
    parent = pc.list_parent_indices(members).to_numpy()
    first = np.r_[True, parent[1:] != parent[:-1]] if len(parent) else np.zeros(0, dtype=bool)
    head = flat[first][np.cumsum(first) - 1]
    return Edges(head[~first], flat[~first], np.ones(int((~first).sum())), np.zeros(int((~first).sum()), np.int8))


def _fetch_edges(dataset) -> Edges:
    """Fuzzy edges (stars, see ``group.reduce_edges``), one block at a time, straight into arrays."""
    parts = [(batch["a"], batch["b"], batch["score"]) for batch in dataset.iter_batches(batch_format="numpy", batch_size=None)]
    if not parts:
        return Edges.of([])
    a, b, score = (np.concatenate(column) for column in zip(*parts))
    order = np.lexsort((b, a))
    return Edges(a[order], b[order], score[order], np.ones(len(a), np.int8))


def _concatenate(found: list[Edges]) -> Edges:
    found = [e for e in found if len(e)] or [Edges.of([])]
    return Edges(*(np.concatenate([getattr(e, f) for e in found]) for f in ("a", "b", "score", "method")))


def reduce_edges_stage(table):
    """Stars from several bands (a pair verified in each band it shares) → one star a component."""
    import pyarrow as pa

    a = table["a"].to_numpy()
    edges = reduce_edges(Edges(a, table["b"].to_numpy(), table["score"].to_numpy(), np.ones(len(a), np.int8)))
    return pa.table({"a": edges.a, "b": edges.b, "score": edges.score})


def _repeated(table):
    import pyarrow.compute as pc

    return table.filter(pc.greater(pc.list_value_length(table["members"]), 1))


def _rows_in(table, column: str, wanted: np.ndarray, kind: int, columns: Sequence[str]):
    import pyarrow as pa
    import pyarrow.compute as pc

    table = _select(table, kind, [column, *[c for c in columns if c != column]])
    return table.filter(pc.is_in(table[column], value_set=pa.array(wanted, pa.int64())))


def _documents_and_sentences(base, edges: _Edges):
    """Bring back the documents and sentences the edges name, and every document's metadata, for one report."""
    claim_ends = np.array([i for m in edges.claims for i in (m.a, m.b)], dtype=np.int64)
    wanted = np.unique(np.concatenate([edges.repeats.a, edges.repeats.b, edges.templates.a, edges.templates.b,
                                       claim_ends]))
    sentence_rows = []
    if len(wanted):
        sentence_rows = base.map_batches(
            _rows_in, batch_format="pyarrow",
            fn_kwargs={"column": "sid", "wanted": wanted, "kind": SENTENCE, "columns": ["doc", "start", "end", "key"]},
        ).take_all()
    docs_needed = np.array(sorted({int(r["doc"]) for r in sentence_rows}), dtype=np.int64)
    meta_columns = ["doc", "path", "record", "id", "encoding", "count"]
    with_text = base.map_batches(
        _rows_in, batch_format="pyarrow",
        fn_kwargs={"column": "doc", "wanted": docs_needed, "kind": DOC, "columns": [*meta_columns, "text"]},
    ).take_all() if len(docs_needed) else []
    by_doc = {int(r["doc"]): r for r in with_text}
    for r in base.map_batches(
        _select, fn_kwargs={"kind": DOC, "columns": meta_columns}, batch_format="pyarrow"
    ).take_all():
        by_doc.setdefault(int(r["doc"]), r)
    documents: dict[int, Document] = {}
    counts: dict[int, int] = {}
    for doc in sorted(by_doc):
        r = by_doc[doc]
        document = Document(
            path=r["path"], text=r.get("text") or "", encoding=r["encoding"],
            record=None if r["record"] is None else int(r["record"]), id=r["id"],
        )
        documents[doc] = document
        counts[id(document)] = int(r["count"])
    sentences = {
        int(r["sid"]): Sentence(documents[int(r["doc"])], int(r["start"]), int(r["end"]), r["key"], int(r["sid"]))
        for r in sentence_rows
    }
    return list(documents.values()), sentences, counts


@dataclass
class WrittenResult(CheckResult):
    """A run whose findings went to ``output_dir``: the driver kept only how many, by severity.

    ``documents``, ``sentences`` and ``findings`` are empty: holding them is
    what the output directory is for avoiding.
    """

    output_dir: str = ""
    written: dict[str, int] | None = None  # severity (conflict, repeat, claim) -> findings

    @property
    def finding_count(self) -> int:
        return sum((self.written or {}).values())


def check_ray(
    paths: Iterable[str | os.PathLike],
    settings: Settings | None = None,
    *,
    address: str | None = None,
    workers: int = RAY_WORKERS,
    output_dir: str | os.PathLike | None = None,
    partition_keys: int = RAY_SEMANTIC_PARTITION_KEYS,
) -> CheckResult:
    """``dedup.check`` on Ray: the same findings, the stages run by Ray Data.

    With ``output_dir`` the findings are written there as JSON Lines shards
    (``findings/part-*.jsonl``, one finding of the JSON contract a line) and
    every document's metadata as Parquet (``documents/``), by the workers;
    the result is a ``WrittenResult`` that counts them, so the driver's
    memory does not grow with the documents the findings quote.
    """
    settings = settings or Settings()
    options = RayOptions(address, workers, None if output_dir is None else os.fspath(output_dir), partition_keys)
    with session(options.address, options.workers):
        _data_context(settings.progress)
        base, edges, problems = _run(paths, settings, options)
        if options.output_dir is not None:
            written = _write_outputs(base, edges, options.output_dir, options.workers, settings)
            return WrittenResult([], [], [], problems, {}, output_dir=options.output_dir, written=written)
        if base is None:
            return CheckResult([], [], [], problems, sentence_counts={})
        documents, sentences, counts = _documents_and_sentences(base, edges)
        findings = group_findings(sentences, edges.repeats, edges.claims, sentence_conflicts, edges.templates,
                                  settings.boilerplate_documents(len(documents)))
        return CheckResult(documents, sorted(sentences.values(), key=lambda s: s.index), shown(findings, settings),
                           problems, counts)


# --------------------------------------------------------------------------- findings built in the workers


def _occurrence_schema():
    import pyarrow as pa

    return pa.schema([
        ("kind", pa.int8()), ("doc", pa.int64()), ("sid", pa.int64()), ("fid", pa.int64()),
        ("start", pa.int64()), ("end", pa.int64()), ("key", pa.string()), ("text", pa.string()),
        ("path", pa.string()), ("record", pa.int64()), ("id", pa.string()), ("encoding", pa.string()),
        ("part", pa.int64()),
    ])


def _finding_schema():
    import pyarrow as pa

    return pa.schema([
        ("fid", pa.int64()), ("sid", pa.int64()), ("doc", pa.int64()), ("key", pa.string()),
        ("text", pa.string()), ("occurrence", pa.string()), ("group", pa.string()), ("part", pa.int64()),
    ])


def _conform(table, schema):
    """``table`` with every column of ``schema`` (missing ones null), so unioned rows shuffle together."""
    import pyarrow as pa

    columns = [table[f.name].cast(f.type) if f.name in table.column_names else pa.nulls(len(table), f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def document_rows_stage(table, partitions: int):
    """Document and sentence rows, partitioned by document for the occurrence join."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = table.filter(pc.less_equal(table["kind"], SENTENCE))
    table = table.append_column("part", pa.array(table["doc"].to_numpy() % partitions))
    return _conform(table, _occurrence_schema())


def member_stage(table, partitions: int):
    """(sentence, finding) pairs → rows to join with their documents: a sentence id names its document.

    Run in the workers: the driver puts only the two id columns in the object store.
    """
    import pyarrow as pa

    sid = table["sid"].to_numpy()
    doc = sid >> SENTENCE_BITS
    table = table.append_column("kind", pa.array(np.full(len(sid), MEMBER, np.int8)))
    table = table.append_column("doc", pa.array(doc)).append_column("part", pa.array(doc % partitions))
    return _conform(table, _occurrence_schema())


def occurrence_stage(table, partitions: int):
    """One document partition → each (sentence, finding) pair's occurrence record, made from the document text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .report.json_report import occurrence_dict

    def rows(kind, columns):
        return table.filter(pc.equal(table["kind"], kind)).select(columns).to_pylist()

    members = rows(MEMBER, ["sid", "fid", "doc"])
    wanted = {m["sid"] for m in members}
    documents = {
        r["doc"]: Document(path=r["path"], text=r["text"] or "", encoding=r["encoding"], record=r["record"], id=r["id"])
        for r in rows(DOC, ["doc", "path", "text", "encoding", "record", "id"])
    }
    sentences = {
        r["sid"]: Sentence(documents[r["doc"]], r["start"], r["end"], r["key"], r["sid"])
        for r in rows(SENTENCE, ["sid", "doc", "start", "end", "key"]) if r["sid"] in wanted
    }
    records = {sid: json.dumps(occurrence_dict(s), ensure_ascii=False) for sid, s in sentences.items()}
    sid = [m["sid"] for m in members]
    fid = np.array([m["fid"] for m in members], dtype=np.int64)
    out = pa.table({
        "fid": fid, "sid": pa.array(sid, pa.int64()), "doc": pa.array([m["doc"] for m in members], pa.int64()),
        "key": [sentences[i].normalized for i in sid], "text": [sentences[i].text for i in sid],
        "occurrence": [records[i] for i in sid], "part": fid % partitions,
    })
    return _conform(out, _finding_schema())


def group_rows(groups: Sequence[Group], partitions: int):
    """Each group's ids-only description, keyed by finding number, to meet its occurrences."""
    import pyarrow as pa

    fid = np.arange(len(groups), dtype=np.int64)
    described = [json.dumps([g.kind, g.score, g.methods, g.representative, g.linked,
                             None if g.evidence is None else json.dumps(dataclasses.astuple(g.evidence))])
                 for g in groups]
    return _conform(pa.table({"fid": fid, "group": pa.array(described, pa.string()), "part": fid % partitions}),
                    _finding_schema())


def finding_stage(table, out_dir: str):
    """One finding partition → its findings as JSON Lines, written here; returns their count by severity.

    The file is named by the partition and replaced whole, so a retried task
    rewrites the same shard.  Occurrences stand on a per-finding excerpt of
    each document (its occurrences' text, end to end): ``build_finding`` needs
    only their text, keys and which document they share, and their contract
    records were made beside the full text in ``occurrence_stage``.
    """
    import pyarrow as pa

    from .report.json_report import finding_dict

    part = int(table["part"][0].as_py())
    table = table.sort_by([("fid", "ascending"), ("sid", "ascending")])
    columns = {name: table[name].to_pylist() for name in ("fid", "sid", "doc", "key", "text", "occurrence", "group")}
    by_finding: dict[int, dict] = {}
    for fid, sid, doc, key, text, occurrence, described in zip(*columns.values()):
        entry = by_finding.setdefault(fid, {"group": None, "rows": []})
        if described is not None:
            entry["group"] = json.loads(described)
        else:
            entry["rows"].append((sid, doc, key, text, occurrence))
    lines, counts = [], {}
    for fid in sorted(by_finding):
        entry = by_finding[fid]
        kind, score, methods, representative, linked, evidence = entry["group"]
        excerpts: dict[int, list[str]] = {}
        spans = []
        for sid, doc, key, text, _ in entry["rows"]:
            parts = excerpts.setdefault(doc, [])
            start = sum(len(t) for t in parts)
            parts.append(text)
            spans.append((sid, doc, start, start + len(text), key))
        documents = {doc: Document(path="", text="".join(parts)) for doc, parts in excerpts.items()}
        sentences = {sid: Sentence(documents[doc], start, end, key, sid) for sid, doc, start, end, key in spans}
        evidence = _evidence(evidence)
        group = Group(kind, tuple(sid for sid, *_ in entry["rows"]), score, tuple(methods), representative,
                      tuple(linked), evidence)
        finding = build_finding(group, sentences, sentence_conflicts)
        records = [json.loads(row[4]) for row in entry["rows"]]
        lines.append(json.dumps(finding_dict(finding, records), ensure_ascii=False))
        level = finding.severity
        counts[level] = counts.get(level, 0) + 1
    write_atomic(Path(out_dir) / "findings" / f"part-{part:05d}.jsonl", "".join(line + "\n" for line in lines))
    return pa.table({"severity": list(counts), "count": pa.array(list(counts.values()), pa.int64())})


def _write_outputs(base, edges: _Edges, output_dir: str, workers: int, settings: Settings) -> dict[str, int]:
    """Documents' metadata and every finding written by the workers; the driver keeps the counts only."""
    import pyarrow as pa
    import ray.data

    out = Path(output_dir)
    findings_dir = out / "findings"
    for stale in findings_dir.glob("part-*.jsonl") if findings_dir.is_dir() else ():
        stale.unlink()  # a shard of an earlier run would read as a finding of this one
    if base is None:
        return {}
    base.map_batches(
        _select, fn_kwargs={"kind": DOC, "columns": ["path", "record", "id", "encoding", "count"]},
        batch_format="pyarrow",
    ).rename_columns({"count": "sentences"}).write_parquet(str(out / "documents"))
    groups = group_matches(edges.repeats, edges.claims, edges.templates, document_of=lambda ids: ids >> SENTENCE_BITS,
                           boilerplate_documents=settings.boilerplate_documents(_document_count(base)))
    if settings.boilerplate != "show":
        groups = [g for g in groups if g.kind != "boilerplate"]
    if not groups:
        return {}
    sizes = np.fromiter((len(g.members) for g in groups), dtype=np.int64, count=len(groups))
    sid = np.concatenate([np.asarray(g.members, dtype=np.int64) for g in groups])
    fid = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    partitions = _partitions(base.count(), workers)
    described = ray.data.from_arrow(group_rows(groups, partitions))
    del groups
    members = ray.data.from_arrow(pa.table({"sid": sid, "fid": fid}), override_num_blocks=max(1, len(sid) // 200_000))
    del sid, fid
    members = members.map_batches(member_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow")
    occurrences = (
        base.map_batches(document_rows_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow")
        .union(members)
        .groupby("part").map_groups(occurrence_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow")
    )
    counts: dict[str, int] = {}
    for batch in occurrences.union(described).groupby("part").map_groups(
        finding_stage, fn_kwargs={"out_dir": str(out)}, batch_format="pyarrow"
    ).iter_batches(batch_format="pyarrow"):
        for level, count in zip(batch["severity"].to_pylist(), batch["count"].to_pylist()):
            counts[level] = counts.get(level, 0) + count
    return counts


# --------------------------------------------------------------------------- work per input file


def file_stage(batch: dict, work, shared: list) -> dict:
    """Input files → ``work(path, output, payload)`` for each, run by this worker; results pickled back."""
    import ray

    payload = ray.get(shared[0])
    outcomes = [pickle.dumps(work(path, output, payload))
                for path, output in zip(batch["path"].tolist(), batch["output"].tolist())]
    return {"rank": batch["rank"], "outcome": np.array(outcomes, dtype=object)}


def map_files(items: Sequence[tuple[str, str]], work, payload) -> list:
    """``work`` over (input path, output name) pairs in the workers, results in input order.

    ``payload`` travels once, through the object store; ``work`` must be a
    module-level function (it is pickled by name).  ``clean`` writes its
    cleaned copies this way, so this module never imports a command.
    """
    import ray
    import ray.data

    shared = ray.put(payload)
    rows = [{"rank": r, "path": path, "output": output} for r, (path, output) in enumerate(items)]
    done = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 16))).map_batches(
        file_stage, fn_kwargs={"work": work, "shared": [shared]}, batch_format="numpy", batch_size=16,
    ).take_all()
    return [pickle.loads(r["outcome"]) for r in sorted(done, key=lambda r: r["rank"])]

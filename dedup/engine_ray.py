"""The same pipeline on a Ray cluster: Ray Data runs the library's stages over batches.

This module is the run: the stage plan (``plan.StagePlan``: which stages, in which order, behind which
gates) mapped onto Ray Data, and what comes back to the driver.  Cluster
set-up lives in ``ray_cluster``, the stage adapters over Arrow rows in ``ray_stages``, the findings
written by the workers in ``ray_findings``.  It only decides *who runs* the stages; what they do lives in the
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
   ``contract.finding_dict`` and writes it, so the driver never holds a
   document, a sentence or a finding.  Without one, the driver fetches the
   sentences and documents the edges name and builds the report it prints.

Sentence ids are order-preserving 64-bit numbers (input file, record, sentence),
so "first occurrence" and every tie-break fall where the local run puts them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .core import METHOD_CODE, CheckResult, Document, Match, Problem, Sentence
from .documents import STDIN, iter_input_files
from .group import Edges, group_findings, reduce_edges
from .pipeline import sentence_conflicts, shown
from .plan import Linked, StagePlan
from .settings import PARQUET_SUFFIXES, RAY_SEMANTIC_PARTITION_KEYS, RAY_SEMANTIC_PROBES
from .settings import RAY_SEMANTIC_SAMPLE, RAY_WORKERS, Settings
from .story import StorySignature, split_templates
from .specificity import Specificity, common_documents
from .match.kmeans import kmeans
from .ray_cluster import RayEngineError, RayOptions, configure_data_context, session  # noqa: F401
from .ray_findings import write_outputs
from .ray_stages import (
    DOC, FILE_BITS, PROBLEM, SENTENCE, SENTENCE_BITS, EmbedStage, RunEdges, assign_stage, band_stage, document_count,
    evidence_of_row, exact_stage, fuzzy_stage, judge_stage, partition_count, read_stage, rows_in, sampled_stage,
    search_stage, select_rows, sentence_stage, story_rows_stage, story_stage, terms_stage, common_terms_stage,
    top_k_stage, unique_pairs_stage, with_words_stage,
)


# --------------------------------------------------------------------------- the run


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


def _specificity(base, settings: Settings) -> Specificity:
    """The corpus's ``Specificity``, as ``pipeline.corpus_specificity`` makes it: word document frequencies
    summed in the workers; the driver receives only the words common enough to be capped."""
    documents = document_count(base)
    cut = common_documents(documents, settings)
    rows = base.map_batches(terms_stage, batch_format="pyarrow").groupby("term").sum("df").map_batches(
        common_terms_stage, fn_kwargs={"cut": cut}, batch_format="pyarrow"
    ).take_all()
    counts = {r["term"]: int(r["sum(df)"]) for r in rows}
    total = counts.pop("", 0)
    return Specificity.from_counts(counts, documents, total, settings)


def _semantic_edges(
    keys, settings: Settings, options: RayOptions, partitions: int, specificity: Specificity, linked: Linked
) -> list[tuple[Match, str]]:
    from ray.data import ActorPoolStrategy

    chosen = keys.map_batches(
        with_words_stage, fn_kwargs={"min_words": StagePlan.of(settings).claim_min_words}, batch_format="pyarrow"
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
            sampled_stage, fn_kwargs={"fraction": fraction}, batch_format="pyarrow"
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
        judge_stage, fn_kwargs={"settings": settings, "stories": [story_refs], "specificity": specificity,
                                "linked": linked},
        batch_format="pyarrow",
    )
    return [
        (Match(int(row["a"]), int(row["b"]), float(row["score"]), "semantic", evidence_of_row(row["evidence"])), row["kind"])
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
        return None, RunEdges(Edges.of([]), []), problems
    listing = ray.data.from_items([{"rank": r, "path": p} for r, p in enumerate(files)],
                                  override_num_blocks=max(1, min(len(files), 8 * options.workers)))
    base = listing.map_batches(
        read_stage, fn_kwargs={"settings": settings}, batch_format="numpy", batch_size=16,
    ).materialize()
    partitions = partition_count(base.count(), options.workers)
    problem_rows = base.map_batches(
        select_rows, fn_kwargs={"kind": PROBLEM, "columns": ["rank", "path", "message"]}, batch_format="pyarrow"
    ).take_all()
    problems.extend(Problem(r["path"], r["message"]) for r in sorted(problem_rows, key=lambda r: r["rank"]))

    sentences = base.map_batches(sentence_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow")
    keys = sentences.groupby("part").map_groups(exact_stage, batch_format="pyarrow").materialize()
    plan = StagePlan.of(settings)
    repeat_stages = {"exact": _exact_edges, "fuzzy": _fuzzy_edges}
    repeats = _concatenate([repeat_stages[method](keys, settings, partitions) for method in plan.repeat_methods])
    claims: list[Match] = []
    if plan.claims:
        semantic_repeats = []
        judged = _semantic_edges(keys, settings, options, partitions, _specificity(base, settings), Linked.of(repeats))
        for match, kind in sorted(judged, key=lambda e: (e[0].a, e[0].b)):
            (semantic_repeats if kind == "repeat" else claims).append(match)
        repeats = _concatenate([repeats, Edges.of(semantic_repeats)])
    repeats, templates = _split_templates(base, repeats, settings)
    return base, RunEdges(repeats, claims, templates), problems


def _exact_edges(keys, settings: Settings, partitions: int) -> Edges:
    """The exact stage: keys' member lists (grouped by the key-hash shuffle) into edges."""
    return _concatenate([exact_edges(batch) for batch in keys.select_columns(["members"]).map_batches(
        _repeated, batch_format="pyarrow"
    ).iter_batches(batch_format="pyarrow", batch_size=None)])


def _fuzzy_edges(keys, settings: Settings, partitions: int) -> Edges:
    """The fuzzy stage: MinHash band keys, a shuffle on them, rapidfuzz in the workers, one star a component."""
    return _fetch_edges(keys.select_columns(["kid", "key"]).map_batches(
        band_stage, fn_kwargs={"partitions": partitions}, batch_format="pyarrow"
    ).groupby("part").map_groups(
        fuzzy_stage, fn_kwargs={"min_ratio": settings.fuzzy_min_ratio, "partitions": partitions},
        batch_format="pyarrow",
    ).groupby("part").map_groups(reduce_edges_stage, batch_format="pyarrow"))


def _split_templates(base, repeats: Edges, settings: Settings) -> tuple[Edges, Edges]:
    """``story.split_templates`` on the driver, its lookups fetched from the workers (few rows: the ends of
    near-repeats, and the documents of those whose figures differ)."""

    def keys_of(ids: np.ndarray) -> dict[int, str]:
        return {int(r["sid"]): r["key"] for r in base.map_batches(
            rows_in, batch_format="pyarrow",
            fn_kwargs={"column": "sid", "wanted": ids, "kind": SENTENCE, "columns": ["sid", "key"]},
        ).take_all()} if len(ids) else {}

    def signatures_of(docs: np.ndarray) -> dict[int, StorySignature]:
        return {int(r["doc"]): StorySignature.of(r["text"] or "") for r in base.map_batches(
            rows_in, batch_format="pyarrow",
            fn_kwargs={"column": "doc", "wanted": docs, "kind": DOC, "columns": ["doc", "text"]},
        ).take_all()} if len(docs) else {}

    return split_templates(repeats, keys_of, lambda ids: ids >> SENTENCE_BITS, signatures_of, settings,
                           settings.boilerplate_documents(document_count(base)))


def exact_edges(table) -> Edges:
    """Keys' member lists → exact edges, each later occurrence to the key's first, as arrays."""
    import pyarrow.compute as pc

    members = table["members"]
    flat = pc.list_flatten(members).to_numpy()
    parent = pc.list_parent_indices(members).to_numpy()
    first = np.r_[True, parent[1:] != parent[:-1]] if len(parent) else np.zeros(0, dtype=bool)
    head = flat[first][np.cumsum(first) - 1]
    return Edges(head[~first], flat[~first], np.ones(int((~first).sum())), np.full(int((~first).sum()), METHOD_CODE["exact"], np.int8))


def _fetch_edges(dataset) -> Edges:
    """Fuzzy edges (stars, see ``group.reduce_edges``), one block at a time, straight into arrays."""
    parts = [(batch["a"], batch["b"], batch["score"]) for batch in dataset.iter_batches(batch_format="numpy", batch_size=None)]
    if not parts:
        return Edges.of([])
    a, b, score = (np.concatenate(column) for column in zip(*parts))
    order = np.lexsort((b, a))
    return Edges(a[order], b[order], score[order], np.full(len(a), METHOD_CODE["fuzzy"], np.int8))


def _concatenate(found: list[Edges]) -> Edges:
    found = [e for e in found if len(e)] or [Edges.of([])]
    return Edges(*(np.concatenate([getattr(e, f) for e in found]) for f in ("a", "b", "score", "method")))


def reduce_edges_stage(table):
    """Stars from several bands (a pair verified in each band it shares) → one star a component."""
    import pyarrow as pa

    a = table["a"].to_numpy()
    edges = reduce_edges(Edges(a, table["b"].to_numpy(), table["score"].to_numpy(), np.full(len(a), METHOD_CODE["fuzzy"], np.int8)))
    return pa.table({"a": edges.a, "b": edges.b, "score": edges.score})


def _repeated(table):
    import pyarrow.compute as pc

    return table.filter(pc.greater(pc.list_value_length(table["members"]), 1))


def _documents_and_sentences(base, edges: RunEdges):
    """Bring back the documents and sentences the edges name, and every document's metadata, for one report."""
    claim_ends = np.array([i for m in edges.claims for i in (m.a, m.b)], dtype=np.int64)
    wanted = np.unique(np.concatenate([edges.repeats.a, edges.repeats.b, edges.templates.a, edges.templates.b,
                                       claim_ends]))
    sentence_rows = []
    if len(wanted):
        sentence_rows = base.map_batches(
            rows_in, batch_format="pyarrow",
            fn_kwargs={"column": "sid", "wanted": wanted, "kind": SENTENCE, "columns": ["doc", "start", "end", "key"]},
        ).take_all()
    docs_needed = np.array(sorted({int(r["doc"]) for r in sentence_rows}), dtype=np.int64)
    meta_columns = ["doc", "path", "record", "id", "encoding", "count"]
    with_text = base.map_batches(
        rows_in, batch_format="pyarrow",
        fn_kwargs={"column": "doc", "wanted": docs_needed, "kind": DOC, "columns": [*meta_columns, "text"]},
    ).take_all() if len(docs_needed) else []
    by_doc = {int(r["doc"]): r for r in with_text}
    for r in base.map_batches(
        select_rows, fn_kwargs={"kind": DOC, "columns": meta_columns}, batch_format="pyarrow"
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
        configure_data_context(settings.progress)
        base, edges, problems = _run(paths, settings, options)
        if options.output_dir is not None:
            written = write_outputs(base, edges, options.output_dir, options.workers, settings)
            return WrittenResult([], [], [], problems, {}, output_dir=options.output_dir, written=written)
        if base is None:
            return CheckResult([], [], [], problems, sentence_counts={})
        documents, sentences, counts = _documents_and_sentences(base, edges)
        findings = group_findings(sentences, edges.repeats, edges.claims, sentence_conflicts, edges.templates,
                                  settings.boilerplate_documents(len(documents)))
        return CheckResult(documents, sorted(sentences.values(), key=lambda s: s.index), shown(findings, settings),
                           problems, counts)

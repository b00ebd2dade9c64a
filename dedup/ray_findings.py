"""Findings built where the text is (``check --engine ray --output-dir``): a shuffle on the document
turns each (sentence, finding) pair into its occurrence record, a shuffle on the finding assembles
each finding with ``group.build_finding`` and writes it; the driver holds only ids and counts.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .core import Document, Sentence
from .files import write_atomic
from .group import Group, build_finding, group_matches
from .pipeline import sentence_conflicts
from .settings import Settings
from .ray_stages import (
    DOC, MEMBER, SENTENCE, SENTENCE_BITS, RunEdges, document_count, evidence_of_row, partition_count, select_rows,
)


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

    from .contract import occurrence_dict

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

    from .contract import finding_dict

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
        evidence = evidence_of_row(evidence)
        group = Group(kind, tuple(sid for sid, *_ in entry["rows"]), score, tuple(methods), representative,
                      tuple(linked), evidence)
        finding = build_finding(group, sentences, sentence_conflicts)
        records = [json.loads(row[4]) for row in entry["rows"]]
        lines.append(json.dumps(finding_dict(finding, records), ensure_ascii=False))
        level = finding.severity
        counts[level] = counts.get(level, 0) + 1
    write_atomic(Path(out_dir) / "findings" / f"part-{part:05d}.jsonl", "".join(line + "\n" for line in lines))
    return pa.table({"severity": list(counts), "count": pa.array(list(counts.values()), pa.int64())})



def write_outputs(base, edges: RunEdges, output_dir: str, workers: int, settings: Settings) -> dict[str, int]:
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
        select_rows, fn_kwargs={"kind": DOC, "columns": ["path", "record", "id", "encoding", "count"]},
        batch_format="pyarrow",
    ).rename_columns({"count": "sentences"}).write_parquet(str(out / "documents"))
    groups = group_matches(edges.repeats, edges.claims, edges.templates, document_of=lambda ids: ids >> SENTENCE_BITS,
                           boilerplate_documents=settings.boilerplate_documents(document_count(base)))
    if settings.boilerplate != "show":
        groups = [g for g in groups if g.kind != "boilerplate"]
    if not groups:
        return {}
    sizes = np.fromiter((len(g.members) for g in groups), dtype=np.int64, count=len(groups))
    sid = np.concatenate([np.asarray(g.members, dtype=np.int64) for g in groups])
    fid = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    partitions = partition_count(base.count(), workers)
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

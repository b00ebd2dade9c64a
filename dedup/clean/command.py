"""``clean``: check the sources once, decide the removals, cut them, write the mirror and the log last."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..core import Document, Sentence
from ..documents import read_documents
from ..pipeline import check_documents, eligibility
from ..ray_cluster import RayOptions
from ..settings import DOC_OVERLAP, Settings
from .cut import cut_documents
from .decide import drop_documents, sentence_removals
from .plan import REMOVED_LOG, CleanError, CleanReport, plan_inputs
from .write import remove_stale_temporaries, write_bytes, write_file, write_in_worker

def clean(
    sources: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    settings: Settings | None = None,
    *,
    drop_claims: bool = False,
    drop_docs: bool = False,
    force: bool = False,
    doc_overlap: float = DOC_OVERLAP,
    engine: RayOptions | None = None,
    drop_boilerplate: bool = False,
) -> CleanReport:
    """Write a cleaned copy of ``sources`` to ``out`` and the removal log ``out/removed.jsonl``.

    Raises ``CleanError`` (nothing written) when the request is refused; input
    problems are returned in the report, as ``check`` does.  ``engine``
    (``ray_cluster.RayOptions``: where and how wide) runs the check on Ray and
    writes the files from the Ray workers; only the
    documents with removals are ever held here.  Boilerplate (house phrases,
    ``group``) is kept unless ``drop_boilerplate``; then its later
    occurrences that state the same figures as the first are removed, as
    repeats are.  A template instance with other figures is never removed.
    """
    settings = (settings or Settings()).replace(boilerplate="show" if drop_boilerplate else "hide")
    if engine is None:
        return _clean(sources, out, settings, drop_claims, drop_docs, force, doc_overlap, None)
    from ..engine_ray import session

    with session(engine.address, engine.workers):  # one Ray for the check and the writing
        return _clean(sources, out, settings, drop_claims, drop_docs, force, doc_overlap, engine)


def _clean(sources, out, settings, drop_claims, drop_docs, force, doc_overlap, engine) -> CleanReport:
    settings = settings or Settings()
    if not 0.0 < doc_overlap <= 1.0:
        raise CleanError(f"doc_overlap must be in (0, 1], got {doc_overlap}")
    sources = [os.fspath(s) for s in sources]
    out = os.fspath(out)
    inputs, problems = plan_inputs(sources, out, settings, force)

    if engine is not None:
        if drop_docs:
            raise CleanError("--drop-docs is not supported with --engine ray yet")
        from ..engine_ray import check_ray

        result = check_ray([str(i.path) for i in inputs], settings, address=engine.address, workers=engine.workers)
        documents = [d for d in result.documents if d.text]  # the documents findings name
        problems.extend(result.problems)
    else:
        documents, read_problems = read_documents([i.path for i in inputs], settings)
        problems.extend(read_problems)
        result = check_documents(documents, settings)

    sentences_by_doc: dict[Document, list[Sentence]] = defaultdict(list)
    for s in result.sentences:
        sentences_by_doc[s.document].append(s)
    repeats = [f for f in result.findings if f.kind == "repeat"]
    boilerplate = [f for f in result.findings if f.kind == "boilerplate"]  # only there when asked to drop it
    claims = [f for f in result.findings if f.kind == "claim"] if drop_claims else []
    dropped: dict[Document, tuple[Document, float]] = {}
    if drop_docs:
        repeat_of = {o: number for number, f in enumerate(repeats) for o in f.occurrences}
        dropped = drop_documents(documents, sentences_by_doc, repeat_of, eligibility(settings), doc_overlap)
    removals = sentence_removals([*repeats, *boilerplate, *claims], dropped)
    cleaned, entries = cut_documents(documents, removals.values(), dropped, {str(i.path): i.output for i in inputs})

    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)  # what a killed run left: OUT was empty but for them, or force
    report = CleanReport(out=out, problems=problems)
    docs_by_path: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        docs_by_path[document.path].append(document)
    if engine is not None:
        from ..ray_cluster import map_files

        payload = (
            {d.name: text for d, text in cleaned.items() if text is not None},
            {d.name: logged for d, logged in entries.items() if logged},
            str(out_dir), settings,
        )
        outcomes = map_files([(str(i.path), i.output) for i in inputs], write_in_worker, payload)
    else:
        outcomes = [
            write_file(item, docs_by_path.get(str(item.path), []), cleaned, entries, dropped.keys(), out_dir, settings)
            for item in inputs
        ]
    log_lines: list[str] = []
    for item, outcome in zip(inputs, outcomes):
        if outcome.written:
            report.files_written.append(item.output)
        if outcome.copied:
            report.files_copied.append(item.output)
        if outcome.dropped:
            report.files_dropped.append(item.output)
        report.documents_dropped += outcome.documents_dropped
        report.spans_removed += outcome.spans_removed
        problems.extend(outcome.problems)
        log_lines.extend(outcome.log_lines)

    write_bytes(out_dir / REMOVED_LOG, "".join(line + "\n" for line in log_lines).encode("utf-8"))
    return report

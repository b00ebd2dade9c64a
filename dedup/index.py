"""A persistent index of an archive: check drafts against it without re-reading the archive.

One SQLite file (WAL mode) holds everything a check needs to *find* the
archive sentences that could match a draft: each distinct normalized key with
its stable hash (exact), its MinHash-LSH band keys (fuzzy), its embedding
(semantic), and the documents' text so that reports quote the archive.

Matching is never reimplemented here.  A query only selects *candidate*
archive documents: those holding a key equal to a draft key, sharing an LSH
band key with one, or among a draft key's ``semantic_top_k`` nearest stored
vectors above ``semantic_min_cosine``.  Those documents are loaded whole as
references and ``pipeline.check_documents`` runs on drafts + candidates, so
findings come from the same code as ``check --against`` on the raw archive
(and are the same for everything the candidates cover: every pair that the
full run could report involves a candidate key, and every document holding a
candidate key is loaded, in archive order).

Writes: ``build`` writes a temporary file and renames it into place, so a
killed build leaves the previous index (or none).  ``add`` computes
everything first, then writes in ONE ``BEGIN IMMEDIATE`` transaction:
concurrent adders queue on SQLite's write lock (60 s timeout) and a killed
adder's transaction is rolled back by the next opener.  Re-adding a document
(same path, record and text) is a no-op; a changed text replaces it.

The file itself (schema, format, opening it read-write or read-only, the
settings and model it can serve) is in ``index_file``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .core import CheckResult, Document, Problem
from .documents import read_documents, without_drafts
from .index_file import FORMAT_VERSION, SCHEMA, SUFFIX, DedupIndexError, check_settings, connect, model_fields
from .index_file import open_index, remove_dead_builds, timestamp
from .match import key_hash
from .match.exact import signed64, text_digest
from .match.fuzzy import candidate_keys
from .normalize import words
from .pipeline import check_documents, distinct_keys, embedding_function, segment_documents
from .settings import LSH_JACCARD, LSH_NUM_PERM, Settings
from .specificity import Specificity, common_documents, count_terms, document_terms

_CHUNK = 500  # SQLite host parameters per IN (...)
_VECTOR_ROWS = 8192  # stored vectors scored per block in a semantic query


@dataclass
class AddReport:
    """What a build or add did."""

    index: str
    added: int = 0
    replaced: int = 0
    skipped: int = 0  # already present with the same text
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Prepared:
    """One batch of documents, segmented and keyed outside any transaction."""

    documents: list[Document]
    spans: list[list[tuple[int, int, int]]]  # per document: (start, end, key position)
    keys: list[str]
    bands: np.ndarray  # (len(keys), bands) uint64; rows only for keys long enough to match
    long_enough: list[bool]
    vectors: np.ndarray | None  # rows for keys with >= claim_min_words words


def _prepare(documents: list[Document], settings: Settings, with_vectors: bool) -> _Prepared:
    """Segment, key, band and embed with the pipeline's own functions."""
    sentences = segment_documents(documents)
    position: dict[str, int] = {}
    keys: list[str] = []
    spans: dict[int, list[tuple[int, int, int]]] = {id(d): [] for d in documents}
    for s in sentences:
        if not s.normalized:
            continue
        k = position.setdefault(s.normalized, len(keys))
        if k == len(keys):
            keys.append(s.normalized)
        spans[id(s.document)].append((s.start, s.end, k))
    # Length-eligible keys, exactly as the pipeline decides (ignore patterns are applied at query time).
    eligible = set(distinct_keys(sentences, settings.replace(ignore_patterns=())).keys)
    long_enough = [k in eligible for k in keys]
    chosen = [k for k, ok in zip(keys, long_enough) if ok]
    bands = candidate_keys(chosen) if chosen else np.zeros((0, 0), dtype=np.uint64)
    vectors = None
    if with_vectors:
        claim_keys = [k for k, ok in zip(keys, long_enough) if ok and len(words(k)) >= settings.claim_min_words]
        vectors = embedding_function(settings)(claim_keys) if claim_keys else None
    return _Prepared(documents, [spans[id(d)] for d in documents], keys, bands, long_enough, vectors)


def _count_terms(db: sqlite3.Connection, text: str, step: int) -> int:
    """Add (``step`` 1) or take back (-1) one document's words in the archive's word counts; its word count."""
    terms, n = document_terms(text)
    db.executemany(
        "INSERT INTO terms (term, documents) VALUES (?, ?) "
        "ON CONFLICT (term) DO UPDATE SET documents = documents + excluded.documents",
        [(t, step) for t in terms],
    )
    return n * step


def _write(db: sqlite3.Connection, prepared: _Prepared, settings: Settings, report: AddReport) -> None:
    """Insert a prepared batch; the caller holds the write transaction.

    In an index that keeps its archive's word counts (the ``terms`` table, ``total_words`` in meta), the
    counts follow every document added or replaced.
    """
    meta = dict(db.execute("SELECT key, value FROM meta"))
    counting = "total_words" in meta
    total_words = int(meta.get("total_words", 0))
    key_ids: list[int | None] = [None] * len(prepared.keys)
    band_rows = iter(range(len(prepared.bands)))
    vector_rows = iter(range(0 if prepared.vectors is None else len(prepared.vectors)))
    key_bands: dict[int, int] = {}
    key_vector: dict[int, int] = {}
    for k, (key, ok) in enumerate(zip(prepared.keys, prepared.long_enough)):
        if ok:
            key_bands[k] = next(band_rows)
            if prepared.vectors is not None and len(words(key)) >= settings.claim_min_words:
                key_vector[k] = next(vector_rows)

    def key_id(k: int) -> int:
        if key_ids[k] is not None:
            return key_ids[k]
        key = prepared.keys[k]
        h = signed64(key_hash(key))
        for row_id, text in db.execute("SELECT id, key FROM keys WHERE hash = ?", (h,)):
            if text == key:
                key_ids[k] = row_id
                return row_id
        vector = None
        if k in key_vector:
            vector = np.asarray(prepared.vectors[key_vector[k]], dtype=np.float32).tobytes()
        row_id = db.execute(
            "INSERT INTO keys (key, hash, words, vector) VALUES (?, ?, ?, ?)", (key, h, len(words(key)), vector)
        ).lastrowid
        if k in key_bands:
            db.executemany(
                "INSERT INTO bands (band, key_id) VALUES (?, ?)",
                [(signed64(int(b)), row_id) for b in prepared.bands[key_bands[k]]],
            )
        key_ids[k] = row_id
        return row_id

    for document, spans in zip(prepared.documents, prepared.spans):
        digest = text_digest(document.text)
        old = db.execute(
            "SELECT id, text_hash, text FROM documents WHERE path = ? AND record IS ?", (document.path, document.record)
        ).fetchall()
        if any(bytes(h) == digest for _, h, _ in old):
            report.skipped += 1
            continue
        if old:
            db.executemany("DELETE FROM documents WHERE id = ?", [(i,) for i, _, _ in old])
            report.replaced += 1
            if counting:
                total_words += sum(_count_terms(db, text, -1) for _, _, text in old)
        else:
            report.added += 1
        if counting:
            total_words += _count_terms(db, document.text, 1)
        doc_row = db.execute(
            "INSERT INTO documents (path, record, doc_id, encoding, text, text_hash) VALUES (?, ?, ?, ?, ?, ?)",
            (document.path, document.record, document.id, document.encoding, document.text, digest),
        ).lastrowid
        db.executemany(
            'INSERT INTO sentences (document_id, start, "end", key_id) VALUES (?, ?, ?, ?)',
            [(doc_row, start, end, key_id(k)) for start, end, k in spans],
        )
    if counting:
        db.execute("DELETE FROM terms WHERE documents <= 0")
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('total_words', ?)", (str(total_words),))


def _add(db: sqlite3.Connection, path, documents: list[Document], settings: Settings, report: AddReport) -> None:
    meta = dict(db.execute("SELECT key, value FROM meta"))
    with_vectors = bool(meta.get("model"))
    if with_vectors:
        check_settings(path, meta, settings.replace(methods=("semantic",)), writing=True)
    # Keys, bands and vectors follow the index's recorded settings, not the caller's.
    index_settings = settings.replace(
        min_words=int(meta["min_words"]), min_chars=int(meta["min_chars"]),
        claim_min_words=int(meta["claim_min_words"]),
    )
    prepared = _prepare(documents, index_settings, with_vectors)
    db.execute("BEGIN IMMEDIATE")  # one writer at a time; waits up to LOCK_TIMEOUT
    try:
        _write(db, prepared, index_settings, report)
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('updated', ?)", (timestamp(),))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


# --- public API ------------------------------------------------------------------------------------


def build_index(
    sources: Iterable[str | os.PathLike], out: str | os.PathLike, settings: Settings | None = None,
    *, force: bool = False,
) -> AddReport:
    """Index SOURCES into a new file OUT (refused if OUT exists unless ``force``).

    Vectors are stored when ``semantic`` is among ``settings.methods``, with
    ``settings.model``, whose name and pinned SHA-256 are recorded.  The file
    appears only when complete (written beside OUT, then renamed).
    """
    settings = settings or Settings()
    out = Path(out)
    if out.exists() and not force:
        raise DedupIndexError(f"{out} already exists; use `dedup index add` to extend it, or --force to rebuild")
    if out.is_dir():
        raise DedupIndexError(f"{out} is a directory")
    remove_dead_builds(out)
    documents, problems = read_documents(sources, settings)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    model, sha = model_fields(settings)
    report = AddReport(str(out), problems=problems)
    db = connect(tmp)
    try:
        db.executescript(SCHEMA)
        meta = {
            "format": FORMAT_VERSION, "model": model, "model_sha256": sha, "created": timestamp(),
            "min_words": str(settings.min_words), "min_chars": str(settings.min_chars),
            "claim_min_words": str(settings.claim_min_words),
            "lsh_jaccard": str(LSH_JACCARD), "lsh_num_perm": str(LSH_NUM_PERM),
            "total_words": "0",  # and the terms table: the archive's word document counts (specificity)
        }
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        _add(db, out, documents, settings, report)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        db.close()
        for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            stale.unlink(missing_ok=True)
        raise
    db.close()
    if force:  # a stale WAL of the old file must never be replayed into the new one
        for old in (Path(f"{out}-wal"), Path(f"{out}-shm")):
            old.unlink(missing_ok=True)
    os.replace(tmp, out)
    return report


def add_to_index(
    index_path: str | os.PathLike, sources: Iterable[str | os.PathLike], settings: Settings | None = None
) -> AddReport:
    """Add (or update) documents in an existing index, in one transaction; no rebuild.

    With ``settings`` None the index's own model is used; a different model
    (or checksum) is refused, since its vectors would not be comparable.
    """
    db, meta = open_index(index_path)
    try:
        if settings is None:
            settings = Settings(model=meta.get("model") or Settings().model)
        documents, problems = read_documents(sources, settings)
        report = AddReport(str(index_path), problems=problems)
        _add(db, index_path, documents, settings, report)
        return report
    finally:
        db.close()


def index_info(index_path: str | os.PathLike) -> dict:
    """Counts, model, settings and size of an index."""
    db, meta = open_index(index_path, read_only=True)
    try:
        count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        info = {
            "path": str(index_path),
            "format": meta["format"],
            "documents": count("SELECT COUNT(*) FROM documents"),
            "sentences": count("SELECT COUNT(*) FROM sentences"),
            "keys": count("SELECT COUNT(*) FROM keys"),
            "vectors": count("SELECT COUNT(*) FROM keys WHERE vector IS NOT NULL"),
            "model": meta.get("model") or None,
            "model_sha256": meta.get("model_sha256") or None,
            "created": meta.get("created"),
            "updated": meta.get("updated"),
            "min_words": int(meta["min_words"]),
            "min_chars": int(meta["min_chars"]),
            "claim_min_words": int(meta["claim_min_words"]),
        }
    finally:
        db.close()
    info["size_bytes"] = sum(
        p.stat().st_size for p in (Path(index_path), Path(f"{index_path}-wal")) if p.exists()
    )
    return info


def _ids_in(db: sqlite3.Connection, sql: str, values: Sequence) -> set[int]:
    found: set[int] = set()
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        found.update(r[0] for r in db.execute(sql.format(",".join("?" * len(chunk))), chunk))
    return found


def _semantic_candidates(db: sqlite3.Connection, draft_keys: list[str], settings: Settings) -> set[int]:
    """Key ids among each draft key's ``semantic_top_k`` nearest stored vectors above the floor.

    Exact search: a NumPy matrix product over every stored vector, block by
    block (BBC: ~40k x 384 floats, well under a second).  An archive of
    millions of sentences would swap this function for an ANN index (FAISS
    HNSW, hnswlib, usearch) over the same vectors, with ``top_k`` plus a
    margin as its k; nothing else changes.
    """
    claim_keys = [k for k in draft_keys if len(words(k)) >= settings.claim_min_words]
    if not claim_keys:
        return set()
    queries = embedding_function(settings)(claim_keys)
    k = settings.semantic_top_k + 5  # a margin for ties and float noise between batches
    best_scores = np.full((len(claim_keys), 0), -2.0, dtype=np.float32)
    best_ids = np.zeros((len(claim_keys), 0), dtype=np.int64)
    cursor = db.execute("SELECT id, vector FROM keys WHERE vector IS NOT NULL")
    while rows := cursor.fetchmany(_VECTOR_ROWS):
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        scores = np.concatenate((best_scores, queries @ matrix.T), axis=1)
        all_ids = np.concatenate((np.broadcast_to(best_ids, (len(claim_keys), best_ids.shape[1])),
                                  np.broadcast_to(ids, (len(claim_keys), len(ids)))), axis=1)
        keep = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(scores, keep, axis=1)
        best_ids = np.take_along_axis(all_ids, keep, axis=1)
    return {int(i) for i in best_ids[best_scores >= settings.semantic_min_cosine - 1e-4]}


def candidate_documents(index_path: str | os.PathLike, drafts: Sequence[Document], settings: Settings) -> list[Document]:
    """The archive documents that can take part in a finding with ``drafts``, in archive order, as references."""
    db, meta = open_index(index_path, read_only=True)
    try:
        check_settings(index_path, meta, settings, writing=False)
        draft_sentences = segment_documents(drafts)
        draft_keys = distinct_keys(draft_sentences, settings.replace(ignore_patterns=())).keys
        key_ids: set[int] = set()
        if draft_keys and {"exact", "fuzzy", "semantic"} & set(settings.methods):
            # Exact (always: an identical sentence is a repeat whatever the methods, and the
            # semantic method reports near-identical wording as a repeat too).
            wanted = {signed64(key_hash(k)): k for k in draft_keys}
            for start in range(0, len(wanted), _CHUNK):
                chunk = list(wanted)[start : start + _CHUNK]
                sql = f"SELECT id, hash, key FROM keys WHERE hash IN ({','.join('?' * len(chunk))})"
                key_ids.update(i for i, h, text in db.execute(sql, chunk) if wanted.get(h) == text)
        if draft_keys and "fuzzy" in settings.methods:
            bands = {signed64(int(b)) for b in candidate_keys(draft_keys).ravel()}
            key_ids |= _ids_in(db, "SELECT DISTINCT key_id FROM bands WHERE band IN ({})", bands)
        if draft_keys and "semantic" in settings.methods:
            key_ids |= _semantic_candidates(db, draft_keys, settings)
        doc_ids = sorted(_ids_in(db, "SELECT DISTINCT document_id FROM sentences WHERE key_id IN ({})", key_ids))
        documents = []
        for start in range(0, len(doc_ids), _CHUNK):
            chunk = doc_ids[start : start + _CHUNK]
            sql = (
                "SELECT path, text, encoding, record, doc_id FROM documents "
                f"WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id"
            )
            documents.extend(
                Document(path=p, text=t, encoding=e, record=r, id=i, reference=True) for p, t, e, r, i in db.execute(sql, chunk)
            )
        if "semantic" in settings.methods and settings.cache and documents:
            _seed_embedding_cache(db, documents, settings)
        return documents
    finally:
        db.close()


def _seed_embedding_cache(db: sqlite3.Connection, documents: list[Document], settings: Settings) -> None:
    """Put the stored vectors of the candidates' keys into the embedding cache (same model, same checksum).

    ``check_documents`` embeds every key of the run through the cache, so this
    spares re-encoding the candidate documents with the model.
    """
    from .cache import EmbeddingCache, text_key
    from .models import get_spec

    keys = {s.normalized for s in segment_documents(documents) if len(words(s.normalized)) >= settings.claim_min_words}
    spec = get_spec(settings.model)
    cache = EmbeddingCache(spec.name, spec.sha256, settings.cache_dir)
    try:
        by_cache_key = {text_key(k): k for k in keys}
        cached = cache.get_many(list(by_cache_key))
        missing = [c for c in by_cache_key if c not in cached]
        items = []
        wanted = {signed64(key_hash(by_cache_key[c])): c for c in missing}
        hashes = list(wanted)
        for start in range(0, len(hashes), _CHUNK):
            chunk = hashes[start : start + _CHUNK]
            sql = f"SELECT hash, key, vector FROM keys WHERE vector IS NOT NULL AND hash IN ({','.join('?' * len(chunk))})"
            for h, text, blob in db.execute(sql, chunk):
                if by_cache_key.get(wanted[h]) == text:
                    items.append((wanted[h], np.frombuffer(blob, dtype=np.float32)))
        if items:
            cache.put_many(items)
    finally:
        cache.close()


def check_against_index(
    drafts: Sequence[Document], index_paths: str | os.PathLike | Sequence[str | os.PathLike],
    settings: Settings | None = None, *, references: Sequence[Document] = (),
) -> CheckResult:
    """Check drafts against one or more indexes (and optional in-memory references).

    The findings are those of ``check_documents(drafts + archive)``: the
    candidate documents are checked by that very function.
    """
    settings = settings or Settings()
    if isinstance(index_paths, (str, os.PathLike)):
        index_paths = [index_paths]
    candidates: list[Document] = []
    archived = 0
    for path in index_paths:
        candidates.extend(candidate_documents(path, drafts, settings))
        archived += index_info(path)["documents"]
    for document in references:
        document.reference = True
    population = len(drafts) + archived + len(references)
    # A house phrase of the archive is boilerplate in a draft too: every archive document holding a
    # draft's sentence is a candidate, counted against the archive's size.  Words common in the
    # archive are no specific detail in a draft either: its word counts, plus the drafts' own.
    return check_documents(list(drafts) + candidates + list(references), settings, population=population,
                           specificity=archive_specificity(index_paths, [*drafts, *references], population, settings))


def archive_specificity(
    index_paths: Sequence[str | os.PathLike], documents: Sequence[Document], population: int, settings: Settings
) -> Specificity | None:
    """The specificity of the archives and ``documents`` together (``population`` documents in all), as if
    one corpus; None when an index was built before it kept word counts (the run then counts the
    documents it holds)."""
    counts, extra_documents, total_words = count_terms(d.text for d in documents)
    floor = max(1, common_documents(population, settings) - extra_documents)  # below it no word can be common
    for path in index_paths:
        db, meta = open_index(path, read_only=True)
        try:
            if "total_words" not in meta:
                return None
            total_words += int(meta["total_words"])
            for term, n in db.execute("SELECT term, documents FROM terms WHERE documents >= ?", (floor,)):
                counts[term] += n
        finally:
            db.close()
    return Specificity.from_counts(counts, population, total_words, settings)


def is_index_path(path: str | os.PathLike) -> bool:
    """True for an existing ``*.dedup`` file (what ``check --against`` treats as an index)."""
    return str(path).endswith(SUFFIX) and Path(path).is_file()


def check_paths_against(
    paths: Iterable[str], settings: Settings | None = None, *, against: Iterable[str] = (), stdin=None
) -> CheckResult:
    """``pipeline.check`` where any ``--against`` entry may be an index file; problems are returned."""
    settings = settings or Settings()
    against = list(against)
    indexes = [a for a in against if is_index_path(a)]
    drafts, problems = read_documents(paths, settings, stdin=stdin)
    references, more = read_documents([a for a in against if a not in indexes], settings) if len(indexes) < len(against) else ([], [])
    result = check_against_index(drafts, indexes, settings, references=without_drafts(references, drafts))
    result.problems = problems + more
    return result

"""The index's SQLite file: its schema and format, opening it, and the settings it can serve.

Apart from building and querying (``index``) because every reader and writer
shares it: ``connect`` opens for writing (WAL, a 60 s wait on another
writer), ``open_index`` also opens read-only (an index another user owns, or
one nobody may write beside) and refuses a file that is not an index of this
format; ``check_settings`` refuses settings or a model the stored keys and
vectors cannot serve.  Also the clean-up of the temporary files a killed build
left.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from .settings import Settings

FORMAT_VERSION = "1"
SUFFIX = ".dedup"
LOCK_TIMEOUT = 60.0  # seconds a writer waits for another writer

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, record INTEGER, doc_id TEXT,
    encoding TEXT NOT NULL, text TEXT NOT NULL, text_hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS documents_path ON documents (path, record);
CREATE TABLE IF NOT EXISTS keys (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, hash INTEGER NOT NULL, words INTEGER NOT NULL, vector BLOB);
CREATE INDEX IF NOT EXISTS keys_hash ON keys (hash);
CREATE TABLE IF NOT EXISTS sentences (
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, key_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sentences_key ON sentences (key_id);
CREATE INDEX IF NOT EXISTS sentences_document ON sentences (document_id);
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, key_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS bands_band ON bands (band);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID;
"""


class DedupIndexError(ValueError):
    """The index file is missing, not an index, or was built with other settings or another model."""


def connect(path: str | os.PathLike) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), timeout=LOCK_TIMEOUT, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _connect_read_only(path: str | os.PathLike) -> sqlite3.Connection:
    """A connection that can neither create nor change a file: what `check --against` and `index info` use.

    ``mode=ro`` reads an index another user owns (root 0644) as long as its WAL
    side files can be opened; where they cannot (a directory the reader may not
    write, the index closed cleanly so no -shm exists), ``immutable=1`` reads the
    file as it stands, which is right for an archive nobody is writing to.
    """
    from urllib.parse import quote

    uri = "file:" + quote(str(Path(path).resolve()))
    try:
        db = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=LOCK_TIMEOUT, isolation_level=None)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return db
    except sqlite3.OperationalError:
        return sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None)


def open_index(path: str | os.PathLike, *, read_only: bool = False) -> tuple[sqlite3.Connection, dict[str, str]]:
    if not Path(path).is_file():
        raise DedupIndexError(f"{path}: no such index (create it with `dedup index build SRC... -o {path}`)")
    try:
        db = _connect_read_only(path) if read_only else connect(path)
        meta = dict(db.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as exc:
        raise DedupIndexError(f"{path}: not a dedup index ({exc})") from exc
    if meta.get("format") != FORMAT_VERSION:
        db.close()
        raise DedupIndexError(
            f"{path}: index format {meta.get('format')!r}, this dedup reads format {FORMAT_VERSION}; rebuild it"
        )
    return db, meta


def model_fields(settings: Settings) -> tuple[str, str]:
    """(model, sha256) the index records: empty when semantic vectors are not stored."""
    if "semantic" not in settings.methods:
        return "", ""
    from .models import get_spec

    spec = get_spec(settings.model)
    return spec.name, spec.sha256


def check_settings(path, meta: dict[str, str], settings: Settings, *, writing: bool) -> None:
    """Refuse settings the index cannot serve, with the reason and the fix."""
    for name in ("min_words", "min_chars", "claim_min_words"):
        if getattr(settings, name) < int(meta[name]):
            raise DedupIndexError(
                f"{path}: built with {name}={meta[name]}, cannot serve {name}={getattr(settings, name)}; "
                f"use a value >= {meta[name]} or rebuild the index"
            )
    if "semantic" not in settings.methods:
        return
    model, sha = meta.get("model", ""), meta.get("model_sha256", "")
    if not model:
        raise DedupIndexError(
            f"{path}: built without semantic vectors; use --methods exact,fuzzy or rebuild with --methods semantic"
        )
    from .models import get_spec

    spec = get_spec(settings.model)
    if spec.name != model or spec.sha256 != sha:
        action = "add to" if writing else "check against"
        raise DedupIndexError(
            f"{path}: index vectors come from model {model!r} (sha256 {sha[:16]}...), but this run uses model "
            f"{spec.name!r} (sha256 {spec.sha256[:16]}...); cannot {action} it with another model. "
            f"Use --model {model} or rebuild the index with --model {spec.name}."
        )


def timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def remove_dead_builds(out: Path) -> None:
    """Remove what a killed ``index build`` of OUT left (``.OUT.tmp-PID`` with its -wal/-shm, often MBs).

    A build writes beside OUT under its own PID and renames only when complete;
    a build whose process no longer exists can never finish, so its files go.
    A live build's files are left alone.
    """
    prefix = f".{out.name}.tmp-"
    for stale in out.parent.glob(f"{prefix}*"):
        pid_text = stale.name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
            continue  # that build is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # another user's live process
        stale.unlink(missing_ok=True)

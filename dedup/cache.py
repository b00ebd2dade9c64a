"""On-disk embedding cache: a re-run on an unchanged corpus does almost no model work.

The pair verifier's verdicts use the same store, a row per ordered pair (``verify.cached_verdicts``).

Vectors are keyed by the BLAKE2b hash of the normalized sentence, in one
SQLite file per model *and weights checksum*, so a different or updated model
can never be served another model's vectors.  SQLite gives transactions and
safe concurrent use by several runs (WAL); a killed run loses at most the
batch it was writing.

Location: ``$DEDUP_CACHE_DIR``, else ``$XDG_CACHE_HOME/dedup``, else
``~/.cache/dedup``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .match.exact import text_digest

_LOOKUP_CHUNK = 500


def default_cache_dir() -> Path:
    if os.environ.get("DEDUP_CACHE_DIR"):
        return Path(os.environ["DEDUP_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dedup"


def text_key(text: str) -> bytes:
    return text_digest(text)


class EmbeddingCache:
    def __init__(self, model_name: str, model_sha256: str, directory: Path | None = None):
        directory = Path(directory or default_cache_dir())
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"embeddings-{model_name}-{model_sha256[:16]}.sqlite"
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self.hits = 0
        self.misses = 0

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = list(keys[start : start + _LOOKUP_CHUNK])
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk):
                found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items],
            )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def encode(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for ``texts``: cached ones read back, the rest computed by ``encode`` and stored."""
        keys = [text_key(t) for t in texts]
        cached = self.get_many(keys)
        missing = [i for i, k in enumerate(keys) if k not in cached]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        fresh = encode([texts[i] for i in missing]) if missing else None
        if fresh is not None and len(missing):
            self.put_many([(keys[i], fresh[n]) for n, i in enumerate(missing)])
        dims = fresh.shape[1] if fresh is not None and len(missing) else next(iter(cached.values())).shape[0]
        out = np.empty((len(texts), dims), dtype=np.float32)
        for n, i in enumerate(missing):
            out[i] = fresh[n]
        for i, k in enumerate(keys):
            if k in cached:
                out[i] = cached[k]
        return out

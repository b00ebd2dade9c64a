"""Exact matching: sentences whose normalized keys are identical.

The key's hash (BLAKE2b, 64 bits) is stable across processes and machines, so
a distributed run can group by it without holding the sentences in one place.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable


def key_hash(key: str) -> int:
    """A stable 64-bit hash of a normalized key (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def signed64(value: int) -> int:
    """An unsigned 64-bit hash as the signed integer SQLite and Arrow's int64 store."""
    return value - (1 << 64) if value >= 1 << 63 else value


def text_digest(text: str) -> bytes:
    """A 128-bit BLAKE2b digest of a text: the embedding cache's key and an index's document checksum."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def exact_groups(keys: Iterable[str]) -> dict[str, list[int]]:
    """Positions of each key, in input order: the first position is the original."""
    groups: dict[str, list[int]] = defaultdict(list)
    for position, key in enumerate(keys):
        groups[key].append(position)
    return groups

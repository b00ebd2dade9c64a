"""Shared fixtures: the seed articles, the BBC corpus and the GUM gold live in real files."""

from __future__ import annotations

import os
from pathlib import Path

import tempfile

import pytest

# Tests never touch the user's embedding cache.
os.environ.setdefault("DEDUP_CACHE_DIR", tempfile.mkdtemp(prefix="dedup-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("DEDUP_SHARED", ROOT.parent / "shared"))
BBC = SHARED / "corpora" / "bbc"
SEED_A = SEEDS / "000_4329b0b7a6ae0b81.txt"
SEED_B = SEEDS / "002_95a9b5e6b1e4b284.txt"


@pytest.fixture(scope="session")
def bbc() -> Path:
    if not BBC.is_dir():
        pytest.skip(f"BBC corpus not found at {BBC} (set DEDUP_SHARED)")
    return BBC


def bbc_text(relative: str) -> str:
    """A BBC article's text, decoded as dedup decodes it."""
    from dedup.documents import decode

    return decode((BBC / relative).read_bytes())[0]

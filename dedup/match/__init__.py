"""Matchers: one module per method, each a plain function over a batch of comparison keys.

Every matcher takes the distinct normalized keys of a run (``list[str]``, one
per distinct sentence) and returns ``KeyPair`` tuples ``(i, j, score)`` with
``i < j`` indexing that list.  Working on distinct keys means an exactly
repeated sentence is compared once, and the same functions run unchanged on a
batch in another process (the Ray engine).
"""

from .exact import exact_groups, key_hash
from .fuzzy import fuzzy_pairs
from .semantic import cosine_pairs

__all__ = ["exact_groups", "key_hash", "fuzzy_pairs", "cosine_pairs"]

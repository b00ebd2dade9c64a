"""JSON Lines: one finding per line, exactly the contract's ``finding_dict``, for streaming.

Each line is the same object as an entry of ``findings`` in ``--format json``
(see ``json_report``), in the same order; there is no documents list and no
envelope, so ``jq -c``, ``grep`` and line-oriented loaders can consume the
stream as it is written.  No findings, no output.
"""

from __future__ import annotations

import json

from ..core import CheckResult
from .json_report import finding_dict


def render(result: CheckResult) -> str:
    return "".join(json.dumps(finding_dict(f), ensure_ascii=False) + "\n" for f in result.findings)

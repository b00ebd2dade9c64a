"""``--format json``: the JSON contract (``dedup.contract``) of a whole check, as one document."""

from __future__ import annotations

import json

from ..contract import (  # noqa: F401 (the report API names them too)
    SCHEMA_VERSION, document_dict, document_ref, evidence_dict, finding_dict, fingerprint, occurrence_dict, to_dict,
)
from ..core import CheckResult

__all__ = [
    "SCHEMA_VERSION", "document_dict", "document_ref", "evidence_dict", "finding_dict", "fingerprint",
    "occurrence_dict", "render", "to_dict",
]

def render(result: CheckResult) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n"

"""Renderers: one module per output format, each ``render(result) -> str``.

The JSON contract (``json_report.to_dict``) is the source every other
machine-readable format is derived from, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core import CheckResult
from . import json_report, table
from . import github, jsonl, sarif, text

FORMATS: dict[str, Callable[[CheckResult], str]] = {
    "table": table.render,
    "json": json_report.render,
    "jsonl": jsonl.render,
    "text": text.render,
    "github": github.render,
    "sarif": sarif.render,
}


def render(result: CheckResult, fmt: str = "table") -> str:
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}") from None
    return renderer(result)

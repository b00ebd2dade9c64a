"""Baselines and fail levels: what lets dedup run as a CI check on an existing archive.

A baseline records the content fingerprints of today's findings, so a CI run
can start green and fail only on new findings.  Fingerprints hash the kind
and the normalized sentences (``report.json_report.fingerprint``), not
positions: edits elsewhere in a file, or moving the sentences, do not revive
a baselined finding, while a new copy of a baselined sentence does (the group
changes, and so does its fingerprint).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from .core import CheckResult, Finding
from .files import write_atomic
from .settings import FAIL_LEVELS

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read or is not a dedup baseline."""


def severity(finding: Finding) -> str:
    """The fail level a finding reaches: conflict > repeat > claim > boilerplate (``Finding.severity``)."""
    return finding.severity


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding reaches the fail level (``none`` never fails)."""
    return reaches((severity(f) for f in findings), fail_on)


def reaches(severities: Iterable[str], fail_on: str) -> bool:
    """``fails`` on severities alone: a run that wrote its findings elsewhere counted them by severity."""
    if fail_on not in FAIL_LEVELS:
        raise ValueError(f"unknown fail level {fail_on!r}; choose from {', '.join(FAIL_LEVELS)}")
    if fail_on == "none":
        return False
    threshold = FAIL_LEVELS.index(fail_on)
    return any(FAIL_LEVELS.index(s) >= threshold for s in severities)


def write_baseline(result: CheckResult, path: str | os.PathLike) -> int:
    """Record every finding's fingerprint (atomically); returns how many."""
    entries = sorted(
        {
            (f.fingerprint, f.kind, f.occurrences[0].text[:120])
            for f in result.findings
        }
    )
    payload = {
        "version": BASELINE_VERSION,
        "findings": [{"fingerprint": fp, "kind": kind, "text": text} for fp, kind, text in entries],
    }
    write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return len(entries)


def load_baseline(path: str | os.PathLike) -> set[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("version") != BASELINE_VERSION:
            raise BaselineError(f"{path}: unsupported baseline version {data.get('version')!r}")
        return {entry["fingerprint"] for entry in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, BaselineError):
            raise
        raise BaselineError(f"{path}: not a readable dedup baseline ({exc})") from exc


def apply_baseline(result: CheckResult, known: set[str]) -> int:
    """Drop the findings recorded in the baseline; returns how many were hidden."""
    kept = [f for f in result.findings if f.fingerprint not in known]
    hidden = len(result.findings) - len(kept)
    result.findings = kept
    return hidden

"""Baselines and fail levels: what lets dedup run as a CI check on an existing archive.

A baseline records the content fingerprints of today's findings, so a CI run
can start green and fail only on new findings.  Fingerprints hash the kind
and the normalized sentences (``report.json_report.fingerprint``), not
positions: edits elsewhere in a file, or moving the sentences, do not revive
a baselined finding, while a new copy of a baselined sentence does (the group
changes, and so does its fingerprint).

A baseline also records what decided its findings (``decided_by``): the dedup
version, the methods, the embedding model, the claim decider and the checksum
of the weights that decide.  A check against a baseline written under other
deciders warns, because an upgrade that changes the verifier moves claim
findings, and a CI gate that turns red after ``pip install -U`` should say why.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .claims import model_path
from .core import CheckResult, Finding
from .files import write_atomic
from .models import sha256_of
from .settings import FAIL_LEVELS, Settings
from .verify import VERIFIER_SHA256
from .version import __version__

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


@dataclass(frozen=True)
class Baseline:
    """A baseline file as read: the fingerprints it hides and what decided them (empty in older files)."""

    fingerprints: frozenset[str]
    decided_by: dict[str, str] = field(default_factory=dict)


def decided_by(settings: Settings) -> dict[str, str]:
    """The choices and weights that decide which findings a run reports, as a baseline records them."""
    record = {"dedup": __version__, "methods": ",".join(settings.methods)}
    if "semantic" in settings.methods:
        record["model"] = settings.model
        record["claim_decider"] = settings.claim_decider
        if settings.claim_decider in ("verifier", "both"):
            record["verifier"] = VERIFIER_SHA256[:16]
            record["verifier_points"] = verifier_points(settings)
        if settings.claim_decider in ("rule", "both"):
            record["claim_model"] = sha256_of(model_path(settings.model))[:16]
        if settings.min_score is not None:
            record["min_score"] = f"{settings.min_score:g}"
    return record


def verifier_points(settings: Settings) -> str:
    """The verifier's decision points in one line: moving any of them changes which claims a check reports
    as surely as new weights do, and a dedup upgrade may move them without a new version."""
    parts = [f"{settings.verifier_point:g}", f"strict +{settings.verifier_strict_margin:g}", f"cosine {settings.verifier_gate_cosine:g}"]
    if settings.claim_decider == "verifier":
        parts.append(f"shared words {settings.verifier_lexical_point:g} at {settings.verifier_lexical_min_ratio:g}")
    return "; ".join(parts)


def decider_drift(baseline: Baseline, settings: Settings) -> str | None:
    """A warning when the baseline's findings were decided otherwise than this run's, else None.

    Only what both record is compared, so a file written before ``decided_by`` existed never warns.
    """
    now = decided_by(settings)
    changed = [key for key in now if key in baseline.decided_by and baseline.decided_by[key] != now[key]]
    if not changed:
        return None
    then_text = ", ".join(f"{key} {baseline.decided_by[key]}" for key in changed)
    now_text = ", ".join(f"{key} {now[key]}" for key in changed)
    return (f"the baseline was written with {then_text}; this run uses {now_text}: findings it hides may be gone "
            "and new ones may show; review them and rewrite the baseline with --write-baseline")


def write_baseline(result: CheckResult, path: str | os.PathLike, settings: Settings | None = None) -> int:
    """Record every finding's fingerprint (atomically), and with ``settings`` what decided them; returns how many."""
    entries = sorted(
        {
            (f.fingerprint, f.kind, f.occurrences[0].text[:120])
            for f in result.findings
        }
    )
    payload: dict = {"version": BASELINE_VERSION}
    if settings is not None:
        payload["decided_by"] = decided_by(settings)
    payload["findings"] = [{"fingerprint": fp, "kind": kind, "text": text} for fp, kind, text in entries]
    write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return len(entries)


def load_baseline(path: str | os.PathLike) -> set[str]:
    """The fingerprints a baseline file hides."""
    return set(read_baseline(path).fingerprints)


def read_baseline(path: str | os.PathLike) -> Baseline:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("version") != BASELINE_VERSION:
            raise BaselineError(f"{path}: unsupported baseline version {data.get('version')!r}")
        recorded = data.get("decided_by") or {}
        if not isinstance(recorded, dict):
            raise BaselineError(f"{path}: not a readable dedup baseline (decided_by is not an object)")
        return Baseline(frozenset(entry["fingerprint"] for entry in data["findings"]),
                        {str(k): str(v) for k, v in recorded.items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, BaselineError):
            raise
        raise BaselineError(f"{path}: not a readable dedup baseline ({exc})") from exc


def apply_baseline(result: CheckResult, known: set[str] | frozenset[str]) -> int:
    """Drop the findings recorded in the baseline; returns how many were hidden."""
    kept = [f for f in result.findings if f.fingerprint not in known]
    hidden = len(result.findings) - len(kept)
    result.findings = kept
    return hidden

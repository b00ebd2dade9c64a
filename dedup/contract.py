"""The JSON contract: the stable, documented shape of a check's results (``report.json_report`` renders it).

Below the engines and commands, because a Ray worker writing a findings shard and ``clean``
writing its log speak it too.

Version 1.  Keys are only ever added, never renamed or removed, within a
version.  Offsets (``start``, ``end``) are character offsets into the decoded
document text; ``line`` and ``column`` are 1-based and derived from them.
"""

from __future__ import annotations

from .core import CheckResult, ClaimEvidence, Document, Finding, Sentence

SCHEMA_VERSION = 1


def fingerprint(finding: Finding) -> str:
    """``Finding.fingerprint``: kept for callers of the report API."""
    return finding.fingerprint


def document_ref(document: Document) -> dict:
    """The keys that name a document: ``path``, plus ``record`` and ``id`` for JSON Lines records."""
    out: dict = {"path": document.path}
    if document.record is not None:
        out["record"] = document.record
    if document.id is not None:
        out["id"] = document.id
    return out


def occurrence_dict(sentence: Sentence) -> dict:
    line, column = sentence.document.line_col(sentence.start)
    ref = document_ref(sentence.document)
    out = {"path": ref.pop("path"), "line": line, "column": column, "start": sentence.start, "end": sentence.end,
           "text": sentence.text}
    out.update(ref)
    return out


def finding_dict(finding: Finding, occurrences: list[dict] | None = None) -> dict:
    """The finding as the contract has it.

    ``occurrences`` are its ``occurrence_dict`` records when they were made
    elsewhere: a distributed run makes them where the document text is, so
    the process assembling the finding never holds whole documents.
    """
    return {
        "kind": finding.kind,
        "scope": finding.scope,
        "score": finding.score,
        "methods": list(finding.methods),
        "fingerprint": fingerprint(finding),
        "occurrences": occurrences if occurrences is not None else [occurrence_dict(o) for o in finding.occurrences],
        "conflicts": [{"type": c.type, "a": c.a, "b": c.b} for c in finding.conflicts],
        **({"claim": evidence_dict(finding.evidence)} if finding.evidence is not None else {}),
    }


def evidence_dict(evidence: ClaimEvidence) -> dict:
    return {
        "decider": evidence.decider, "outcome": evidence.outcome, "probability": evidence.probability,
        "cosine": evidence.cosine, "shared": list(evidence.shared),
    }


def document_dict(document: Document, sentence_count: int) -> dict:
    ref = document_ref(document)
    out = {"path": ref.pop("path"), "sentences": sentence_count, "encoding": document.encoding}
    out.update(ref)
    return out


def to_dict(result: CheckResult) -> dict:
    return {
        "version": SCHEMA_VERSION,
        "documents": [document_dict(d, result.sentence_count(d)) for d in result.documents],
        "findings": [finding_dict(f) for f in result.findings],
        "warnings": [{"path": p.path, "message": p.message} for p in result.problems],
    }

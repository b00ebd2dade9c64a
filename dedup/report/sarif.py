"""SARIF 2.1.0, as GitHub code scanning (``github/codeql-action/upload-sarif``) accepts it.

One run; ``tool.driver`` lists every rule of ``rules.RULES`` (always all of
them, so ``ruleIndex`` is stable).  One result per finding, at its later
occurrence, with every other occurrence as a ``relatedLocation`` (linked from
the message, which is how code scanning shows them).  ``partialFingerprints``
carries the content fingerprint of the JSON contract under
``dedupFingerprint/v1``: it depends on the kind and the normalized sentences
only, so an alert survives lines moving and closes when the sentence changes.

Regions: 1-based lines and columns, ``endColumn`` exclusive, columns counted
in Unicode code points (``run.columnKind = "unicodeCodePoints"``) because
they are Python ``str`` indices.  JSON Lines records get the record's line
and no columns.  Input warnings become ``toolExecutionNotifications``.
"""

from __future__ import annotations

import json

from ..core import CheckResult, Finding, Sentence
from . import rules
from ..version import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "dedupFingerprint/v1"


def _artifact(path: str) -> dict:
    uri, base = rules.uri(path)
    out = {"uri": uri}
    if base:
        out["uriBaseId"] = base
    return out


def physical_location(sentence: Sentence) -> dict:
    where = rules.location(sentence)
    region: dict = {"startLine": where.line}
    if where.column is not None:
        region.update(startColumn=where.column, endLine=where.end_line, endColumn=where.end_column)
    else:
        region["endLine"] = where.end_line
    region["snippet"] = {"text": sentence.text}
    return {"artifactLocation": _artifact(sentence.document.path), "region": region}


def _escape(text: str) -> str:
    """Brackets in SARIF message text would read as embedded links (SARIF 3.11.6)."""
    return text.replace("[", "\\[").replace("]", "\\]")


def result_dict(finding: Finding) -> dict:
    rule = rules.rule_for(finding)
    here = rules.reported(finding)
    others = rules.related(finding)
    text = rules.message(
        finding, ref=lambda i, s: f"[{_escape(str(rules.location(s)))}]({i})", quote_text=_escape
    )
    return {
        "ruleId": rule.id,
        "ruleIndex": rules.RULE_INDEX[rule.id],
        "level": rule.level,
        "message": {"text": text},
        "locations": [{"physicalLocation": physical_location(here)}],
        "relatedLocations": [
            {
                "id": i,
                "physicalLocation": physical_location(other),
                "message": {"text": "first occurrence" if other is finding.first else "earlier occurrence"},
            }
            for i, other in enumerate(others, 1)
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "kind": finding.kind,
            "scope": finding.scope,
            "score": finding.score,
            "methods": list(finding.methods),
            "conflicts": [{"type": c.type, "a": c.a, "b": c.b} for c in finding.conflicts],
        },
    }


def rule_dict(rule: rules.Rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.description},
        "defaultConfiguration": {"level": rule.level},
    }


def to_sarif(result: CheckResult) -> dict:
    invocation: dict = {"executionSuccessful": True}
    if result.problems:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {"text": problem.message},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(problem.path)}}],
            }
            for problem in result.problems
        ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dedup",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule_dict(rule) for rule in rules.RULES],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": [result_dict(f) for f in sorted(result.findings, key=rules.sort_key)],
            }
        ],
    }


def render(result: CheckResult) -> str:
    return json.dumps(to_sarif(result), ensure_ascii=False, indent=2) + "\n"

"""Reuse audit reports: ``table`` (default, one row per draft), ``json`` and ``html``.

``render(result, fmt)`` is the one entry point; ``AUDIT_FORMATS`` names the
formats.  The JSON shape (version 1; keys are only ever added)::

    {"version": 1,
     "documents": [{"path", "reuse", "attributed", "unattributed",
                    "chars", "eligible_chars", "sentence_count", "reused_count",
                    "sources": [{"path", "share", "chars", "sentences"}],
                    "sentences": [{"start", "end", "line", "column", "text",
                                   "kind", "method", "score", "attributed", "attribution",
                                   "source": {"path", "start", "end", "line", "column", "text"},
                                   "conflicts": [{"type", "source", "draft"}]}]}],
     "references": [path...], "warnings": [{"path", "message"}]}

Shares are fractions (0-1) rounded to 4 places; ``record``/``id`` are added
to a document or source when it is a JSON Lines record, as in ``dedup check``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from tabulate import tabulate

from ..audit import AuditResult, DraftAudit, Reuse
from ..core import Sentence
from .json_report import document_ref

SCHEMA_VERSION = 1
TOP_SOURCES = 3


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def _span(sentence: Sentence) -> dict:
    line, column = sentence.document.line_col(sentence.start)
    return {"start": sentence.start, "end": sentence.end, "line": line, "column": column, "text": sentence.text}


def _reuse_dict(r: Reuse) -> dict:
    return {
        **_span(r.sentence),
        "kind": r.kind,
        "method": r.method,
        "score": r.score,
        "attributed": r.attributed,
        "attribution": r.attribution,
        "source": {**document_ref(r.source.document), **_span(r.source)},
        "conflicts": [{"type": c.type, "source": c.a, "draft": c.b} for c in r.conflicts],
    }


def draft_dict(draft: DraftAudit) -> dict:
    return {
        **document_ref(draft.document),
        "reuse": round(draft.reuse, 4),
        "attributed": round(draft.attributed, 4),
        "unattributed": round(draft.unattributed, 4),
        "chars": draft.chars,
        "eligible_chars": draft.eligible_chars,
        "sentence_count": len(draft.sentences),
        "reused_count": len(draft.reused),
        "sources": [
            {**document_ref(s.document), "share": round(s.share, 4), "chars": s.chars, "sentences": s.sentences}
            for s in draft.sources
        ],
        "sentences": [_reuse_dict(r) for r in draft.reused],
    }


def to_dict(result: AuditResult) -> dict:
    return {
        "version": SCHEMA_VERSION,
        "documents": [draft_dict(d) for d in result.documents],
        "references": [d.name for d in result.references],
        "warnings": [{"path": p.path, "message": p.message} for p in result.problems],
    }


def render_json(result: AuditResult) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n"


def render_table(result: AuditResult) -> str:
    """One row per draft: reuse, attributed and unattributed shares, top sources."""
    rows = []
    for d in result.documents:
        top = "; ".join(f"{s.document.name} {_percent(s.share)}" for s in d.sources[:TOP_SOURCES])
        if len(d.sources) > TOP_SOURCES:
            top += f"; +{len(d.sources) - TOP_SOURCES} more"
        rows.append(
            [
                d.document.name,
                f"{len(d.reused)}/{len(d.eligible)}",
                _percent(d.reuse),
                _percent(d.attributed),
                _percent(d.unattributed),
                top or "-",
            ]
        )
    headers = ["draft", "reused", "reuse", "attributed", "unattributed", "top sources"]
    table = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True, maxcolwidths=[None] * 5 + [60])
    conflicts = sum(bool(r.conflicts) for d in result.documents for r in d.reused)
    summary = (
        f"{len(result.documents)} draft(s) against {len(result.references)} source document(s); "
        "reuse = characters of reused sentences / characters of matchable sentences"
    )
    if conflicts:
        summary += f"; {conflicts} reused sentence(s) with changed details"
    if result.problems:
        summary += f"; {len(result.problems)} input warning(s)"
    changed = _changed_details(result)
    return table + "\n\n" + (changed + "\n\n" if changed else "") + summary + "\n"


TABLE_MAX_CHANGED = 20  # reused sentences whose changed details the table lists; JSON and HTML list all


def _changed_details(result: AuditResult) -> str:
    """What each reused sentence changed from its source (an update's new figures), one row a detail."""
    rows = []
    changed = [(d, r) for d in result.documents for r in d.reused if r.conflicts]
    for d, r in changed[:TABLE_MAX_CHANGED]:
        for k, c in enumerate(r.conflicts):
            rows.append([
                f"{d.document.name}:{r.sentence.line}:{r.sentence.column}" if k == 0 else "",
                c.type, c.a, c.b,
                f"{r.source.document.name}:{r.source.line}:{r.source.column}" if k == 0 else "",
            ])
    if not rows:
        return ""
    table = tabulate(rows, headers=["reused sentence", "changed", "source says", "draft says", "source"],
                     tablefmt="simple", disable_numparse=True, maxcolwidths=[None, None, 40, 40, None])
    if len(changed) > TABLE_MAX_CHANGED:
        table += f"\nand {len(changed) - TABLE_MAX_CHANGED:,} more reused sentence(s) with changed details"
    return "changed details\n" + table


def _render_html(result: AuditResult) -> str:
    from .audit_html import render

    return render(result)


AUDIT_FORMATS: dict[str, Callable[[AuditResult], str]] = {
    "table": render_table,
    "json": render_json,
    "html": _render_html,
}


def render(result: AuditResult, fmt: str = "table") -> str:
    try:
        renderer = AUDIT_FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown audit format {fmt!r}; choose from {', '.join(AUDIT_FORMATS)}") from None
    return renderer(result)

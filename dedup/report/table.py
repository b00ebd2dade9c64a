"""The default, human-readable report: one table per file, the sentences side by side.

A finding is listed under the file of its latest occurrence in a draft (the
repeat; see ``rules.reported``) and points back at the other ones, the way a linter reports a duplicate at the
second definition.  Conflicting details get their own line so they are not
missed.
"""

from __future__ import annotations

from collections import defaultdict

from tabulate import tabulate

from ..core import CheckResult, ClaimEvidence, Finding, Sentence
from .rules import printable, related, reported, snippet

TEXT_WIDTH = 48


def _where(sentence: Sentence, same_file: bool) -> str:
    line, column = sentence.document.line_col(sentence.start)
    return f"{line}:{column}" if same_file else f"{sentence.document.name}:{line}:{column}"


TABLE_MAX_MATCHES = 10  # matching sentences listed per finding
TABLE_MAX_BOILERPLATE = 3  # a house phrase is named once, with its count and a few places


def _shorten(text: str) -> str:
    return snippet(text, 200)


def _rows(number: int, finding: Finding) -> list[list[str]]:
    later = reported(finding)
    earlier = related(finding)
    label = f"{finding.kind} {finding.scope}"
    limit = TABLE_MAX_MATCHES
    if finding.kind == "boilerplate":
        label = f"boilerplate in {len({id(o.document) for o in finding.occurrences})} documents"
        limit = TABLE_MAX_BOILERPLATE
    rows = []
    for k, other in enumerate(earlier[:limit]):
        rows.append(
            [
                str(number) if k == 0 else "",
                label if k == 0 else "",
                _where(later, True) if k == 0 else "",
                _shorten(later.text) if k == 0 else "",
                _where(other, other.document is later.document),
                _shorten(other.text),
                f"{finding.score:.2f}" if k == 0 else "",
                ",".join(finding.methods) if k == 0 else "",
            ]
        )
    if len(earlier) > limit:
        # One finding of 9,999 matches would otherwise fill the terminal; JSON and SARIF list them all.
        rows.append(["", "", "", "", f"and {len(earlier) - limit:,} more", "", "", ""])
    for c in finding.conflicts:
        rows.append(["", f"CONFLICT {c.type}", "", _shorten(c.b), "", _shorten(c.a), "", ""])
    if finding.evidence is not None:
        rows.append(["", f"WHY {finding.evidence.outcome}", "", _shorten(why(finding.evidence)), "", "", "", ""])
    return rows


def why(evidence: ClaimEvidence) -> str:
    """One line a reader checks a claim by: who decided, how sure, what proposed it, what both state."""
    shared = f"; both state {', '.join(evidence.shared)}" if evidence.shared else ""
    return f"{evidence.decider} probability {evidence.probability:.2f}, cosine {evidence.cosine:.2f}{shared}"


def render(result: CheckResult) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[reported(finding).document.name].append(finding)
    parts = []
    number = 0
    headers = ["#", "finding", "here", "sentence", "matches", "matching sentence", "score", "method"]
    for name in sorted(by_file, key=lambda n: min(_order(result, f) for f in by_file[n])):
        rows = []
        for finding in by_file[name]:
            number += 1
            rows.extend(_rows(number, finding))
        parts.append(name)
        parts.append(
            tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True, maxcolwidths=[None, None, None, TEXT_WIDTH, None, TEXT_WIDTH, None, None])
        )
        parts.append("")
    parts.append(summary(result))
    return printable("\n".join(parts) + "\n")  # article text never reaches the terminal as controls


def _order(result: CheckResult, finding: Finding) -> int:
    return reported(finding).index


def summary(result: CheckResult) -> str:
    repeats = sum(f.kind == "repeat" for f in result.findings)
    boilerplate = sum(f.kind == "boilerplate" for f in result.findings)
    claims = len(result.findings) - repeats - boilerplate
    conflicts = sum(bool(f.conflicts) for f in result.findings)
    text = (
        f"{len(result.findings)} finding(s): {repeats} repeat(s), {claims} claim(s)"
        f"{f', {boilerplate} boilerplate' if boilerplate else ''}"
        f"{f', {conflicts} with conflicting details' if conflicts else ''}"
        f" in {len(result.documents)} document(s), {result.total_sentences} sentence(s)"
    )
    if result.problems:
        text += f"; {len(result.problems)} input warning(s)"
    return text

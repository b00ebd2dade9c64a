"""Stable rule codes, and where and how a finding is reported, for every linter-style format.

=======  ==================  =======  ==============================================
id       name                level    what
=======  ==================  =======  ==============================================
DUP001   repeat-within       warning  a sentence repeated within one document
DUP002   repeat-across       warning  a sentence repeated from another document
DUP003   claim-within        note     a claim restated in other words, one document
DUP004   claim-across        note     a claim restated in other words, across documents
DUP005   conflicting-detail  warning  two occurrences of one claim (or near-repeat)
                                      state a detail differently
DUP006   boilerplate         note     a house phrase or template line recurring
                                      across many documents, listed once
=======  ==================  =======  ==============================================

Codes are never renumbered or reused; a new kind of finding gets a new code.
Levels are SARIF levels (``note`` < ``warning`` < ``error``); the GitHub
format maps them to ``::notice`` / ``::warning`` / ``::error``.  A repeat is a
defect (warning); a claim restated in other words is a lead for an editor
(note); a conflicting detail is a warning, because it means one of two
versions of a fact is wrong.

**Conflicts change the rule; they do not add a result.**  A finding with
conflicting details is reported once, as DUP005, instead of under its
DUP001-DUP004 code; its kind and scope stay in the message (and in the SARIF
result's ``properties``).  One finding is one result in every format, so the
counts of ``text``, ``github``, ``sarif``, ``jsonl`` and ``json`` agree, and
the editor sees one annotation on the sentence, not two.  The content
fingerprint does not depend on conflicts, so the ``partialFingerprints`` of a
finding stay the same when it gains or loses a conflict (its rule id changes).

**Where a finding is reported.**  At its later occurrence (the repeat), with
the earlier occurrence(s) as related locations, the way a linter reports a
duplicate definition at the second one.  With ``--against``, references are
read after the drafts, so the reported occurrence is the last one in a
*draft* (a reference is never where a draft is annotated); only if every
occurrence were a reference would the last reference be used.

**Locations.**  For a whole file: 1-based ``line``/``column`` of the first
character and the line/column just past the last (exclusive end, SARIF and
ruff convention), in Python ``str`` characters (Unicode code points).  For a
JSON Lines record the position inside the text field says nothing about the
file, so the location is the record's line in the file, with no columns.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import quote

from ..core import Finding, Sentence

SNIPPET_WIDTH = 80
MAX_REFS = 5  # earlier occurrences named in a one-line message; SARIF lists all as related locations


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    short: str  # one line (SARIF shortDescription)
    description: str  # SARIF fullDescription and README
    level: str  # SARIF level: "note" | "warning" | "error"


RULES: tuple[Rule, ...] = (
    Rule(
        "DUP001", "repeat-within", "Sentence repeated within one document",
        "The same sentence (exactly, or with only small wording changes) appears more than once in one "
        "document. Reported at the later occurrence; delete it or rewrite it.",
        "warning",
    ),
    Rule(
        "DUP002", "repeat-across", "Sentence repeated from another document",
        "The same sentence (exactly, or with only small wording changes) appears in another document. "
        "Reported at the later occurrence; check it is intended (a quote, a standard line) or rewrite it.",
        "warning",
    ),
    Rule(
        "DUP003", "claim-within", "Claim restated within one document",
        "Two sentences of one document make the same claim in different words. Reported at the later one; "
        "an editor decides whether the restatement adds anything.",
        "note",
    ),
    Rule(
        "DUP004", "claim-across", "Claim restated from another document",
        "A sentence makes the same claim as a sentence of another document, in different words. Reported "
        "at the later one; a lead for an editor, not necessarily a defect.",
        "note",
    ),
    Rule(
        "DUP005", "conflicting-detail", "Two versions of one claim disagree on a detail",
        "Two occurrences of one claim or near-repeat state a number, date, amount, percentage or name "
        "differently, so at most one of them is right. Reported at the later occurrence instead of its "
        "repeat/claim rule; check the fact.",
        "warning",
    ),
    Rule(
        "DUP006", "boilerplate", "House phrase recurring across many documents",
        "A sentence, or one template with other figures (\"Shr 39 cts vs 50 cts\"), recurs across more "
        "documents than one story is retold in (see the boilerplate threshold in the docs). Listed once with "
        "its count; using it copies no one. Hidden with --boilerplate hide.",
        "note",
    ),
)

RULE_INDEX: dict[str, int] = {rule.id: i for i, rule in enumerate(RULES)}
_BY_KIND_SCOPE = {
    ("repeat", "within"): RULES[0],
    ("repeat", "across"): RULES[1],
    ("claim", "within"): RULES[2],
    ("claim", "across"): RULES[3],
    ("boilerplate", "within"): RULES[5],
    ("boilerplate", "across"): RULES[5],
}
CONFLICT = RULES[4]


def rule_for(finding: Finding) -> Rule:
    """The one rule a finding is reported under (see the module docstring)."""
    if finding.conflicts:
        return CONFLICT
    return _BY_KIND_SCOPE[(finding.kind, finding.scope)]


# --- where ------------------------------------------------------------------


def reported(finding: Finding) -> Sentence:
    """The occurrence a finding is reported at: the last one in a draft (see module docstring)."""
    for sentence in reversed(finding.occurrences):
        if not sentence.document.reference:
            return sentence
    return finding.last


def related(finding: Finding) -> list[Sentence]:
    """Every other occurrence, in reading order."""
    here = reported(finding)
    return [o for o in finding.occurrences if o is not here]


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int | None  # None for a JSON Lines record (whole line)
    end_line: int
    end_column: int | None  # exclusive

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column or 1}"


def location(sentence: Sentence) -> Location:
    document = sentence.document
    if document.record is not None:
        return Location(document.path, document.record, None, document.record, None)
    line, column = document.line_col(sentence.start)
    end_line, end_column = sentence.end_line_col
    return Location(document.path, line, column, end_line, end_column + 1)


def relative_path(path: str) -> str | None:
    """``path`` relative to the working directory with forward slashes, or None if it lies outside.

    GitHub (annotations and code scanning) resolves paths against the checkout,
    which is the working directory of a workflow step.
    """
    if path.startswith("<") and path.endswith(">"):  # <stdin>
        return None
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return None
    return PurePath(os.path.normpath(p)).as_posix()


def uri(path: str) -> tuple[str, str | None]:
    """SARIF ``artifactLocation`` uri and uriBaseId: relative paths against %SRCROOT%, forward slashes."""
    relative = relative_path(path)
    if relative is not None:
        return quote(relative, safe="/"), "%SRCROOT%"
    if Path(path).is_absolute():
        return Path(path).as_uri(), None
    return quote(path, safe=""), None


# --- what -------------------------------------------------------------------


# C0 controls but tab and newline, DEL and C1: what an article could use to drive a terminal
# (ESC ] 0 ; title BEL sets the window title; ESC [ ... moves the cursor).
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def printable(text: str, *, newlines: bool = True) -> str:
    """Controls shown as ``\\xNN`` escapes in human-readable output; newlines too when a format is one line a finding."""
    text = text.translate(_CONTROLS)
    return text if newlines else text.replace("\n", "\\n")


def snippet(text: str, width: int = SNIPPET_WIDTH) -> str:
    """One line of at most ``width`` characters: whitespace folded, an ellipsis where cut."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def conflict_text(finding: Finding) -> str:
    return "; ".join(f'{c.type} "{c.a}" vs "{c.b}"' for c in finding.conflicts)


def message(
    finding: Finding,
    ref: Callable[[int, Sentence], str] = lambda i, s: str(location(s)),
    quote_text: Callable[[str], str] = lambda t: t,
) -> str:
    """The one-line message every linter-style format shows.

    ``ref(i, sentence)`` names the i-th (1-based) earlier occurrence (SARIF turns
    it into a link to related location ``i``); ``quote_text`` escapes quoted text.
    """
    others = related(finding)
    refs = ", ".join(ref(i, s) for i, s in enumerate(others[:MAX_REFS], 1))
    if len(others) > MAX_REFS:
        refs += f" and {len(others) - MAX_REFS} more"
    quoted = '"' + quote_text(snippet(others[0].text)) + '"'
    if finding.conflicts:
        what = "near-repeat" if finding.kind == "repeat" else "same claim"
        return (
            f"Conflicting detail with the {what} ({finding.scope}) at {refs}: "
            f"{quote_text(conflict_text(finding))}. Other version: {quoted}"
        )
    if finding.kind == "boilerplate":
        documents = len({id(o.document) for o in finding.occurrences})
        return (f"Boilerplate: {len(finding.occurrences)} occurrences in {documents} documents, "
                f"first at {refs}: {quoted}")
    if finding.kind == "repeat":
        similarity = "" if finding.score >= 1.0 else f" (similarity {finding.score:.2f})"
        return f"Repeats the sentence at {refs}{similarity}: {quoted}"
    return f"Restates the claim at {refs} (score {finding.score:.2f}): {quoted}"


def title(finding: Finding) -> str:
    rule = rule_for(finding)
    if finding.conflicts:
        return f"{rule.id} conflicting detail ({finding.kind} {finding.scope})"
    return f"{rule.id} {finding.kind} {finding.scope}"


def sort_key(finding: Finding) -> tuple:
    here = location(reported(finding))
    return (here.path, here.line, here.column or 0, rule_for(finding).id)

"""GitHub Actions workflow commands: one ``::warning file=…,line=…::message`` per finding.

Printed by a step, each line becomes an annotation on the pull request's
diff at the repeat (the later occurrence).  The command level follows the
rule's level (note -> ``notice``, warning -> ``warning``, error -> ``error``).
Paths are made relative to the working directory (the checkout, in a
workflow step) when they lie under it.  Columns are given only when the sentence sits on one line: GitHub accepts
``col``/``endColumn`` only for single-line annotations.  ``endColumn`` is
exclusive, as in SARIF.

Escaping follows the Actions toolkit: in the message, ``%`` ``\\r`` ``\\n``
become ``%25`` ``%0D`` ``%0A``; in property values ``:`` and ``,`` also
become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

from ..core import CheckResult, Finding
from . import rules

COMMANDS = {"note": "notice", "warning": "warning", "error": "error", "none": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    rule = rules.rule_for(finding)
    here = rules.location(rules.reported(finding))
    props = [("file", rules.relative_path(here.path) or here.path), ("line", str(here.line))]
    if here.line == here.end_line and here.column is not None:
        props += [("col", str(here.column)), ("endLine", str(here.end_line)), ("endColumn", str(here.end_column))]
    else:
        props.append(("endLine", str(here.end_line)))
    props.append(("title", rules.title(finding)))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[rule.level]} {joined}::{escape_data(rules.message(finding))}"


def render(result: CheckResult) -> str:
    return "".join(command(f) + "\n" for f in sorted(result.findings, key=rules.sort_key))

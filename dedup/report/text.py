"""One line per finding, ``path:line:col: CODE message``: the grep / editor / compiler convention.

Each finding is reported at its later occurrence (see ``rules``), sorted by
path and line, and names the earlier occurrence(s) as ``path:line:col`` with
a snippet, so ``:cfile`` in vim, ``M-x compile`` in Emacs or VS Code's problem
matchers jump straight to the repeat.  Nothing else is printed: no findings,
no output.
"""

from __future__ import annotations

from ..core import CheckResult
from . import rules


def render(result: CheckResult) -> str:
    lines = []
    for finding in sorted(result.findings, key=rules.sort_key):
        here = rules.location(rules.reported(finding))
        line = f"{here}: {rules.rule_for(finding).id} {rules.message(finding)}"
        lines.append(rules.printable(line, newlines=False))  # one line a finding, whatever a path holds
    return "".join(line + "\n" for line in lines)

"""dedup: find repeated sentences and overlapping claims in news text.

    >>> import dedup
    >>> result = dedup.check(["seeds/"])                       # doctest: +SKIP
    >>> for finding in result.findings:                         # doctest: +SKIP
    ...     print(finding.kind, finding.scope, [o.text for o in finding.occurrences])

``check`` reads paths; ``check_documents`` takes ``Document`` objects you
built yourself (from a database, a notebook, a scraper).  ``Settings`` holds
every knob; its defaults are documented in ``dedup.settings``.
"""

from .core import CheckResult, Conflict, Document, Finding, Match, Problem, Sentence
from .documents import read_documents
from .pipeline import check, check_documents
from .report import render
from .report.json_report import to_dict
from .settings import Settings

from .version import __version__

__all__ = [
    "CheckResult", "Conflict", "Document", "Finding", "Match", "Problem", "Sentence", "Settings",
    "check", "check_documents", "read_documents", "render", "to_dict", "__version__",
]

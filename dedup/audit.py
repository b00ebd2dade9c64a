"""Reuse audit: how much of each draft repeats or paraphrases its sources, and from which.

``audit(drafts, sources)`` runs the checker once (``pipeline.check`` with the
sources as references) and reads its findings per draft sentence; it has no
matching logic of its own.  A draft sentence is *reused* when a finding holds
it together with a sentence of a source document: a ``repeat`` (exact, fuzzy,
or near-identical semantic wording) or a ``claim`` (same claim, other words).

Definitions (also in README, "dedup audit"):

**Counterpart.**  Of the source sentences sharing a finding with a draft
sentence, the one shown and credited is chosen by (1) kind: a repeat before a
claim; (2) method: identical key (exact) before fuzzy before semantic; (3)
wording similarity (rapidfuzz ``ratio`` of the normalized sentences, used only
to choose, never to decide whether a sentence is reused); (4) the source the
draft reuses most, then reading order.  So a sentence that two near-duplicate
sources both contain is credited to the source the draft took most from.

**Reuse share.**  Characters of reused draft sentences over characters of the
draft's *eligible* sentences: those the matcher is allowed to match (at least
``min_words`` words and ``min_chars`` characters, not excluded by an
``ignore`` pattern or an inline ``dedup: ignore`` marker; see
``pipeline.is_eligible``).  A sentence too short to match ("Why?", a
dateline, a one-word line break such as "did") can be neither shown to be
reused nor shown to be original, so it is left out of both sides of the
fraction instead of silently counting as original: a verbatim copy scores
1.0, not 0.98 by the weight of its datelines.  ``chars`` (all sentences) and
``eligible_chars`` are reported beside the share, so the excluded part is
visible.  Characters are Python ``str`` characters of the sentence spans.

**Per-source share.**  The same fraction restricted to the sentences
credited to that source.  Each reused sentence is credited to exactly one
source, so the per-source shares add up to the reuse share; sources are
listed by share, most first.

**Attribution.**  A reused sentence is *attributed* when it credits a source
itself ("..., Reuters reported", "according to the Labor Department", "he
told the BBC", "the firm said in a statement", "(AP)"), or when the draft
opens with a wire dateline ("LONDON (Reuters) -"), which by wire convention
credits the whole story.  See ``attribution``; the share of attributed reuse
is reported separately (``attributed`` + ``unattributed`` == ``reuse``).
Attribution is judged per sentence: the second sentence of a quote whose
first sentence says "he told the BBC" does not credit it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .core import CheckResult, Conflict, Document, Finding, Problem, Sentence
from .pipeline import check, eligibility
from .settings import Settings

__all__ = [
    "AuditResult", "DraftAudit", "Reuse", "SourceShare", "attribution", "audit", "audit_documents", "audit_result",
    "dateline_attribution", "over_limit",
]

# --- attribution --------------------------------------------------------------
#
# Measured on the 40,157 distinct sentences of the BBC corpus (see
# tests/test_audit.py for the real sentences each rule is held to).  Names that
# are also ordinary words or companies ("Sun said" is Sun Microsystems, "(PA)"
# the Palestinian Authority, "a spokesman for NBC said" is NBC as the subject)
# only count in the contexts that make them a credit.

# News agencies: credited by "X reported/said", "(X) -" datelines, "told X", "according to X".
_AGENCIES = (
    r"Reuters|Associated\s+Press|AP|AFP|Agence\s+France[- ]Presse?|Bloomberg(?:\s+News)?|"
    r"PA(?:\s+Media|\s+news\s+agency)?|Press\s+Association|dpa|Deutsche\s+Presse[- ]Agentur|Xinhua|Kyodo(?:\s+News)?|"
    r"UPI|United\s+Press\s+International|Interfax|Itar[- ]Tass|TASS|RIA\s+Novosti|EFE|ANSA|Yonhap|"
    r"Dow\s+Jones(?:\s+Newswires)?|Canadian\s+Press|AAP|Australian\s+Associated\s+Press|PTI|Press\s+Trust\s+of\s+India|Anadolu"
)
# Outlets whose name is unambiguous on its own.
_OUTLETS = (
    r"BBC(?:\s+(?:News(?:\s+Online|\s+website)?|Sport|Radio(?:\s*\d)?|Five\s+Live|World(?:\s+Service)?|"
    r"One|Two|Scotland|Wales|Breakfast|Newsnight|Online|website))*(?:'s\s+[A-Z][\w']*(?:\s+[A-Z][\w']*){0,2})?|"
    r"CNN|CNBC|Sky\s+News|Sky\s+Sports(?:\s+News)?|ITV(?:\s+News)?|Channel\s+4\s+News|NBC(?:\s+News)?|CBS(?:\s+News)?|"
    r"ABC\s+News|Fox\s+News|NPR|Al\s+Jazeera|Euronews|Politico|Axios|MarketWatch|(?:The\s+)?Hollywood\s+Reporter|"
    r"New\s+York\s+Times|Washington\s+Post|Wall\s+Street\s+Journal|Financial\s+Times|Sunday\s+Times|Daily\s+Telegraph|"
    r"Sunday\s+Telegraph|Daily\s+Mail|Mail\s+on\s+Sunday|Daily\s+Mirror|Daily\s+Express|Evening\s+Standard|"
    r"Los\s+Angeles\s+Times|Boston\s+Globe|Chicago\s+Tribune|Irish\s+Times|Le\s+Monde|Le\s+Figaro|Der\s+Spiegel|"
    r"Handelsblatt|El\s+Pa[ií]s|Nikkei|Asahi\s+Shimbun|Times\s+of\s+India|South\s+China\s+Morning\s+Post|"
    r"Sydney\s+Morning\s+Herald|Variety|PC\s+Pro"
)
# Outlets named by an ordinary word: only with "the" ("the Times reported", not "Sun said").
_THE_OUTLETS = (
    r"(?:Sunday\s+|Daily\s+|Evening\s+)?(?:Times|Guardian|Observer|Independent|Sun|Mirror|Herald|Telegraph|Express|"
    r"Economist|Scotsman|Star|Post|Record)"
)
_MEDIA_NOUN = (
    r"(?:news\s+agency|newswire|wire\s+service|agency|newspaper|paper|daily|weekly|tabloid|magazine|"
    r"broadcaster|network|channel|website|radio|television|TV)"
)
_MEDIA_ADJ = (
    r"(?:state|official|local|national|regional|business|financial|German|French|Italian|Spanish|Russian|Chinese|"
    r"Japanese|Indian|US|UK|British|American|Swiss|online|trade|industry|entertainment|music|sports?|technology|news)"
)
# "the newspaper", "the French news agency", "Vedomosti newspaper", "news agency Reuters", "state media".
_GENERIC_OUTLET = (
    rf"(?:(?:[Tt]he|[Aa]n?)\s+(?:{_MEDIA_ADJ}\s+|[A-Z][\w'.-]*\s+){{0,3}}{_MEDIA_NOUN}(?:\s+(?:{_AGENCIES}|{_OUTLETS}))?"
    rf"|(?:[A-Z][\w'.-]*\s+){{1,3}}{_MEDIA_NOUN}"
    rf"|{_MEDIA_NOUN}\s+(?:{_AGENCIES}|{_OUTLETS})"
    rf"|(?:{_MEDIA_ADJ}|[A-Z][a-z]+)\s+(?:media|press|television|TV|radio))"
)
_NAMED = rf"(?:(?:[Tt]he\s+)?(?:{_AGENCIES}|{_OUTLETS})|[Tt]he\s+(?:{_THE_OUTLETS}))\b(?:\s+\(\w+\))?"
_SOURCE = rf"(?:{_GENERIC_OUTLET}|{_NAMED})"
_AGENCY_OR_GENERIC = rf"(?:{_GENERIC_OUTLET}|(?:[Tt]he\s+)?(?:{_AGENCIES}))\b(?:\s+\(\w+\))?"
_REPORTS = r"(?:reported|reports|wrote|writes|quoted|revealed|disclosed|claimed|learned|learnt)"
_SAYS = r"(?:said|says|added|adds)"
# The credit ends its clause: "..., said the newspaper." but not "said the newspaper's editor".
_CLAUSE_END = r"(?=\s*(?:\(|[.,;:!?\"\u201d]|['\u2019](?!s\b)|$))"

_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        # Wire datelines and end credits: "LONDON (Reuters) -", "... (AP)."
        ("agency credit", rf"\((?:{_AGENCIES})\)(?=\s*(?:[-\u2013\u2014:]|\.?\s*$))"),
        # "..., Reuters reported", "the newspaper said", "news agency Associated Press reported",
        # "the New York Times reports" (a named outlet only with a reporting verb: "NBC said" is NBC talking)
        ("outlet reported", rf"\b(?:{_AGENCY_OR_GENERIC}\s+(?:also\s+|has\s+|had\s+)?(?:{_REPORTS}|{_SAYS})"
                            rf"|{_NAMED}\s+(?:also\s+|has\s+|had\s+)?{_REPORTS})\b"),
        # "..., reported the Times", "reports the Daily Mail", "said the newspaper."
        ("reported by outlet", rf"\b(?:{_REPORTS}\s+{_SOURCE}|{_SAYS}\s+{_SOURCE}{_CLAUSE_END})"),
        # "he told the BBC", "told BBC News Online", "told Reuters", "speaking exclusively to BBC Sport",
        # "in an interview with the Financial Times", "writing in the Guardian", "quoted by the AFP news agency"
        (
            "told outlet",
            rf"\b(?:told|telling|tells|speaking(?:\s+exclusively)?\s+to|spoke(?:\s+exclusively)?\s+to|"
            rf"in\s+an?\s+(?:\w+\s+)?interview\s+(?:with|on)|interviewed\s+by|writing\s+in|wrote\s+in|"
            rf"quoted\s+(?:by|in)|cited\s+by|(?:first\s+)?reported\s+(?:by|in)|published\s+(?:by|in))\s+{_SOURCE}",
        ),
        (
            "citing",
            rf"\bciting\s+(?:{_SOURCE}|(?:(?:unnamed|anonymous|senior|government|industry|company|official|"
            r"diplomatic|military|police)\s+)*(?:sources?|officials?|people\s+familiar|documents?|analysts?)\b|"
            r"a\s+(?:report|statement|spokes(?:man|woman|person)|source|person\s+familiar|filing)\b)",
        ),
        # "according to Labor Department figures" (but not "operate according to a strict code of honour")
        (
            "according to",
            r"\b[Aa]ccording\s+to\s+(?!(?:(?:a|an|the|his|her|their|its|our|your)\s+)?(?:\w+\s+)?"
            r"(?:plan|plans|schedule|code|rules?|law|laws|tradition|custom|script|instructions|protocol|book|"
            r"formula|needs?|merit|size|age|weight|taste|ability|pattern)\b)[^\s,.;:]+(?:\s+[^\s,.;:]+){0,2}",
        ),
        # "the FBI said in a statement", "a statement from the club said", "in a press release"
        (
            "statement",
            r"\b(?:(?:said|says|announced|added|confirmed|wrote|warned|explained)\s+(?:in|on)\s+"
            r"(?:a|an|its|his|her|their|the)\s+(?:\w+\s+)?(?:statement|release|filing|report|note|blog|letter|"
            r"website|tweet)"
            r"|(?:press|news|media)\s+release|(?:in|from)\s+a\s+statement|statement\s+(?:said|says|read|added)"
            r"|a\s+statement\s+(?:from|by|issued|released)|(?:stock\s+exchange|regulatory)\s+filing)",
        ),
        # Credit lines: "Reporting by ...", "Source: AP", "With agency reports", "- Reuters"
        (
            "credit line",
            rf"^\s*(?:(?:Additional\s+)?[Rr]eporting\s+by|Writing\s+by|Source:\s*\S|[Ww]ith\s+(?:agency\s+reports|"
            rf"agencies|wires)|[-\u2013\u2014]\s*(?:{_AGENCIES})\s*$)",
        ),
    )
)

# A wire dateline at the top of a story credits all of it: "LONDON (Reuters) -", "(AP) —".
_DATELINE = re.compile(rf"^\s*(?:[^\n(]{{0,60}})?\((?:{_AGENCIES})\)\s*[-\u2013\u2014:]")


def attribution(text: str) -> str | None:
    """The phrase by which a sentence credits a source, or None.

    >>> attribution("The share offer was oversubscribed, news agency Reuters reported.")
    'news agency Reuters reported'
    >>> attribution("The US created fewer jobs than expected in January.") is None
    True
    """
    for _name, pattern in _PATTERNS:
        m = pattern.search(text)
        if m:
            return " ".join(m.group(0).split())
    return None


def dateline_attribution(text: str) -> str | None:
    """The wire dateline a document opens with ("LONDON (Reuters) -"), which credits the whole story."""
    m = _DATELINE.match(text)
    return " ".join(m.group(0).split()) if m else None


# --- results -----------------------------------------------------------------


@dataclass
class Reuse:
    """A draft sentence, the source sentence it repeats or restates, and how it was found."""

    sentence: Sentence  # in the draft
    source: Sentence  # in a reference document
    kind: str  # "repeat" | "claim"
    method: str  # "exact" | "fuzzy" | "semantic"
    score: float  # 1.0 for exact; the fuzzy ratio / semantic cosine / claim probability of the finding
    attribution: str | None  # the crediting phrase, if the sentence (or the draft's dateline) credits a source
    conflicts: list[Conflict] = field(default_factory=list)
    finding: Finding | None = None

    @property
    def attributed(self) -> bool:
        return self.attribution is not None

    @property
    def chars(self) -> int:
        return len(self.sentence.text)


@dataclass
class SourceShare:
    document: Document
    share: float
    chars: int  # draft characters credited to this source
    sentences: int  # draft sentences credited to this source


@dataclass
class DraftAudit:
    """One draft: its reuse share, broken down by source and by attribution."""

    document: Document
    sentences: list[Sentence]  # every sentence of the draft, reading order
    eligible: list[Sentence]  # those that can be matched: the denominator
    reused: list[Reuse]  # reading order
    sources: list[SourceShare]  # most first

    @property
    def chars(self) -> int:
        return sum(len(s.text) for s in self.sentences)

    @property
    def eligible_chars(self) -> int:
        return sum(len(s.text) for s in self.eligible)

    def _share(self, chars: int) -> float:
        total = self.eligible_chars
        return chars / total if total else 0.0

    @property
    def reuse(self) -> float:
        return self._share(sum(r.chars for r in self.reused))

    @property
    def attributed(self) -> float:
        return self._share(sum(r.chars for r in self.reused if r.attributed))

    @property
    def unattributed(self) -> float:
        return self._share(sum(r.chars for r in self.reused if not r.attributed))

    @property
    def original(self) -> float:
        return 1.0 - self.reuse if self.eligible else 0.0

    def reuse_of(self, sentence: Sentence) -> Reuse | None:
        for r in self.reused:
            if r.sentence is sentence:
                return r
        return None


@dataclass
class AuditResult:
    documents: list[DraftAudit]  # drafts, in input order
    references: list[Document]
    check: CheckResult  # the one check run the audit was read from
    problems: list[Problem] = field(default_factory=list)


# --- the audit ---------------------------------------------------------------

_KIND_RANK = {"repeat": 0, "claim": 1}
_METHOD_RANK = {"exact": 0, "fuzzy": 1, "semantic": 2}


def audit(
    drafts: Iterable[str], sources: Iterable[str], settings: Settings | None = None, *, stdin=None
) -> AuditResult:
    """Audit draft paths (files, directories, ``-``) against source paths: one ``pipeline.check`` run."""
    settings = settings or Settings()
    sources = list(sources)
    from .index import check_paths_against, is_index_path  # sources may be an ARCHIVE.dedup index

    if any(is_index_path(s) for s in sources):
        result = check_paths_against(drafts, settings, against=sources, stdin=stdin)
    else:
        result = check(drafts, settings, against=sources, stdin=stdin)
    return audit_result(result, settings)


def audit_documents(
    drafts: Iterable[Document], sources: Iterable[Document], settings: Settings | None = None
) -> AuditResult:
    """Audit documents already in memory: the sources are marked ``reference``, then one check runs."""
    from .pipeline import check_documents

    settings = settings or Settings()
    drafts, sources = list(drafts), list(sources)
    for document in sources:
        document.reference = True
    return audit_result(check_documents(drafts + sources, settings), settings)


def audit_result(result: CheckResult, settings: Settings | None = None) -> AuditResult:
    """Read a finished check (drafts plus ``reference`` documents) as a reuse audit."""
    settings = settings or Settings()
    eligible_sentence = eligibility(settings)
    by_doc: dict[int, list[Sentence]] = defaultdict(list)
    for s in result.sentences:
        by_doc[id(s.document)].append(s)

    # Every (draft sentence, source sentence) pair a finding holds, with its kind, method and score.
    candidates: dict[int, list[tuple[Sentence, Finding, str]]] = defaultdict(list)
    for finding in result.findings:
        refs = [o for o in finding.occurrences if o.document.reference]
        if not refs or finding.kind == "boilerplate":  # a house phrase is nobody's copy
            continue
        for o in finding.occurrences:
            if o.document.reference:
                continue
            for ref in refs:
                candidates[o.index].append((ref, finding, _pair_method(finding, o, ref)))

    drafts = [d for d in result.documents if not d.reference]
    audits = []
    for document in drafts:
        sentences = by_doc.get(id(document), [])
        eligible = list(filter(eligible_sentence, sentences))
        dateline = dateline_attribution(document.text)
        # Characters each source could be credited with: breaks ties between sources holding one sentence.
        could: dict[int, int] = defaultdict(int)
        for s in sentences:
            for doc_id in {id(ref.document) for ref, _, _ in candidates.get(s.index, ())}:
                could[doc_id] += len(s.text)
        reused = []
        for s in sentences:
            options = candidates.get(s.index)
            if not options:
                continue
            ref, finding, method = min(
                options,
                key=lambda o: (
                    _KIND_RANK[o[1].kind],
                    _METHOD_RANK[o[2]],
                    -fuzz.ratio(s.normalized, o[0].normalized),
                    -could[id(o[0].document)],
                    o[0].index,
                ),
            )
            if method == "exact":
                score = 1.0
            elif method == "fuzzy":  # the pair's own ratio, as the fuzzy matcher scored it
                score = round(fuzz.ratio(s.normalized, ref.normalized) / 100.0, 4)
            else:
                score = finding.score
            conflicts = [] if method == "exact" else _conflicts(ref, s, method)
            reused.append(
                Reuse(s, ref, finding.kind, method, score, attribution(s.text) or dateline, conflicts, finding)
            )
        audits.append(DraftAudit(document, sentences, eligible, reused, []))
        audits[-1].sources = _source_shares(audits[-1])
    references = [d for d in result.documents if d.reference]
    return AuditResult(audits, references, result, list(result.problems))


def _pair_method(finding: Finding, draft: Sentence, ref: Sentence) -> str:
    """How this pair was matched: exact when the keys are identical, else the finding's other method."""
    if draft.normalized == ref.normalized and "exact" in finding.methods:
        return "exact"
    others = [m for m in finding.methods if m != "exact"]
    return others[0] if others else finding.methods[0]


def _conflicts(source: Sentence, draft: Sentence, method: str) -> list[Conflict]:
    """The details the draft changed from its source, for the pair itself (a finding's conflicts may concern
    other occurrences); a near-copy with other figures always names them (an update of the wire story)."""
    from .conflicts import find_conflicts
    from .story import with_figure_changes

    found = find_conflicts(source.text, draft.text)
    return with_figure_changes(found, source.text, draft.text) if method == "fuzzy" else found


def _source_shares(draft: DraftAudit) -> list[SourceShare]:
    chars: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    docs: dict[int, Document] = {}
    first: dict[int, int] = {}
    for r in draft.reused:
        key = id(r.source.document)
        docs[key] = r.source.document
        chars[key] += r.chars
        count[key] += 1
        first.setdefault(key, r.source.index)
    total = draft.eligible_chars
    shares = [
        SourceShare(docs[k], chars[k] / total if total else 0.0, chars[k], count[k]) for k in docs
    ]
    shares.sort(key=lambda s: (-s.chars, first[id(s.document)]))
    return shares


def over_limit(result: AuditResult, max_unattributed: float | None) -> list[DraftAudit]:
    """Drafts whose unattributed reuse exceeds ``max_unattributed`` (a fraction); none when it is None.

    For CI: ``dedup audit drafts/ --against wires/ --max-unattributed 0.3`` fails a
    draft that takes more than 30% of its text from sources without credit.
    """
    if max_unattributed is None:
        return []
    return [d for d in result.documents if d.unattributed > max_unattributed]

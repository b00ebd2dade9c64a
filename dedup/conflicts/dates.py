"""Dates and timing: finding them in a sentence and deciding whether two agree.

Calendar dates at any precision ("Dec. 12, 2013", "December 2013", "in
December"), with the preposition that gives their role ("by", "since"),
weekdays, vague spans ("in the coming years") and deictic ones ("next week").
"""

from __future__ import annotations

import re

from .text import Mention, overlaps, word_key


MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_FULL_MON = r"(?:January|February|March|April|June|July|August|September|October|November|December)"
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>1[89]\d\d|20\d\d)"
_DATE_RES = [
    # December 11, 2013 / Dec. 12 2013 / Jan. 5
    re.compile(rf"(?P<mon>{_MON})\s+{_DAY}(?:,?\s+{_YEAR})?(?![\w,]\d|\d)"),
    # 11 December 2013 / 5th of Jan
    re.compile(rf"(?<![\w.,$£€-]){_DAY}\s+(?:of\s+)?(?P<mon>{_MON})(?:,?\s+{_YEAR})?(?!\d)"),
    # December 2013
    re.compile(rf"(?P<mon>{_MON}),?\s+{_YEAR}\b"),
    # in December (full names only: "May" and abbreviations need a day or a year)
    re.compile(rf"\b(?P<mon>{_FULL_MON})\b(?!-)"),
]
YEAR_RE = re.compile(r"1[89]\d\d|20\d\d")
# What may stand before a date and belongs to it: "on", "by as early as", "since".
_PREP_BEFORE = re.compile(
    r"\b(?P<p>on|in|by|until|till|before|from|since|after|during|of)\s+"
    r"(?:as early as\s+|as late as\s+|the end of\s+|the start of\s+|early\s+|late\s+|mid-?)?$",
    re.I,
)
_DATE_ROLE = {"by": "by", "until": "by", "till": "by", "before": "by", "from": "since", "since": "since", "after": "since"}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_RE = re.compile(r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!s)")
_UNIT = r"(?:days|weeks|months|years|decades)"
_PERIOD = r"(?:week|month|year|weekend|quarter|spring|summer|autumn|winter)"
_TIMING_RE = re.compile(
    # vague spans: compared against calendar dates ("in the coming years" vs "by 2014")
    rf"\b(?:(?P<vague_future>(?:in|over|within|during)\s+the\s+(?:coming|next\s+(?:few|several|couple\s+of))\s+{_UNIT}"
    rf"|in\s+(?:the\s+)?{_UNIT}\s+(?:to\s+come|ahead)|in\s+upcoming\s+{_UNIT}"
    r"|in\s+the\s+(?:near\s+|not-too-distant\s+)?future)"
    rf"|(?P<vague_past>in\s+recent\s+{_UNIT}|over\s+the\s+(?:past|last)\s+(?:few|several)\s+{_UNIT})"
    # deictic: compared only with each other, and only on direction
    rf"|(?P<rel_future>(?:next|coming)\s+{_PERIOD})"
    rf"|(?P<rel_past>(?:last|past)\s+{_PERIOD}))\b",
    re.I,
)


def with_preposition(text: str, start: int) -> tuple[int, str]:
    """Start of the date including a preposition before it, and the date's role."""
    m = _PREP_BEFORE.search(text, max(0, start - 30), start)
    if not m:
        return start, "at"
    return m.start(), _DATE_ROLE.get(m.group("p").lower(), "at")


def find_dates(text: str, tokens: tuple, add, taken) -> None:
    first = next((t.start for t in tokens if t.word), -1)
    for i, rx in enumerate(_DATE_RES):
        for m in rx.finditer(text):
            if overlaps(taken, m.start(), m.end()):
                continue
            g = m.groupdict()
            day = int(g["d"]) if g.get("d") else None
            if day is not None and not 1 <= day <= 31:
                continue
            if i == 3 and m.start() == first:
                continue  # "March on Washington..." at sentence start
            year = int(g["y"]) if g.get("y") else None
            mon = MONTHS[g["mon"].rstrip(".").lower()]
            s, role = with_preposition(text, m.start())
            add("date", ("abs", year, mon, day), s, m.end(), role=role)
    for m in _WEEKDAY_RE.finditer(text):
        if not overlaps(taken, m.start(), m.end()):
            s = m.start() - 3 if text[max(0, m.start() - 3) : m.start()].lower() == "on " else m.start()
            add("date", ("weekday", WEEKDAYS.index(m.group("wd").lower())), s, m.end())
    for m in _TIMING_RE.finditer(text):
        if not overlaps(taken, m.start(), m.end()):
            kind, direction = m.lastgroup.split("_")
            unit = word_key(m.group().split()[-1].lower()) if kind == "rel" else ""
            add("date", (kind, direction, unit), m.start(), m.end())


def compare_dates(a: Mention, b: Mention) -> str | None:
    """Two date mentions: 'same', 'differ', or None when they cannot be about the same thing."""
    va, vb = a.value, b.value
    ka, kb = va[0], vb[0]
    if ka == "abs" and kb == "abs":
        if a.role != b.role:
            return None  # "since 2000" is not "in 2005"
        shared = [(x, y) for x, y in zip(va[1:], vb[1:]) if x is not None and y is not None]
        if not shared:
            return None
        # a year-only date against a full date with another year is fine to
        # compare; a month-only one against a day-only one is not
        return "same" if all(x == y for x, y in shared) else "differ"
    if ka == kb == "weekday":
        return "same" if va[1] == vb[1] else "differ"
    if ka == kb == "vague":
        return "same" if va[1] == vb[1] else "differ"
    if ka == kb == "rel":
        if va[2] != vb[2]:
            return None  # "next week" and "last year" date different things
        return "same" if va[1] == vb[1] else "differ"
    if {ka, kb} == {"vague", "abs"}:
        vague = va if ka == "vague" else vb
        absolute = vb if ka == "vague" else va
        if vague[1] == "future" and absolute[1] is not None:
            return "differ"
        return None
    return None

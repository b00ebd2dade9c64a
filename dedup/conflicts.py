"""Details on which two occurrences of one claim disagree.

``find_conflicts(a, b)`` is called on two sentences a matcher has already
judged to make the same (or an overlapping) claim.  It lists the details they
state differently, as ``Conflict(type, a, b)`` with ``type`` one of
``number``, ``date``, ``money``, ``percent``, ``entity`` and ``a``/``b`` short
snippets of each sentence (the detail plus a word or two of context).

The rule, everywhere: a conflict needs BOTH sentences to state a detail of the
same type *about the same thing*, with values that cannot both be right.  A
detail only one side states is never reported (omission is not
contradiction), so ``a`` and ``b`` are never empty.  False alarms cost an
editor more than misses, so every step errs towards silence:

1. Each sentence is scanned once (cached) for mentions: money, percentages,
   dates and timing, numbers (digits, spelled-out words via ``text2num``,
   vague quantifiers such as "several"), and capitalised names.  Values are
   normalised: ``$1.13bn`` == ``$1.13 billion``, ``76%`` == ``76 per cent``,
   ``nine`` == ``9``, ``Jan. 5`` == ``January 5``, ``1130p`` == ``1,130 pence``.
2. Mentions of one type whose values agree (equal; equal after rounding to the
   coarser precision, so "$1.1bn" agrees with "$1.13bn"; within a hedge such
   as "about"/"more than"; a date that is merely less specific) pair off
   first and drop out.
3. Leftover mentions pair one-to-one, best first, by the context they share
   (content words nearby, the same word right before, the same counted noun
   right after).  Only pairs above a threshold whose values differ are
   reported.  A precise figure against a vague one ("nine" / "several") and a
   vague future span against a calendar date ("in the coming years" / "by
   2014") count as differing, but need stronger evidence.

Entities are restricted further: a name in one sentence that the other does
not contain (nor an alias, demonym or acronym of it), opposite a name the
first does not contain, in the same slot, i.e. next to the same neighbouring
word(s), one of which is a content word ("said Zarif" / "said Lavrov", "talks
in Moscow" / "talks in Tehran").  A bare shared preposition ("in Moscow" /
"in Tehran") is not enough.

Deliberately never compared: weekdays or "yesterday"/"next week" against
calendar dates (they depend on the publication date), dates in different
roles ("since 2000" / "in 2005"), amounts in different currencies
(conversions), ranges ("2% to 3%", "between six and 12"), betting odds, clock
times, vague quantifiers against each other.  A converted amount ("(£600m)")
is reported only when it alone differs, by more than exchange-rate drift.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from text_to_num import text2num

from .core import Conflict
from .normalize import normalize

__all__ = ["find_conflicts", "Mention", "mentions"]

# --------------------------------------------------------------------------
# Text preparation: a same-length ASCII-ish view so offsets stay valid.
# --------------------------------------------------------------------------

_SAME_LENGTH = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
    }
)

_TOKEN = re.compile(r"[^\W_]+(?:['.-][^\W_]+)*|\S")

_STOP = frozenset(
    """a an the and or but nor so yet of to in on at by for from with as into onto
    than then that this these those there here it its it's he him his she her hers they them their
    we us our you your i me my who whom whose which what when where why how
    is are was were be been being am has have had having do does did will would shall
    should can could may might must not no also just only even still very more most
    less least much many some any all each every both either neither other another such
    own same about over under after before between during while if because although though
    whether up down out off again further once per via amid among against without within
    across along around through upon toward towards despite including s while
    now already today yesterday tomorrow last next ago""".split()
)

_WORDS_NUM = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety", "hundred", "thousand", "million", "billion", "trillion",
}


_KEYS: dict[str, str] = {}


def _key(word: str) -> str:
    """Context key of a word: lower case, no possessive, crude singular."""
    k = _KEYS.get(word)
    if k is None:
        k = _KEYS[word] = _make_key(word)
        if len(_KEYS) > 200_000:
            _KEYS.clear()
    return k


def _make_key(word: str) -> str:
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return w


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    text: str
    key: str
    word: bool  # False for punctuation
    content: bool  # a word that says what the sentence is about (no stopword, no figure)


_WORD_INFO: dict[str, tuple[str, bool, bool]] = {}
_HAS_DIGIT = re.compile(r"\d")
_HAS_WORD = re.compile(r"\w")


def _word_info(t: str) -> tuple[str, bool, bool]:
    """(key, is a word, is a content word) of a token text, memoised."""
    info = _WORD_INFO.get(t)
    if info is None:
        k = _key(t)
        word = t[0].isalnum()
        content = word and k not in _STOP and k not in _WORDS_NUM and not _HAS_DIGIT.search(k)
        if len(_WORD_INFO) > 200_000:
            _WORD_INFO.clear()
        info = _WORD_INFO[t] = (k, word, content)
    return info


def _tokens(text: str) -> tuple:
    return tuple(_Tok(m.start(), m.end(), m.group(), *_word_info(m.group())) for m in _TOKEN.finditer(text))


@dataclass(frozen=True, slots=True)
class Mention:
    """One detail stated by a sentence: its type, normalised value and span."""

    type: str  # number | money | percent | date | entity
    value: tuple
    start: int
    end: int
    hedge: str = ""  # "", "approx", "lower" (more than), "upper" (up to)
    numeral: str = ""  # the figure as written without its scale word ("42.7")
    scaled: bool = False  # written with a scale word (million, bn, m...)
    role: str = ""  # dates: "at" / "by" / "since"; money: "conversion" for "(£600m)"


# --------------------------------------------------------------------------
# Numbers, money, percentages
# --------------------------------------------------------------------------

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}
# A figure in digits with its scale word: "1.13bn", "600m", "1.5 million", "110,000".
_DIGITS_RE = re.compile(
    rf"(?<![\w.,:/-])(?P<num>{_NUM})"
    r"(?:\s?(?P<abbr>bn|mn|mln|tn|trn|m|k|b)\b|(?P<pence>p)\b|\s(?P<word>thousand|million|billion|trillion)\b)?"
    r"(?![\w/]|[.,:]\d|-\d)"
)
_SPW = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|hundred|thousand|million|billion|trillion)"
)
# A run of number words: "two hundred and five", "a million", "nine".
_SPELLED_RE = re.compile(
    rf"(?<![\w-])(?P<num>(?:an?\s+)?{_SPW}(?:(?:\s+and\s+|\s+|-){_SPW})*)(?![\w])", re.I
)
_VAGUE_RE = re.compile(
    r"\b(?P<v>(?:tens|hundreds) of thousands of|hundreds of millions of|dozens of|scores of"
    r"|hundreds of|thousands of|millions of|billions of|a handful of|a couple of|a few"
    r"|several|numerous)(?!\w)",
    re.I,
)
_CURRENCY_SIGNS = {
    "$": "USD", "us$": "USD", "usd": "USD", "£": "GBP", "gbp": "GBP",
    "€": "EUR", "eur": "EUR", "¥": "JPY", "a$": "AUD", "c$": "CAD", "hk$": "HKD", "nz$": "NZD",
}
_CURRENCY_WORDS = {
    "dollar": "USD", "pound": "GBP", "sterling": "GBP", "euro": "EUR", "yen": "JPY",
    "yuan": "CNY", "renminbi": "CNY", "rupee": "INR", "rouble": "RUB", "ruble": "RUB",
    "franc": "CHF", "peso": "MXN", "rand": "ZAR", "won": "KRW", "krona": "SEK", "kronor": "SEK",
    "pence": "GBP", "cent": "USD",
}
# Hundredths: "1,088 pence", "1130p", "50 cents" (a value in pounds / dollars).
_SUBUNITS = {"pence", "cent"}
_CUR_BEFORE = re.compile(r"(?P<cur>US\s?\$|A\$|C\$|HK\$|NZ\$|\$|£|€|¥|\bUSD|\bGBP|\bEUR)\s?$", re.I)
_CUR_AFTER = re.compile(
    r"\s+(?:US\s+)?(?P<curw>dollars?|pounds?(?:\s+sterling)?|euros?|yen|yuan|renminbi|rupees?|roubles?|rubles?"
    r"|francs?|pesos?|rand|won|kronor|krona|pence|cents)\b",
    re.I,
)
# Clock times are not counts: "1430 GMT", "7.30pm".
_TIME_AFTER = re.compile(r"\s?(?:GMT|BST|UTC|CET|EST|EDT|PST|ET|am|pm|a\.m\.|p\.m\.|hrs|local time)\b")
# Figures that bound a range ("8% to 9%", "between 30 and 40", "$2bn-$3bn") are
# not values on their own; "from 8% to 9%" is a change, and both ends count.
_LINK = r"\s*(?:to|and|or|-)\s*"
_PCT_FIG = r"\d[\d.,]*\s?(?:%|per\s?cent|percent)"
_RANGE_NEXT = {
    "percent": re.compile(_LINK + _PCT_FIG, re.I),
    "money": re.compile(_LINK + r"(?:[$£€¥]\s?\d|\d[\d.,]*\s?(?:bn|m|billion|million)\b)"),
    "number": re.compile(_LINK + rf"(?:\d[\d.,]*(?![\d.,]*\s?(?:%|per\s?cent|percent))|{_SPW}\b)", re.I),
}
_RANGE_PREV = {
    "percent": re.compile(r"(?:\d[\d.,]*(?:\s?(?:%|per\s?cent|percent))?" + _LINK + r")$", re.I),
    "money": re.compile(r"(?:[$£€¥]\s?\d[\d.,]*\s?(?:bn|m|billion|million)?" + _LINK + r")$"),
    "number": re.compile(rf"(?<![%\w])(?:\d[\d.,]*|{_SPW})" + _LINK + r"$", re.I),
}
_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
_FROM = re.compile(r"\bfrom\s+$", re.I)
_FROM_TO = re.compile(r"\bfrom\s+\S+\s+to\s+$", re.I)


def _in_range(text: str, kind: str, s: int, e: int) -> bool:
    """Is the figure at s:e one end of a range ("8% to 9%", "between 30 and 40", "2-3")?"""
    before = text[max(0, s - 40) : s]
    if _BETWEEN.search(before):
        return True
    if _RANGE_NEXT[kind].match(text, e) and not _FROM.search(before):
        return True
    return bool(_RANGE_PREV[kind].search(before)) and not _FROM_TO.search(before)

_PCT_AFTER = re.compile(r"\s?(?:%|per\s?cent\b|percent\b)|\s+(?P<pp>percentage[ -]points?)\b", re.I)
# "$1.13bn (£600m)", "4bn euros ($5.2bn; £2.8bn)": the second figure converts the first
_CONVERSION_GAP = re.compile(r"\s*[(;,/]\s*(?:about|around|roughly|some|approximately|or)?\s*")
_HEDGE_RE = re.compile(
    r"(?:(?P<approx>about|around|approximately|roughly|nearly|almost|some|an estimated|estimated|close to"
    r"|just under|just over|up to around)"
    r"|(?P<lower>more than|over|at least|upwards of|in excess of|above)"
    r"|(?P<upper>up to|less than|fewer than|under|no more than|below|at most))\s+$",
    re.I,
)
_POST_HEDGE_RE = re.compile(
    r"\s*(?:(?P<approx>or so|odd|-odd|or thereabouts)|(?P<lower>or more|-plus|plus)|(?P<upper>or less|or fewer))\b",
    re.I,
)


def _hedge(text: str, start: int, end: int) -> str:
    """"approx" ("about 200", "200 or so"), "lower" ("more than 200"), "upper" ("up to 200") or ""."""
    m = _HEDGE_RE.search(text, max(0, start - 24), start) or _POST_HEDGE_RE.match(text, end)
    if not m:
        return ""
    return "approx" if m.group("approx") else "lower" if m.group("lower") else "upper"


def _spelled_value(run: str) -> float | None:
    words = re.sub(r"^an?\s+", "", run.strip(), flags=re.I).lower()
    try:
        return float(text2num(words, "en"))
    except ValueError:
        return None


# --------------------------------------------------------------------------
# Dates and timing
# --------------------------------------------------------------------------

_MONTHS = {
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
_YEAR_RE = re.compile(r"1[89]\d\d|20\d\d")
# What may stand before a date and belongs to it: "on", "by as early as", "since".
_PREP_BEFORE = re.compile(
    r"\b(?P<p>on|in|by|until|till|before|from|since|after|during|of)\s+"
    r"(?:as early as\s+|as late as\s+|the end of\s+|the start of\s+|early\s+|late\s+|mid-?)?$",
    re.I,
)
_DATE_ROLE = {"by": "by", "until": "by", "till": "by", "before": "by", "from": "since", "since": "since", "after": "since"}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
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


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

_TITLES = frozenset(
    """mr mrs ms miss dr prof president premier prime minister ministers foreign deputy secretary
    chancellor sir lord lady king queen prince princess general gen senator sen rep governor
    judge chief vice ambassador spokesman spokeswoman spokesperson chairman chairwoman
    director commissioner mayor pope sheikh ayatollah captain colonel lieutenant
    supreme leader st saint""".split()
)
_NAME_STOP = frozenset(
    set(_STOP)
    | set(_MONTHS)
    | set(_WEEKDAYS)
    | _TITLES
    | set(_WORDS_NUM)
    | set(
        """i it's we you they he she however meanwhile but and yet so also although though
        while when after before since if as in on at for from with without despite during
        mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday today yesterday
        tomorrow last next this that these those there here what why how who the a an
        according speaking asked earlier later now then still instead overall""".split()
    )
)
_NAME_JOINERS = frozenset({"of", "de", "del", "da", "di", "al", "bin", "van", "von", "der", "la", "le", "du", "y"})


_NAMEISH: dict[str, bool] = {}


def _is_name_token(t: _Tok) -> bool:
    if not t.word or not t.text[0].isupper():
        return False
    ok = _NAMEISH.get(t.text)
    if ok is None:
        base = t.text.lower()
        base = base[:-2] if base.endswith("'s") else base
        ok = not _HAS_DIGIT.search(t.text) and base not in _NAME_STOP and _key(base) not in _TITLES
        if len(_NAMEISH) > 200_000:
            _NAMEISH.clear()
        _NAMEISH[t.text] = ok
    return ok


@dataclass(frozen=True, slots=True)
class _Name:
    start: int  # token indices
    end: int
    text: str
    words: frozenset  # lower-case words of the name, possessive stripped
    initial: bool  # begins the sentence (or a quotation): maybe just a capitalised word


# --------------------------------------------------------------------------
# Sentence analysis (cached: one sentence is usually in many pairs)
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Analysis:
    text: str
    tokens: tuple
    mentions: tuple
    names: tuple
    lower_words: frozenset
    cap_words: frozenset  # lower-cased words written with a capital
    starts: tuple  # token start offsets, for bisect
    ends: tuple
    contexts: dict  # Mention -> _Context, and "forms" -> _name_forms(), filled on demand


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < b and a < e for a, b in spans)


def _with_prep(text: str, start: int) -> tuple[int, str]:
    """Start of the date including a preposition before it, and the date's role."""
    m = _PREP_BEFORE.search(text, max(0, start - 30), start)
    if not m:
        return start, "at"
    return m.start(), _DATE_ROLE.get(m.group("p").lower(), "at")


def _dates(text: str, tokens: tuple, add, taken) -> None:
    first = next((t.start for t in tokens if t.word), -1)
    for i, rx in enumerate(_DATE_RES):
        for m in rx.finditer(text):
            if _overlaps(taken, m.start(), m.end()):
                continue
            g = m.groupdict()
            day = int(g["d"]) if g.get("d") else None
            if day is not None and not 1 <= day <= 31:
                continue
            if i == 3 and m.start() == first:
                continue  # "March on Washington..." at sentence start
            year = int(g["y"]) if g.get("y") else None
            mon = _MONTHS[g["mon"].rstrip(".").lower()]
            s, role = _with_prep(text, m.start())
            add("date", ("abs", year, mon, day), s, m.end(), role=role)
    for m in _WEEKDAY_RE.finditer(text):
        if not _overlaps(taken, m.start(), m.end()):
            s = m.start() - 3 if text[max(0, m.start() - 3) : m.start()].lower() == "on " else m.start()
            add("date", ("weekday", _WEEKDAYS.index(m.group("wd").lower())), s, m.end())
    for m in _TIMING_RE.finditer(text):
        if not _overlaps(taken, m.start(), m.end()):
            kind, direction = m.lastgroup.split("_")
            unit = _key(m.group().split()[-1].lower()) if kind == "rel" else ""
            add("date", (kind, direction, unit), m.start(), m.end())


def _figures(text: str, add, taken) -> None:
    """Money, percentages, years and plain numbers, from digits or number words."""
    atoms = []
    for m in _DIGITS_RE.finditer(text):
        num = m.group("num").replace(",", "")
        decimals = len(num.split(".")[1]) if "." in num else 0
        atoms.append((m, float(num), 10.0**-decimals))
    digit_spans = [(m.start(), m.end()) for m, _, _ in atoms]
    for m in _SPELLED_RE.finditer(text):
        run = m.group("num")
        if run.lower() in ("one", "a", "an") or _overlaps(digit_spans, m.start(), m.end()):
            continue  # "one of the biggest"; the "million" of "1.5 million"
        if run[0].isupper() and _HAS_WORD.search(text, 0, m.start()):
            continue  # "Ford Five Hundred", "Formula One": part of a name
        value = _spelled_value(run)
        if value is not None:
            # "five million" is as round as "5 million": precise to its scale word
            last = run.lower().replace("-", " ").split()[-1]
            atoms.append((m, value, _SCALES.get(last, 1.0) if last != "hundred" else 1.0))
    for m, value, precision in sorted(atoms, key=lambda a: a[0].start()):
        s, e = m.start(), m.end()
        if _overlaps(taken, s, e):
            continue
        abbr = (m.groupdict().get("abbr") or "").lower()
        scale = _SCALES.get(abbr or (m.groupdict().get("word") or "").lower(), 1.0)
        numeral = m.group("num").lower().replace(",", "")
        info = dict(numeral=numeral, scaled=scale != 1.0)
        if _TIME_AFTER.match(text, e):
            continue
        cur_b = _CUR_BEFORE.search(text, max(0, s - 4), s)
        cur_a = None if cur_b else _CUR_AFTER.match(text, e)
        if m.groupdict().get("pence"):
            if cur_b:
                continue  # "$5p"?
            if not _in_range(text, "money", s, e):
                add("money", ("amount", "GBP", value / 100, precision / 100), s, e, _hedge(text, s, e), **info)
            continue
        if cur_b or cur_a:
            if cur_b:
                cur = _CURRENCY_SIGNS.get(re.sub(r"\s+", "", cur_b.group("cur").lower()), "")
                s = cur_b.start()
            else:
                word = _key(cur_a.group("curw").split()[0])
                cur = _CURRENCY_WORDS.get(word, "")
                e = cur_a.end()
                if word in _SUBUNITS:
                    value, precision = value / 100, precision / 100
            if not _in_range(text, "money", s, e):
                add("money", ("amount", cur, value * scale, precision * scale), s, e, _hedge(text, s, e), **info)
            continue
        if abbr in ("m", "k", "b"):
            continue  # "1500m", "5k": metres, kilometres... not a count
        pct = _PCT_AFTER.match(text, e)
        if pct:
            unit = "pp" if pct.group("pp") else "%"
            if _in_range(text, "percent", s, pct.end()):
                continue
            add("percent", ("amount", unit, value * scale, precision * scale), s, pct.end(), _hedge(text, s, pct.end()), **info)
            continue
        if scale == 1.0 and "." not in numeral and _YEAR_RE.fullmatch(numeral) and m.group("num")[0].isdigit():
            s, role = _with_prep(text, s)
            add("date", ("abs", int(numeral), None, None), s, e, role=role)
            continue
        if not _in_range(text, "number", s, e):
            add("number", ("amount", "", value * scale, precision * scale), s, e, _hedge(text, s, e), **info)


@lru_cache(maxsize=8192)
def _analyse(original: str) -> _Analysis:
    text = original.translate(_SAME_LENGTH)
    tokens = _tokens(text)
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(type_: str, value: tuple, s: int, e: int, hedge: str = "", role: str = "", **info) -> None:
        mentions.append(Mention(type_, value, s, e, hedge, role=role, **info))
        taken.append((s, e))

    _dates(text, tokens, add, taken)
    for m in _VAGUE_RE.finditer(text):
        if not _overlaps(taken, m.start(), m.end()):
            add("number", ("vague", m.group("v").lower()), m.start(), m.end())
    _figures(text, add, taken)
    money = sorted((x for x in mentions if x.type == "money"), key=lambda x: x.start)
    for prev, cur in zip(money, money[1:]):
        if _CONVERSION_GAP.fullmatch(text, prev.end, cur.start):
            mentions[mentions.index(cur)] = replace(cur, role="conversion")
    mentions.sort(key=lambda x: x.start)
    words = [t for t in tokens if t.word]
    lower_words = frozenset(t.key for t in words) | frozenset(t.text.lower() for t in words)
    cap_words = frozenset(t.key for t in words if t.text[0].isupper())
    return _Analysis(
        original,
        tokens,
        tuple(mentions),
        _names(tokens, text),
        lower_words,
        cap_words,
        tuple(t.start for t in tokens),
        tuple(t.end for t in tokens),
        {},
    )


def _is_title_token(t: _Tok) -> bool:
    return t.word and t.text[0].isupper() and _key(t.text) in _TITLES


def _names(tokens: tuple, text: str) -> tuple:
    """Capitalised spans ("Sergei Lavrov", "Bank of England", "Information Commissioner's Office").

    A title can start no span ("President Putin" gives "Putin", with
    "President" as its context) but may sit inside one.
    """
    names: list[_Name] = []
    n = len(tokens)
    i = 0
    first_word = next((k for k, t in enumerate(tokens) if t.word), -1)
    while i < n:
        if not _is_name_token(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < n:
            if _is_name_token(tokens[j]):
                j += 1
                continue
            k = j
            if tokens[k].text in _NAME_JOINERS:
                k += 1
            while k < n and _is_title_token(tokens[k]):
                k += 1
            if k > j and k < n and _is_name_token(tokens[k]):
                j = k + 1
            elif tokens[j].text in _NAME_JOINERS and k > j + 1:
                j = k  # "House of Lords"
                break
            else:
                break
        prev = tokens[i - 1] if i > 0 else None
        initial = i == first_word or (prev is not None and prev.text in ('"', "'", ":", "(", "-"))
        words = frozenset(
            _key(t.text)
            for t in tokens[i:j]
            if t.word and t.text not in _NAME_JOINERS and _key(t.text) not in _TITLES
        )
        span = text[tokens[i].start : tokens[j - 1].end]
        names.append(_Name(i, j, span, words or frozenset({_key(span)}), initial))
        i = j
    return tuple(names)


def mentions(sentence: str) -> list[Mention]:
    """Every money/percent/date/number mention found in ``sentence`` (for debugging)."""
    return list(_analyse(sentence).mentions)


# --------------------------------------------------------------------------
# Comparing values
# --------------------------------------------------------------------------

_UNIT_HEADS = frozenset(
    """second minute hour day week month year decade century people person km kilometre
    kilometer mile metre meter kg kilogram tonne ton barrel acre hectare time point vote
    seat job share age""".split()
)


def _amounts_agree(a: Mention, b: Mention) -> bool:
    _, _, va, pa = a.value
    _, _, vb, pb = b.value
    tol = max(pa, pb) / 2 + 1e-9 * max(abs(va), abs(vb), 1.0)
    if abs(va - vb) <= tol:
        return True
    ha, hb = a.hedge, b.hedge
    if not ha and not hb:
        return False
    if ha == hb:
        # two approximations, or two bounds, of the same figure: equal up to 5%
        # for "about", exactly equal for "more than"/"up to"
        return ha == "approx" and abs(va - vb) <= 0.05 * max(abs(va), abs(vb)) + tol
    if "approx" in (ha, hb):
        if not (ha and hb):
            return abs(va - vb) <= 0.1 * max(abs(va), abs(vb)) + tol
        return True  # "about 200" vs "more than 150": can't tell
    if ha and hb:
        return True  # "more than 200" vs "up to 300": both may hold
    if ha == "lower":
        return vb >= va
    if ha == "upper":
        return vb <= va
    if hb == "lower":
        return va >= vb
    return va <= vb  # hb == "upper"


def _compare(a: Mention, b: Mention) -> str | None:
    """'same', 'differ', or None when the two cannot be about the same thing."""
    if a.type != b.type:
        return None
    va, vb = a.value, b.value
    if a.type in ("money", "percent", "number"):
        if va[0] == "vague" and vb[0] == "vague":
            return "same"
        if va[0] == "vague" or vb[0] == "vague":
            exact = b if va[0] == "vague" else a
            return "same" if exact.hedge else "differ"
        if va[1] and vb[1] and va[1] != vb[1]:
            return None  # other currency (a conversion) or % vs percentage points
        if a.numeral == b.numeral and a.scaled != b.scaled:
            return None  # "42.7 teraflops" / "42.7 trillion calculations": a unit reworded
        return "same" if _amounts_agree(a, b) else "differ"
    # dates
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


# --------------------------------------------------------------------------
# Alignment: are two mentions about the same thing?
# --------------------------------------------------------------------------

_WINDOW = 8


@dataclass(frozen=True, slots=True)
class _Context:
    window: frozenset
    left: str
    head: str
    owner: str  # a capitalised word right before the figure ("Clichy 82"), lower-cased


def _context(an: _Analysis, m: Mention) -> _Context:
    """What a mention is about, from the words around it (memoised per sentence)."""
    ctx = an.contexts.get(m)
    if ctx is not None:
        return ctx
    toks = an.tokens
    before: list[_Tok] = []
    k = bisect.bisect_right(an.ends, m.start) - 1
    while k >= 0 and len(before) < _WINDOW:
        if toks[k].word:
            before.append(toks[k])
        k -= 1
    before.reverse()
    after: list[_Tok] = []
    k = bisect.bisect_left(an.starts, m.end)
    while k < len(toks) and len(after) < _WINDOW:
        if toks[k].word:
            after.append(toks[k])
        k += 1
    window = frozenset(t.key for t in before + after if t.content)
    left = next((t.key for t in reversed(before[-3:]) if t.content), "")
    head = next((t.key for t in after[:3] if t.content), "")
    k = bisect.bisect_right(an.starts, m.start) - 1
    if k >= 0:  # "a 20-year deal", "an 18-year-old": the counted noun is glued on
        t = toks[k]
        if t.start <= m.start < m.end < t.end and t.text[m.end - t.start] == "-":
            suffix = t.text[m.end - t.start + 1 :].lower()
            head = "age" if suffix.startswith("year-old") else _key(suffix.split("-")[0])
    owner = ""
    if before and m.start - before[-1].end <= 1 and before[-1].text[0].isupper() and before[-1].content:
        owner = before[-1].key
    ctx = an.contexts[m] = _Context(window, left, head, owner)
    return ctx


def _score(ca: _Context, cb: _Context) -> float:
    score = float(len(ca.window & cb.window))
    if ca.left and ca.left == cb.left:
        score += 1.5
    if ca.head and ca.head == cb.head:
        score += 1.5
    return score


def _heads_clash(ca: _Context, cb: _Context) -> bool:
    """Evidence the two figures count different things: "10 years" / "5 people", "Clichy 82" / "Bergkamp 68"."""
    if ca.head in _UNIT_HEADS and cb.head in _UNIT_HEADS and ca.head != cb.head:
        return True
    return bool(ca.owner and cb.owner and ca.owner != cb.owner)


_THRESHOLD = 3.0
_THRESHOLD_SOLE = 2.0  # when each side has exactly one candidate left
_THRESHOLD_VAGUE = 3.5  # "several" against "nine": vaguer words, need more evidence


# --------------------------------------------------------------------------
# Snippets
# --------------------------------------------------------------------------

_PREPS = frozenset("on in by until till before from since after during of within over".split())


def _snippet(an: _Analysis, m: Mention) -> str:
    """The detail as written plus a word or two that says what it is about.

    A count or an amount takes the noun phrase after it ("nine of Iran's 20
    nuclear reactors", "several new nuclear plants"); anything else, or a
    figure with nothing after it, takes the word(s) before it up to the first
    content word ("jumped 76%", "said on Tuesday" is kept as "on Tuesday").
    """
    toks = an.tokens
    text = an.text
    s, e = m.start, m.end
    extended = False
    if m.type in ("number", "money"):
        prev_key = ""
        taken = 0
        for t in toks[bisect.bisect_left(an.starts, e) :]:
            if taken == 5 or not t.word:
                break
            if t.key in _STOP and t.key != "of" and not (t.key == "the" and prev_key == "of"):
                break
            e = t.end
            extended = True
            prev_key = t.key
            taken += 1
        while extended and prev_key in ("of", "the"):  # no dangling "of the"
            cut = text.rfind(" ", s, e)
            e = cut if cut > m.end else m.end
            prev_key = text[s:e].rsplit(" ", 1)[-1].lower()
            extended = e > m.end
    first = text[s:e].split(None, 1)[0].lower() if text[s:e].strip() else ""
    if not extended and first not in _PREPS:
        taken = 0
        for t in reversed(toks[: bisect.bisect_right(an.ends, s)]):
            if not t.word or taken == 2 or _HAS_DIGIT.search(t.text):
                break
            s = t.start
            taken += 1
            if t.content:
                break
    return text[s:e]


def _name_snippet(an: _Analysis, name: _Name, side: str) -> str:
    toks = an.tokens
    s = toks[name.start].start
    e = toks[name.end - 1].end
    if side == "left":
        k = name.start - 1
        while k >= 0 and toks[k].word:
            s = toks[k].start
            if toks[k].content or name.start - k == 2:
                break
            k -= 1
    else:
        k = name.end
        while k < len(toks) and toks[k].word:
            e = toks[k].end
            if toks[k].content or k - name.end == 1:
                break
            k += 1
    return an.text[s:e]


# --------------------------------------------------------------------------
# Pairing
# --------------------------------------------------------------------------


def _similar(aa: _Analysis, bb: _Analysis) -> bool:
    """Most content words in common (Jaccard >= 0.5): one sentence lightly edited into the other."""
    wa = {t.key for t in aa.tokens if t.content}
    wb = {t.key for t in bb.tokens if t.content}
    return bool(wa | wb) and len(wa & wb) >= 0.5 * len(wa | wb)


def _pair_mentions(aa: _Analysis, bb: _Analysis) -> list[tuple[Mention, Mention]]:
    out: list[tuple[Mention, Mention]] = []
    for type_ in ("money", "percent", "date", "number"):
        ma = [m for m in aa.mentions if m.type == type_]
        mb = [m for m in bb.mentions if m.type == type_]
        if not ma or not mb:
            continue
        ctx_a = {m: _context(aa, m) for m in ma}
        ctx_b = {m: _context(bb, m) for m in mb}
        scored = []
        for x in ma:
            for y in mb:
                verdict = _compare(x, y)
                if verdict is None or _heads_clash(ctx_a[x], ctx_b[y]):
                    continue
                scored.append((verdict, _score(ctx_a[x], ctx_b[y]), x, y))
        used_a: set = set()
        used_b: set = set()
        found: list[tuple[Mention, Mention]] = []
        # 1. agreeing values pair off first, best-aligned first
        for verdict, _, x, y in sorted(
            (t for t in scored if t[0] == "same"), key=lambda t: -t[1]
        ):
            if x not in used_a and y not in used_b:
                used_a.add(x)
                used_b.add(y)
        # 2. what is left may disagree
        left = [t for t in scored if t[0] == "differ" and t[2] not in used_a and t[3] not in used_b]
        sole = len({t[2] for t in left}) == 1 and len({t[3] for t in left}) == 1
        # one figure left on each side of two near-identical sentences: surely the same slot
        if sole and _similar(aa, bb):
            need_sole = 0.0
        else:
            need_sole = _THRESHOLD_SOLE
        for verdict, score, x, y in sorted(left, key=lambda t: -t[1]):
            if x in used_a or y in used_b or (type_ == "money" and x.role != y.role):
                continue
            vague = x.value[0] == "vague" or y.value[0] == "vague"
            if type_ == "number" and vague:
                ca, cb = ctx_a[x], ctx_b[y]
                if not ((ca.left and ca.left == cb.left) or (ca.head and ca.head == cb.head)):
                    continue  # "build nine" / "build several": same verb or same noun needed
                need = _THRESHOLD_VAGUE
            else:
                need = need_sole if sole else _THRESHOLD
            if score < need:
                continue
            used_a.add(x)
            used_b.add(y)
            found.append((x, y))
        if type_ == "money":
            # A converted figure ("(£600m)") follows its original: report it
            # only when it alone differs, and by more than exchange-rate drift.
            primary = any(x.role != "conversion" for x, _ in found)
            found = [
                (x, y)
                for x, y in found
                if x.role != "conversion"
                or (not primary and abs(x.value[2] - y.value[2]) > 0.25 * max(x.value[2], y.value[2]))
            ]
        out.extend(found)
    return out


def _same_slot(an: _Analysis, n1: _Name, bn: _Analysis, n2: _Name) -> str:
    """'left' or 'right' when both names sit next to the same word(s), one of them a content word."""
    ta, tb = an.tokens, bn.tokens

    def side(toks, name, direction, width):
        if direction == "left":
            idx = range(name.start - 1, name.start - 1 - width, -1)
        else:
            idx = range(name.end, name.end + width)
        out = []
        for k in idx:
            if k < 0 or k >= len(toks) or not toks[k].word:
                return None
            out.append(toks[k])
        return out

    def coordinated(toks, name):
        k = name.start - 1
        return k >= 0 and toks[k].text.lower() in ("and", "or", ",", "&", "nor")

    for direction in ("left", "right"):
        if direction == "right" and (coordinated(ta, n1) or coordinated(tb, n2)):
            continue  # "Germany and France have..." : the slot belongs to the pair
        for width in (1, 2):
            ca = side(ta, n1, direction, width)
            cb = side(tb, n2, direction, width)
            if ca is None or cb is None:
                break
            if [t.text.lower() for t in ca] != [t.text.lower() for t in cb]:
                break
            if any(t.content for t in ca):
                return direction
    return ""


# Names news writers use interchangeably; a name of one group is "present" in
# a sentence that has any name of its group.
_ALIASES = [
    {"tory", "tories", "conservative", "conservatives"},
    {"us", "u.s", "usa", "america", "american", "americans", "united states", "washington"},
    {"uk", "u.k", "britain", "british", "united kingdom", "great britain", "england", "english"},
    {"un", "u.n", "united nations"},
    {"eu", "european union", "brussels"},
    {"lib dem", "lib dems", "liberal democrat", "liberal democrats"},
    {"russia", "russian", "moscow", "kremlin"},
    {"iran", "iranian", "tehran"},
    {"china", "chinese", "beijing"},
    {"france", "french", "paris"},
    {"germany", "german", "berlin"},
    {"spain", "spanish", "madrid"},
    {"holland", "netherlands", "dutch"},
    {"number 10", "downing street"},
    {"oscar", "oscars", "academy award", "academy awards"},
]
_ALIAS_OF = {name: frozenset(group) for group in _ALIASES for name in group}


def _name_forms(tokens: tuple) -> frozenset:
    """Lower-case words and two-word phrases of a sentence, for alias look-ups."""
    words = [t.text.lower().removesuffix("'s") for t in tokens if t.word]
    return frozenset(words) | frozenset(" ".join(p) for p in zip(words, words[1:]))


def _mentions_name(an: _Analysis, name: _Name) -> bool:
    """Could the other sentence (``an``) be naming the same entity?

    True when it shares a word of the name, an alias ("Tories"/"Conservatives",
    "Iran"/"Tehran"), a 4-letter prefix with one of its capitalised words
    ("Iran"/"Iranian"), or the name is its acronym or vice versa.  Erring
    towards True only ever removes a possible entity conflict.
    """
    if name.words & an.lower_words:
        return True
    forms = an.contexts.get("forms")
    if forms is None:
        forms = an.contexts["forms"] = _name_forms(an.tokens)
    phrase = " ".join(w for w in name.text.lower().removesuffix("'s").split())
    for w in [phrase, *name.words]:
        if _ALIAS_OF.get(w, frozenset()) & forms:
            return True
    for w in name.words:
        if len(w) >= 4 and any(c[:4] == w[:4] for c in an.cap_words):
            return True
    ordered = [t for t in re.findall(r"[^\W_]+", name.text) if t.lower() not in _NAME_JOINERS]
    if len(ordered) > 1 and "".join(t[0] for t in ordered).lower() in an.lower_words:
        return True
    if name.text.isupper() and len(name.text) >= 2:
        for other in an.names:
            parts = [t for t in re.findall(r"[^\W_]+", other.text) if t.lower() not in _NAME_JOINERS]
            if "".join(t[0] for t in parts).lower() == name.text.lower():
                return True
    return False


def _pair_names(aa: _Analysis, bb: _Analysis) -> list[tuple[str, str, int]]:
    known = {nm.text.lower() for an in (aa, bb) for nm in an.names if not nm.initial}

    def usable(an, other):
        return [
            nm
            for nm in an.names
            if (not nm.initial or nm.text.lower() in known or len(nm.words) > 1)
            and not _mentions_name(other, nm)
        ]

    na, nb = usable(aa, bb), usable(bb, aa)
    cands = []
    for x in na:
        for y in nb:
            direction = _same_slot(aa, x, bb, y)
            if direction:
                cands.append((x, y, direction))
    out = []
    for x, y, direction in cands:
        # unambiguous both ways
        if sum(1 for c in cands if c[0] is x) == 1 and sum(1 for c in cands if c[1] is y) == 1:
            out.append(
                (_name_snippet(aa, x, direction), _name_snippet(bb, y, direction), aa.tokens[x.start].start)
            )
    return out


def find_conflicts(a: str, b: str) -> list[Conflict]:
    """Details (number, date, money, percent, entity) two same-claim sentences state differently.

    Returns ``Conflict(type, snippet_of_a, snippet_of_b)`` in the order the
    details appear in ``a``; empty when nothing is both stated on each side and
    different.
    """
    if a == b or normalize(a) == normalize(b):
        return []
    aa, bb = _analyse(a), _analyse(b)
    found: list[tuple[int, Conflict]] = []
    for x, y in _pair_mentions(aa, bb):
        found.append((x.start, Conflict(x.type, _snippet(aa, x), _snippet(bb, y))))
    for sa, sb, pos in _pair_names(aa, bb):
        found.append((pos, Conflict("entity", sa, sb)))
    found.sort(key=lambda t: t[0])
    return [c for _, c in found]

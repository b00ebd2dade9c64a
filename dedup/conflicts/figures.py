"""Numbers, money and percentages: finding them in a sentence and deciding whether two agree.

Digits with their scale word ("$1.13bn", "1.5 million", "1130p"), spelled-out
numbers ("nine", "two hundred and five"), vague quantifiers ("several"), the
currency and the hedge ("about", "more than") around a figure, and the ranges
and clock times that are never values on their own.  A four-digit year is
handed to the dates as a date.
"""

from __future__ import annotations

import re

from text_to_num import text2num

from .dates import YEAR_RE, with_preposition
from .text import HAS_WORD, Mention, overlaps, word_key


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
VAGUE_RE = re.compile(
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
CONVERSION_GAP = re.compile(r"\s*[(;,/]\s*(?:about|around|roughly|some|approximately|or)?\s*")
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


def find_figures(text: str, add, taken) -> None:
    """Money, percentages, years and plain numbers, from digits or number words."""
    atoms = []
    for m in _DIGITS_RE.finditer(text):
        num = m.group("num").replace(",", "")
        decimals = len(num.split(".")[1]) if "." in num else 0
        atoms.append((m, float(num), 10.0**-decimals))
    digit_spans = [(m.start(), m.end()) for m, _, _ in atoms]
    for m in _SPELLED_RE.finditer(text):
        run = m.group("num")
        if run.lower() in ("one", "a", "an") or overlaps(digit_spans, m.start(), m.end()):
            continue  # "one of the biggest"; the "million" of "1.5 million"
        if run[0].isupper() and HAS_WORD.search(text, 0, m.start()):
            continue  # "Ford Five Hundred", "Formula One": part of a name
        value = _spelled_value(run)
        if value is not None:
            # "five million" is as round as "5 million": precise to its scale word
            last = run.lower().replace("-", " ").split()[-1]
            atoms.append((m, value, _SCALES.get(last, 1.0) if last != "hundred" else 1.0))
    for m, value, precision in sorted(atoms, key=lambda a: a[0].start()):
        s, e = m.start(), m.end()
        if overlaps(taken, s, e):
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
                word = word_key(cur_a.group("curw").split()[0])
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
        if scale == 1.0 and "." not in numeral and YEAR_RE.fullmatch(numeral) and m.group("num")[0].isdigit():
            s, role = with_preposition(text, s)
            add("date", ("abs", int(numeral), None, None), s, e, role=role)
            continue
        if not _in_range(text, "number", s, e):
            add("number", ("amount", "", value * scale, precision * scale), s, e, _hedge(text, s, e), **info)


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


def compare_amounts(a: Mention, b: Mention) -> str | None:
    """Two money, percent or number mentions: 'same', 'differ', or None when they cannot be about the same thing."""
    va, vb = a.value, b.value
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

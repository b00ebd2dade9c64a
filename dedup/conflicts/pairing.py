"""Pairing two sentences' numbers, money, percentages and dates: which are about the same thing.

Each mention's context (content words nearby, the word right before, the
counted noun right after) scores how well two mentions align; agreeing values
pair off first, and only what is left, aligned well enough, is a conflict.
Also the snippet a conflict quotes for a mention.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .analysis import Analysis
from .dates import compare_dates
from .figures import compare_amounts
from .text import HAS_DIGIT, STOP_WORDS, Mention, Token, word_key


_UNIT_HEADS = frozenset(
    """second minute hour day week month year decade century people person km kilometre
    kilometer mile metre meter kg kilogram tonne ton barrel acre hectare time point vote
    seat job share age""".split()
)


def _compare(a: Mention, b: Mention) -> str | None:
    """'same', 'differ', or None when the two cannot be about the same thing."""
    if a.type != b.type:
        return None
    if a.type in ("money", "percent", "number"):
        return compare_amounts(a, b)
    return compare_dates(a, b)


_WINDOW = 8


@dataclass(frozen=True, slots=True)
class _Context:
    window: frozenset
    left: str
    head: str
    owner: str  # a capitalised word right before the figure ("Clichy 82"), lower-cased


def _context(an: Analysis, m: Mention) -> _Context:
    """What a mention is about, from the words around it (memoised per sentence)."""
    ctx = an.contexts.get(m)
    if ctx is not None:
        return ctx
    toks = an.tokens
    before: list[Token] = []
    k = bisect.bisect_right(an.ends, m.start) - 1
    while k >= 0 and len(before) < _WINDOW:
        if toks[k].word:
            before.append(toks[k])
        k -= 1
    before.reverse()
    after: list[Token] = []
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
            head = "age" if suffix.startswith("year-old") else word_key(suffix.split("-")[0])
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


_PREPS = frozenset("on in by until till before from since after during of within over".split())


def mention_snippet(an: Analysis, m: Mention) -> str:
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
            if t.key in STOP_WORDS and t.key != "of" and not (t.key == "the" and prev_key == "of"):
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
            if not t.word or taken == 2 or HAS_DIGIT.search(t.text):
                break
            s = t.start
            taken += 1
            if t.content:
                break
    return text[s:e]


def _similar(aa: Analysis, bb: Analysis) -> bool:
    """Most content words in common (Jaccard >= 0.5): one sentence lightly edited into the other."""
    wa = {t.key for t in aa.tokens if t.content}
    wb = {t.key for t in bb.tokens if t.content}
    return bool(wa | wb) and len(wa & wb) >= 0.5 * len(wa | wb)


def pair_mentions(aa: Analysis, bb: Analysis) -> list[tuple[Mention, Mention]]:
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

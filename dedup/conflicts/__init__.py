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

The package, by kind of detail: ``text`` (the sentence's tokens and the
``Mention`` record), ``figures``, ``dates`` and ``names`` (finding each kind in
one sentence and comparing two values), ``analysis`` (one sentence's details,
cached), ``pairing`` and ``entities`` (which details of two sentences are
about the same thing); this module puts them together.
"""

from __future__ import annotations

from ..core import Conflict
from ..normalize import normalize
from .analysis import analyse, mentions
from .entities import pair_names
from .pairing import mention_snippet, pair_mentions
from .text import Mention

__all__ = ["find_conflicts", "Mention", "mentions"]


def find_conflicts(a: str, b: str) -> list[Conflict]:
    """Details (number, date, money, percent, entity) two same-claim sentences state differently.

    Returns ``Conflict(type, snippet_of_a, snippet_of_b)`` in the order the
    details appear in ``a``; empty when nothing is both stated on each side and
    different.
    """
    if a == b or normalize(a) == normalize(b):
        return []
    aa, bb = analyse(a), analyse(b)
    found: list[tuple[int, Conflict]] = []
    for x, y in pair_mentions(aa, bb):
        found.append((x.start, Conflict(x.type, mention_snippet(aa, x), mention_snippet(bb, y))))
    for sa, sb, pos in pair_names(aa, bb):
        found.append((pos, Conflict("entity", sa, sb)))
    found.sort(key=lambda t: t[0])
    return [c for _, c in found]

"""Measure third-party sentence splitters on gold news sentence boundaries (GUM news).

    python benchmarks/segment_candidates.py [GOLD.jsonl]

GOLD.jsonl defaults to ../shared/eval/gum_news/gum_news_sentences.jsonl relative
to the project root.  Needs only the standard library plus whichever candidate
packages are installed (pysbd, syntok, nupunkt, blingfire (+numpy), sentencex,
nltk with its punkt_tab data); a candidate that cannot be loaded is skipped
with a message.  ``regex`` is a plain-regex baseline that is always present.

Every candidate runs in two modes:

  whole   the whole article is given to the splitter;
  lines   the article is first cut at every newline (so at blank lines and at
          single newlines: each line is its own block) and the splitter runs
          inside each block.

Predicted sentences become [start, end) character spans into the original
text, whitespace stripped off both edges.  Libraries that return offsets are
used through their offset API; those that return strings are mapped back with
str.find from a running cursor.  Metrics (same protocol as segment_eval.py):

  P / R / F1  boundary = a sentence end offset, the end of the text excluded;
  exact       share of gold sentences reproduced exactly (same start and end);
  ms/art      median of 3 timed passes over all articles, per article;
  sent/s      gold sentences per second at that speed.

Then a set of hand-made hard cases is split by every candidate in both modes.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.segment_eval import DEFAULT_GOLD, load_gold, score  # noqa: E402

Span = tuple[int, int]
Splitter = Callable[[str], list[Span]]

# (name, sentences as they should come out, separator joining them into the text)
HARD_CASES = [
    ("abbrev", ["The U.S. economy grew 3% in Jan. last year.", "Mr. Smith said it would rise."], " "),
    ("decimal", ["Profits rose to $1.13bn (£600m).", "Sales were 2.5% higher."], " "),
    ("quotes", ['"We will win," he said.', '"They won\'t."'], " "),
    ("D.C.-end", ["Washington D.C.", "The team arrived on Tuesday."], " "),
    ("headline", ["Iran opens bases to Russia as Rouhani visits Moscow",
                  "Rouhani's first official visit to Russia comes as talks begin."], "\n"),
    ("p.m.", ["He arrived at 5 p.m. on Friday.", "She left."], " "),
    ("wrapped", ["WASHINGTON (Reuters) - The Federal Reserve held interest rates\n"
                 "steady on Wednesday, saying the economy was growing at a\n"
                 "moderate pace.", "Officials said inflation remained low."], " "),
]


# --------------------------------------------------------------------------- helpers

def tighten(text: str, start: int, end: int) -> Span | None:
    """Strip whitespace off both edges of text[start:end]; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def spans_from_offsets(text: str, raw: list[Span]) -> list[Span]:
    out = []
    for s, e in raw:
        sp = tighten(text, s, e)
        if sp:
            out.append(sp)
    return out


class MappingStats:
    misses = 0  # strings that str.find could not locate (fallback alignment used)


def spans_from_strings(text: str, pieces: list[str]) -> list[Span]:
    """Map sentence strings back to offsets with str.find from a running cursor.

    If a library altered a string so that it is not found verbatim, fall back to
    aligning on non-whitespace characters (and count the miss).
    """
    out = []
    cur = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        i = text.find(piece, cur)
        if i >= 0:
            out.append((i, i + len(piece)))
            cur = i + len(piece)
            continue
        MappingStats.misses += 1
        need = sum(1 for c in piece if not c.isspace())
        j = cur
        while j < len(text) and text[j].isspace():
            j += 1
        start, k, seen = j, j, 0
        while k < len(text) and seen < need:
            if not text[k].isspace():
                seen += 1
            k += 1
        if k > start:
            out.append((start, k))
            cur = k
    return out


def by_lines(split: Splitter) -> Splitter:
    """Mode (b): run ``split`` inside each line (blank lines and single newlines cut)."""

    def run(text: str) -> list[Span]:
        out = []
        pos = 0
        for line in text.split("\n"):
            if line.strip():
                out.extend((s + pos, e + pos) for s, e in split(line))
            pos += len(line) + 1
        return out

    return run


# --------------------------------------------------------------------------- candidates

_REGEX_BOUNDARY = re.compile(r"""[.!?]["')\]”’]*(?=\s+[A-Z0-9"'“‘])""")


def make_regex() -> Splitter:
    def split(text: str) -> list[Span]:
        out, start = [], 0
        for m in _REGEX_BOUNDARY.finditer(text):
            sp = tighten(text, start, m.end())
            if sp:
                out.append(sp)
            start = m.end()
        sp = tighten(text, start, len(text))
        if sp:
            out.append(sp)
        return out

    return split


def make_pysbd() -> Splitter:
    import pysbd

    # char_span=True only re-finds each string with a regex over the whole text
    # (quadratic, drops strings it cannot find); map the strings ourselves.
    seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
    return lambda text: spans_from_strings(text, seg.segment(text))


def make_syntok() -> Splitter:
    from syntok import segmenter

    def split(text: str) -> list[Span]:
        raw = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                if sentence:
                    last = sentence[-1]
                    raw.append((sentence[0].offset, last.offset + len(last.value)))
        return spans_from_offsets(text, raw)

    return split


def make_nupunkt() -> Splitter:
    import nupunkt

    return lambda text: spans_from_offsets(text, nupunkt.sentence_spans(text))


def make_blingfire() -> Splitter:
    import blingfire

    def split(text: str) -> list[Span]:
        _, offsets = blingfire.text_to_sentences_and_offsets(text)
        return spans_from_offsets(text, offsets)

    return split


def make_sentencex() -> Splitter:
    import sentencex

    def split(text: str) -> list[Span]:
        raw = [(b["start_index"], b["end_index"])
               for b in sentencex.get_sentence_boundaries("en", text)
               if not b.get("is_paragraph_break")]
        return spans_from_offsets(text, raw)

    return split


def make_nltk_punkt() -> Splitter:
    from nltk.tokenize.punkt import PunktTokenizer

    try:  # the pretrained English model: its punkt_tab data must already be on disk
        tok = PunktTokenizer("english")
    except LookupError as exc:
        raise ImportError("punkt_tab data not installed (nltk.download('punkt_tab') needs network)") from exc
    return lambda text: spans_from_offsets(text, list(tok.span_tokenize(text)))


CANDIDATES: list[tuple[str, Callable[[], Splitter]]] = [
    ("regex", make_regex),
    ("pysbd", make_pysbd),
    ("syntok", make_syntok),
    ("nupunkt", make_nupunkt),
    ("blingfire", make_blingfire),
    ("sentencex", make_sentencex),
    ("nltk-punkt", make_nltk_punkt),
]


# --------------------------------------------------------------------------- scoring

# Scoring is benchmarks/segment_eval.py's, so dedup's splitter and the candidates are measured alike.


def timing(articles: list[dict], split: Splitter, runs: int = 3) -> float:
    """Median seconds for one pass over all articles."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for art in articles:
            split(art["text"])
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def show_split(text: str, spans: list[Span]) -> str:
    return " | ".join(text[s:e].replace("\n", "⏎") for s, e in spans)


def main(argv: list[str]) -> int:
    gold_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_GOLD
    articles = load_gold(gold_path)
    n_gold = sum(len(a["sentences"]) for a in articles)
    print(f"gold: {gold_path} ({len(articles)} articles, {n_gold} sentences)\n")

    loaded: list[tuple[str, Splitter]] = []
    for name, factory in CANDIDATES:
        try:
            split = factory()
            split("Warm up. Load models.")  # lazy model loading stays out of the timings
        except Exception as exc:  # ImportError, missing data, broken native library
            print(f"skip {name}: {type(exc).__name__}: {exc}".splitlines()[0])
            continue
        loaded.append((name, split))
    print()

    header = f"{'candidate':<11} {'mode':<6} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6} {'ms/art':>8} {'sent/s':>8}"
    print(header)
    print("-" * len(header))
    for name, split in loaded:
        for mode, fn in (("whole", split), ("lines", by_lines(split))):
            MappingStats.misses = 0
            m = score(articles, fn)
            misses = MappingStats.misses
            secs = timing(articles, fn)
            note = f"  ({misses} strings not found verbatim)" if misses else ""
            print(f"{name:<11} {mode:<6} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['exact']:6.3f} "
                  f"{1000 * secs / len(articles):8.2f} {n_gold / secs:8.0f}{note}")

    print("\nhard cases (expected sentence count; the split shown with ' | ', ⏎ = newline)")
    for case, sentences, sep in HARD_CASES:
        text = sep.join(sentences)
        want, cur = [], 0
        for sent in sentences:
            i = text.index(sent, cur)
            want.append((i, i + len(sent)))
            cur = i + len(sent)
        print(f"\n[{case}] want {len(want)}: {text!r}")
        for name, split in loaded:
            for mode, fn in (("whole", split), ("lines", by_lines(split))):
                if mode == "lines" and "\n" not in text:
                    continue  # identical to whole-text mode
                spans = fn(text)
                mark = "ok " if spans == want else "BAD"
                print(f"  {mark} {name:<10} {mode:<5} {len(spans)}: {show_split(text, spans)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

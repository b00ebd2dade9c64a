"""Measure dedup's sentence splitter on gold news sentence boundaries.

    .venv/bin/python benchmarks/segment_eval.py [GOLD.jsonl]
    .venv/bin/python benchmarks/segment_eval.py --table [--at REV] [--libraries]
    .venv/bin/python benchmarks/segment_eval.py --changes REV [N]

The first form prints, for one gold file (GUM news by default), boundary
precision/recall/F1 (a boundary is a sentence end offset, the end of the text
excluded), the share of gold sentences reproduced exactly, and speed.

``--table`` prints one Markdown row per gold set: GUM news and the two draws of
the wire-copy gold (``benchmarks/data/wire_split_gold.jsonl``, see
``docs/splitter.md``).  ``--at REV`` measures ``dedup/segment.py`` as it was at
git revision REV instead of the working tree.  ``--libraries`` adds pysbd,
syntok and nupunkt where installed, each on the whole text and inside dedup's
own blocks (newlines in a block read as spaces), so the second figure compares
the sentence rules alone.  ``benchmarks/segment_candidates.py`` runs more
third-party splitters on one gold file.

``--changes REV`` compares the working tree with revision REV on every story of
``reuters_dev.jsonl`` outside the wire gold: it counts the boundaries decided
differently at a full stop inside a block (layout changes left out) and prints
a seeded sample of N of them (40 by default) to judge by reading.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup.segment import split_spans  # noqa: E402

DEFAULT_GOLD = ROOT.parent / "shared" / "eval" / "gum_news" / "gum_news_sentences.jsonl"
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters_dev.jsonl"
WIRE_GOLD = ROOT / "benchmarks" / "data" / "wire_split_gold.jsonl"


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(articles: list[dict], splitter) -> dict:
    tp = fp = fn = exact = total = 0
    for art in articles:
        text = art["text"]
        gold = [tuple(s) for s in art["sentences"]]
        pred = splitter(text)
        text_end = len(text.rstrip())
        gold_ends = {e for _, e in gold if e < text_end}
        pred_ends = {e for _, e in pred if e < text_end}
        tp += len(gold_ends & pred_ends)
        fp += len(pred_ends - gold_ends)
        fn += len(gold_ends - pred_ends)
        exact += len(set(gold) & set(pred))
        total += len(gold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "exact": exact / total,
        "sentences": total,
    }


def speed(articles: list[dict], splitter, runs: int = 5) -> float:
    """Median sentences per second over ``runs`` passes."""
    times = []
    n = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        n = sum(len(splitter(a["text"])) for a in articles)
        times.append(time.perf_counter() - t0)
    return n / statistics.median(times)


def gold_sets() -> list[tuple[str, list[dict]]]:
    wire = load_gold(WIRE_GOLD)
    return [
        ("GUM news", load_gold(DEFAULT_GOLD)),
        ("wire, first draw", [a for a in wire if a["draw"] == "first"]),
        ("wire, held-out draw", [a for a in wire if a["draw"] == "held-out"]),
        ("wire, both draws", wire),
    ]


def splitter_at(rev: str):
    """``split_spans`` of ``dedup/segment.py`` as committed at git revision ``rev``."""
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:dedup/segment.py"],
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="segment-at-")) / "segment.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"dedup._segment_at_{rev}", path)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "dedup"
    spec.loader.exec_module(module)
    return module.split_spans


def in_blocks(split):
    """Run a third-party splitter inside each of dedup's blocks, newlines read as spaces."""
    from dedup.segment import blocks

    def run(text: str) -> list[tuple[int, int]]:
        out = []
        for a, b in blocks(text):
            out.extend((a + s, a + e) for s, e in split(text[a:b].replace("\n", " ")))
        return out

    return run


def library_splitters() -> list[tuple[str, object]]:
    from benchmarks.segment_candidates import CANDIDATES

    out = []
    for name, factory in CANDIDATES:
        if name not in ("pysbd", "syntok", "nupunkt"):
            continue
        try:
            split = factory()
            split("Warm up. Load models.")
        except Exception as exc:  # not installed
            print(f"skip {name}: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
            continue
        version = _version(name)
        out.append((f"{name} {version} (whole text)", split))
        out.append((f"{name} {version} (in dedup blocks)", in_blocks(split)))
    return out


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def table(argv: list[str]) -> int:
    rev = argv[argv.index("--at") + 1] if "--at" in argv else None
    splitters = [(f"dedup.segment at {rev}" if rev else "dedup.segment", splitter_at(rev) if rev else split_spans)]
    if "--libraries" in argv:
        splitters += library_splitters()
    print("| splitter | gold | sentences | precision | recall | F1 | sentences exact |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, split in splitters:
        for gold_name, articles in gold_sets():
            r = score(articles, split)
            print(f"| {name} | {gold_name} | {r['sentences']} | {r['precision']:.3f} | {r['recall']:.3f} "
                  f"| {r['f1']:.3f} | {r['exact']:.3f} |")
    return 0


def changes(argv: list[str]) -> int:
    import random
    import re

    rev = argv[argv.index("--changes") + 1]
    rest = argv[argv.index("--changes") + 2 :]
    n = int(rest[0]) if rest else 40
    old = splitter_at(rev)
    held = {a["id"] for a in load_gold(WIRE_GOLD)}
    changed = []
    for story in load_gold(REUTERS):
        if story["id"] in held:
            continue
        text = story["text"]
        before = {e for _, e in old(text)}
        after = {e for _, e in split_spans(text)}
        for e in sorted(before ^ after):
            if text[e - 1] == "." and not re.match(r"\n[ \t]", text[e : e + 2]):
                changed.append((story["id"], text, e, "now ends" if e in after else "now goes on"))
    print(f"{len(changed)} boundaries decided differently at a full stop ({rev} vs working tree)")
    for sid, text, e, what in random.Random(20261202).sample(changed, min(n, len(changed))):
        print(f"{what:12} {sid}  {text[max(0, e - 50):e]!r} || {text[e:e + 30]!r}")
    return 0


def main(argv: list[str]) -> int:
    if "--table" in argv:
        return table(argv)
    if "--changes" in argv:
        return changes(argv)
    gold_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_GOLD
    articles = load_gold(gold_path)
    result = score(articles, split_spans)
    result["sentences_per_second"] = round(speed(articles, split_spans))
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

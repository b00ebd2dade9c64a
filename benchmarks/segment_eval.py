"""Measure dedup's sentence splitter on gold news sentence boundaries (GUM news).

    .venv/bin/python benchmarks/segment_eval.py [GOLD.jsonl]

Prints boundary precision/recall/F1 (a boundary is a sentence end offset,
the end of the text excluded), the share of gold sentences reproduced exactly,
and speed.  ``benchmarks/segment_candidates.py`` runs the same protocol over
third-party splitters.
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


def main(argv: list[str]) -> int:
    gold_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_GOLD
    articles = load_gold(gold_path)
    result = score(articles, split_spans)
    result["sentences_per_second"] = round(speed(articles, split_spans))
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

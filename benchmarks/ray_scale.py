"""The Ray engine on BBC replicated 1x, 4x and 16x: time per 1,000 articles and peak driver RSS.

Copy 0 is the corpus as it is; every further copy perturbs each article lightly
(one word in every nine gets a doubled letter, a different word per copy), so
its sentences are near, not exact, duplicates of the originals and the fuzzy
stage has real work.  The copies are written as JSON Lines shards of 500
articles.  Each size runs in its own process (``--one``) so the driver's peak
RSS (``resource.getrusage``) is that size's alone.  Findings go to an output
directory (``--output-dir``), the mode meant for big runs; ``--report`` keeps
them on the driver for one report.

    .venv/bin/python benchmarks/ray_scale.py [--sizes 1,4,16] [--methods exact,fuzzy] [--runs 3] [--report]
    .venv/bin/python benchmarks/ray_scale.py --recall      # semantic partitioned vs exact search

``--recall`` measures the semantic stage's approximation on the whole BBC
corpus: the local run's claim pairs (exact all-pairs cosine search) found by
the Ray run (k-means partitions, nearest two searched), with the fast model.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
SHARD = 500
_WORD = re.compile(r"\b([A-Za-z]{4,})\b")


def perturb(text: str, copy: int) -> str:
    count = 0

    def change(match: re.Match) -> str:
        nonlocal count
        count += 1
        word = match.group(1)
        if (count + copy) % 9:
            return word
        at = (copy % (len(word) - 1)) + 1
        return word[:at] + word[at] + word[at:]

    return _WORD.sub(change, text)


def write_corpus(size: int, out: Path) -> int:
    from dedup.documents import decode

    articles = [(p.relative_to(BBC).as_posix(), decode(p.read_bytes())[0]) for p in sorted(BBC.rglob("*.txt"))]
    records = [
        {"id": f"{copy}/{name}", "text": text if copy == 0 else perturb(text, copy)}
        for copy in range(size) for name, text in articles
    ]
    out.mkdir(parents=True, exist_ok=True)
    for shard, start in enumerate(range(0, len(records), SHARD)):
        lines = "".join(json.dumps(r) + "\n" for r in records[start : start + SHARD])
        (out / f"part-{shard:05d}.jsonl").write_text(lines, encoding="utf-8")
    return len(records)


def one(corpus: Path, methods: str, workers: int, report: bool) -> dict:
    """A single measured run (in its own process): start-up included, as a user would see it.

    By default the findings go to an output directory (``--output-dir``, the
    big-run mode); ``report`` measures the single report instead, whose
    findings the driver must hold to print them.
    """
    from dedup.engine_ray import check_ray
    from dedup.settings import Settings

    settings = Settings(methods=tuple(methods.split(",")), cache=False, id_field="id")
    with tempfile.TemporaryDirectory(prefix="dedup-scale-out-") as out:
        start = time.perf_counter()
        result = check_ray([corpus], settings, workers=workers, output_dir=None if report else out)
        seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    findings = len(result.findings) if report else result.finding_count
    return {"seconds": seconds, "findings": findings, "peak_rss_mb": rss_mb}


def recall(workers: int) -> dict:
    from dedup.engine_ray import check_ray
    from dedup.pipeline import check
    from dedup.settings import Settings

    settings = Settings(model="fast", cache=False)
    start = time.perf_counter()
    local = check([BBC], settings)
    local_s = time.perf_counter() - start
    start = time.perf_counter()
    distributed = check_ray([BBC], settings, workers=workers)
    ray_s = time.perf_counter() - start

    def pairs(result, kind):
        found = set()
        for f in result.findings:
            if f.kind == kind:
                occ = [(o.document.name, o.start) for o in f.occurrences]
                found.update((a, b) for i, a in enumerate(occ) for b in occ[i + 1 :])
        return found

    out = {"local_seconds": round(local_s, 1), "ray_seconds": round(ray_s, 1)}
    for kind in ("repeat", "claim"):
        a, b = pairs(local, kind), pairs(distributed, kind)
        out[kind] = {"local": len(a), "ray": len(b), "recall": round(len(a & b) / max(1, len(a)), 4),
                     "only_ray": len(b - a)}
    return out


def main() -> None:
    from dedup.settings import RAY_WORKERS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,16")
    parser.add_argument("--methods", default="exact,fuzzy")
    parser.add_argument("--workers", type=int, default=RAY_WORKERS)
    parser.add_argument("--runs", type=int, default=1, help="runs per size; the median is reported")
    parser.add_argument("--report", action="store_true", help="one report on the driver instead of --output-dir")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--recall", action="store_true")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one), args.methods, args.workers, args.report)))
        return
    if args.recall:
        print(json.dumps(recall(args.workers), indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="dedup-scale-") as tmp:
        print("size  articles  s/1,000 articles (median)  runs (s)  peak driver RSS (MB)  findings", flush=True)
        for size in (int(s) for s in args.sizes.split(",")):
            corpus = Path(tmp) / f"x{size}"
            n = write_corpus(size, corpus)
            runs = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, __file__, "--one", str(corpus), "--methods", args.methods,
                     "--workers", str(args.workers), *(["--report"] if args.report else [])],
                    capture_output=True, text=True, check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            seconds = sorted(r["seconds"] for r in runs)
            median = seconds[len(seconds) // 2]
            print(f"{size:>3}x  {n:>8,}  {1000 * median / n:>25.2f}  {', '.join(f'{s:.1f}' for s in seconds):>8}  "
                  f"{max(r['peak_rss_mb'] for r in runs):>20.0f}  {runs[0]['findings']:,}", flush=True)


if __name__ == "__main__":
    main()

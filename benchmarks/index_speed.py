"""The archive index on the whole BBC corpus: build, check a short draft against it, add one document.

    .venv/bin/python benchmarks/index_speed.py [--variants lexical,fast,accurate] [--runs 3]

Issue 5's targets are ratios to the build: a draft check at most 5% of the
build time, adding one document at most 10%.  Every step is the CLI in its
own process (wall clock including interpreter start-up and imports, as a user
sees it), with a fresh embedding cache directory for the build (cold: the
model's work is counted), and each draft check and add on a fresh copy of the
cache the build left (so the draft's new sentences are embedded every run, as
in a user's first run; the model is loaded whenever one is new).  Variants: ``lexical`` (``--methods exact,fuzzy``),
``fast`` and ``accurate`` (all methods with that model).

The draft is real news text that is not in BBC (the first seed article's
opening) plus one BBC sentence copied verbatim and one reworded, so the check
has findings to report.  The added document is the second seed article; each
``add`` run works on a fresh copy of the built index, so every run adds it anew.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
DEDUP = [str(ROOT / ".venv" / "bin" / "dedup")]
VARIANTS = {
    "lexical": ["--methods", "exact,fuzzy"],
    "fast": ["--model", "fast"],
    "accurate": ["--model", "accurate"],
}


def draft_text() -> str:
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    opening = "\n".join([line for line in seed.splitlines() if line.strip()][:4])  # its paragraphs are lines
    return (
        opening
        + "\n\nA US government claim accusing the country's biggest tobacco companies of covering up"
        " the effects of smoking has been thrown out by an appeal court.\n\n"
        "An appeals court has thrown out the US government's claim that the biggest tobacco firms"
        " hid the effects of smoking.\n"
    )


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(DEDUP + args, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: findings
        raise SystemExit(f"dedup {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def fresh_cache(env: dict[str, str], target: Path) -> dict[str, str]:
    """``env`` pointing at a copy of its embedding cache, made anew for one run."""
    shutil.rmtree(target, ignore_errors=True)
    if Path(env["DEDUP_CACHE_DIR"]).is_dir():
        shutil.copytree(env["DEDUP_CACHE_DIR"], target)
    os.sync()  # the copy's dirty pages are flushed now, not during the timed run
    return {**env, "DEDUP_CACHE_DIR": str(target)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="lexical,fast,accurate")
    parser.add_argument("--runs", type=int, default=3, help="runs of the draft check and of add (median)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; os.cpu_count {os.cpu_count()}", flush=True)
    print(f"{'variant':<9} {'build s':>8} {'MB':>5} {'draft s (runs)':>24} {'draft/build':>11} "
          f"{'add s (runs)':>24} {'add/build':>9}", flush=True)
    added = sorted((ROOT / "seeds").glob("*.txt"))[1]
    with tempfile.TemporaryDirectory(prefix="dedup-index-bench-") as tmp:
        tmp_path = Path(tmp)
        draft = tmp_path / "draft.txt"
        draft.write_text(draft_text(), encoding="utf-8")
        for name in args.variants.split(","):
            env = {**os.environ, "HF_HUB_OFFLINE": "1", "DEDUP_CACHE_DIR": str(tmp_path / f"cache-{name}")}
            index = tmp_path / f"bbc-{name}.dedup"
            build = timed(["index", "build", str(BBC), "-o", str(index), "-q", *VARIANTS[name]], env)
            size_mb = sum(p.stat().st_size for p in tmp_path.glob(f"bbc-{name}.dedup*")) / 1e6
            drafts, adds = [], []
            for run in range(args.runs):
                # Every run starts from the cache the build left: the draft's and the added
                # document's sentences are new to it, as they are to a user's first run.
                drafts.append(timed(["check", str(draft), "--against", str(index), "-q", "--format", "json",
                                     *VARIANTS[name]], fresh_cache(env, tmp_path / f"run-{name}")))
                copy = tmp_path / f"copy-{name}-{run}.dedup"
                shutil.copyfile(index, copy)
                os.sync()
                adds.append(timed(["index", "add", str(copy), str(added), "-q"], fresh_cache(env, tmp_path / f"run-{name}")))
                copy.unlink()
            draft_s, add_s = statistics.median(drafts), statistics.median(adds)
            draft_runs = f"{draft_s:.2f} ({', '.join(f'{s:.2f}' for s in drafts)})"
            add_runs = f"{add_s:.2f} ({', '.join(f'{s:.2f}' for s in adds)})"
            print(f"{name:<9} {build:>8.1f} {size_mb:>5.0f} {draft_runs:>24} {draft_s / build:>11.1%} "
                  f"{add_runs:>24} {add_s / build:>9.1%}", flush=True)


if __name__ == "__main__":
    main()

"""Where a default check spends its time: items and seconds per stage, a cold run and a warm re-run.

    PYTHONPATH=. .venv/bin/python benchmarks/stage_budget.py ../shared/corpora/bbc [--repeats 3]
    PYTHONPATH=. .venv/bin/python benchmarks/stage_budget.py ../shared/corpora/reuters_dev.jsonl --id-field id

Issue "Four times faster than paraphrase_mining" asks for the budget on the record: what reaches each
stage and what each costs, so that a cheaper stage is judged by the time it could save.  This runs
``dedup.check`` on the corpus with a fresh cache directory (cold: every sentence embedded, every gated
pair read by the pair verifier), then again on that cache (warm), timing the pipeline's own stage
functions from outside (``pipeline.segment_documents``, ``repeat_matches``, ``corpus_specificity``,
the embedding function, ``semantic_candidates`` less its embedding, ``judge_semantic`` less the
verifier, ``verify.cached_verdicts``, ``split_templates`` and ``group_findings``), in one process.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup import pipeline, verify  # noqa: E402
from dedup.models import available_cores  # noqa: E402
from dedup.settings import Settings  # noqa: E402

STAGES = ("read", "segment", "keys", "repeats", "specificity", "embed", "search", "gates", "verifier", "group")


class Budget:
    """Seconds and item counts per stage; nested stages are subtracted from the stage that calls them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.items: dict[str, str] = {}
        self._inner: list[float] = []

    def wrap(self, stage: str, function, count=None):
        def timed(*args, **kwargs):
            self._inner.append(0.0)
            started = time.perf_counter()
            result = function(*args, **kwargs)
            spent = time.perf_counter() - started
            nested = self._inner.pop()
            self.seconds[stage] += spent - nested
            if self._inner:
                self._inner[-1] += spent
            if count is not None:
                self.items[stage] = count(args, result)
            return result

        return timed


def instrumented_run(corpus: str, settings: Settings) -> tuple[Budget, float, int]:
    budget = Budget()
    originals = {name: getattr(pipeline, name) for name in
                 ("read_documents", "segment_documents", "distinct_keys", "repeat_matches", "corpus_specificity",
                  "embedding_function", "semantic_candidates", "judge_semantic", "split_templates", "group_findings")}
    original_verdicts = verify.cached_verdicts
    original_probabilities = verify.PairVerifier.probabilities
    read_fresh = [0]

    def counting_probabilities(self, pairs, *args, **kwargs):
        read_fresh[0] += len(pairs)
        return original_probabilities(self, pairs, *args, **kwargs)

    def embedding_function(s):
        encode = originals["embedding_function"](s)
        return budget.wrap("embed", encode, lambda a, r: f"{len(a[0]):,} sentences")

    try:
        pipeline.read_documents = budget.wrap("read", originals["read_documents"],
                                              lambda a, r: f"{len(r[0]):,} documents")
        pipeline.segment_documents = budget.wrap("segment", originals["segment_documents"],
                                                 lambda a, r: f"{len(r):,} sentences")
        pipeline.distinct_keys = budget.wrap("keys", originals["distinct_keys"], lambda a, r: f"{len(r.keys):,} keys")
        pipeline.repeat_matches = budget.wrap("repeats", originals["repeat_matches"],
                                              lambda a, r: f"{len(r):,} repeat links")
        pipeline.corpus_specificity = budget.wrap("specificity", originals["corpus_specificity"])
        pipeline.embedding_function = embedding_function
        pipeline.semantic_candidates = budget.wrap("search", originals["semantic_candidates"],
                                                   lambda a, r: f"{len(r):,} candidate pairs")
        pipeline.judge_semantic = budget.wrap("gates", originals["judge_semantic"],
                                              lambda a, r: f"{len(r[1]):,} claim links")
        verify.cached_verdicts = budget.wrap("verifier", original_verdicts, lambda a, r: f"{len(a[0]):,} pairs")
        verify.PairVerifier.probabilities = counting_probabilities
        pipeline.split_templates = budget.wrap("group", originals["split_templates"])
        pipeline.group_findings = budget.wrap("group", originals["group_findings"],
                                              lambda a, r: f"{len(r):,} findings")
        started = time.perf_counter()
        result = pipeline.check([corpus], settings)
        total = time.perf_counter() - started
    finally:
        for name, function in originals.items():
            setattr(pipeline, name, function)
        verify.cached_verdicts = original_verdicts
        verify.PairVerifier.probabilities = original_probabilities
    if "verifier" in budget.items:
        budget.items["verifier"] += f", {read_fresh[0]:,} read"
    del result
    return budget, total, read_fresh[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--id-field", help="JSON Lines: the field naming each record (reuters_dev: id)")
    ap.add_argument("--repeats", type=int, default=1, help="cold + warm pairs, each on a fresh cache (medians)")
    args = ap.parse_args()

    cold_runs, warm_runs = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="dedup-budget-") as cache_dir:
            settings = Settings(cache_dir=cache_dir, id_field=args.id_field)
            cold_runs.append(instrumented_run(args.corpus, settings))
            warm_runs.append(instrumented_run(args.corpus, settings))
    print(f"{date.today()}, {platform.machine()}, {available_cores()} threads; {args.corpus}, default check, "
          f"a fresh cache each repeat (cold) then the same cache (warm), in one process, median of {args.repeats}")
    print("| stage | items | cold s | warm s |")
    print("|---|---|---|---|")

    def median(runs, stage=None):
        values = [total - sum(b.seconds.values()) if stage == "other" else total if stage is None else b.seconds[stage]
                  for b, total, _ in runs]
        return statistics.median(values)

    for stage in STAGES:
        if stage in cold_runs[0][0].seconds:
            print(f"| {stage} | {cold_runs[0][0].items.get(stage, '')} | {median(cold_runs, stage):.1f} | "
                  f"{median(warm_runs, stage):.1f} |")
    print(f"| rest (outside these stages) | | {median(cold_runs, 'other'):.1f} | "
          f"{median(warm_runs, 'other'):.1f} |")
    print(f"| **total** | | **{median(cold_runs):.1f}** | **{median(warm_runs):.1f}** |")
    print(f"runs (s): cold {', '.join(f'{t:.1f}' for _, t, _ in cold_runs)}; "
          f"warm {', '.join(f'{t:.1f}' for _, t, _ in warm_runs)}; warm verifier: {warm_runs[0][0].items.get('verifier', '-')}")


if __name__ == "__main__":
    main()

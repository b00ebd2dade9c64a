"""Can int8 MiniLM (ONNX Runtime dynamic quantization) replace fp32 in the claim stage?

    PYTHONPATH=. .venv/bin/python benchmarks/int8_study.py [../shared/corpora/bbc] [--speed-n 2000]
        [--repeats 3] [--variants tensor,channel,channel-ffn2] [--speed-only]
        [--recheck channel --margins 0.02,0.05 [--timed 3]]

Issue 17 names int8 as the remaining lever for a faster cold check.  This
measures, for each int8 variant of the fp32 graph dedup exports
(``dedup.models.OnnxTransformer``):

* speed: sentences/s on ``--speed-n`` claim-length BBC sentences, fp32 and
  every variant interleaved repeat by repeat in one process (same tokenizer,
  same token-count batches of EMBED_BATCH_SIZE, same session options as
  dedup), median of ``--repeats``, as a ratio to fp32;
* agreement on every claim-length key of the corpus: cosine between the fp32
  and the int8 vector of each sentence (median, 1st percentile, minimum);
* what decides: the claim pairs the full fp32 claim stage accepts
  (``semantic_candidates`` then ``judge_semantic``, as ``benchmarks/
  cascade_recall.py`` runs them) that the same stage on int8 vectors also
  accepts, and the pairs only the int8 stage accepts.

Variants (``onnxruntime.quantization.quantize_dynamic``, int8 weights, uint8
activations quantized per call):

* ``tensor``: ORT defaults: one scale per weight tensor, MatMul and Gather
  (the embedding tables) quantized;
* ``channel``: one scale per output channel, MatMul only;
* ``channel-ffn2``: as ``channel`` but each layer's FFN output projection
  (``layer.N/output/dense``, whose inputs carry BERT's activation outliers)
  left in fp32;
* ``channel-ffn``: as ``channel`` with both FFN projections in fp32 (only the
  attention projections int8).

``--recheck VARIANT`` measures that variant as a first stage instead: the
pairs it accepts with a margin of slack have both sentences re-embedded in
fp32 before the claim stage runs again (share re-embedded, claims kept, new
claims); ``--timed N`` times that embedding against fp32 alone, interleaved.

fp32 vectors of the whole corpus come from dedup's embedding cache (the
default cache directory, read only; a miss is embedded and not stored); int8
vectors are never cached.  Quantized graphs are written to a temporary
directory.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup.core import Edges  # noqa: E402
from dedup.documents import read_documents  # noqa: E402
from dedup.models import OnnxTransformer, get_spec, verify  # noqa: E402
from dedup.normalize import words  # noqa: E402
from dedup.pipeline import (  # noqa: E402
    distinct_keys, judge_semantic, repeat_matches, segment_documents, semantic_candidates,
)
from dedup.plan import Linked  # noqa: E402
from dedup.settings import EMBED_BATCH_SIZE, Settings  # noqa: E402

VARIANTS = {
    "tensor": dict(per_channel=False, op_types=None, exclude=()),
    "channel": dict(per_channel=True, op_types=["MatMul"], exclude=()),
    "channel-ffn2": dict(per_channel=True, op_types=["MatMul"], exclude=("/output/dense/MatMul",)),
    "channel-ffn": dict(per_channel=True, op_types=["MatMul"],
                        exclude=("/output/dense/MatMul", "/intermediate/dense/MatMul")),
}


def quantize(fp32: Path, out: Path, per_channel: bool, op_types, exclude) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = [n.name for n in onnx.load(str(fp32), load_external_data=False).graph.node]
    # "/attention/output/dense" also ends in "/output/dense/MatMul": exclude only the FFN's own.
    skip = [n for n in names if any(n.endswith(e) for e in exclude) and "/attention/" not in n]
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=per_channel,
                     op_types_to_quantize=op_types, nodes_to_exclude=skip)
    return out


class GraphTransformer(OnnxTransformer):
    """dedup's ONNX encoder (tokenizer, batching, pooling, session options) on a given graph file."""

    @classmethod
    def on(cls, graph: Path, spec, directory):
        klass = type("On", (cls,), {"_model_file": classmethod(lambda c, *a: graph)})
        return klass(spec, directory)


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def accepted_pairs(keys, sentences, settings, linked, vectors) -> tuple[int, set[tuple[int, int]]]:
    candidates = semantic_candidates(keys, sentences, settings, linked, lambda texts: vectors)
    _, claims = judge_semantic(candidates, settings)
    return len(candidates), {tuple(sorted((m.a, m.b))) for m in claims}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="*", default=["/work/shared/corpora/bbc"])
    parser.add_argument("--speed-n", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--recheck", default="", help="a variant to measure as a first stage with fp32 re-embedding")
    parser.add_argument("--margins", default="0.02,0.05")
    parser.add_argument("--speed-only", action="store_true", help="the interleaved speed runs alone")
    parser.add_argument("--timed", type=int, default=0,
                        help="with --recheck: time fp32 alone vs int8 + fp32 re-embedding, interleaved, N repeats")
    args = parser.parse_args()
    if args.recheck:
        args.variants, args.repeats = args.recheck, 0
    chosen_variants = [v for v in args.variants.split(",") if v]

    settings = Settings(claim_decider="rule")  # the figures recorded in docs/benchmarks.md are the rule's
    documents, _ = read_documents(args.corpus, settings)
    sentences = segment_documents(documents)
    keys = distinct_keys(sentences, settings)
    linked = Linked.of(Edges.of(repeat_matches(keys, settings)))
    texts = [k for k in keys.keys if len(words(k)) >= settings.claim_min_words]  # what the claim stage embeds
    print(f"# {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} cores · "
          f"load {os.getloadavg()[0]:.2f} · {len(documents):,} documents, {len(texts):,} claim-length keys",
          flush=True)

    spec = get_spec("accurate")
    directory = verify(spec)
    fp32_path = OnnxTransformer._model_file(spec, directory, None)  # dedup's exported graph (exported if absent)
    work = Path(tempfile.mkdtemp(prefix="dedup-int8-"))
    encoders = {"fp32": GraphTransformer.on(fp32_path, spec, directory)}
    for name in chosen_variants:
        v = VARIANTS[name]
        t0 = time.perf_counter()
        path = quantize(fp32_path, work / f"{name}.onnx", v["per_channel"], v["op_types"], v["exclude"])
        print(f"quantized {name}: {path.stat().st_size / 2**20:.1f} MiB in {time.perf_counter() - t0:.1f} s",
              flush=True)
        encoders[name] = GraphTransformer.on(path, spec, directory)

    # Speed: a seeded sample of the claim-length keys, every encoder interleaved.
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), size=min(args.speed_n, len(texts)), replace=False)]
    for enc in encoders.values():
        enc.encode(sample[:64], EMBED_BATCH_SIZE)  # warm-up
    times: dict[str, list[float]] = {n: [] for n in encoders}
    for r in range(args.repeats):
        for name, enc in encoders.items():
            t0 = time.perf_counter()
            enc.encode(sample, EMBED_BATCH_SIZE)
            times[name].append(time.perf_counter() - t0)
        print(f"  speed repeat {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.1f} s" for n in encoders)
              + f" (load {os.getloadavg()[0]:.2f})", flush=True)
    rate = {n: len(sample) / statistics.median(t) for n, t in times.items() if t}
    if args.speed_only:
        for name, t in times.items():
            print(f"| {name} | {rate[name]:.0f} | {rate[name] / rate['fp32']:.2f} | {', '.join(f'{x:.1f}' for x in t)} |")
        return

    # Whole corpus: fp32 vectors from the cache (read only), then each variant.
    from dedup.cache import EmbeddingCache

    cache = EmbeddingCache(spec.name, spec.sha256)
    try:
        fp32 = unit(_read_only(cache, texts, encoders["fp32"]))
    finally:
        cache.close()
    check = unit(encoders["fp32"].encode(sample[:500], EMBED_BATCH_SIZE))
    index = {t: i for i, t in enumerate(texts)}
    drift = float((check * fp32[[index[t] for t in sample[:500]]]).sum(1).min())
    n_cand, base = accepted_pairs(keys, sentences, settings, linked, fp32)
    print(f"fp32: {n_cand:,} candidates, {len(base):,} accepted claim pairs "
          f"(cached vs fresh fp32 vectors, 500 sentences: min cosine {drift:.7f})", flush=True)

    if args.recheck:
        vectors = unit(encoders[args.recheck].encode(texts, EMBED_BATCH_SIZE))
        for margin in (float(m) for m in args.margins.split(",")):
            again = recheck(keys, sentences, settings, linked, texts, fp32, vectors, base, margin)
            if args.timed:
                spent = {"fp32 alone": [], "int8 + fp32 re-embedding": []}
                for _ in range(args.timed):
                    t0 = time.perf_counter()
                    encoders["fp32"].encode(texts, EMBED_BATCH_SIZE)
                    t1 = time.perf_counter()
                    encoders[args.recheck].encode(texts, EMBED_BATCH_SIZE)
                    encoders["fp32"].encode([texts[i] for i in again], EMBED_BATCH_SIZE)
                    t2 = time.perf_counter()
                    spent["fp32 alone"].append(t1 - t0)
                    spent["int8 + fp32 re-embedding"].append(t2 - t1)
                a, b = (statistics.median(v) for v in spent.values())
                print(f"  margin {margin:.2f}, embedding {len(texts):,} keys: fp32 {a:.1f} s, int8 + fp32 {b:.1f} s "
                      f"= {b / a:.2f} (runs {spent}; load {os.getloadavg()[0]:.2f})", flush=True)
        return
    rows = []
    for name in chosen_variants:
        t0 = time.perf_counter()
        vectors = unit(encoders[name].encode(texts, EMBED_BATCH_SIZE))
        seconds = time.perf_counter() - t0
        cos = (vectors * fp32).sum(1)
        n_c, got = accepted_pairs(keys, sentences, settings, linked, vectors)
        kept = len(base & got) / max(1, len(base))
        rows.append((name, rate[name] / rate["fp32"], float(np.median(cos)), float(np.percentile(cos, 1)),
                     float(cos.min()), n_c, len(got), kept, len(got - base)))
        print(f"  {name}: whole corpus embedded in {seconds:.0f} s; {n_c:,} candidates, {len(got):,} accepted, "
              f"kept {kept:.4f}, new {len(got - base):,}", flush=True)

    print(f"\nfp32: {rate['fp32']:.0f} sentences/s (runs {', '.join(f'{t:.1f}' for t in times['fp32'])} s); "
          f"{n_cand:,} candidates, {len(base):,} accepted claim pairs")
    print("| int8 variant | sentences/s | x fp32 | cosine to fp32: median | 1st pct | min | candidates "
          "| accepted | fp32 claims kept | new claims |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, speed, med, p1, low, n_c, n_got, kept, new in rows:
        print(f"| {name} | {rate[name]:.0f} | {speed:.2f} | {med:.4f} | {p1:.4f} | {low:.4f} | {n_c:,} | {n_got:,} "
              f"| {kept:.3f} ({round(kept * len(base)):,}) | {new:,} |")


def recheck(keys, sentences, settings, linked, texts, fp32, int8, base, margin) -> None:
    """int8 as a first stage: pairs the int8 stage accepts with ``margin`` of slack (candidate floor and
    every cosine moved by it, claim threshold lowered by it) have both sentences re-embedded in fp32; the
    claim stage then runs on the mixed vectors.  Cost ~ int8 time + (share re-embedded) x fp32 time."""
    from dataclasses import replace as dc_replace

    loose = settings.replace(semantic_min_cosine=settings.semantic_min_cosine - margin)
    candidates = semantic_candidates(keys, sentences, loose, linked, lambda t: int8)
    from dedup.claims import model as claim_model

    threshold = claim_model(settings.model).threshold
    relaxed = settings.replace(min_score=max(0.0, threshold - margin))
    _, claims = judge_semantic([dc_replace(c, cosine=min(1.0, c.cosine + margin)) for c in candidates], relaxed)
    row_of = {keys.first(i): r for r, i in enumerate(i for i, k in enumerate(keys.keys) if len(words(k)) >= settings.claim_min_words)}
    again = sorted({row_of[s] for m in claims for s in (m.a, m.b)})
    mixed = int8.copy()
    mixed[again] = fp32[again]
    _, got = accepted_pairs(keys, sentences, settings, linked, mixed)
    kept = len(base & got) / max(1, len(base))
    print(f"| {margin:.2f} | {len(candidates):,} | {len(claims):,} | {len(again) / len(texts):.1%} | {len(got):,} "
          f"| {kept:.3f} | {len(got - base):,} |", flush=True)
    return again


def _read_only(cache, texts, encoder) -> np.ndarray:
    """fp32 vectors from the embedding cache; a miss is embedded by dedup's fp32 graph and not stored."""
    from dedup.cache import text_key

    found = cache.get_many([text_key(t) for t in texts])
    missing = [i for i, t in enumerate(texts) if text_key(t) not in found]
    out = np.empty((len(texts), encoder.dims), dtype=np.float32)
    for i, t in enumerate(texts):
        vec = found.get(text_key(t))
        if vec is not None:
            out[i] = vec
    if missing:
        print(f"  {len(missing):,} fp32 vectors not cached: embedding them", flush=True)
        out[missing] = encoder.encode([texts[i] for i in missing], EMBED_BATCH_SIZE)
    return out


if __name__ == "__main__":
    main()

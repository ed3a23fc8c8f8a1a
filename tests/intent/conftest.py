"""Intent-lab fixtures: the session's real MiniLM embedder (counted), a trained head, a fake LLM."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from engine.errors import ProviderError
from engine.intent import EmbeddingClassifier
from engine.providers.base import Embedder, TextModel, TextRequest, TextResult


class CountingEmbedder(Embedder):
    """The session's real embedded MiniLM embedder, counting `embed` calls (a batch should be one)."""

    provider = "counting"

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.calls = 0

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return self._inner.embed(texts)


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
def counting_embedder(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture(scope="session")
def intent_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("intent-data")


@pytest.fixture(scope="session")
def embedding_classifier(counting_embedder: CountingEmbedder, intent_data_dir: Path) -> EmbeddingClassifier:
    return EmbeddingClassifier(counting_embedder, data_dir=intent_data_dir)


@pytest.fixture()
def provider_down() -> ProviderError:
    return ProviderError("the text model is unavailable")

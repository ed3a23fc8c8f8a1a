"""Fake adapters of our own interfaces, registered through the real registry as a plugin."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from engine.errors import ProviderError
from engine.providers.base import Capability, Embedder, TextModel, TextRequest, TextResult
from engine.providers.registry import AdapterSpec, ProviderRegistry


class ScriptedText(TextModel):
    """Answers with `reply`, or raises `failure` when set."""

    provider = "scripted"
    reply = "scripted answer"
    failure: Exception | None = None
    calls = 0

    @property
    def model_name(self) -> str:
        return "scripted-1"

    def estimate_cost(self, request: TextRequest) -> float:
        return 0.01

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        type(self).calls += 1
        if self.failure:
            raise self.failure
        return [TextResult(text=self.reply, tokens=2) for _ in requests]

    def stream(self, request: TextRequest) -> Iterator[str]:
        if self.failure:
            raise self.failure
        yield from self.reply.split(" ")


class BrokenText(ScriptedText):
    provider = "broken"
    failure = ProviderError("broken on purpose")


class HashEmbedder(Embedder):
    provider = "scripted"

    @property
    def model_name(self) -> str:
        return "hash-8"

    @property
    def dimension(self) -> int:
        return 8

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.array([[hash((t, i)) % 97 for i in range(8)] for t in texts], dtype=np.float32) + 1
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def register(registry: ProviderRegistry) -> None:
    registry.register(AdapterSpec("scripted", Capability.TEXT, lambda s, device: ScriptedText(), "scripted test text"))
    registry.register(AdapterSpec("broken", Capability.TEXT, lambda s, device: BrokenText(), "always fails"))
    registry.register(AdapterSpec("scripted", Capability.EMBEDDINGS, lambda s, device: HashEmbedder(), "hash embeddings"))
    registry.register(
        AdapterSpec("needs-key", Capability.TEXT, lambda s, device: ScriptedText(), "needs a key", check=lambda s: "set STUDIO_X")
    )

"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, LocalAI).

`openai` serves text and embeddings (here), and images (generation and edits) and speech
(`engine.providers.openai_media`), with `STUDIO_OPENAI_API_KEY` and optionally
`STUDIO_OPENAI_BASE_URL`. Gemini has its own adapter on Google's SDK
(`engine.providers.gemini_adapter`). The `openai` SDK is imported inside the adapter.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import ContentRejected, InvalidRequest, ProviderError, ProviderUnavailable, RateLimited
from engine.providers.base import Capability, Embedder, TextModel, TextRequest, TextResult
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.settings import Settings

if TYPE_CHECKING:
    import openai

__all__ = ["OpenAIEmbedder", "OpenAITextModel", "register"]

_INSTALL_HINT = "the openai package is not installed: run make install"


def _client(api_key: str, base_url: str | None, timeout_s: float) -> openai.OpenAI:
    try:
        import openai
    except ImportError as exc:  # pragma: no cover - openai is a pinned dependency
        raise ProviderUnavailable(_INSTALL_HINT) from exc
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=1)


def _translate(exc: Exception, provider: str) -> Exception:
    """Turn an openai SDK error into the studio's error tree."""
    import openai

    if isinstance(exc, openai.RateLimitError):
        retry_after = float(exc.response.headers.get("retry-after", 10) or 10)
        return RateLimited(f"{provider} is rate limiting requests; try again in {retry_after:.0f} s.", retry_after)
    if isinstance(exc, openai.AuthenticationError):
        return ProviderUnavailable(f"{provider} refused the API key; check STUDIO_{provider.upper()}_API_KEY.")
    if isinstance(exc, openai.BadRequestError) and "content" in str(exc).lower() and "polic" in str(exc).lower():
        return ContentRejected(f"{provider} refused this request under its content policy.")
    if isinstance(exc, openai.APITimeoutError):
        return ProviderUnavailable(f"{provider} did not answer in time (STUDIO_PROVIDER_TIMEOUT_S).")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderUnavailable(f"Cannot reach {provider}: {exc}")
    if isinstance(exc, openai.APIStatusError):
        return ProviderError(f"{provider} answered HTTP {exc.status_code}: {exc.message}")
    return ProviderError(f"{provider} failed: {exc}")


class OpenAITextModel(TextModel):
    provider = "openai"
    local = False
    features = frozenset({"chat", "stream", "json_mode"})

    def __init__(self, api_key: str, model: str, base_url: str | None, timeout_s: float, provider: str = "openai"):
        self._client = _client(api_key, base_url, timeout_s)
        self._model = model
        self._provider_label = provider

    @property
    def model_name(self) -> str:
        return self._model

    def estimate_cost(self, request: TextRequest) -> float:
        return 0.0003  # ≈ one short chat completion on a small model

    def _arguments(self, request: TextRequest) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_new_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.stop:
            arguments["stop"] = list(request.stop)
        if request.seed is not None:
            arguments["seed"] = request.seed
        if request.json_mode:
            arguments["response_format"] = {"type": "json_object"}
        return arguments

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        results = []
        for request in requests:
            try:
                response = self._client.chat.completions.create(**self._arguments(request))
            except Exception as exc:
                raise _translate(exc, self._provider_label) from exc
            if not response.choices:
                raise ProviderError(f"{self._provider_label} returned no choices.")
            choice = response.choices[0]
            tokens = response.usage.completion_tokens if response.usage else 0
            results.append(
                TextResult(text=choice.message.content or "", tokens=tokens, finish_reason=choice.finish_reason or "stop")
            )
        return results

    def stream(self, request: TextRequest) -> Iterator[str]:
        try:
            chunks = self._client.chat.completions.create(**self._arguments(request), stream=True)
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except Exception as exc:
            raise _translate(exc, self._provider_label) from exc


class OpenAIEmbedder(Embedder):
    provider = "openai"
    local = False
    features = frozenset({"batch"})

    def __init__(self, api_key: str, model: str, base_url: str | None, timeout_s: float):
        self._client = _client(api_key, base_url, timeout_s)
        self._model = model
        self._dimension: int | None = None

    @property
    def model_name(self) -> str:
        return self._model

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self.embed(["dimension probe"]).shape[1])
        return self._dimension

    def estimate_cost(self, request: str) -> float:
        return 0.000002  # one text

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            raise InvalidRequest("texts", "give at least one text to embed")
        try:
            response = self._client.embeddings.create(model=self._model, input=list(texts))
        except Exception as exc:
            raise _translate(exc, "openai") from exc
        vectors = np.asarray([item.embedding for item in response.data], dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _needs(key_setting: str, settings_value: object) -> str | None:
    if importlib.util.find_spec("openai") is None:
        return _INSTALL_HINT
    if not settings_value:
        return f"set STUDIO_{key_setting} to use it"
    return None


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def register(registry: ProviderRegistry) -> None:
    def openai_check(s: Settings) -> str | None:
        # A local OpenAI-compatible server (Ollama, vLLM) needs a base URL but no real key.
        return _needs("OPENAI_API_KEY", s.openai_api_key or s.openai_base_url)

    registry.register(
        AdapterSpec(
            provider="openai",
            capability=Capability.TEXT,
            description="OpenAI chat completions, or any OpenAI-compatible server via STUDIO_OPENAI_BASE_URL",
            check=openai_check,
            local=False,
            factory=lambda s, device: OpenAITextModel(
                _secret(s.openai_api_key) or "not-needed", s.openai_text_model, s.openai_base_url, s.provider_timeout_s
            ),
        )
    )
    registry.register(
        AdapterSpec(
            provider="openai",
            capability=Capability.EMBEDDINGS,
            description="OpenAI embeddings, or an OpenAI-compatible server",
            check=openai_check,
            local=False,
            factory=lambda s, device: OpenAIEmbedder(
                _secret(s.openai_api_key) or "not-needed",
                s.openai_embeddings_model,
                s.openai_base_url,
                s.provider_timeout_s,
            ),
        )
    )
    from engine.providers import openai_media

    for capability, description, factory in (
        (Capability.IMAGE, "OpenAI image generation (STUDIO_OPENAI_IMAGE_MODEL)", openai_media.OpenAIImageModel),
        (Capability.IMAGE_EDIT, "OpenAI image edits: instruction and masked inpaint", openai_media.OpenAIImageEditor),
        (Capability.SPEECH, "OpenAI text-to-speech (STUDIO_OPENAI_SPEECH_MODEL)", openai_media.OpenAISpeechModel),
    ):
        registry.register(
            AdapterSpec(
                provider="openai",
                capability=capability,
                description=description,
                check=openai_check,
                local=False,
                factory=lambda s, device, build=factory: build(s),
            )
        )

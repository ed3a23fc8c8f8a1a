"""The one door to the models: the fallback chain per capability, and a record of every call.

Services call `gateway.text.generate(...)`, `gateway.embeddings.embed(...)` and so on —
the same methods the adapter interfaces declare, plus an optional `CallContext`. Each
adapter tried is recorded in the `generations` table, failures included; a failure of
one adapter moves on to the next in the chain, while bad input (`InvalidRequest`)
stops at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from engine.errors import InvalidRequest, ProviderError, ProviderUnavailable, StudioError
from engine.providers.base import (
    Adapter,
    Capability,
    FaceDetection,
    ImageRequest,
    ImageResult,
    SpeechRequest,
    SpeechResult,
    TextRequest,
    TextResult,
    VideoRequest,
    VideoResult,
)
from engine.providers.registry import ProviderRegistry
from storage.generations import GenerationLog, GenerationRecord

__all__ = ["CallContext", "ModelGateway"]

T = TypeVar("T")


@dataclass(frozen=True)
class CallContext:
    """Who a call is for; recorded with it.

    `kind` labels what the call is for (story_chapter, playground, ...); `generation_id` is the id
    the successful attempt's record gets (so a caller can hand it to feedback); `providers`, when
    set, replaces the configured chain for this call (the router's choice, engine/routing).
    """

    user_id: str | None = None
    session_id: str | None = None
    job_id: str | None = None
    kind: str | None = None
    generation_id: str | None = None
    providers: tuple[str, ...] | None = None


_NO_CONTEXT = CallContext()


def _error_text(exc: BaseException) -> str:
    return exc.user_message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"


class ModelGateway:
    def __init__(self, registry: ProviderRegistry, log: GenerationLog) -> None:
        self.registry = registry
        self.log = log
        self.text = TextService(self)
        self.embeddings = EmbeddingService(self)
        self.speech = SpeechService(self)
        self.image = ImageService(self)
        self.vision = VisionService(self)
        self.video = VideoService(self)

    def call(
        self,
        capability: Capability,
        run: Callable[[Any], T],
        *,
        summary: str,
        context: CallContext | None = None,
        units: float = 1.0,
        is_placeholder: Callable[[T], bool] = lambda _: False,
    ) -> T:
        """Run `run(adapter)` on the first adapter of the chain that succeeds."""
        failures: list[str] = []
        previous: str | None = None
        for provider in self._chain(capability, context):
            started = time.perf_counter()
            try:
                adapter = self.registry.get(capability, provider)
                result = run(adapter)
            except InvalidRequest:
                raise
            except Exception as exc:  # noqa: BLE001 - the gateway is the boundary; recorded, then next adapter
                self._record(capability, provider, None, summary, context, started, units, "error", exc, previous)
                failures.append(f"{provider}: {_error_text(exc)}")
                previous = provider
                continue
            outcome = "placeholder" if is_placeholder(result) else "ok"
            self._record(capability, provider, adapter, summary, context, started, units, outcome, None, previous)
            return result
        raise ProviderUnavailable(f"No {capability.value} provider could serve this — " + "; ".join(failures))

    def stream(
        self,
        capability: Capability,
        open_stream: Callable[[Any], Iterator[str]],
        *,
        summary: str,
        context: CallContext | None = None,
    ) -> Iterator[str]:
        """Stream from the first adapter that yields a first piece; later failures are raised."""
        failures: list[str] = []
        previous: str | None = None
        for provider in self._chain(capability, context):
            started = time.perf_counter()
            adapter: Adapter | None = None
            try:
                adapter = self.registry.get(capability, provider)
                pieces = open_stream(adapter)
                first = next(pieces, None)
                ttft = (time.perf_counter() - started) * 1000
            except InvalidRequest:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded, then the next adapter
                self._record(capability, provider, adapter, summary, context, started, 1.0, "error", exc, previous)
                failures.append(f"{provider}: {_error_text(exc)}")
                previous = provider
                continue
            try:
                if first is not None:
                    yield first
                yield from pieces
            except GeneratorExit:
                self._record(capability, provider, adapter, summary, context, started, 1.0, "ok", None, previous, ttft)
                raise
            except Exception as exc:
                self._record(capability, provider, adapter, summary, context, started, 1.0, "error", exc, previous, ttft)
                raise ProviderError(f"{provider} stopped while streaming: {_error_text(exc)}") from exc
            self._record(capability, provider, adapter, summary, context, started, 1.0, "ok", None, previous, ttft)
            return
        raise ProviderUnavailable(f"No {capability.value} provider could serve this — " + "; ".join(failures))

    def _record(
        self,
        capability: Capability,
        provider: str,
        adapter: Adapter | None,
        summary: str,
        context: CallContext | None,
        started: float,
        units: float,
        outcome: str,
        error: BaseException | None,
        previous: str | None,
        ttft_ms: float | None = None,
    ) -> None:
        context = context or _NO_CONTEXT
        ids = {"id": context.generation_id} if context.generation_id and outcome != "error" else {}
        self.log.record(
            GenerationRecord(
                **ids,
                user_id=context.user_id,
                session_id=context.session_id,
                job_id=context.job_id,
                capability=capability.value,
                provider=provider,
                model=adapter.model_name if adapter else "-",
                request_summary=summary[:500],
                latency_ms=(time.perf_counter() - started) * 1000,
                cost_usd=adapter.estimate_cost(units) if adapter and outcome != "error" else 0.0,
                outcome=outcome,
                error=_error_text(error)[:1000] if error else None,
                fallback_from=previous,
                kind=context.kind,
                ttft_ms=ttft_ms,
            )
        )

    def _chain(self, capability: Capability, context: CallContext | None) -> list[str]:
        if context is not None and context.providers:
            return list(context.providers)
        return self.registry.chain(capability)


class _Service:
    capability: Capability

    def __init__(self, gateway: ModelGateway) -> None:
        self._gateway = gateway

    def chain(self) -> list[str]:
        return self._gateway.registry.chain(self.capability)


def _batch_summary(items: Sequence[Any]) -> str:
    if not items:
        raise InvalidRequest("requests", "give at least one request")
    first = items[0].summary() if hasattr(items[0], "summary") else str(items[0])[:200]
    return first if len(items) == 1 else f"[{len(items)}] {first}"


class TextService(_Service):
    capability = Capability.TEXT

    def generate(self, requests: Sequence[TextRequest], context: CallContext | None = None) -> list[TextResult]:
        return self._gateway.call(
            self.capability,
            lambda a: a.generate(requests),
            summary=_batch_summary(requests),
            context=context,
            units=len(requests),
        )

    def stream(self, request: TextRequest, context: CallContext | None = None) -> Iterator[str]:
        return self._gateway.stream(
            self.capability, lambda a: iter(a.stream(request)), summary=request.summary(), context=context
        )

    def complete(self, prompt: str, *, system: str | None = None, context: CallContext | None = None, **options: Any) -> str:
        return self.generate([TextRequest.from_prompt(prompt, system=system, **options)], context)[0].text


class EmbeddingService(_Service):
    capability = Capability.EMBEDDINGS

    def embed(self, texts: Sequence[str], context: CallContext | None = None) -> np.ndarray:
        return self._gateway.call(
            self.capability, lambda a: a.embed(texts), summary=_batch_summary(texts), context=context, units=len(texts)
        )


class SpeechService(_Service):
    capability = Capability.SPEECH

    def synthesize(self, requests: Sequence[SpeechRequest], context: CallContext | None = None) -> list[SpeechResult]:
        return self._gateway.call(
            self.capability,
            lambda a: a.synthesize(requests),
            summary=_batch_summary(requests),
            context=context,
            units=sum(len(r.text) for r in requests) / 1000,
        )


class ImageService(_Service):
    capability = Capability.IMAGE

    def generate(self, requests: Sequence[ImageRequest], context: CallContext | None = None) -> list[ImageResult]:
        return self._gateway.call(
            self.capability,
            lambda a: a.generate(requests),
            summary=_batch_summary(requests),
            context=context,
            units=len(requests),
            is_placeholder=lambda results: any(r.is_placeholder for r in results),
        )


class VisionService(_Service):
    capability = Capability.VISION

    def detect_faces(self, images: Sequence[np.ndarray], context: CallContext | None = None) -> list[list[FaceDetection]]:
        return self._gateway.call(
            self.capability,
            lambda a: a.detect_faces(images),
            summary=f"{len(images)} image(s)",
            context=context,
            units=len(images),
        )


class VideoService(_Service):
    capability = Capability.VIDEO

    def render(self, requests: Sequence[VideoRequest], context: CallContext | None = None) -> list[VideoResult]:
        return self._gateway.call(
            self.capability,
            lambda a: a.render(requests),
            summary=_batch_summary(requests),
            context=context,
            units=sum(len(r.frames) / r.fps for r in requests),
        )

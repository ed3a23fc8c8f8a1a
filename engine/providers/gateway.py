"""The one door to the models: the fallback chain per capability, and a record of every call.

Services call `gateway.text.generate(...)`, `gateway.embeddings.embed(...)` and so on —
the same methods the adapter interfaces declare, plus an optional `CallContext`. Each
adapter tried is recorded in the `generations` table, failures included; a failure of
one adapter moves on to the next in the chain, while bad input (`InvalidRequest`)
stops at once.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
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

__all__ = ["CallContext", "ModelGateway", "calling_for"]

T = TypeVar("T")


@dataclass(frozen=True)
class CallContext:
    """Who a call is for; recorded with it."""

    user_id: str | None = None
    session_id: str | None = None
    job_id: str | None = None
    owner: str | None = None


_NO_CONTEXT = CallContext()

# The owner a service is working for, for calls that pass no context (a classifier deep inside a
# service); recorded with the call so that deleting the owner deletes the row.
CALLER: ContextVar[str | None] = ContextVar("studio_caller", default=None)


@contextmanager
def calling_for(owner_id: str) -> Iterator[None]:
    """Record the model calls made inside the block as `owner_id`'s."""
    token = CALLER.set(owner_id)
    try:
        yield
    finally:
        CALLER.reset(token)


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
        for provider in self.registry.chain(capability):
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
        for provider in self.registry.chain(capability):
            started = time.perf_counter()
            adapter: Adapter | None = None
            try:
                adapter = self.registry.get(capability, provider)
                pieces = open_stream(adapter)
                first = next(pieces, None)
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
                self._record(capability, provider, adapter, summary, context, started, 1.0, "ok", None, previous)
                raise
            except Exception as exc:
                self._record(capability, provider, adapter, summary, context, started, 1.0, "error", exc, previous)
                raise ProviderError(f"{provider} stopped while streaming: {_error_text(exc)}") from exc
            self._record(capability, provider, adapter, summary, context, started, 1.0, "ok", None, previous)
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
    ) -> None:
        context = context or _NO_CONTEXT
        self.log.record(
            GenerationRecord(
                user_id=context.user_id,
                session_id=context.session_id,
                job_id=context.job_id,
                owner=context.owner or CALLER.get(),
                capability=capability.value,
                provider=provider,
                model=adapter.model_name if adapter else "-",
                request_summary=summary[:500],
                latency_ms=(time.perf_counter() - started) * 1000,
                cost_usd=adapter.estimate_cost(units) if adapter and outcome != "error" else 0.0,
                outcome=outcome,
                error=_error_text(error)[:1000] if error else None,
                fallback_from=previous,
            )
        )


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

"""The one door to the models: the fallback chain per capability, a circuit breaker per
remote provider, and a record of every call.

Services call `gateway.text.generate(...)`, `gateway.image_edit.edit(...)` and so on —
the same methods the adapter interfaces declare, plus an optional `CallContext` (who it
is for, and the device the queue placed it on). Each adapter tried is recorded in the
`generations` table, failures included; a failure of one adapter moves on to the next
in the chain, while bad input (`InvalidRequest`) stops at once. `*_served` variants
return a `Served` that says which adapter actually answered (after fallbacks), with its
model and cost — what a flow logs and shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from engine.errors import InvalidRequest, JobCancelled, ProviderError, ProviderUnavailable, StudioError
from engine.providers.base import Adapter, Capability
from engine.providers.calls import Meter, choosing, metering
from engine.providers.registry import ProviderRegistry
from storage.generations import GenerationLog, GenerationRecord

if TYPE_CHECKING:
    from engine.providers.services import (
        EmbeddingService,
        FaceSwapService,
        ImageEditService,
        ImageService,
        ImageToVideoService,
        SpeechService,
        TalkingHeadService,
        TextService,
        TextToVideoService,
        VideoService,
        VisionService,
        VoiceCloneService,
    )
    from engine.resilience import BreakerBoard

__all__ = ["CallContext", "CallItem", "ModelGateway", "Served", "calling_for"]

T = TypeVar("T")


@dataclass(frozen=True)
class CallItem:
    """One request of a batched call: the id its output's record gets, whose output it is, and what
    it is for (its record's `kind`; None: the call's)."""

    generation_id: str
    owner: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class CallContext:
    """Who a call is for; recorded with it.

    `kind` labels what the call is for (story_chapter, playground, ...); `generation_id` is the id
    the successful attempt's record gets (so a caller can hand it to feedback); `providers`, when
    set, replaces the configured chain for this call (the router's choice, engine/routing);
    `model`, a catalogue model id, is run by the adapter that knows it (`calls.chosen_model()`),
    the others run their default. `items`, one per request of a batch (in order), gives each
    output a record of its own — its id, its owner, its share of the cost — so that each output
    of a batched call can be rated on its own; without it a call is one record.
    """

    user_id: str | None = None
    session_id: str | None = None
    job_id: str | None = None
    device: str | None = None  # where the queue placed the work (the adapter is built for it); None: the default
    owner: str | None = None
    kind: str | None = None
    generation_id: str | None = None
    providers: tuple[str, ...] | None = None
    model: str | None = None
    items: tuple[CallItem, ...] | None = None


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


@dataclass(frozen=True)
class Served(Generic[T]):
    """A result and the adapter that actually produced it (after any fallbacks)."""

    value: T
    provider: str
    model: str
    cost_usd: float
    fallback_from: str | None = None


def _error_text(exc: BaseException) -> str:
    return exc.user_message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"


def _no_adapter(capability: Capability, failures: list[str]) -> ProviderUnavailable:
    if not failures:
        return ProviderUnavailable(
            f"No {capability.label} adapter is configured: set STUDIO_{capability.value.upper()}_PROVIDER "
            "(`studio models` lists the adapters and why each can or cannot run)."
        )
    return ProviderUnavailable(f"No {capability.label} provider could serve this — " + "; ".join(failures))


class ModelGateway:
    text: TextService
    embeddings: EmbeddingService
    speech: SpeechService
    voice_clone: VoiceCloneService
    image: ImageService
    image_edit: ImageEditService
    face_swap: FaceSwapService
    talking_head: TalkingHeadService
    image_to_video: ImageToVideoService
    text_to_video: TextToVideoService
    vision: VisionService
    video: VideoService

    def __init__(self, registry: ProviderRegistry, log: GenerationLog, breakers: BreakerBoard | None = None) -> None:
        from engine.providers.services import attach_services

        self.registry = registry
        self.log = log
        self.breakers = breakers
        attach_services(self)

    def runnable(self, capability: Capability) -> list[str]:
        """Providers of `capability` that can run here (their checks pass), chain first."""
        return self.registry.runnable(capability)

    def _guarded(self, capability: Capability, provider: str, run: Callable[[Any], T], adapter: Adapter) -> T:
        spec = self.registry.spec(capability, provider)
        if self.breakers is None or spec is None or spec.local:
            return run(adapter)  # in-process: nothing remote to trip a circuit over
        part = adapter.circuit()
        return self.breakers.call(provider if part is None else f"{provider}:{part}", run, adapter)

    def call(
        self,
        capability: Capability,
        run: Callable[[Any], T],
        *,
        summary: str,
        context: CallContext | None = None,
        requests: Sequence[Any] = (),
        is_placeholder: Callable[[T], bool] = lambda _: False,
    ) -> T:
        """Run `run(adapter)` on the first adapter of the chain that succeeds."""
        return self.serve(
            capability, run, summary=summary, context=context, requests=requests, is_placeholder=is_placeholder
        ).value

    def serve(
        self,
        capability: Capability,
        run: Callable[[Any], T],
        *,
        summary: str,
        context: CallContext | None = None,
        requests: Sequence[Any] = (),
        is_placeholder: Callable[[T], bool] = lambda _: False,
    ) -> Served[T]:
        """Like `call`, saying which adapter served; its cost is the sum of `estimate_cost(request)`."""
        failures: list[str] = []
        previous: str | None = None
        device = (context or _NO_CONTEXT).device
        chosen = (context or _NO_CONTEXT).model
        for provider in self._chain(capability, context):
            started = time.perf_counter()
            adapter: Adapter | None = None
            with choosing(chosen), metering() as meter:
                try:
                    adapter = self.registry.get(capability, provider, device)
                    result = self._guarded(capability, provider, run, adapter)
                    model = meter.model or adapter.model_name
                except InvalidRequest:
                    raise
                except JobCancelled as exc:  # the caller stopped it: no other adapter should start
                    self._record(capability, provider, adapter, summary, context, started, 0.0, "error", exc, previous, meter=meter)
                    raise
                except Exception as exc:  # noqa: BLE001 - the gateway is the boundary; recorded, then next adapter
                    self._record(capability, provider, None, summary, context, started, 0.0, "error", exc, previous, meter=meter)
                    failures.append(f"{provider}: {_error_text(exc)}")
                    previous = provider
                    continue
            outcome = "placeholder" if is_placeholder(result) else "ok"
            estimates = [adapter.estimate_cost(request) for request in requests]
            estimate = sum(estimates)
            cost = estimate if meter.cost_usd is None else meter.cost_usd
            items = (context or _NO_CONTEXT).items
            if context is not None and items and len(items) == len(requests):
                for item, item_estimate in zip(items, estimates, strict=True):  # one record per output
                    share = item_estimate if meter.cost_usd is None else meter.cost_usd / len(items)
                    own = replace(context, generation_id=item.generation_id, owner=item.owner or context.owner,
                                  user_id=item.owner or context.user_id, kind=item.kind or context.kind)
                    self._record(capability, provider, adapter, summary, own, started, share, outcome, None, previous,
                                 meter=meter, estimate=item_estimate, model=model)  # fmt: skip
            else:
                self._record(capability, provider, adapter, summary, context, started, cost, outcome, None, previous,
                             meter=meter, estimate=estimate, model=model)  # fmt: skip
            return Served(result, provider, model, cost, previous)
        raise _no_adapter(capability, failures)

    def stream(
        self,
        capability: Capability,
        open_stream: Callable[[Any], Iterator[str]],
        *,
        summary: str,
        context: CallContext | None = None,
        request: Any = None,
    ) -> Iterator[str]:
        """Stream from the first adapter that yields a first piece; later failures are raised."""
        failures: list[str] = []
        previous: str | None = None
        device = (context or _NO_CONTEXT).device
        for provider in self._chain(capability, context):
            started = time.perf_counter()
            adapter: Adapter | None = None
            try:
                adapter = self.registry.get(capability, provider, device)
                pieces = open_stream(adapter)
                first = self._guarded(capability, provider, lambda _: next(pieces, None), adapter)
                ttft = (time.perf_counter() - started) * 1000
            except InvalidRequest:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded, then the next adapter
                self._record(capability, provider, adapter, summary, context, started, 0.0, "error", exc, previous)
                failures.append(f"{provider}: {_error_text(exc)}")
                previous = provider
                continue
            cost = adapter.estimate_cost(request) if request is not None else 0.0
            try:
                if first is not None:
                    yield first
                yield from pieces
            except GeneratorExit:
                self._record(capability, provider, adapter, summary, context, started, cost, "ok", None, previous, ttft)
                raise
            except Exception as exc:
                self._record(capability, provider, adapter, summary, context, started, 0.0, "error", exc, previous, ttft)
                raise ProviderError(f"{provider} stopped while streaming: {_error_text(exc)}") from exc
            self._record(capability, provider, adapter, summary, context, started, cost, "ok", None, previous, ttft)
            return
        raise _no_adapter(capability, failures)

    def _record(
        self,
        capability: Capability,
        provider: str,
        adapter: Adapter | None,
        summary: str,
        context: CallContext | None,
        started: float,
        cost_usd: float,
        outcome: str,
        error: BaseException | None,
        previous: str | None,
        ttft_ms: float | None = None,
        *,
        meter: Meter | None = None,
        estimate: float | None = None,
        model: str | None = None,
    ) -> None:
        context = context or _NO_CONTEXT
        ids = {"id": context.generation_id} if context.generation_id and outcome != "error" else {}
        self.log.record(
            GenerationRecord(
                **ids,
                user_id=context.user_id,
                session_id=context.session_id,
                job_id=context.job_id,
                owner=context.owner or CALLER.get(),
                capability=capability.value,
                provider=provider,
                model=model or (adapter.model_name if adapter else "-"),
                request_summary=summary[:500],
                latency_ms=(time.perf_counter() - started) * 1000,
                cost_usd=cost_usd if outcome != "error" else 0.0,
                outcome=outcome,
                error=_error_text(error)[:1000] if error else None,
                fallback_from=previous,
                kind=context.kind,
                ttft_ms=ttft_ms,
                estimated_cost_usd=estimate,
                remote_seconds=meter.remote_seconds if meter else None,
                remote_id=",".join(meter.remote_ids)[:500] or None if meter else None,
            )
        )

    def _chain(self, capability: Capability, context: CallContext | None) -> list[str]:
        """The providers to try: the router's pick when the context names them, else the configured chain."""
        if context is not None and context.providers:
            return list(context.providers)
        return self.registry.chain(capability)

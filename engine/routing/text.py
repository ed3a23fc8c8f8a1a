"""Routed text generation: the one call services make to let the router pick the model.

```python
answer = engine.routed_text.generate(request, kind="persona_post", owner=owner)
answer.text, answer.generation_id          # the id is what feedback attaches to

stream = engine.routed_text.stream(request, kind="playground", owner=owner)
for piece in stream: ...                   # stream.generation_id is known before the first piece

ran = engine.routed_text.with_model(run, requests, kind="classification", owner=owner, route_on=[prompt])
ran.value, ran.generation_ids              # run(adapter) on the chosen model; one record per request
engine.routed_text.keep_sample(ran.generation_ids[0], request, completion, kind="classification", owner=owner)
```

Each call: decide (engine/routing/router.py), hand the chosen chain to the gateway through
`CallContext(providers=..., kind=..., generation_id=...)`, log the decision with the id of the
generation that served it, and keep the full request and answer as a text sample for
training export. `with_model` keeps none itself (its value is not plain text): its caller keeps
a sample per request whose answer it accepts (`keep_sample`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.providers.base import TextModel, TextRequest
from engine.providers.gateway import CallContext, CallItem, ModelGateway
from engine.routing.router import HybridRouter, RouteDecision
from storage.routing import RouterLog, SampleRow

__all__ = ["RoutedAnswer", "RoutedRun", "RoutedStream", "RoutedText"]

T = TypeVar("T")


@dataclass(frozen=True)
class RoutedAnswer:
    text: str
    generation_id: str
    decision: RouteDecision


@dataclass(frozen=True)
class RoutedRun(Generic[T]):
    """What `run(adapter)` returned on the chosen model, and the generations record of each request
    (in order; the call recorded one per request, so each answer can be rated and sampled on its own)."""

    value: T
    generation_ids: tuple[str, ...]
    decision: RouteDecision

    @property
    def generation_id(self) -> str:
        """The first request's record: the one the router's decision names."""
        return self.generation_ids[0]


@dataclass
class RoutedStream:
    """Iterate for the pieces; `generation_id` and `decision` are set before the first one."""

    generation_id: str
    decision: RouteDecision
    _pieces: Iterator[str] = field(repr=False)

    def __iter__(self) -> Iterator[str]:
        return self._pieces


def _request_text(request: TextRequest) -> str:
    return "\n".join(m.content for m in request.messages)


def _messages(request: TextRequest) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in request.messages]


class RoutedText:
    def __init__(self, gateway: ModelGateway, router: HybridRouter, log: RouterLog) -> None:
        self._gateway = gateway
        self._router = router
        self._log = log

    def route(self, request: TextRequest, *, kind: str) -> RouteDecision:
        return self._router.decide(_request_text(request), kind=kind)

    def _context(self, decision: RouteDecision, owner: Owner, session_id: str | None) -> CallContext:
        return CallContext(
            user_id=owner.id,
            owner=owner.id,
            session_id=session_id,
            kind=decision.kind,
            generation_id=uuid.uuid4().hex,
            providers=decision.chain,
        )

    def generate(
        self, request: TextRequest, *, kind: str, owner: Owner, session_id: str | None = None
    ) -> RoutedAnswer:
        decision = self.route(request, kind=kind)
        context = self._context(decision, owner, session_id)
        assert context.generation_id is not None
        try:
            text = self._gateway.text.generate([request], context)[0].text
        finally:
            self._router.record(decision, owner=owner, generation_id=context.generation_id)
        self._sample(context.generation_id, owner, kind, request, text)
        return RoutedAnswer(text=text, generation_id=context.generation_id, decision=decision)

    def stream(
        self, request: TextRequest, *, kind: str, owner: Owner, session_id: str | None = None
    ) -> RoutedStream:
        decision = self.route(request, kind=kind)
        context = self._context(decision, owner, session_id)
        assert context.generation_id is not None
        generation_id = context.generation_id

        def pieces() -> Iterator[str]:
            answer: list[str] = []
            try:
                for piece in self._gateway.text.stream(request, context):
                    answer.append(piece)
                    yield piece
            finally:
                self._router.record(decision, owner=owner, generation_id=generation_id)
            self._sample(generation_id, owner, kind, request, "".join(answer))

        return RoutedStream(generation_id=generation_id, decision=decision, _pieces=pieces())

    def with_model(
        self, run: Callable[[TextModel], T], requests: Sequence[TextRequest], *, kind: str, owner: Owner,
        route_on: Sequence[str] = (), session_id: str | None = None,
    ) -> RoutedRun[T]:
        """`run(adapter)` on the model the router picks, for callers that use what the adapter can do
        rather than plain generation (the intent lab's LLM classifier scores by likelihood on the
        embedded model). `route_on`: the texts to judge (default: each request's messages); a batch
        goes where its hardest text would. Each request gets a generations record of its own. No text
        sample is kept here (the answer is not plain text): the caller keeps one with `keep_sample`."""
        if not requests:
            raise InvalidRequest("requests", "give at least one request to run")
        texts = list(route_on) or [_request_text(r) for r in requests]
        decision = max((self._router.decide(text, kind=kind) for text in texts), key=lambda d: d.complexity)
        context = self._context(decision, owner, session_id)
        ids = tuple(uuid.uuid4().hex for _ in requests)
        items = tuple(CallItem(generation_id=generation_id, owner=owner.id) for generation_id in ids)
        try:
            value = self._gateway.text.with_model(run, requests, replace(context, items=items))
        finally:
            self._router.record(decision, owner=owner, generation_id=ids[0])
        return RoutedRun(value=value, generation_ids=ids, decision=decision)

    def keep_sample(self, generation_id: str, request: TextRequest, completion: str, *, kind: str,
                    owner: Owner) -> None:
        """Keep `request` and the answer a caller accepted from `with_model` as a training sample of
        `kind` (`studio export training --kind KIND`), owned (and deleted) with `owner`."""
        self._sample(generation_id, owner, kind, request, completion)

    def _sample(self, generation_id: str, owner: Owner, kind: str, request: TextRequest, completion: str) -> None:
        if completion.strip():
            self._log.record_sample(
                SampleRow(
                    generation_id=generation_id, owner=owner.id, kind=kind, messages=_messages(request), completion=completion
                )
            )

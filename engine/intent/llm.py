"""Ask a text model which workflow a request is; retry with backoff and jitter; fall back when it fails.

How it asks depends on what the adapter that serves the call can do. One with the CHOOSE
feature (the embedded model) scores the nine workflows by likelihood (`likelihood.py`):
its answer is always one of them. Any other (a remote chat model) is asked for a JSON
verdict, which must validate as `LLMAnswer`. A provider error or an answer that does not
validate is retried (exponential backoff with jitter, tenacity); requests still without
an answer after the last attempt go to the fallback classifiers in order (by default
embedding, then rules), and the result says so in `fallback_used` and `reasoning`.

Given the engine's `RoutedText`, each attempt goes through the hybrid router as kind
`classification` (engine/routing): the router picks the local or the strong model from the
request's complexity and measured performance, and logs its decision. An answer from the model
carries the id of the call that made it (`Classification.generation_id`, one record per request),
so a rating of the answer is a rating of that model on classification, which the router reads
back. Each answer the model gave (never a fallback's) is also kept as a training sample of kind
`classification`: the classification prompt and the verdict as JSON with the chosen workflow,
the reply the prompt asks for (`studio export training --kind classification`).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from engine.errors import ProviderError, StudioError
from engine.intent.classifier import Classifier, build_classification
from engine.intent.examples import TRAIN_PATH, load_examples
from engine.intent.likelihood import DESCRIPTIONS, LabelContexts
from engine.intent.models import Classification, ClassifyRequest, LabelledExample, Method, Workflow
from engine.intent.rules import RulesClassifier
from engine.ownership import OPERATOR, Owner
from engine.providers.base import CHOOSE, TextModel, TextRequest
from engine.providers.gateway import CALLER, CallContext
from engine.providers.services import TextService
from engine.routing.text import RoutedText

__all__ = ["ROUTE_KIND", "SYSTEM_PROMPT", "LLMAnswer", "LLMClassifier", "MalformedAnswer"]

ROUTE_KIND = "classification"  # the router's kind of request, and the `kind` of the model calls

SYSTEM_PROMPT = (
    "You route creative requests to one workflow. Workflows:\n"
    + "\n".join(f"- {workflow.value}: {text}" for workflow, text in DESCRIPTIONS.items())
    + '\nReply with JSON only: {"workflow": "<one workflow name>", "confidence": <0 to 1>, '
    '"reasoning": "<one short sentence>", "requires_web_search": <true if it names a celebrity or event>, '
    '"web_search_query": "<query or null>"}'
)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class MalformedAnswer(StudioError):
    """The model's reply was not the JSON we asked for."""


class LLMAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    workflow: Workflow
    confidence: float = Field(0.7, ge=0.0, le=1.0)
    reasoning: str = ""
    requires_web_search: bool = False
    web_search_query: str | None = None

    @field_validator("workflow", mode="before")
    @classmethod
    def _tolerant_name(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower().replace("-", "_").replace(" ", "_")
        return value

    def completion(self) -> str:
        """The verdict as the JSON reply `SYSTEM_PROMPT` asks for (a training sample's completion)."""
        return self.model_dump_json()

    @classmethod
    def parse(cls, text: str) -> LLMAnswer:
        """The first JSON object in `text` (models like to add fences or prose), validated."""
        match = _JSON_OBJECT.search(text)
        if match is None:
            raise MalformedAnswer(f"no JSON object in the reply: {text[:80]!r}")
        try:
            return cls.model_validate(json.loads(match.group(0)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise MalformedAnswer(f"reply did not validate: {exc}".splitlines()[0]) from exc


class LLMClassifier(Classifier):
    """Classifies with a `TextModel`, the gateway's text service (which picks the adapter) or the
    routed text door (the router picks the model); falls back to `fallbacks` (default: rules) when it fails."""

    method = Method.LLM

    def __init__(
        self,
        text_model: TextModel | TextService | RoutedText,
        fallbacks: Sequence[Classifier] | None = None,
        attempts: int = 3,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 8.0,
        jitter_s: float = 0.5,
        max_new_tokens: int = 120,
        examples: Sequence[LabelledExample] | None = None,
        shots: int = 8,
    ) -> None:
        self._model = text_model
        self._fallbacks = list(fallbacks) if fallbacks else [RulesClassifier()]
        self._attempts = attempts
        self._wait = wait_exponential_jitter(initial=backoff_initial_s, max=backoff_max_s, jitter=jitter_s)
        self._max_new_tokens = max_new_tokens
        self._examples = examples
        self._shots = shots
        self._contexts: LabelContexts | None = None

    def _request(self, request: ClassifyRequest) -> TextRequest:
        context = "The user has an image open." if request.has_image else "The user has no image open."
        return TextRequest.from_prompt(
            f"{context}\nRequest: {request.prompt}",
            system=SYSTEM_PROMPT,
            max_new_tokens=self._max_new_tokens,
            temperature=0.0,
            json_mode=True,
        )

    def _ask(
        self, requests: Sequence[ClassifyRequest]
    ) -> tuple[list[LLMAnswer | MalformedAnswer], Sequence[str | None]]:
        """One answer (or why there is none) per request, from whichever adapter serves the call,
        and the id of each request's generation record (None for a bare `TextModel`). Through the
        router, each answer the model gave is kept as a training sample."""

        def run(model: TextModel) -> list[LLMAnswer | MalformedAnswer]:
            if CHOOSE in model.features:
                return self._by_likelihood(model, requests)
            return [self._parsed(reply.text) for reply in model.generate([self._request(r) for r in requests])]

        asked = [self._request(r) for r in requests]
        if isinstance(self._model, TextModel):
            return run(self._model), [None] * len(requests)
        if isinstance(self._model, RoutedText):
            caller = CALLER.get()  # the service's owner (engine.providers.gateway.calling_for)
            owner = Owner(id=caller) if caller else OPERATOR
            ran = self._model.with_model(run, asked, kind=ROUTE_KIND, owner=owner, route_on=[r.prompt for r in requests])
            for generation_id, request, reply in zip(ran.generation_ids, asked, ran.value, strict=True):
                if isinstance(reply, LLMAnswer):  # the model answered: what it was asked, and its verdict
                    self._model.keep_sample(generation_id, request, reply.completion(), kind=ROUTE_KIND, owner=owner)
            return ran.value, ran.generation_ids
        context = CallContext(kind=ROUTE_KIND, generation_id=uuid.uuid4().hex)
        return self._model.with_model(run, asked, context), [context.generation_id] * len(requests)

    def _by_likelihood(self, model: TextModel, requests: Sequence[ClassifyRequest]) -> list[LLMAnswer | MalformedAnswer]:
        if self._contexts is None:
            examples = self._examples if self._examples is not None else load_examples(TRAIN_PATH)
            self._contexts = LabelContexts.from_examples(examples, self._shots)
        contexts = self._contexts
        answers: list[LLMAnswer | MalformedAnswer] = []
        for result in model.choose([contexts.request(r) for r in requests]):
            scored = contexts.answer(result)
            answers.append(LLMAnswer(workflow=scored.workflow, confidence=scored.confidence, reasoning=scored.reasoning))
        return answers

    @staticmethod
    def _parsed(text: str) -> LLMAnswer | MalformedAnswer:
        try:
            return LLMAnswer.parse(text)
        except MalformedAnswer as exc:
            return exc

    def classify_many(self, requests: Sequence[ClassifyRequest]) -> list[Classification]:
        start = time.perf_counter()
        answers: dict[int, LLMAnswer] = {}
        served_by: dict[int, str | None] = {}
        failures: dict[int, str] = {}

        def attempt() -> None:
            pending = [i for i in range(len(requests)) if i not in answers]
            try:
                replies, generation_ids = self._ask([requests[i] for i in pending])
            except ProviderError as exc:
                for i in pending:
                    failures[i] = f"provider error: {exc.user_message}"
                raise
            for i, reply, generation_id in zip(pending, replies, generation_ids, strict=True):
                if isinstance(reply, LLMAnswer):
                    answers[i] = reply
                    served_by[i] = generation_id
                else:
                    failures[i] = reply.user_message
            if len(answers) < len(requests):
                raise MalformedAnswer(f"{len(requests) - len(answers)} replies did not validate")

        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type((ProviderError, MalformedAnswer)),
            reraise=False,
        )
        try:
            retrying(attempt)
        except RetryError:
            pass  # what is still unanswered goes to the fallbacks below
        each_ms = (time.perf_counter() - start) * 1000 / max(1, len(requests))
        results: list[Classification | None] = [
            self._from_answer(requests[i], answers[i], each_ms, served_by[i]) if i in answers else None
            for i in range(len(requests))
        ]
        missing = [i for i, result in enumerate(results) if result is None]
        if missing:
            for i, result in zip(missing, self._fall_back([requests[i] for i in missing], failures, each_ms), strict=True):
                results[i] = result
        return [result for result in results if result is not None]

    def _from_answer(
        self, request: ClassifyRequest, answer: LLMAnswer, latency_ms: float, generation_id: str | None
    ) -> Classification:
        query = answer.web_search_query if answer.requires_web_search and answer.web_search_query else None
        found = build_classification(
            request, answer.workflow, answer.confidence, answer.reasoning or "the model gave no reason",
            self.method, latency_ms, web_query=query,
        )
        return found.model_copy(update={"generation_id": generation_id}) if generation_id else found

    def _fall_back(
        self, requests: list[ClassifyRequest], failures: dict[int, str], spent_ms: float
    ) -> list[Classification]:
        why = next(iter(failures.values()), "no answer")
        problems: list[str] = []
        for fallback in self._fallbacks:
            try:
                found = fallback.classify_many(requests)
            except StudioError as exc:
                problems.append(f"{fallback.method.value} failed too ({exc.user_message})")
                continue
            note = "; ".join(problems)
            return [
                result.model_copy(
                    update={
                        "method": self.method,
                        "fallback_used": fallback.method,
                        "latency_ms": result.latency_ms + spent_ms,
                        "reasoning": (
                            f"LLM failed after {self._attempts} attempts ({why}); "
                            f"fell back to {fallback.method.value}{'; ' + note if note else ''}: {result.reasoning}"
                        ),
                    }
                )
                for result in found
            ]
        last = RulesClassifier().classify_many(requests)  # rules cannot fail on a valid request
        note = f"LLM failed ({why}) and so did every fallback ({'; '.join(problems)}); used rules"
        return [
            result.model_copy(
                update={
                    "method": self.method,
                    "fallback_used": Method.RULES,
                    "latency_ms": result.latency_ms + spent_ms,
                    "reasoning": f"{note}: {result.reasoning}",
                }
            )
            for result in last
        ]

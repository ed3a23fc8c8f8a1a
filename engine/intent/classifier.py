"""The one interface every intent classifier implements, and the result builder they share."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import ClassVar

from engine.intent.models import Classification, ClassifyRequest, Method, Workflow
from engine.intent.signals import needs_enhancement, web_search_query

__all__ = ["Classifier", "build_classification"]

# Workflows where a named celebrity or event is worth a web search for reference pictures.
_SEARCHABLE = frozenset(
    {Workflow.REFERENCE_STYLING, Workflow.HAIR_STYLING, Workflow.IMAGE_GENERATION, Workflow.STYLE_TRANSFER}
)


class Classifier(abc.ABC):
    """Turns free-text requests into `Classification`s. Subclasses set `method`."""

    method: ClassVar[Method]

    def classify(self, request: ClassifyRequest) -> Classification:
        return self.classify_many([request])[0]

    @abc.abstractmethod
    def classify_many(self, requests: Sequence[ClassifyRequest]) -> list[Classification]:
        """Classify a batch; the result is in the order of `requests`."""


def build_classification(
    request: ClassifyRequest,
    workflow: Workflow,
    confidence: float,
    reasoning: str,
    method: Method,
    latency_ms: float,
    fallback_used: Method | None = None,
    web_query: str | None = None,
) -> Classification:
    """Fill in the cues every method reports the same way (web search, vague prompt)."""
    query = web_query or (web_search_query(request.prompt, workflow) if workflow in _SEARCHABLE else None)
    return Classification(
        workflow_type=workflow,
        confidence=min(1.0, max(0.0, float(confidence))),
        reasoning=reasoning,
        requires_web_search=query is not None,
        web_search_query=query,
        enhancement_needed=needs_enhancement(request.prompt),
        method=method,
        fallback_used=fallback_used,
        latency_ms=max(0.0, latency_ms),
    )

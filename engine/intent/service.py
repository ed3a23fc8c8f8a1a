"""IntentService: the intent lab's one entry point for the UI, the CLI and tests.

Classification runs behind the result cache, per-user rate limits, the AI-classifier
rollout flag and, for the LLM method, the text provider's circuit breaker. Every
classification is logged in DuckDB with that state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from engine.errors import InvalidRequest, RateLimited
from engine.intent.catalogue import select_model
from engine.intent.classifier import Classifier
from engine.intent.embedding import EmbeddingClassifier
from engine.intent.enhance import enhance_prompt
from engine.intent.evaluate import evaluate
from engine.intent.examples import HELDOUT_PATH, load_examples
from engine.intent.llm import LLMClassifier
from engine.intent.models import (
    Classification,
    ClassifyRequest,
    EnhancedPrompt,
    EvaluationReport,
    LabelledExample,
    Method,
    ModelSelection,
    Quality,
    Workflow,
)
from engine.intent.rules import RulesClassifier
from engine.providers.base import Capability, TextRequest, TextResult
from engine.resilience import ResilienceConfig, build_resilience, cache_key, normalise_text
from storage.intent import IntentRepository

if TYPE_CHECKING:
    from engine.engine import Engine

__all__ = ["IntentService", "ProcessPlan", "AI_CLASSIFIER_FLAG"]

AI_CLASSIFIER_FLAG = "ai_classifier"
CATALOGUE_PROVIDERS = ("embedded", "replicate", "openai", "gemini")


class ProcessPlan(BaseModel):
    classification: Classification
    selection: ModelSelection
    prompt: EnhancedPrompt
    runnable_offline: bool
    message: str


class _GuardedText:
    """The text gateway seen through the configured provider's circuit breaker."""

    def __init__(self, engine: Engine, service: IntentService) -> None:
        self._engine = engine
        self._service = service

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        provider = self._engine.registry.chain(Capability.TEXT)[0]
        return self._service.resilience.breakers.call(provider, self._engine.models.text.generate, requests)


class IntentService:
    def __init__(self, engine: Engine) -> None:
        settings = engine.settings
        self._engine = engine
        self._repo = IntentRepository(engine.db)
        self.resilience = build_resilience(
            ResilienceConfig(
                redis_url=settings.redis_url,
                namespace=settings.redis_namespace,
                cache_ttl_s=settings.cache_ttl_s,
                cache_maxsize=settings.cache_maxsize,
                rate_limit_per_minute=settings.rate_limit_per_minute or None,
                rate_limit_per_hour=settings.rate_limit_per_hour or None,
                cost_limit_per_hour_usd=settings.cost_limit_per_hour_usd or None,
                breaker_fail_max=settings.breaker_fail_max,
                breaker_reset_s=settings.breaker_reset_s,
                breaker_success_threshold=settings.breaker_success_threshold,
                rollouts={AI_CLASSIFIER_FLAG: settings.ai_classifier_rollout_percent},
            )
        )
        self._lock = threading.Lock()
        self._rules = RulesClassifier()
        self._embedding: EmbeddingClassifier | None = None
        self._llm: LLMClassifier | None = None

    # -- classifiers, built on first use (the embedding head trains or loads once) --
    def _classifier(self, method: Method) -> Classifier:
        if method is Method.RULES:
            return self._rules
        with self._lock:
            if self._embedding is None:
                corrections = [LabelledExample(prompt=p, has_image=h, workflow=w) for p, h, w in self._repo.corrections()]
                self._embedding = EmbeddingClassifier(
                    self._engine.models.embeddings,  # type: ignore[arg-type]
                    data_dir=self._engine.settings.models_dir,
                    corrections=corrections,
                )
            if method is Method.EMBEDDING:
                return self._embedding
            if self._llm is None:
                self._llm = LLMClassifier(
                    _GuardedText(self._engine, self),  # type: ignore[arg-type]
                    fallbacks=[self._embedding, self._rules],
                )
            return self._llm

    def classify(
        self, prompt: str, has_image: bool = False, method: Method | str = Method.EMBEDDING, user_id: str | None = None
    ) -> Classification:
        """Classify one request; `InvalidRequest` for a bad prompt, `RateLimited` past the user's limits."""
        method = Method(method)
        request = ClassifyRequest(prompt=prompt, has_image=has_image, user_id=user_id)
        user = user_id or "anonymous"
        if method is not Method.RULES and not self.resilience.flags.is_enabled(AI_CLASSIFIER_FLAG, user):
            method = Method.RULES
        provider = self._engine.registry.chain(Capability.TEXT)[0]
        breaker_state = self.resilience.breakers.states().get(provider) if method is Method.LLM else None
        try:
            self.resilience.limiter.check_and_consume(user, 0.0)
        except RateLimited as exc:
            self._log(request, method, None, 0.0, False, breaker_state, True, exc.user_message)
            raise
        started = time.perf_counter()
        key = cache_key(normalise_text(request.prompt), request.has_image, method.value)
        cached = self.resilience.cache.get(key)
        if cached is not None:
            result = Classification.model_validate_json(cached)
            latency = (time.perf_counter() - started) * 1000
            self._log(request, method, result, latency, True, breaker_state, False)
            return result.model_copy(update={"latency_ms": latency})
        result = self._classifier(method).classify(request)
        self.resilience.cache.set(key, result.model_dump_json())
        self._log(request, method, result, result.latency_ms, False, breaker_state, False)
        return result

    def classify_many(self, requests: Sequence[ClassifyRequest], method: Method | str) -> list[Classification]:
        """A batch through one classifier (the embedding method embeds the batch in one call)."""
        return self._classifier(Method(method)).classify_many(requests)

    def compare(self, prompt: str, has_image: bool = False, user_id: str | None = None) -> list[Classification]:
        return [self.classify(prompt, has_image, method, user_id) for method in Method]

    def plan(
        self, prompt: str, has_image: bool = False, quality: Quality | str = Quality.BALANCED,
        references: dict[str, str] | None = None, user_id: str | None = None,
    ) -> ProcessPlan:
        """Classify, select a model with fallbacks and cost, and enhance the prompt."""
        classification = self.classify(prompt, has_image, Method.EMBEDDING, user_id)
        available = {row.provider for row in self._engine.system.providers() if row.available}
        try:
            selection = select_model(classification.workflow_type, Quality(quality), tuple(sorted(available)))
        except InvalidRequest:  # nothing configured can run it: show the catalogue's pick and what it needs
            selection = select_model(classification.workflow_type, Quality(quality), CATALOGUE_PROVIDERS)
        enhanced = enhance_prompt(prompt, classification.workflow_type, references or {})
        offline = selection.served_by_embedded and not selection.is_placeholder
        if selection.provider in available:
            message = f"Runs on {selection.provider}: {selection.primary}."
        else:
            message = f"Needs provider {selection.provider} ({selection.primary}), which is not configured"
        message += f" Estimated ${selection.estimated_cost_usd:.3f}, about {selection.estimated_seconds:.0f} s."
        if selection.is_placeholder:
            message += " The embedded result is a labelled stand-in."
        return ProcessPlan(
            classification=classification, selection=selection, prompt=enhanced, runnable_offline=offline, message=message
        )

    def evaluate(self, method: Method | str, path: Path | None = None, limit: int | None = None) -> EvaluationReport:
        examples = load_examples(path or HELDOUT_PATH)
        if limit:
            examples = examples[:limit]
        return evaluate(self._classifier(Method(method)), examples, batch_size=32)

    def correct(self, prompt: str, has_image: bool, workflow: Workflow | str, user_id: str | None = None) -> None:
        """Store the right label for a request; `retrain()` folds corrections into the head."""
        request = ClassifyRequest(prompt=prompt, has_image=has_image)
        self._repo.add_correction(user_id, request.prompt, has_image, Workflow(workflow).value)

    def retrain(self) -> int:
        corrections = [LabelledExample(prompt=p, has_image=h, workflow=w) for p, h, w in self._repo.corrections()]
        classifier = self._classifier(Method.EMBEDDING)
        assert isinstance(classifier, EmbeddingClassifier)
        classifier.retrain(corrections)
        return len(corrections)

    def breaker_states(self) -> dict[str, str]:
        return self.resilience.breakers.states()

    def close(self) -> None:
        self.resilience.close()

    def _log(
        self, request: ClassifyRequest, method: Method, result: Classification | None, latency_ms: float,
        cache_hit: bool, breaker_state: str | None, rate_limited: bool, error: str | None = None,
    ) -> None:
        self._repo.log_classification(
            user_id=request.user_id, prompt=request.prompt, has_image=request.has_image, method=method.value,
            workflow=result.workflow_type.value if result else None,
            confidence=result.confidence if result else None, latency_ms=latency_ms,
            fallback_used=result.fallback_used.value if result and result.fallback_used else None,
            cache_hit=cache_hit, breaker_state=breaker_state, rate_limited=rate_limited, error=error,
        )

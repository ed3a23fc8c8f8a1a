"""IntentService: the intent lab's one entry point for the UI, the CLI and tests.

Classification runs behind the result cache, per-user rate limits, the AI-classifier
rollout flag and, for the LLM method, the hybrid router (kind `classification`) and the text
provider's circuit breaker. Every classification is logged in DuckDB with that state.

Every answer and every run carries a `generation_id` for feedback: a fresh LLM answer, the
routed call that made it; any other answer (rules, embedding, a fallback, the cache) and every
run, an output record of its owner (engine/analytics/outputs.py).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.analytics.outputs import record_output
from engine.errors import InvalidRequest, RateLimited, StudioError
from engine.imaging import encode_png
from engine.intent.catalogue import (
    WORKFLOW_CAPABILITY,
    CatalogueGap,
    catalogue_gaps,
    catalogue_providers,
    select_model,
)
from engine.intent.classifier import Classifier
from engine.intent.embedding import EmbeddingClassifier
from engine.intent.enhance import enhance_prompt
from engine.intent.evaluate import evaluate, stratified_sample
from engine.intent.examples import HELDOUT_PATH, load_examples, load_labelled_file
from engine.intent.execute import PlanRunner, working_image
from engine.intent.llm import LLMClassifier
from engine.intent.models import (
    Classification,
    ClassifyRequest,
    EvaluationReport,
    LabelledExample,
    Method,
    ProcessPlan,
    ProcessResult,
    Quality,
    RunStatus,
    Workflow,
)
from engine.intent.rules import RulesClassifier
from engine.names import check_name
from engine.ownership import Owner
from engine.providers.base import Capability
from engine.providers.gateway import CallContext, calling_for
from engine.resilience import cache_key, normalise_text
from storage.intent import IntentRepository, SelectionRecord

if TYPE_CHECKING:
    from engine.deletion import DeletionService
    from engine.kernel import Kernel
    from engine.routing import RoutedText

__all__ = ["AI_CLASSIFIER_FLAG", "REFERENCE_TAG", "IntentService"]

AI_CLASSIFIER_FLAG = "ai_classifier"
REFERENCE_TAG = re.compile(r"^[a-z0-9_][a-z0-9_.-]{0,63}$")


class IntentService:
    def __init__(self, kernel: Kernel, deletion: DeletionService, *, routed_text: RoutedText) -> None:
        # The body reads settings, models, media, registry and limits from the kernel as `self._engine`.
        self._engine = kernel
        self._routed_text = routed_text
        self._repo = IntentRepository(kernel.db)
        self.resilience = kernel.resilience
        self._lock = threading.Lock()
        self._rules = RulesClassifier()
        self._embedding: EmbeddingClassifier | None = None
        self._llm: LLMClassifier | None = None
        self._runner = PlanRunner(kernel.models, kernel.media, kernel.signer)
        self._gaps: dict[tuple[Workflow, str], CatalogueGap] | None = None
        deletion.add_flusher(self._repo.flush)

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
                    self._routed_text,  # the router picks the model; breakers live in the gateway
                    fallbacks=[self._embedding, self._rules],
                )
            return self._llm

    def classify(
        self, prompt: str, has_image: bool = False, method: Method | str = Method.EMBEDDING, *, owner: Owner
    ) -> Classification:
        """Classify one request; `InvalidRequest` for a bad prompt, `RateLimited` past the owner's limits."""
        with calling_for(owner.id):
            return self._classify(prompt, has_image, method, owner)

    def _classify(self, prompt: str, has_image: bool, method: Method | str, owner: Owner) -> Classification:
        method = Method(method)
        request = ClassifyRequest(prompt=prompt, has_image=has_image, user_id=owner.id)
        user = owner.id
        if method is not Method.RULES and not self.resilience.flags.is_enabled(AI_CLASSIFIER_FLAG, user):
            method = Method.RULES
        chain = self._engine.registry.chain(Capability.TEXT)
        breaker_state = self.resilience.breakers.states().get(chain[0]) if method is Method.LLM and chain else None
        try:
            self._engine.limits.check(owner)
        except RateLimited as exc:
            self._log(request, method, None, 0.0, False, breaker_state, True, exc.user_message)
            raise
        started = time.perf_counter()
        classifier = self._classifier(method)
        key = cache_key(normalise_text(request.prompt), request.has_image, method.value, self._answers_version(method))
        cached = self.resilience.cache.get(key)
        if cached is not None:
            result = Classification.model_validate_json(cached)
            latency = (time.perf_counter() - started) * 1000
            self._log(request, method, result, latency, True, breaker_state, False)
            return self._rateable(result.model_copy(update={"latency_ms": latency, "generation_id": None}), request, owner)
        result = classifier.classify(request)
        # the cache is shared: an answer served to another person is rated as theirs, not as this call
        self.resilience.cache.set(key, result.model_copy(update={"generation_id": None}).model_dump_json())
        self._log(request, method, result, result.latency_ms, False, breaker_state, False)
        return self._rateable(result, request, owner)

    def _rateable(self, result: Classification, request: ClassifyRequest, owner: Owner) -> Classification:
        """The answer with the id feedback rates: the routed LLM call that made it, else an output record."""
        if result.generation_id:
            return result
        made_by = (result.fallback_used or result.method).value
        if result.fallback_used:
            made_by = f"{result.method.value}, answered by {made_by}"
        generation_id = record_output(self._engine.generations, kind="classification", owner=owner.id,
                                      made_by=made_by, summary=request.prompt, seconds=result.latency_ms / 1000)  # fmt: skip
        return result.model_copy(update={"generation_id": generation_id})

    def _answers_version(self, method: Method) -> str:
        """Part of the result-cache key: a retrain (new corrections) changes it, so cached answers
        from before are not served again. The LLM's fallback is the embedding head, so it counts too."""
        if method is Method.RULES or self._embedding is None:
            return "rules-v1"
        return self._embedding.version

    def classify_many(self, requests: Sequence[ClassifyRequest], method: Method | str) -> list[Classification]:
        """A batch through one classifier (the embedding method embeds the batch in one call)."""
        return self._classifier(Method(method)).classify_many(requests)

    def compare(self, prompt: str, has_image: bool = False, *, owner: Owner) -> list[Classification]:
        return [self.classify(prompt, has_image, method, owner=owner) for method in Method]

    def plan(
        self, prompt: str, has_image: bool = False, quality: Quality | str = Quality.BALANCED,
        *, owner: Owner,
    ) -> ProcessPlan:
        """Classify, select a model with fallbacks and cost, and enhance the prompt; logged as planned."""
        plan = self._plan(prompt, has_image, quality, owner)
        self._log_selection(plan, None, owner)
        return plan

    def process(
        self, prompt: str, image: np.ndarray | bytes | None = None, quality: Quality | str = Quality.BALANCED,
        *, owner: Owner,
    ) -> ProcessResult:
        """Classify → select → enhance → run where a provider on hand can, else say what it needs.

        The run is logged with its estimated and actual cost and time. A run that costs money
        counts against the user's hourly cost limit first.
        """
        with calling_for(owner.id):
            return self._process(prompt, image, quality, owner)

    def _process(self, prompt: str, image: np.ndarray | bytes | None, quality: Quality | str,
                 owner: Owner) -> ProcessResult:  # fmt: skip
        rgb = working_image(image, max_pixels=self._engine.settings.max_image_pixels)
        plan = self._plan(prompt, rgb is not None, quality, owner)
        if plan.runnable_here and plan.selection.estimated_cost_usd > 0:
            self._engine.limits.check(owner, estimated_cost_usd=plan.selection.estimated_cost_usd)
        try:
            result = self._runner.run(plan, rgb, CallContext(user_id=owner.id, owner=owner.id))
        except InvalidRequest:
            raise
        except StudioError as exc:
            failed = ProcessResult(plan=plan, status=RunStatus.FAILED, message=exc.user_message)
            self._log_selection(plan, failed, owner)
            raise
        self._log_selection(plan, result, owner)
        selection = plan.selection
        made_by = result.model or f"{selection.primary} (not run: needs {selection.provider})"
        generation_id = record_output(
            self._engine.generations, kind=plan.classification.workflow_type.value, owner=owner.id, made_by=made_by,
            summary=plan.prompt.original, seconds=result.actual_seconds or 0.0,
        )  # fmt: skip
        return result.model_copy(update={"generation_id": generation_id})

    def save_reference(self, tag: str, image: np.ndarray | bytes, *, owner: Owner) -> str:
        """Save an image as @tag for the owner's prompts (nobody else sees it); returns the tag as stored."""
        hint = "use letters, digits, _ . or - (up to 64), e.g. @sarah or @red_dress"
        name = check_name(tag, "tag", max_length=65, hint=hint).lstrip("@").lower()
        if not REFERENCE_TAG.match(name):
            raise InvalidRequest("tag", hint)
        rgb = working_image(image, max_pixels=self._engine.settings.max_image_pixels)
        if rgb is None:
            raise InvalidRequest("image", "choose the reference image to save")
        stored = self._engine.media.put(encode_png(rgb), "png", owner=owner.id)
        self._repo.save_reference(owner.id, name, stored.sha256)
        return name

    def references(self, *, owner: Owner) -> dict[str, str]:
        return self._repo.references(owner.id)

    def selections(self, limit: int = 50, *, owner: Owner) -> list[SelectionRecord]:
        """The owner's selections, newest first (an admin's: everybody's)."""
        return self._repo.selections(limit, None if owner.admin else owner.id)

    def _plan(self, prompt: str, has_image: bool, quality: Quality | str, owner: Owner) -> ProcessPlan:
        classification = self.classify(prompt, has_image, Method.EMBEDDING, owner=owner)
        workflow = classification.workflow_type
        able = self._able_providers(workflow)
        try:
            selection = select_model(workflow, Quality(quality), tuple(sorted(able)))
        except InvalidRequest:  # nothing on hand can run it: show the catalogue's pick and what it needs
            selection = select_model(workflow, Quality(quality), tuple(sorted(catalogue_providers(workflow))))
        enhanced = enhance_prompt(prompt, workflow, self._repo.references(owner.id))
        runnable = selection.provider in able
        if runnable:
            message = f"Runs on {selection.provider}: {selection.primary}."
        else:
            message = f"Needs provider {selection.provider} ({selection.primary}), which is not configured here."
            gap = self.catalogue_gaps().get((workflow, selection.primary))
            if gap is not None:
                message += f" ({gap.reason}.)"
        message += f" Estimated ${selection.estimated_cost_usd:.3f}, about {selection.estimated_seconds:.0f} s."
        if selection.is_placeholder:
            message += " The embedded result is a labelled stand-in."
        return ProcessPlan(
            classification=classification, has_image=has_image, selection=selection, prompt=enhanced,
            runnable_here=runnable,
            message=message,
        )

    def _able_providers(self, workflow: Workflow) -> set[str]:
        """Providers whose adapter for the workflow's capability can run here (from the registry)."""
        return set(self._engine.registry.runnable(WORKFLOW_CAPABILITY[workflow]))

    def catalogue_gaps(self) -> dict[tuple[Workflow, str], CatalogueGap]:
        """Catalogue entries no registered adapter can serve here, checked once, by (workflow, model)."""
        if self._gaps is None:
            self._gaps = {(gap.workflow, gap.model_id): gap for gap in catalogue_gaps(self._engine.registry)}
        return self._gaps

    def evaluate(
        self, method: Method | str, path: Path | None = None, limit: int | None = None, batch_size: int = 1,
        *, owner: Owner,
    ) -> EvaluationReport:
        """Score a method on labelled JSONL (the bundled held-out set by default).

        `batch_size=1` times each request on its own, the latency a person sees."""
        self._engine.limits.check(owner)
        with calling_for(owner.id):
            return self._evaluate(method, path, limit, batch_size)

    def _evaluate(self, method: Method | str, path: Path | None, limit: int | None, batch_size: int) -> EvaluationReport:
        examples = load_labelled_file(path) if path is not None else load_examples(HELDOUT_PATH)
        if limit:
            examples = stratified_sample(examples, limit)
        return evaluate(self._classifier(Method(method)), examples, batch_size=batch_size)

    def correct(self, prompt: str, has_image: bool, workflow: Workflow | str | None, *, owner: Owner) -> None:
        """Store the right label a person picked for a request; `retrain()` folds corrections into the head.

        Nothing is stored without an explicit pick: an empty or unknown workflow is refused."""
        request = ClassifyRequest(prompt=prompt, has_image=has_image)
        names = ", ".join(w.value for w in Workflow)
        if not workflow:
            raise InvalidRequest("workflow", f"pick the right workflow from the list first ({names})")
        try:
            picked = Workflow(workflow)
        except ValueError as exc:
            raise InvalidRequest("workflow", f"{workflow!r} is not a workflow; pick one of {names}") from exc
        if self._engine.media.tombstones.is_deleted(owner.id):
            return
        self._repo.add_correction(owner.id, request.prompt, has_image, picked.value, owner=owner.id)

    def retrain(self) -> int:
        corrections = [LabelledExample(prompt=p, has_image=h, workflow=w) for p, h, w in self._repo.corrections()]
        classifier = self._classifier(Method.EMBEDDING)
        assert isinstance(classifier, EmbeddingClassifier)
        classifier.retrain(corrections)
        return len(corrections)

    def breaker_states(self) -> dict[str, str]:
        return self.resilience.breakers.states()

    def breaker_rows(self) -> list[dict[str, object]]:
        """Each remote provider's circuit: state, seconds until a trial call, last change."""
        board = self.resilience.breakers
        registry = self._engine.registry
        remote = {p for p in registry.chain(Capability.TEXT) if not getattr(registry.spec(Capability.TEXT, p), "local", True)}
        providers = sorted(remote | set(board.states()))
        last = {t.provider: t for t in board.transitions}
        rows = []
        for provider in providers:
            state = board.breaker(provider).current_state
            change = last.get(provider)
            rows.append({
                "provider": provider, "state": state, "retry_in_s": board.retry_in(provider),
                "last_change": f"{change.old} → {change.new}" if change else "",
                "changed_at": time.strftime("%H:%M:%S", time.localtime(change.at)) if change else "",
            })
        return rows

    def flush(self) -> None:
        """Write buffered classification records now (reads of the log call this first)."""
        self._repo.flush()

    def close(self) -> None:
        self._repo.close()

    def _log_selection(self, plan: ProcessPlan, result: ProcessResult | None, owner: Owner) -> None:
        """One `intent_selections` row: the plan, and what running it did (`None`: only planned)."""
        if self._engine.media.tombstones.is_deleted(owner.id):
            return
        selection, classification = plan.selection, plan.classification
        run: dict[str, object] = {"status": "planned", "message": plan.message}
        if result is not None:
            run = {
                "status": result.status.value, "message": result.message, "actual_model": result.model,
                "actual_cost_usd": result.actual_cost_usd, "actual_seconds": result.actual_seconds,
                "output_sha256": result.output_sha256, "output_kind": result.output_kind,
                "operations": "; ".join(result.operations) or None,
            }
        self._repo.log_selection(SelectionRecord(
            user_id=owner.id, owner=owner.id, prompt=plan.prompt.original, has_image=plan.has_image,
            workflow=classification.workflow_type.value, confidence=classification.confidence,
            method=(classification.fallback_used or classification.method).value, quality=selection.quality.value,
            selected_model=selection.primary, provider=selection.provider,
            fallbacks=[option.model_id for option in selection.fallbacks],
            estimated_cost_usd=selection.estimated_cost_usd, estimated_seconds=selection.estimated_seconds,
            enhanced_prompt=plan.prompt.enhanced, **run,
        ))

    def _log(
        self, request: ClassifyRequest, method: Method, result: Classification | None, latency_ms: float,
        cache_hit: bool, breaker_state: str | None, rate_limited: bool, error: str | None = None,
    ) -> None:
        if self._engine.media.tombstones.is_deleted(request.user_id):
            return
        self._repo.log_classification(
            user_id=request.user_id, prompt=request.prompt, has_image=request.has_image, method=method.value,
            workflow=result.workflow_type.value if result else None,
            confidence=result.confidence if result else None, latency_ms=latency_ms,
            fallback_used=result.fallback_used.value if result and result.fallback_used else None,
            cache_hit=cache_hit, breaker_state=breaker_state, rate_limited=rate_limited, error=error,
            owner=request.user_id,
        )

"""The LLM classifier with a scripted TextModel: valid JSON, malformed JSON, provider errors."""

from __future__ import annotations

from engine.errors import ProviderError
from engine.intent import (
    ClassifyRequest,
    EmbeddingClassifier,
    LLMClassifier,
    Method,
    RulesClassifier,
    Workflow,
)
from tests.intent.conftest import ScriptedTextModel, answer

FAST = {"backoff_initial_s": 0.0, "backoff_max_s": 0.0, "jitter_s": 0.0}


def test_valid_json_is_used() -> None:
    model = ScriptedTextModel(answer("hair_styling", 0.8, "asks for blonde hair"))
    result = LLMClassifier(model, **FAST).classify(ClassifyRequest(prompt="make me blonde", has_image=True))
    assert result.workflow_type is Workflow.HAIR_STYLING and result.confidence == 0.8
    assert result.method is Method.LLM and result.fallback_used is None
    request = model.requests[0]
    assert request.json_mode and "image open" in request.messages[-1].content


def test_json_in_prose_and_loose_names_are_accepted() -> None:
    model = ScriptedTextModel('Sure! ```json\n{"workflow": "Image To Video", "confidence": 0.7}\n```')
    result = LLMClassifier(model, **FAST).classify(ClassifyRequest(prompt="animate this", has_image=True))
    assert result.workflow_type is Workflow.IMAGE_TO_VIDEO


def test_malformed_json_retried_then_falls_back_to_embedding(embedding_classifier: EmbeddingClassifier) -> None:
    model = ScriptedTextModel(["{not json", '{"workflow": "teleportation"}', "no idea"])
    classifier = LLMClassifier(model, fallbacks=[embedding_classifier, RulesClassifier()], attempts=3, **FAST)
    result = classifier.classify(ClassifyRequest(prompt="upscale this to 4k", has_image=True))
    assert len(model.requests) == 3
    assert result.fallback_used is Method.EMBEDDING and result.method is Method.LLM
    assert "fell back to embedding" in result.reasoning
    assert result.workflow_type is Workflow.IMAGE_ENHANCEMENT


def test_retry_succeeds_after_a_malformed_reply() -> None:
    model = ScriptedTextModel(["garbage", answer("style_transfer")])
    result = LLMClassifier(model, **FAST).classify(ClassifyRequest(prompt="make it anime", has_image=True))
    assert result.workflow_type is Workflow.STYLE_TRANSFER and result.fallback_used is None


def test_provider_error_falls_back(provider_down: ProviderError, embedding_classifier: EmbeddingClassifier) -> None:
    model = ScriptedTextModel(provider_down)
    classifier = LLMClassifier(model, fallbacks=[embedding_classifier], attempts=2, **FAST)
    result = classifier.classify(ClassifyRequest(prompt="make me blonde", has_image=True))
    assert len(model.requests) == 2
    assert result.fallback_used is Method.EMBEDDING and "provider error" in result.reasoning


class _Broken(RulesClassifier):
    method = Method.EMBEDDING

    def classify_many(self, requests):  # type: ignore[no-untyped-def]
        raise ProviderError("embedder unavailable")


def test_failed_embedding_fallback_goes_on_to_rules(provider_down: ProviderError) -> None:
    classifier = LLMClassifier(ScriptedTextModel(provider_down), fallbacks=[_Broken(), RulesClassifier()], **FAST)
    result = classifier.classify(ClassifyRequest(prompt="make me blonde", has_image=True))
    assert result.fallback_used is Method.RULES and "embedding failed too" in result.reasoning


def test_batch_only_retries_the_bad_rows() -> None:
    model = ScriptedTextModel([answer("image_generation"), "oops", answer("image_editing")])
    requests = [ClassifyRequest(prompt="a cat"), ClassifyRequest(prompt="remove the dog", has_image=True)]
    results = LLMClassifier(model, **FAST).classify_many(requests)
    assert [r.workflow_type for r in results] == [Workflow.IMAGE_GENERATION, Workflow.IMAGE_EDITING]
    assert len(model.requests) == 3

"""Hostile input never crashes a classifier: a Classification or an InvalidRequest, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import InvalidRequest
from engine.intent import MAX_PROMPT_CHARS, ClassifyRequest, EmbeddingClassifier, RulesClassifier, Workflow


@pytest.mark.parametrize("prompt", ["", "   \n\t ", "\x00\x01\x02", "<script>alert(1)</script>", "<b></b>"])
def test_empty_is_rejected_with_a_clear_message(prompt: str) -> None:
    with pytest.raises(InvalidRequest, match="empty") as caught:
        ClassifyRequest(prompt=prompt)
    assert caught.value.field == "prompt"


@pytest.mark.parametrize("length", [MAX_PROMPT_CHARS + 1, 10_000, 1_000_000])
def test_too_long_is_rejected(length: int) -> None:
    with pytest.raises(InvalidRequest, match=str(MAX_PROMPT_CHARS)):
        ClassifyRequest(prompt="a" * length)


def test_markup_and_control_characters_stripped() -> None:
    request = ClassifyRequest(prompt="<script>steal()</script>make me\x00 <i>blonde</i>\u200b &amp; curly", has_image=True)
    assert request.prompt == "make me blonde & curly"
    assert RulesClassifier().classify(request).workflow_type is Workflow.HAIR_STYLING


def test_non_text_rejected() -> None:
    with pytest.raises(InvalidRequest):
        ClassifyRequest(prompt=123)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(prompt=st.text(max_size=3000), has_image=st.booleans())
def test_rules_never_crash(prompt: str, has_image: bool) -> None:
    try:
        request = ClassifyRequest(prompt=prompt, has_image=has_image)
    except InvalidRequest:
        return
    result = RulesClassifier().classify(request)
    assert 0.0 <= result.confidence <= 1.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prompt=st.text(alphabet=st.characters(codec="utf-8"), max_size=400), has_image=st.booleans())
def test_embedding_never_crashes(prompt: str, has_image: bool, embedding_classifier: EmbeddingClassifier) -> None:
    try:
        request = ClassifyRequest(prompt=prompt, has_image=has_image)
    except InvalidRequest:
        return
    result = embedding_classifier.classify(request)
    assert 0.0 <= result.confidence <= 1.0

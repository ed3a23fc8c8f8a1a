"""Model selection, prompt enhancement and @mentions."""

from __future__ import annotations

import pytest

from engine.errors import InvalidRequest
from engine.intent import Quality, Workflow, enhance_prompt, load_catalogue, select_model

ALL = ("replicate", "gemini", "openai", "embedded")


def test_catalogue_covers_every_workflow() -> None:
    assert set(load_catalogue().workflows) == set(Workflow)


def test_quality_preference_changes_the_pick() -> None:
    speed = select_model(Workflow.IMAGE_GENERATION, Quality.SPEED, ALL)
    quality = select_model(Workflow.IMAGE_GENERATION, Quality.QUALITY, ALL)
    assert speed.primary != quality.primary
    assert speed.estimated_seconds < quality.estimated_seconds
    assert speed.primary not in {f.model_id for f in speed.fallbacks}


def test_video_cost_is_per_second() -> None:
    selection = select_model(Workflow.VIDEO_GENERATION, Quality.QUALITY, ["replicate"])
    assert selection.primary == "google/veo-3" and selection.estimated_cost_usd > 1.0


def test_embedded_only() -> None:
    edit = select_model(Workflow.IMAGE_ENHANCEMENT, Quality.BALANCED, ["embedded"])
    assert edit.served_by_embedded and not edit.is_placeholder and edit.estimated_cost_usd == 0
    generation = select_model(Workflow.IMAGE_GENERATION, Quality.QUALITY, ["embedded"])
    assert generation.is_placeholder and "stand-in" in generation.reason
    with pytest.raises(InvalidRequest, match="replicate"):
        select_model(Workflow.VIDEO_GENERATION, Quality.BALANCED, ["embedded"])


def test_embedded_is_a_fallback_not_a_first_choice() -> None:
    selection = select_model(Workflow.IMAGE_EDITING, Quality.SPEED, ALL)
    assert not selection.served_by_embedded


def test_short_prompt_enhanced_and_mentions_resolved() -> None:
    result = enhance_prompt("put @Sarah and @tom in a red dress", Workflow.REFERENCE_STYLING, {"sarah": "media-1"})
    assert result.mentions == {"sarah": "media-1"} and result.missing_mentions == ("tom",)
    short = enhance_prompt("a cat", "image_generation")
    assert short.applied and short.enhanced.startswith("a cat, ") and "sharp focus" in short.enhanced


def test_specific_prompt_left_alone() -> None:
    text = "a portrait of an old fisherman with a weathered face, dramatic rim light, 85mm lens, shallow depth of field"
    result = enhance_prompt(text, Workflow.IMAGE_GENERATION)
    assert not result.applied and result.enhanced == text

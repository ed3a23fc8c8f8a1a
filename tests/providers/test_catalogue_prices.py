"""Prices have one home, the Intent-lab catalogue: the Intent lab's estimates and the adapters'
estimates of the models it lists are the same numbers, and a model priced twice differently is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.intent.catalogue import load_catalogue, select_model
from engine.providers.catalogue_prices import catalogue_prices
from engine.providers.replicate.mapping import load_models
from engine.settings import load_settings


def test_every_catalogue_model_has_one_price_that_the_replicate_adapter_shares() -> None:
    prices, catalogue, replicate = catalogue_prices(), load_catalogue(), load_models()
    for entry in catalogue.workflows.values():
        for option in entry.models:
            price = prices.price(option.provider, option.model_id)
            assert price is not None and (price.cost_usd, price.unit) == (option.cost_usd, option.unit)
            if option.provider == "replicate":
                assert replicate.price(option.model_id) == price
    clip = select_model("image_to_video", "balanced", ["replicate"])
    kling = prices.price("replicate", clip.primary)
    assert kling is not None and clip.estimated_cost_usd == round(kling.cost_usd * prices.video_seconds, 4)


def test_openai_and_gemini_pictures_are_estimated_from_the_catalogue(tmp_path: Path) -> None:
    from engine.providers.gemini_adapter import _GeminiImages
    from engine.providers.openai_media import _OpenAIImages

    settings = load_settings(data_dir=tmp_path, openai_api_key="sk-test", gemini_api_key="g-test", _env_file=None)
    prices = catalogue_prices()
    openai, gemini = _OpenAIImages(settings), _GeminiImages(settings)
    assert openai.estimate_cost(None) == prices.price("openai", settings.openai_image_model).cost_usd  # type: ignore[union-attr]
    assert gemini.estimate_cost(None) == prices.price("gemini", settings.gemini_image_model).cost_usd  # type: ignore[union-attr]
    unlisted = _OpenAIImages(settings.model_copy(update={"openai_image_model": "dall-e-3"}))
    dearest = max(p.cost_usd for p in prices.of_provider("openai").values() if p.unit == "image")
    assert unlisted.estimate_cost(None) == dearest  # an unlisted model: the safe side


def test_a_model_priced_differently_in_two_workflows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    option = "{model_id: m/one, provider: replicate, cost_usd: %s, unit: image, seconds: 2, quality: 3}"
    path.write_text(
        "workflows:\n"
        f"  image_generation: {{primary: m/one, models: [{option % '0.01'}]}}\n"
        f"  image_editing: {{primary: m/one, models: [{option % '0.02'}]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="m/one on replicate is priced 0.01/image and 0.02/image"):
        catalogue_prices(path)

"""The storyboard placeholder never pretends to be a real image."""

from __future__ import annotations

import numpy as np

from engine.providers.base import ImageModel, ImageRequest


def test_cards_are_labelled_placeholders_of_the_requested_size(image_model: ImageModel) -> None:
    results = image_model.generate(
        [
            ImageRequest(
                prompt="A fox with a lantern in a moonlit forest", title="Chapter 1", width=512, height=384
            ),
            ImageRequest(prompt="x", width=64, height=64),
        ]
    )
    assert [r.image.size for r in results] == [(512, 384), (64, 64)]
    assert all(r.is_placeholder and "placeholder" in r.note.lower() for r in results)
    assert all(r.image.mode == "RGB" for r in results)


def test_cards_are_deterministic_per_prompt_and_seed(image_model: ImageModel) -> None:
    def pixels(prompt: str, seed: int | None) -> np.ndarray:
        return np.asarray(image_model.generate([ImageRequest(prompt=prompt, seed=seed)])[0].image)

    same = pixels("a lighthouse at dawn", 1)
    assert np.array_equal(same, pixels("a lighthouse at dawn", 1))
    assert not np.array_equal(same, pixels("a lighthouse at dawn", 2))
    assert not np.array_equal(same, pixels("a castle at dusk", 1))

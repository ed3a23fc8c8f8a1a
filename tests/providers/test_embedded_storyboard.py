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


def test_the_banner_is_drawn_once_per_size_and_every_card_still_carries_it() -> None:
    from engine.providers.embedded import storyboard

    storyboard._banner_strip.cache_clear()
    cards = [storyboard.draw_card(ImageRequest(prompt=f"shot {i}", seed=i, width=512, height=512)) for i in range(4)]
    storyboard.draw_card(ImageRequest(prompt="wide", width=768, height=512))
    assert storyboard._banner_strip.cache_info().misses == 2  # one per size, not one per card
    strip = storyboard._banner_strip(512, 512)
    for card in cards:  # the cached strip is pasted unchanged at the top of every card
        assert card.crop((0, 0, 512, strip.height)).tobytes() == strip.tobytes()


def test_the_background_runs_from_the_top_colour_to_the_bottom_colour_row_by_row() -> None:
    from engine.providers.embedded.storyboard import gradient

    pixels = np.asarray(gradient((10, 200, 30), (250, 0, 130), 7, 5)).astype(int)
    assert pixels.shape == (5, 7, 3)
    assert (pixels == pixels[:, :1, :]).all()  # every row one colour
    assert pixels[0, 0].tolist() == [10, 200, 30] and pixels[-1, 0].tolist() == [250, 0, 130]
    assert pixels[2, 0].tolist() == [130, 100, 80]  # halfway

"""Styles: each runs, keeps the size, and has the property that makes it that style."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.providers.embedded.editing import ops_style


@pytest.mark.parametrize(
    ("style", "kwargs"),
    [
        (ops_style.pencil_sketch, {}),
        (ops_style.pencil_sketch, {"colour": True}),
        (ops_style.cartoon, {"look": "cartoon"}),
        (ops_style.cartoon, {"look": "comic"}),
        (ops_style.cartoon, {"look": "anime"}),
        (ops_style.watercolour, {}),
        (ops_style.oil_painting, {}),
        (ops_style.pop_art, {}),
        (ops_style.posterize, {}),
        (ops_style.vintage, {}),
    ],
)
def test_every_style_keeps_the_size_and_changes_the_picture(face_image: np.ndarray, style, kwargs) -> None:
    out = style(face_image, **kwargs)
    assert out.shape == face_image.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - face_image).mean() > 5.0


def test_pencil_sketch_is_grey_on_white_paper(face_image: np.ndarray) -> None:
    sketch = ops_style.pencil_sketch(face_image)
    assert np.array_equal(sketch[..., 0], sketch[..., 2])
    assert np.median(sketch) > 200  # mostly paper


def test_colour_sketch_keeps_some_colour(face_image: np.ndarray) -> None:
    sketch = ops_style.pencil_sketch(face_image, colour=True)
    assert cv2.cvtColor(sketch, cv2.COLOR_RGB2HSV)[..., 1].mean() > 20


def test_posterize_leaves_few_levels(face_image: np.ndarray) -> None:
    out = ops_style.posterize(face_image, 4)
    assert all(len(np.unique(out[..., c])) <= 4 for c in range(3))


def test_watercolour_of_a_large_picture_is_full_size(big_image: np.ndarray) -> None:
    assert ops_style.watercolour(big_image).shape == big_image.shape


def test_vintage_is_warm_and_faded(face_image: np.ndarray) -> None:
    out = ops_style.vintage(face_image).astype(int)
    assert out[..., 0].mean() > out[..., 2].mean() + 15
    assert out[200:312, 200:312].min() >= 15  # no pure black in the middle: lifted blacks

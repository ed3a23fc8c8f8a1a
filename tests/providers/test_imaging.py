"""engine.imaging on the real sample photos and real landmarks."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from engine import imaging
from engine.errors import InvalidRequest


def test_png_round_trip_and_rgb_conversions(face_image: np.ndarray) -> None:
    assert np.array_equal(imaging.decode_image(imaging.encode_png(face_image)), face_image)
    assert imaging.decode_image(imaging.encode_jpeg(face_image)).shape == face_image.shape
    rgba = np.dstack([face_image, np.full(face_image.shape[:2], 255, np.uint8)])
    assert np.array_equal(imaging.to_rgb(rgba), face_image)
    assert imaging.to_rgb(face_image[..., 0]).shape == face_image.shape
    assert imaging.to_rgb(Image.fromarray(face_image).convert("L")).shape == face_image.shape
    with pytest.raises(InvalidRequest, match="image"):
        imaging.decode_image(b"definitely not a picture")


def test_align_face_levels_the_eyes(face_image: np.ndarray, face_landmarks: np.ndarray) -> None:
    aligned = imaging.align_face(face_image, face_landmarks, size=256)
    assert aligned.image.shape == (256, 256, 3)
    left, right, mouth = aligned.transform(imaging.face_anchors(face_landmarks))
    assert abs(left[1] - right[1]) < 1.0
    np.testing.assert_allclose(left, [0.35 * 256, 0.40 * 256], atol=2.0)
    np.testing.assert_allclose(right, [0.65 * 256, 0.40 * 256], atol=2.0)
    assert mouth[1] > left[1] + 50


def test_warp_moves_a_pixel_to_its_target(face_image: np.ndarray) -> None:
    image = np.zeros((120, 120, 3), np.uint8)
    image[28:33, 28:33] = 255  # a white dot at (30, 30)
    src = np.array([[30, 30], [90, 90], [30, 90], [90, 30]], np.float32)
    dst = src + np.array([[10, 6], [0, 0], [0, 0], [0, 0]], np.float32)
    out = imaging.warp(image, src, dst, sigma=8.0)
    ys, xs = np.nonzero(out[..., 0] > 128)
    assert abs(xs.mean() - 40) < 1.5 and abs(ys.mean() - 36) < 1.5
    assert np.array_equal(imaging.warp(face_image, src, src), face_image)


def test_caricature_changes_the_face_and_leaves_the_rest(
    face_image: np.ndarray, face_landmarks: np.ndarray
) -> None:
    out = imaging.caricature(face_image, face_landmarks, strength=0.6)
    diff = np.abs(out.astype(int) - face_image.astype(int)).sum(axis=2)
    x, y = face_landmarks.min(axis=0).astype(int)
    x1, y1 = face_landmarks.max(axis=0).astype(int)
    assert diff[y:y1, x:x1].mean() > 10
    assert diff[400:, :].mean() < 1 and diff[:, :100].mean() < 1  # far from the face: untouched
    with pytest.raises(InvalidRequest, match="strength"):
        imaging.caricature(face_image, face_landmarks, strength=5)


def test_exaggerate_moves_away_from_the_mean(face_landmarks: np.ndarray) -> None:
    mean = face_landmarks.copy()
    mean[1] += (0.0, -3.0)  # the mean nose tip is a little higher
    pushed = imaging.exaggerate(face_landmarks, mean, strength=1.0)
    assert pushed[1, 1] > face_landmarks[1, 1] + 2.0
    np.testing.assert_allclose(np.delete(pushed, 1, axis=0), np.delete(face_landmarks, 1, axis=0), atol=0.5)


def test_color_transfer_takes_the_reference_statistics(
    face_image: np.ndarray, no_face_image: np.ndarray
) -> None:
    out = imaging.color_transfer(face_image, no_face_image)
    assert out.shape == face_image.shape
    lab = [imaging._lab(img).reshape(-1, 3).mean(0) for img in (out, no_face_image, face_image)]
    assert np.abs(lab[0] - lab[1]).max() < np.abs(lab[2] - lab[1]).max() / 3


def test_seamless_clone_blends_inside_the_hull_only(
    face_image: np.ndarray, no_face_image: np.ndarray, face_landmarks: np.ndarray
) -> None:
    background = np.asarray(Image.fromarray(no_face_image).resize(face_image.shape[1::-1]))
    out = imaging.seamless_clone(face_image, background, face_landmarks)
    assert out.shape == background.shape
    x, y = face_landmarks.mean(axis=0).astype(int)
    assert (
        np.abs(
            out[y - 5 : y + 5, x - 5 : x + 5].astype(int) - background[y - 5 : y + 5, x - 5 : x + 5]
        ).mean()
        > 5
    )
    assert np.array_equal(out[:40, :40], background[:40, :40])
    with pytest.raises(InvalidRequest, match="source"):
        imaging.seamless_clone(face_image[:100], background, face_landmarks)


@pytest.mark.parametrize("style", ["cartoon", "paint", "sketch"])
def test_stylize(face_image: np.ndarray, style: str) -> None:
    out = imaging.stylize(face_image, style)  # type: ignore[arg-type]
    assert out.shape == face_image.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - face_image.astype(int)).mean() > 5


def test_cartoon_flattens_colours(face_image: np.ndarray) -> None:
    out = imaging.cartoonize(face_image, levels=6)
    assert len(np.unique(out.reshape(-1, 3), axis=0)) < len(np.unique(face_image.reshape(-1, 3), axis=0)) / 10
    with pytest.raises(InvalidRequest, match="style"):
        imaging.stylize(face_image, "oil")  # type: ignore[arg-type]

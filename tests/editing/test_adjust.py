"""Basic edits measured on real and synthetic pictures."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.providers.embedded.editing import ops_adjust, ops_background, segmentation


def lightness(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32)


def test_brightness_raises_and_lowers_mean_lightness(face_image: np.ndarray) -> None:
    before = lightness(face_image).mean()
    assert lightness(ops_adjust.brightness(face_image, 0.25)).mean() > before + 8
    assert lightness(ops_adjust.brightness(face_image, -0.25)).mean() < before - 8


def test_brightness_does_not_clip_the_highlights(scene: np.ndarray) -> None:
    brighter = ops_adjust.brightness(scene, 0.5)
    assert (lightness(brighter) >= 254).mean() <= (lightness(scene) >= 254).mean() + 0.01


def test_contrast_spreads_lightness(face_image: np.ndarray) -> None:
    before = lightness(face_image).std()
    assert lightness(ops_adjust.contrast(face_image, 0.3)).std() > before * 1.1
    assert lightness(ops_adjust.contrast(face_image, -0.3)).std() < before * 0.8


def test_warmer_is_redder_and_cooler_is_bluer(face_image: np.ndarray) -> None:
    def warmth(image: np.ndarray) -> float:
        return float(image[..., 0].astype(np.float32).mean() - image[..., 2].astype(np.float32).mean())

    assert warmth(ops_adjust.temperature(face_image, 0.3)) > warmth(face_image) + 10
    assert warmth(ops_adjust.temperature(face_image, -0.3)) < warmth(face_image) - 10


def test_saturation(face_image: np.ndarray) -> None:
    def chroma(image: np.ndarray) -> float:
        return float(cv2.cvtColor(image, cv2.COLOR_RGB2HSV)[..., 1].mean())

    assert chroma(ops_adjust.saturation(face_image, 0.4)) > chroma(face_image) * 1.15
    assert chroma(ops_adjust.saturation(face_image, -0.5)) < chroma(face_image) * 0.75


def test_black_and_white_has_equal_channels(face_image: np.ndarray) -> None:
    gray = ops_adjust.grayscale(face_image)
    assert gray.shape == face_image.shape
    assert np.array_equal(gray[..., 0], gray[..., 1]) and np.array_equal(gray[..., 1], gray[..., 2])


def test_sepia_is_warm_and_nearly_one_hue(face_image: np.ndarray) -> None:
    toned = ops_adjust.sepia(face_image).astype(np.int32)
    assert (toned[..., 0] >= toned[..., 1]).mean() > 0.99 and (toned[..., 1] >= toned[..., 2]).mean() > 0.99


def test_rotate_90_swaps_height_and_width_and_turns_the_right_way(scene: np.ndarray) -> None:
    clockwise = ops_adjust.rotate(scene, 90)
    assert clockwise.shape == (scene.shape[1], scene.shape[0], 3)
    # Clockwise: the top-left corner moves to the top-right.
    assert np.array_equal(clockwise[0, -1], scene[0, 0])
    anticlockwise = ops_adjust.rotate(scene, -90)
    assert np.array_equal(anticlockwise[-1, 0], scene[0, 0])
    assert np.array_equal(ops_adjust.rotate(scene, 180), scene[::-1, ::-1])


def test_flip(scene: np.ndarray) -> None:
    assert np.array_equal(ops_adjust.flip(scene, "horizontal"), scene[:, ::-1])
    assert np.array_equal(ops_adjust.flip(scene, "vertical"), scene[::-1])


def test_crop_square_centres_on_the_given_point(scene: np.ndarray) -> None:
    square = ops_adjust.crop_square(scene)
    assert square.shape == (240, 240, 3)
    assert np.array_equal(square, scene[:, 40:280])
    assert np.array_equal(ops_adjust.crop_square(scene, center=(0.0, 120.0)), scene[:, :240])


def test_zoom_keeps_the_size_and_magnifies_the_middle(scene: np.ndarray) -> None:
    zoomed = ops_adjust.zoom(scene, 2.0)
    assert zoomed.shape == scene.shape
    middle = cv2.resize(scene[60:180, 80:240], (320, 240), interpolation=cv2.INTER_CUBIC)
    assert np.abs(zoomed.astype(int) - middle).mean() < 1.0


def test_vignette_darkens_corners_not_the_centre(scene: np.ndarray) -> None:
    flat = np.full((200, 300, 3), 200, dtype=np.uint8)
    out = ops_adjust.vignette(flat, 0.5)
    assert out[100, 150].tolist() == [200, 200, 200]
    assert out[0, 0].max() < 110


def test_blur_lowers_detail(face_image: np.ndarray) -> None:
    def detail(image: np.ndarray) -> float:
        return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())

    assert detail(ops_adjust.blur(face_image)) < detail(face_image) * 0.3


@pytest.fixture(scope="module")
def person(face_image: np.ndarray) -> np.ndarray:
    mask = segmentation.person_mask(face_image)
    assert mask is not None, "the selfie segmenter should run offline from the mediapipe wheel"
    return mask


def test_person_mask_covers_the_astronaut_not_the_backdrop(person: np.ndarray) -> None:
    assert person.shape == (512, 512) and person.dtype == np.float32
    assert person[120, 225] > 0.9  # her face
    assert person[400, 150] > 0.9  # her suit
    assert person[30, 30] < 0.1 and person[150, 470] < 0.1  # flag corner, backdrop


def test_no_person_is_no_mask(no_face_image: np.ndarray) -> None:
    assert segmentation.person_mask(no_face_image) is None


def test_without_a_person_grabcut_finds_the_cup(no_face_image: np.ndarray) -> None:
    mask = segmentation.foreground_mask(no_face_image)
    assert mask[200, 300] > 0.9  # the cup
    assert mask[10, 10] < 0.1 and mask[390, 590] < 0.1  # the table's corners


def test_grabcut_finds_an_object_in_the_middle() -> None:
    image = np.full((200, 200, 3), (40, 120, 200), dtype=np.uint8)
    cv2.circle(image, (100, 100), 45, (230, 200, 40), -1)
    mask = segmentation.foreground_mask(image)  # no person: GrabCut
    assert mask[100, 100] > 0.9 and mask[10, 10] < 0.1


def test_background_colour_replaces_the_backdrop_only(face_image: np.ndarray, person: np.ndarray) -> None:
    out = ops_background.background_colour(face_image, person, "#ffffff")
    assert out[150, 470].tolist() == [255, 255, 255]
    assert np.abs(out[100:140, 200:250].astype(int) - face_image[100:140, 200:250]).mean() < 1.0


def test_background_blur_blurs_the_backdrop_and_keeps_the_face(
    face_image: np.ndarray, person: np.ndarray
) -> None:
    out = ops_background.background_blur(face_image, person)

    def detail(image: np.ndarray) -> float:
        return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())

    assert detail(out[0:200, 0:80]) < detail(face_image[0:200, 0:80]) * 0.2  # the flag
    assert np.abs(out[100:140, 200:250].astype(int) - face_image[100:140, 200:250]).mean() < 1.0

"""Camera moves: the right number of even-sized frames, smooth motion, the right direction."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from engine.errors import InvalidRequest
from engine.providers.base import FaceDetection
from engine.providers.embedded.editing import camera, plan_edit, run_edit


def steps(frames: list[np.ndarray]) -> np.ndarray:
    """Mean absolute change between consecutive frames."""
    return np.array([np.abs(a.astype(np.int16) - b).mean() for a, b in itertools.pairwise(frames)])


def shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """How far the content moved from frame a to frame b (phase correlation), in pixels."""
    (dx, dy), _ = cv2.phaseCorrelate(
        cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float64),
        cv2.cvtColor(b, cv2.COLOR_RGB2GRAY).astype(np.float64),
    )
    return dx, dy


@pytest.mark.parametrize(
    "prompt",
    ["", "zoom in", "zoom out", "slow pan to the right", "pan left", "tilt up", "pan down", "orbit around"],
)
def test_frames_are_even_sized_smooth_and_moving(face_image: np.ndarray, prompt: str) -> None:
    out = run_edit(plan_edit("image_to_video", prompt), face_image)
    assert out.kind == "video" and out.image is None and out.fps == 24.0
    frames = out.frames
    assert frames is not None and len(frames) == 3 * 24
    assert {frame.shape for frame in frames} == {(512, 512, 3)}
    assert all(frame.dtype == np.uint8 for frame in frames)
    assert np.abs(frames[0].astype(int) - frames[-1]).mean() > 5
    change = steps(frames)
    assert change.max() < 2.5 * np.median(change)  # eased, no jumps
    assert change.min() >= 0


def test_length_and_size_limits(big_image: np.ndarray) -> None:
    frames = run_edit(plan_edit("image_to_video", "zoom in for 5 seconds"), big_image).frames
    assert frames is not None and len(frames) == 5 * 24
    assert frames[0].shape == (720, 720, 3)
    capped = run_edit(
        plan_edit("image_to_video", "pan right for 30 seconds at 12 fps"), big_image[:600]
    ).frames
    assert capped is not None and len(capped) == 10 * 12


def test_odd_sizes_become_even() -> None:
    image = np.random.default_rng(1).integers(0, 255, (333, 501, 3), dtype=np.uint8)
    frames = camera.camera_frames(image, seconds=1.0, fps=8)
    assert len(frames) == 8 and frames[0].shape == (332, 500, 3)
    assert camera.output_size(1080, 1921) == (404, 720)


def test_panning_right_moves_the_content_left(face_image: np.ndarray) -> None:
    frames = camera.camera_frames(face_image, zoom="none", pan="right", seconds=1.0, fps=12)
    dx, dy = shift(frames[5], frames[6])
    assert dx < -1 and abs(dy) < 0.5


def test_tilting_up_moves_the_content_down(face_image: np.ndarray) -> None:
    frames = camera.camera_frames(face_image, zoom="none", pan="up", seconds=1.0, fps=12)
    dx, dy = shift(frames[5], frames[6])
    assert dy > 1 and abs(dx) < 0.5


def test_zoom_in_magnifies_and_starts_with_the_whole_picture(face_image: np.ndarray) -> None:
    frames = camera.camera_frames(face_image, zoom="in", seconds=1.0, fps=12)
    assert np.abs(frames[0].astype(int) - face_image).mean() < 2.0
    end = frames[-1]
    assert camera_detail(end) < camera_detail(frames[0])  # a magnified crop has coarser detail


def camera_detail(image: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def test_zoom_on_face_ends_centred_on_the_face(face_image: np.ndarray, faces: list[FaceDetection]) -> None:
    plan = plan_edit("image_to_video", "zoom in on her face")
    assert plan.needs_faces
    frames = run_edit(plan, face_image, faces).frames
    assert frames is not None
    x, y, w, h = faces[0].box
    # The last frame is a crop around the face: find where its middle came from in the still.
    last = frames[-1]
    zoom = min(2.0, max(1.35, 0.45 * 512 / h))
    small = cv2.resize(last, (round(512 / zoom), round(512 / zoom)), interpolation=cv2.INTER_AREA)
    match = cv2.matchTemplate(face_image, small, cv2.TM_SQDIFF_NORMED)
    _, _, (left, top), _ = cv2.minMaxLoc(match)
    centre_x, centre_y = left + small.shape[1] / 2, top + small.shape[0] / 2
    assert abs(centre_x - (x + w / 2)) < 0.2 * w
    assert abs(centre_y - (y + 0.45 * h)) < 0.2 * h


def test_zoom_on_face_needs_a_face(no_face_image: np.ndarray) -> None:
    with pytest.raises(InvalidRequest, match="no face found") as error:
        run_edit(plan_edit("image_to_video", "zoom in on her face"), no_face_image, [])
    assert error.value.field == "image"

"""MediaPipe faces on the bundled sample photos."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import InvalidRequest
from engine.providers.base import VisionModel


def test_one_face_with_478_landmarks_in_place(vision_model: VisionModel, face_image: np.ndarray) -> None:
    [faces] = vision_model.detect_faces([face_image])
    assert len(faces) == 1
    face = faces[0]
    height, width = face_image.shape[:2]
    points = face.landmarks
    assert points.shape == (478, 2) and points.dtype == np.float32
    assert (points >= 0).all() and (points[:, 0] < width).all() and (points[:, 1] < height).all()
    eyes_y = points[[33, 133, 362, 263], 1].mean()
    mouth_y = points[[13, 14, 61, 291], 1].mean()
    assert eyes_y < points[1, 1] < mouth_y  # eyes above the nose tip, above the mouth
    x, y, w, h = face.box
    assert 0.5 < face.score <= 1.0
    assert x <= points[1, 0] <= x + w and y <= points[1, 1] <= y + h


def test_no_face_in_the_coffee_photo(vision_model: VisionModel, no_face_image: np.ndarray) -> None:
    assert vision_model.detect_faces([no_face_image]) == [[]]


def test_two_faces_side_by_side(vision_model: VisionModel, face_image: np.ndarray) -> None:
    pair = np.concatenate([face_image, face_image[:, ::-1]], axis=1)
    [faces] = vision_model.detect_faces([pair])
    assert len(faces) == 2
    assert faces[0].box[0] < face_image.shape[1] <= faces[1].box[0]
    assert all(f.landmarks is not None and f.landmarks.shape == (478, 2) for f in faces)


def test_wrong_image_is_refused(vision_model: VisionModel) -> None:
    with pytest.raises(InvalidRequest, match=r"images\[0\]"):
        vision_model.detect_faces([np.zeros((32, 32), dtype=np.uint8)])

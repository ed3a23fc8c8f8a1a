"""Images for the editing tests: the bundled samples (via tests/fixtures/models.py) and synthetic ones."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.providers.base import FaceDetection, VisionModel


@pytest.fixture(scope="session")
def faces(vision_model: VisionModel, face_image: np.ndarray) -> list[FaceDetection]:
    """The real detector's faces in face.jpg (one, with 478 landmarks)."""
    found = vision_model.detect_faces([face_image])[0]
    assert len(found) == 1 and found[0].landmarks is not None
    return found


@pytest.fixture(scope="session")
def scene() -> np.ndarray:
    """A 240×320 synthetic picture: a smooth gradient with shapes of several colours (read-only)."""
    height, width = 240, 320
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([xs / width * 200 + 30, ys / height * 180 + 40, 160 - xs / width * 100], axis=-1)
    image = image.astype(np.uint8)
    cv2.rectangle(image, (40, 40), (120, 140), (220, 40, 40), -1)
    cv2.circle(image, (220, 150), 50, (30, 160, 60), -1)
    cv2.line(image, (0, 200), (320, 180), (250, 250, 250), 3)
    image.setflags(write=False)
    return image


@pytest.fixture(scope="session")
def big_image(face_image: np.ndarray) -> np.ndarray:
    """face.jpg scaled to 1024×1024 (read-only)."""
    image = cv2.resize(face_image, (1024, 1024), interpolation=cv2.INTER_CUBIC)
    image.setflags(write=False)
    return image

"""Hair colour on the real sample with real landmarks: the hair changes, the face does not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.errors import InvalidRequest
from engine.providers.base import FaceDetection
from engine.providers.embedded.editing import hair, plan_edit, run_edit


def lab(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)


def polygon_mask(shape: tuple[int, ...], points: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape[:2], dtype=np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(points).astype(np.int32)), 1)
    return mask.astype(bool)


@pytest.fixture(scope="module")
def hair_region(face_image: np.ndarray, face_landmarks: np.ndarray) -> np.ndarray:
    return hair.hair_mask(face_image, face_landmarks) > 0.5


@pytest.fixture(scope="module")
def face_centre(face_image: np.ndarray, face_landmarks: np.ndarray) -> np.ndarray:
    """Cheeks, nose and mouth: inside landmarks 50, 280 (cheeks), 6 (nose bridge), 152 (chin)."""
    return polygon_mask(face_image.shape, face_landmarks[[50, 280, 6, 152, 205, 425]])


def test_face_oval_is_mediapipes() -> None:
    from mediapipe.python.solutions.face_mesh import FACEMESH_FACE_OVAL

    edges = {tuple(edge) for edge in FACEMESH_FACE_OVAL}
    ring = hair.FACE_OVAL
    assert len(ring) == len(edges) == 36
    assert {(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))} == edges


def test_hair_mask_is_above_and_around_the_face(
    hair_region: np.ndarray, face_landmarks: np.ndarray, face_centre: np.ndarray
) -> None:
    ys, _ = np.nonzero(hair_region)
    assert 2000 < len(ys) < 40000
    eyes_y = face_landmarks[[33, 263], 1].mean()
    assert np.mean(ys < eyes_y) > 0.8  # her short hair is on top of the head
    assert not (hair_region & face_centre).any()
    top = face_landmarks[10]
    assert hair_region[int(top[1] - 25), int(top[0])]  # just above the forehead is hair


def test_red_dye_reddens_the_hair_and_leaves_the_face(
    face_image: np.ndarray, face_landmarks: np.ndarray, hair_region: np.ndarray, face_centre: np.ndarray
) -> None:
    dyed = hair.hair_colour(face_image, face_landmarks, "#aa231e")
    before, after = lab(face_image), lab(dyed)
    assert after[hair_region][:, 1].mean() > before[hair_region][:, 1].mean() + 25  # a*: redness
    assert np.abs(after[face_centre] - before[face_centre]).mean() < 1.0
    # Texture is kept: strands still vary in lightness, it is not a flat blob.
    assert after[hair_region][:, 0].std() > 0.6 * before[hair_region][:, 0].std()


def test_blonde_lightens_and_black_darkens(
    face_image: np.ndarray, face_landmarks: np.ndarray, hair_region: np.ndarray
) -> None:
    before = lab(face_image)[hair_region][:, 0].mean()
    blonde = lab(hair.hair_colour(face_image, face_landmarks, "#dcbe82"))[hair_region][:, 0].mean()
    black = lab(hair.hair_colour(face_image, face_landmarks, "#1c1818"))[hair_region][:, 0].mean()
    assert blonde > before + 40 and black < before - 20


def test_hair_colour_through_the_public_api(face_image: np.ndarray, faces: list[FaceDetection]) -> None:
    plan = plan_edit("hair_styling", "make my hair blue")
    out = run_edit(plan, face_image, faces)
    assert out.kind == "image" and out.image is not None and out.image.shape == face_image.shape
    assert [operation.name for operation in out.operations] == ["hair_colour"]
    assert np.abs(out.image.astype(int) - face_image).max() > 50


def test_no_face_means_no_hair_colour(no_face_image: np.ndarray, vision_model) -> None:
    faces = vision_model.detect_faces([no_face_image])[0]
    assert faces == []
    with pytest.raises(InvalidRequest) as error:
        run_edit(plan_edit("hair_styling", "red hair"), no_face_image, faces)
    assert error.value.field == "image"
    assert "no face found" in error.value.user_message and "hair colour" in error.value.user_message


def test_a_face_without_landmarks_is_not_usable(face_image: np.ndarray) -> None:
    with pytest.raises(InvalidRequest, match="no face found"):
        run_edit(
            plan_edit("hair_styling", "red"), face_image, [FaceDetection(box=(170, 60, 110, 130), score=0.9)]
        )


def test_without_the_segmenter_grabcut_stands_in(
    face_image: np.ndarray,
    face_landmarks: np.ndarray,
    hair_region: np.ndarray,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.providers.embedded.editing import segmentation

    monkeypatch.setattr(segmentation, "person_mask", lambda image: None)
    fallback = hair.hair_mask(face_image, face_landmarks) > 0.5
    overlap = (fallback & hair_region).sum() / hair_region.sum()
    assert overlap > 0.6

"""run_edit: input checks, every planned operation runs, and the caller's array is never touched."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.errors import InvalidRequest
from engine.providers.base import FaceDetection
from engine.providers.embedded.editing import (
    EDITABLE_WORKFLOWS,
    EditOutput,
    EditPlan,
    Operation,
    plan_edit,
    run_edit,
)

EVERY_KIND_OF_ASK = [
    ("image_editing", "brighter, more contrast, warmer, more vivid"),
    ("image_editing", "darker and black and white"),
    ("image_editing", "sepia with a vignette"),
    ("image_editing", "rotate left, flip it, crop to square"),
    ("image_editing", "zoom in and blur it"),
    ("image_editing", "blur the background"),
    ("image_editing", "make the background light grey"),
    ("image_editing", "make my hair pink and rotate right"),
    ("image_enhancement", "restore this old photo"),
    ("image_enhancement", "upscale"),
    ("style_transfer", "pencil sketch"),
    ("style_transfer", "colour pencil drawing, then oil painting"),
    ("style_transfer", "cartoon"),
    ("style_transfer", "comic"),
    ("style_transfer", "anime"),
    ("style_transfer", "watercolour"),
    ("style_transfer", "pop art"),
    ("style_transfer", "posterize"),
    ("style_transfer", "vintage"),
    ("hair_styling", "platinum blonde"),
    ("image_to_video", "zoom in on her face for 2 seconds"),
]


@pytest.mark.parametrize(("workflow", "prompt"), EVERY_KIND_OF_ASK)
def test_every_kind_of_ask_runs_and_leaves_the_input_alone(
    face_image: np.ndarray, faces: list[FaceDetection], workflow: str, prompt: str
) -> None:
    image = face_image.copy()  # writable, unlike the fixture: a write would go unnoticed otherwise
    plan = plan_edit(workflow, prompt)
    assert plan.supported, plan.reason
    out = run_edit(plan, image, faces)
    assert np.array_equal(image, face_image)
    assert isinstance(out, EditOutput) and out.elapsed_ms > 0
    assert sorted(op.name for op in out.operations) == sorted(op.name for op in plan.operations)
    if plan.output == "video":
        assert out.kind == "video" and out.frames and out.image is None
    else:
        assert out.kind == "image" and out.frames is None and out.image is not None
        assert out.image.dtype == np.uint8 and out.image.ndim == 3 and out.image.shape[2] == 3
        assert out.image is not image and not np.shares_memory(out.image, image)


@pytest.fixture(scope="module")
def small_face(face_image: np.ndarray, faces: list[FaceDetection]) -> tuple[np.ndarray, list[FaceDetection]]:
    """face.jpg at 256², with its face scaled to match (keeps the property test quick)."""
    image = cv2.resize(face_image, (256, 256), interpolation=cv2.INTER_AREA)
    x, y, w, h = faces[0].box
    face = FaceDetection(
        box=(x // 2, y // 2, w // 2, h // 2), score=faces[0].score, landmarks=faces[0].landmarks / 2
    )
    return image, [face]


_WORDS = ["make", "it", "brighter", "darker", "more", "less", "contrast", "warmer", "cooler", "vivid", "black", "and", "white", "sepia", "rotate", "left", "right", "180", "flip", "mirror", "crop", "square", "zoom", "in", "out", "blur", "the", "background", "remove", "white", "blue", "vignette", "denoise", "sharpen", "upscale", "4x", "restore", "sketch", "colour", "cartoon", "comic", "anime", "watercolour", "oil", "painting", "pop", "art", "posterize", "vintage", "hair", "red", "platinum", "blonde", "bangs", "pan", "orbit", "face", "2", "seconds", ",", "then"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    workflow=st.sampled_from(sorted(EDITABLE_WORKFLOWS)),
    prompt=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12).map(" ".join),
)
def test_whatever_the_planner_supports_the_runner_runs(
    small_face: tuple[np.ndarray, list[FaceDetection]], workflow: str, prompt: str
) -> None:
    image, faces = small_face
    plan = plan_edit(workflow, prompt)
    if not plan.supported:
        return
    out = run_edit(plan, image, faces)
    pictures = out.frames if out.kind == "video" else [out.image]
    assert pictures and all(p is not None and p.dtype == np.uint8 and p.shape[2] == 3 for p in pictures)


def test_hair_colour_runs_before_geometry_so_landmarks_still_fit(
    face_image: np.ndarray, faces: list[FaceDetection]
) -> None:
    plan = plan_edit("image_editing", "rotate right and make my hair red")
    out = run_edit(plan, face_image, faces)
    assert [op.name for op in out.operations] == ["hair_colour", "rotate"]
    dyed_first = run_edit(plan_edit("hair_styling", "red"), face_image, faces).image
    assert out.image is not None and dyed_first is not None
    assert np.array_equal(out.image, np.rot90(dyed_first, k=-1))


def test_edits_apply_in_the_prompts_order(face_image: np.ndarray) -> None:
    out = run_edit(plan_edit("image_editing", "crop to square, then rotate left"), face_image[:, :400])
    assert [op.name for op in out.operations] == ["crop_square", "rotate"]
    assert out.image is not None and out.image.shape == (400, 400, 3)


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        (np.zeros((64, 64), dtype=np.uint8), "RGB uint8"),
        (np.zeros((64, 64, 4), dtype=np.uint8), "RGB uint8"),
        (np.zeros((64, 64, 3), dtype=np.float32), "RGB uint8"),
        ([[0, 0, 0]], "RGB uint8"),
        (np.zeros((31, 200, 3), dtype=np.uint8), "at least 32"),
        (np.zeros((20000, 40, 3), dtype=np.uint8), "at most"),
    ],
)
def test_bad_images_are_refused_before_any_work(image: object, problem: str) -> None:
    with pytest.raises(InvalidRequest) as error:
        run_edit(plan_edit("image_editing", "brighter"), image)  # type: ignore[arg-type]
    assert error.value.field == "image" and problem in error.value.user_message


def test_an_unsupported_plan_is_refused_with_its_reason(face_image: np.ndarray) -> None:
    plan = plan_edit("hair_styling", "give me curtain bangs")
    with pytest.raises(InvalidRequest) as error:
        run_edit(plan, face_image)
    assert error.value.field == "prompt" and error.value.user_message == f"prompt: {plan.reason}"


def test_a_hand_made_plan_with_an_unknown_operation_is_refused(face_image: np.ndarray) -> None:
    plan = EditPlan(
        workflow="image_editing",
        operations=(Operation(name="teleport", description="?"),),
        supported=True,
        reason="x",
    )
    with pytest.raises(InvalidRequest, match="teleport"):
        run_edit(plan, face_image)


def test_a_hand_made_plan_with_wrong_params_is_refused_before_work(face_image: np.ndarray) -> None:
    plan = EditPlan(
        workflow="image_editing",
        operations=(Operation(name="brightness", params={"amout": 0.2}, description="typo"),),
        supported=True,
        reason="x",
    )
    with pytest.raises(InvalidRequest, match="wrong params") as error:
        run_edit(plan, face_image)
    assert error.value.field == "plan"


def test_models_are_frozen() -> None:
    plan = plan_edit("image_editing", "brighter")
    with pytest.raises(ValidationError):
        plan.supported = False  # type: ignore[misc]
    with pytest.raises(ValidationError):
        plan.operations[0].name = "other"  # type: ignore[misc]

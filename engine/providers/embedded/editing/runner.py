"""Run an EditPlan on one still: check the input, apply the operations in order, time it."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.errors import InvalidRequest
from engine.providers.base import FaceDetection
from engine.providers.embedded.editing import (
    camera,
    hair,
    ops_adjust,
    ops_background,
    ops_enhance,
    ops_style,
    segmentation,
)
from engine.providers.embedded.editing.models import EditOutput, EditPlan, Operation
from engine.providers.embedded.editing.pixels import RGBImage

__all__ = ["IMAGE_OPERATIONS", "MAX_SIDE", "MIN_SIDE", "run_edit"]

MIN_SIDE = 32
MAX_SIDE = 8192

# Operations that need nothing but the picture and their params.
IMAGE_OPERATIONS: dict[str, Callable[..., RGBImage]] = {
    "brightness": ops_adjust.brightness,
    "contrast": ops_adjust.contrast,
    "temperature": ops_adjust.temperature,
    "saturation": ops_adjust.saturation,
    "grayscale": ops_adjust.grayscale,
    "sepia": ops_adjust.sepia,
    "rotate": ops_adjust.rotate,
    "flip": ops_adjust.flip,
    "vignette": ops_adjust.vignette,
    "blur": ops_adjust.blur,
    "denoise": ops_enhance.denoise,
    "sharpen": ops_enhance.sharpen,
    "local_contrast": ops_enhance.local_contrast,
    "upscale": ops_enhance.upscale,
    "pencil_sketch": ops_style.pencil_sketch,
    "cartoon": ops_style.cartoon,
    "watercolour": ops_style.watercolour,
    "oil_painting": ops_style.oil_painting,
    "pop_art": ops_style.pop_art,
    "posterize": ops_style.posterize,
    "vintage": ops_style.vintage,
}
# Centred on the face, if there is one.
_CENTRED: dict[str, Callable[..., RGBImage]] = {
    "crop_square": ops_adjust.crop_square,
    "zoom": ops_adjust.zoom,
}
# Given the foreground mask.
_MASKED: dict[str, Callable[..., RGBImage]] = {
    "background_blur": ops_background.background_blur,
    "background_colour": ops_background.background_colour,
}
_MOVES_PIXELS = frozenset({"rotate", "flip", "upscale", "crop_square", "zoom"})
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    **IMAGE_OPERATIONS,
    **_CENTRED,
    **_MASKED,
    "hair_colour": hair.hair_colour,
    "camera_move": camera.camera_frames,
}


def run_edit(plan: EditPlan, image: np.ndarray, faces: Sequence[FaceDetection] = ()) -> EditOutput:
    """Apply `plan` to an RGB uint8 image (left unmodified); `faces` are a VisionModel's, on this image."""
    _check_image(image)
    if not plan.supported:
        raise InvalidRequest("prompt", plan.reason)
    _check_operations(plan.operations)
    face = _main_face(faces)
    if plan.needs_faces and face is None:
        raise InvalidRequest("image", _no_face_problem(plan))
    started = time.perf_counter()
    if plan.output == "video":
        move = plan.operations[0]
        box = None if face is None else face.box
        params: dict[str, Any] = dict(move.params)
        frames = camera.camera_frames(image, face=box, **params)
        return EditOutput(
            kind="video",
            frames=frames,
            fps=float(move.params.get("fps", 24.0)),
            operations=(move,),
            elapsed_ms=_since(started),
        )
    # A dye is a per-pixel change, so doing it first gives the same picture and keeps landmarks valid.
    operations = tuple(sorted(plan.operations, key=lambda operation: operation.name != "hair_colour"))
    result = image
    for operation in operations:
        result = _apply(operation, result, face)
        if operation.name in _MOVES_PIXELS:
            face = None  # its coordinates no longer match the picture
    if result is image:
        result = image.copy()
    return EditOutput(kind="image", image=result, operations=operations, elapsed_ms=_since(started))


def _check_operations(operations: Sequence[Operation]) -> None:
    """Every operation is known and its params fit its function: a hand-made plan fails here, before work."""
    for operation in operations:
        function = _FUNCTIONS.get(operation.name)
        if function is None:
            raise InvalidRequest(
                "plan", f"operation {operation.name!r} is not an offline edit; make the plan with plan_edit"
            )
        try:
            inspect.signature(function).bind_partial(**operation.params)
        except TypeError as exc:
            raise InvalidRequest("plan", f"operation {operation.name!r} has wrong params: {exc}") from exc


def _apply(operation: Operation, image: RGBImage, face: FaceDetection | None) -> RGBImage:
    params: dict[str, Any] = dict(operation.params)
    if operation.name in IMAGE_OPERATIONS:
        return IMAGE_OPERATIONS[operation.name](image, **params)
    if operation.name in _CENTRED:
        centre = None if face is None else (face.box[0] + face.box[2] / 2, face.box[1] + face.box[3] / 2)
        return _CENTRED[operation.name](image, center=centre, **params)
    if operation.name in _MASKED:
        mask = segmentation.foreground_mask(image, None if face is None else _body_box(face, image.shape))
        return _MASKED[operation.name](image, mask, **params)
    if face is None:  # hair_colour runs first and run_edit checked for a face: a hand-made plan
        raise InvalidRequest("plan", f"operation {operation.name!r} needs faces; set needs_faces=True")
    return hair.hair_colour(image, np.asarray(face.landmarks), **params)


def _check_image(image: Any) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        got = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise InvalidRequest(
            "image",
            f"needs an RGB uint8 array of shape (H, W, 3), got {got}; convert it with engine.imaging.to_rgb",
        )
    height, width = image.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise InvalidRequest("image", f"is {width}×{height}; both sides must be at least {MIN_SIDE} pixels")
    if max(height, width) > MAX_SIDE:
        raise InvalidRequest(
            "image", f"is {width}×{height}; resize it to at most {MAX_SIDE} pixels a side first"
        )


def _main_face(faces: Sequence[FaceDetection]) -> FaceDetection | None:
    """The largest face with a usable landmark mesh."""
    usable = [face for face in faces if _has_mesh(face) and face.box[2] > 0 and face.box[3] > 0]
    return max(usable, key=lambda face: face.box[2] * face.box[3], default=None)


def _has_mesh(face: FaceDetection) -> bool:
    if face.landmarks is None:
        return False
    points = np.asarray(face.landmarks)
    return (
        points.ndim == 2
        and points.shape[0] >= 468
        and points.shape[1] == 2
        and bool(np.isfinite(points).all())
    )


def _no_face_problem(plan: EditPlan) -> str:
    if any(operation.name == "hair_colour" for operation in plan.operations):
        return (
            "no face found, hair colour needs a visible face; use a photo where the face is clearly visible"
        )
    return "no face found to zoom in on; use a photo with a visible face, or ask for a plain zoom in"


def _body_box(face: FaceDetection, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Where a person with this face probably is: head and shoulders down to the bottom of the picture."""
    x, y, w, h = face.box
    left, top = max(0, round(x - 1.2 * w)), max(0, round(y - 0.6 * h))
    return left, top, min(shape[1] - left, round(3.4 * w)), shape[0] - top


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0

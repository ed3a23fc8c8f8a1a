"""Faces with MediaPipe 0.10.14's bundled models: FaceDetection for boxes, FaceMesh for 478 landmarks."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import FaceDetection, VisionModel
from engine.settings import Settings

__all__ = ["LANDMARKS", "MAX_FACES", "EmbeddedVisionModel"]

MAX_FACES = 4
LANDMARKS = 478
MIN_CONFIDENCE = 0.5


class EmbeddedVisionModel(VisionModel):
    """Every face in an image, each with a box, a score and 478 landmarks in pixel coordinates.

    The full-range detector finds the faces; FaceMesh then runs on a square crop around
    each (it misses small faces in a large image). A face the detector missed but the
    mesh found in the whole image is added with the threshold score. Boxes are the
    landmarks' extent; `landmarks` is None when the mesh failed on a detected face.
    """

    provider = "embedded"
    features = frozenset({"faces", "landmarks-478", "batch"})

    def __init__(self, settings: Settings) -> None:
        try:
            from mediapipe.python.solutions import face_detection, face_mesh
        except ImportError as exc:
            raise ProviderUnavailable(
                f"package mediapipe is not installed: run make install ({exc})"
            ) from exc
        self._lock = threading.Lock()
        try:
            self._mesh = face_mesh.FaceMesh(
                static_image_mode=True,
                max_num_faces=MAX_FACES,
                refine_landmarks=True,
                min_detection_confidence=MIN_CONFIDENCE,
            )
            # model_selection=1: the full-range model, which also finds smaller faces.
            self._detector = face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=MIN_CONFIDENCE
            )
        except (RuntimeError, ValueError, FileNotFoundError) as exc:
            raise ProviderUnavailable(f"could not start MediaPipe face models: {exc}") from exc

    @property
    def model_name(self) -> str:
        return "MediaPipe FaceMesh 478 + FaceDetection"

    def detect_faces(self, images: Sequence[np.ndarray]) -> list[list[FaceDetection]]:
        for i, image in enumerate(images):
            _check_image(image, f"images[{i}]")
        with self._lock:
            return [self._faces(np.ascontiguousarray(image)) for image in images]

    def close(self) -> None:
        self._mesh.close()
        self._detector.close()

    def _faces(self, image: np.ndarray) -> list[FaceDetection]:
        height, width = image.shape[:2]
        faces = []
        for box, score in _detector_boxes(self._detector.process(image), width, height):
            points = self._mesh_in_crop(image, box)
            if points is not None:
                box = _points_box(points, width, height)
            faces.append(FaceDetection(box=box, score=score, landmarks=points))
        # Close-ups can escape the full-range detector; the mesh's own detector finds them.
        for mesh in self._mesh.process(image).multi_face_landmarks or []:
            points = _to_pixels(mesh, width, height)
            box = _points_box(points, width, height)
            if all(_iou(box, face.box) < 0.3 for face in faces):
                faces.append(FaceDetection(box=box, score=MIN_CONFIDENCE, landmarks=points))
        return sorted(faces, key=lambda f: (f.box[0], f.box[1]))

    def _mesh_in_crop(self, image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray | None:
        """Landmarks of the face in `box`, from a square crop twice its size (the mesh wants large faces)."""
        x, y, w, h = box
        side = max(int(2 * max(w, h)), 32)
        left, top = int(x + w / 2 - side / 2), int(y + h / 2 - side / 2)
        pad = [
            (max(0, -top), max(0, top + side - image.shape[0])),
            (max(0, -left), max(0, left + side - image.shape[1])),
        ]
        crop = np.pad(image, [*pad, (0, 0)])[
            top + pad[0][0] : top + pad[0][0] + side, left + pad[1][0] : left + pad[1][0] + side
        ]
        meshes = self._mesh.process(np.ascontiguousarray(crop)).multi_face_landmarks or []
        if not meshes:
            return None
        centre = np.array([side / 2, side / 2], dtype=np.float32)
        candidates = [_to_pixels(mesh, side, side) for mesh in meshes]
        points = min(candidates, key=lambda pts: float(np.linalg.norm(pts.mean(axis=0) - centre)))
        return points + np.array([left, top], dtype=np.float32)


def _to_pixels(mesh: Any, width: int, height: int) -> np.ndarray:
    return np.array([(p.x * width, p.y * height) for p in mesh.landmark], dtype=np.float32)


def _points_box(points: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = np.floor(points.min(axis=0)).clip(0)
    x1, y1 = np.ceil(points.max(axis=0)).clip(max=(width, height))
    return (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def _check_image(image: Any, name: str) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        got = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise InvalidRequest(
            name, f"needs an RGB uint8 array of shape (H, W, 3), got {got}; see engine.imaging.to_rgb"
        )


def _detector_boxes(result: Any, width: int, height: int) -> list[tuple[tuple[int, int, int, int], float]]:
    boxes = []
    for detection in result.detections or []:
        rel = detection.location_data.relative_bounding_box
        box = (
            int(rel.xmin * width),
            int(rel.ymin * height),
            int(rel.width * width),
            int(rel.height * height),
        )
        boxes.append((box, float(detection.score[0])))
    return boxes


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0

"""The person's caricature: landmark-driven exaggeration of their own features, then cartoon style.

With a mean face to compare against, each feature is pushed away from the average, so
what is distinctive about this face grows (a wide mouth gets wider); the classic
cartoon proportions (larger eyes and mouth) are added on top, then the image is
flattened into a cartoon and labelled as a simulation.
"""

from __future__ import annotations

import cv2
import numpy as np

from engine import imaging
from engine.scenarios.provenance import label_strip

__all__ = ["SIZE", "make_caricature", "portrait_crop"]

SIZE = 512


def portrait_crop(rgb: np.ndarray, landmarks: np.ndarray, size: int = SIZE) -> tuple[np.ndarray, np.ndarray]:
    """A square head-and-shoulders crop around the face, scaled to `size`; the landmarks moved with it."""
    pts = np.asarray(landmarks, dtype=np.float32)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.08 * (y1 - y0)
    side = 1.9 * max(x1 - x0, y1 - y0)
    scale = size / side
    matrix = np.array([[scale, 0, size / 2 - scale * cx], [0, scale, size / 2 - scale * cy]], dtype=np.float64)
    crop = cv2.warpAffine(np.ascontiguousarray(rgb), matrix, (size, size), flags=cv2.INTER_AREA,
                          borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    moved = (pts @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)
    return np.asarray(crop, dtype=np.uint8), moved


def _mean_face(points: np.ndarray) -> np.ndarray:
    """A symmetric stand-in for the average face: the person's own mesh mirrored and averaged.

    Asymmetries (a crooked smile, one raised brow) then count as distinctive and are
    exaggerated, while the face stays recognisably theirs.
    """
    left, right, _ = imaging.face_anchors(points)
    axis = (right - left) / max(float(np.linalg.norm(right - left)), 1e-6)  # across the face
    middle = (left + right) / 2
    across = (points - middle) @ axis
    reflected = points - 2 * across[:, None] * axis[None, :]
    # Each point's partner is the mesh point nearest its reflection (points on the midline pair with themselves).
    d2 = ((reflected[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    partner = d2.argmin(axis=1)
    return ((points + reflected[partner]) / 2).astype(np.float32)


def make_caricature(rgb: np.ndarray, landmarks: np.ndarray, strength: float = 0.55) -> np.ndarray:
    """RGB caricature of the one face in `rgb`: SIZE² plus the simulation label strip below it."""
    crop, pts = portrait_crop(rgb, landmarks)
    distinctive = imaging.exaggerate(pts, _mean_face(pts), 1.0)
    crop = imaging.warp(crop, pts, distinctive)
    warped = imaging.caricature(crop, distinctive, strength=strength)
    return label_strip(imaging.cartoonize(warped, levels=7))

"""Hair colour without a generative model: a hair mask from the face mesh and a person mask, then a dye.

The mask is where hair usually is (a head-shaped region above and around the face oval,
plus the sides below it for long hair), inside the person, outside the face, and coloured
like the hair sampled just above the forehead rather than like the skin of the cheeks.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np
import numpy.typing as npt

from engine.providers.embedded.editing import segmentation
from engine.providers.embedded.editing.pixels import Mask, RGBImage, from_lab, to_lab

__all__ = ["FACE_OVAL", "hair_colour", "hair_mask"]

# MediaPipe FaceMesh FACEMESH_FACE_OVAL as one closed polygon: from the forehead (10) round by the chin (152).
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
_CHEEKS = (50, 280, 205, 425, 4)  # left cheek, right cheek, below them, nose: bare skin on most faces
_EYES = (33, 263)
_BROWS = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300)
_JAW = (172, 397)  # the jaw's corners: below them only long hair at the sides counts

Points = npt.NDArray[np.float32]


class _Head(NamedTuple):
    """The face oval's frame: centre x, forehead, brow, jaw and chin y, width, height, roll (degrees)."""

    cx: float
    top: float
    brows: float
    jaw: float
    chin: float
    width: float
    height: float
    roll: float


def hair_mask(image: RGBImage, landmarks: np.ndarray, person: Mask | None = None) -> Mask:
    """Soft (H, W) mask of the hair of the face whose 468/478 `landmarks` (pixels) are given."""
    pts = np.asarray(landmarks, dtype=np.float32)
    head = _head(pts)
    x0, y0, x1, y1 = _crop_box(head, image.shape[1], image.shape[0])
    crop = image[y0:y1, x0:x1]
    local = pts - np.array([x0, y0], dtype=np.float32)
    person_crop = _person(crop, _head(local)) if person is None else person[y0:y1, x0:x1]
    mask = np.zeros(image.shape[:2], dtype=np.float32)
    mask[y0:y1, x0:x1] = _mask_in_crop(crop, local, person_crop)
    return mask


def hair_colour(image: RGBImage, landmarks: np.ndarray, colour: str, strength: float = 0.9) -> RGBImage:
    """Dye the hair `colour` (#rrggbb): its lightness and chroma move to the dye's, its texture stays."""
    mask = hair_mask(image, landmarks)
    ys, xs = np.nonzero(mask > 0.02)
    out = image.copy()
    if len(ys) == 0:
        return out
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    weight = mask[y0:y1, x0:x1] * float(np.clip(strength, 0.0, 1.0))
    out[y0:y1, x0:x1] = _dye(image[y0:y1, x0:x1], weight, _hex_rgb(colour))
    return out


def _dye(crop: RGBImage, weight: Mask, rgb: tuple[int, int, int]) -> RGBImage:
    lab = to_lab(crop)
    target = to_lab(np.array([[rgb]], dtype=np.uint8))[0, 0]
    w_sum = float(weight.sum()) + 1e-6
    mean = (lab * weight[..., None]).reshape(-1, 3).sum(0) / w_sum
    lightness = lab[..., 0]
    # Dark hair dyed light needs its strand-to-strand contrast raised, or it looks painted on.
    gain = float(np.clip(np.sqrt((target[0] + 8.0) / (mean[0] + 8.0)), 0.8, 2.2))
    new_l = np.clip(target[0] + (lightness - mean[0]) * gain, 0.0, 100.0)
    # Shadows in dyed hair carry less colour than highlights.
    chroma = np.clip(new_l / max(float(target[0]), 1.0), 0.35, 1.3)[..., None]
    new_ab = target[1:] * chroma + 0.25 * (lab[..., 1:] - mean[1:])
    dyed = np.concatenate([new_l[..., None], new_ab], axis=-1)
    out = lab + (dyed - lab) * weight[..., None]
    return from_lab(out)


def _head(pts: Points) -> _Head:
    if len(pts) < 468:
        raise ValueError(f"need the 468/478-point face mesh, got {len(pts)} points")
    oval = pts[list(FACE_OVAL)]
    left, right = pts[_EYES[0]], pts[_EYES[1]]
    roll = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    top, chin = float(pts[10][1]), float(pts[152][1])
    brows = float(pts[list(_BROWS)][:, 1].min())
    jaw = float(pts[list(_JAW)][:, 1].mean())
    width = float(oval[:, 0].max() - oval[:, 0].min())
    return _Head(float(oval[:, 0].mean()), top, brows, jaw, chin, max(width, 1.0), max(chin - top, 1.0), roll)


def _crop_box(head: _Head, width: int, height: int) -> tuple[int, int, int, int]:
    x0 = int(np.clip(head.cx - 1.15 * head.width, 0, width - 1))
    x1 = int(np.clip(head.cx + 1.15 * head.width, x0 + 1, width))
    y0 = int(np.clip(head.top - 0.7 * head.height, 0, height - 1))
    y1 = int(np.clip(head.chin + 0.9 * head.height, y0 + 1, height))
    return x0, y0, x1, y1


def _person(crop: RGBImage, head: _Head) -> Mask:
    """The selfie model on the head crop (its favourite framing), else GrabCut seeded around the head."""
    mask = segmentation.person_mask(crop)
    if mask is not None:
        return mask
    box = (
        round(head.cx - 0.9 * head.width),
        round(head.top - 0.55 * head.height),
        round(1.8 * head.width),
        round(1.7 * head.height),
    )
    return segmentation.grabcut_mask(crop, box)


def _mask_in_crop(crop: RGBImage, pts: Points, person: Mask) -> Mask:
    head = _head(pts)
    shape = crop.shape[:2]
    face = _face_region(pts, head, shape)
    core = np.zeros(shape, dtype=np.float32)
    centre = (round(head.cx), round(head.top + 0.3 * head.height))
    axes = (round(0.82 * head.width), round(0.76 * head.height))
    cv2.ellipse(core, centre, axes, head.roll, 0, 360, 1.0, -1)
    rows = np.arange(shape[0], dtype=np.float32)[:, None]
    core *= rows < head.jaw
    sides = np.zeros(shape, dtype=np.float32)  # long hair falls beside the neck, below the jaw
    for sign in (-1, 1):
        inner, outer = head.cx + sign * 0.4 * head.width, head.cx + sign * 1.05 * head.width
        corners = [(inner, head.chin - 0.35 * head.height), (outer, head.chin + 0.85 * head.height)]
        (ax, ay), (bx, by) = corners
        cv2.rectangle(sides, (round(min(ax, bx)), round(ay)), (round(max(ax, bx)), round(by)), 1.0, -1)
    sides *= 1.0 - core
    lab = to_lab(crop)
    hair_like = _colour_weight(lab, pts, core * person * (1.0 - face), face, head)
    # A fringe hangs inside the oval's top; only clearly hair-coloured pixels above the brows count there.
    fringe = face * (rows < head.brows - 0.05 * head.height) * (hair_like > 0.6)
    on_head = person * core * hair_like * (1.0 - face)
    below = _attached(person * sides * (hair_like > 0.6) * (1.0 - face), on_head)
    mask = on_head + below + person * fringe
    close = max(3, round(0.05 * head.width)) | 1  # fill pinholes (highlights, deep shadows) in the hair
    mask = cv2.morphologyEx(mask.astype(np.float32), cv2.MORPH_CLOSE, np.ones((close, close), np.uint8))
    sigma = max(1.0, 0.02 * head.width)
    return np.clip(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), sigma), 0.0, 1.0)


def _attached(candidates: Mask, hair: Mask) -> Mask:
    """The parts of `candidates` that touch the hair on the head (long hair, not a shadow on the neck)."""
    joined = ((candidates > 0.5) | (hair > 0.5)).astype(np.uint8)
    count, labels = cv2.connectedComponents(joined, connectivity=8)
    if count <= 1:
        return np.zeros_like(candidates)
    keep = np.zeros(count, dtype=bool)
    keep[np.unique(labels[hair > 0.5])] = True
    keep[0] = False
    return np.asarray(candidates * keep[labels], dtype=np.float32)


def _face_region(pts: Points, head: _Head, shape: tuple[int, ...]) -> Mask:
    """The face oval, slightly grown and softened, to keep the dye off skin."""
    face = np.zeros(shape[:2], dtype=np.uint8)
    cv2.fillPoly(face, [np.round(pts[list(FACE_OVAL)]).astype(np.int32)], 1)
    grow = max(3, round(0.04 * head.width)) | 1
    grown = cv2.dilate(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    return np.clip(cv2.GaussianBlur(grown.astype(np.float32), (0, 0), grow / 3.0) * 1.5, 0.0, 1.0)


def _colour_weight(lab: npt.NDArray[np.float32], pts: Points, region: Mask, face: Mask, head: _Head) -> Mask:
    """1 for pixels coloured like the hair above the forehead, 0 for those coloured like the cheeks.

    Without a usable hair sample (bald, hat, cropped forehead) every pixel counts as hair.
    """
    rows = np.arange(lab.shape[0], dtype=np.float32)[:, None]
    band = (region > 0.5) & (rows < head.top) & (rows > head.top - 0.45 * head.height)
    hair = lab[band]
    if len(hair) < 50:
        return np.ones(lab.shape[:2], dtype=np.float32)
    skin = _skin_samples(lab, pts, head)
    d_hair = _distance(lab, hair, darker_ok=True)
    d_skin = _distance(lab, skin) if len(skin) >= 20 else np.full_like(d_hair, 9.0)
    closer = 1.0 / (1.0 + np.exp(-(d_skin - d_hair)))  # hair-like rather than skin-like
    near = np.clip(2.0 - d_hair / 9.0, 0.0, 1.0)  # and within ~3 sigma of the hair itself
    return (closer * near).astype(np.float32)


def _skin_samples(lab: npt.NDArray[np.float32], pts: Points, head: _Head) -> npt.NDArray[np.float32]:
    radius = max(2, round(0.06 * head.width))
    spots = np.zeros(lab.shape[:2], dtype=np.uint8)
    for index in _CHEEKS:
        x, y = pts[index]
        cv2.circle(spots, (round(float(x)), round(float(y))), radius, 1, -1)
    return lab[spots > 0]


def _distance(
    lab: npt.NDArray[np.float32], sample: npt.NDArray[np.float32], darker_ok: bool = False
) -> npt.NDArray[np.float32]:
    """Squared robust z-distance of every pixel to the sample (median and MAD per LAB channel).

    With `darker_ok`, being darker than the sample costs little: shadows between strands are still hair.
    """
    centre = np.median(sample, axis=0)
    spread = 1.4826 * np.median(np.abs(sample - centre), axis=0)
    spread = np.maximum(spread, np.array([8.0, 4.0, 4.0], dtype=np.float32))
    z = (lab - centre) / spread
    if darker_ok:
        z[..., 0] = np.where(z[..., 0] < 0, z[..., 0] * 0.35, z[..., 0])
    return np.asarray((z * z).sum(axis=-1), dtype=np.float32)


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))

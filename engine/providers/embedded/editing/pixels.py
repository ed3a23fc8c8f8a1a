"""Small pixel helpers shared by the operations: LAB round trips, masked blends, resizing."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt

from engine.imaging import fit_within

__all__ = ["Mask", "RGBImage", "at_most", "blend", "from_lab", "gaussian_sigma", "luma", "to_lab"]

RGBImage = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.float32]  # (H, W) in [0, 1]
Lab = npt.NDArray[np.float32]  # L in [0, 100], a and b in about [-127, 127]


def to_lab(image: RGBImage) -> Lab:
    return np.asarray(cv2.cvtColor(image.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2LAB))


def from_lab(lab: Lab) -> RGBImage:
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB)
    return np.asarray(np.clip(rgb * 255.0 + 0.5, 0, 255), dtype=np.uint8)


def luma(image: RGBImage) -> npt.NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))


def blend(base: RGBImage, top: RGBImage | npt.NDArray[np.float32], mask: Mask | float) -> RGBImage:
    """`top` over `base` with per-pixel (or one) opacity."""
    weight = mask[..., None] if isinstance(mask, np.ndarray) else np.float32(mask)
    out = base.astype(np.float32) + (np.asarray(top, dtype=np.float32) - base) * weight
    return np.asarray(np.clip(out + 0.5, 0, 255), dtype=np.uint8)


def gaussian_sigma(image: np.ndarray, fraction: float) -> float:
    """A blur radius that scales with the picture: `fraction` of its long side (at least 0.5 px)."""
    return max(0.5, fraction * max(image.shape[:2]))


def at_most(image: RGBImage, side: int, filter_: Callable[[RGBImage], RGBImage]) -> RGBImage:
    """Run a slow filter on a copy no larger than `side` pixels, and scale its result back up."""
    height, width = image.shape[:2]
    small = fit_within(image, side)
    if small is image:
        return filter_(image)
    return np.asarray(
        cv2.resize(filter_(small), (width, height), interpolation=cv2.INTER_CUBIC), dtype=np.uint8
    )

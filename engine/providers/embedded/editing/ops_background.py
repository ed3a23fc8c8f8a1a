"""Background edits behind a foreground mask: blur it (portrait mode) or replace it with a plain colour."""

from __future__ import annotations

import cv2
import numpy as np

from engine.providers.embedded.editing.pixels import Mask, RGBImage, blend

__all__ = ["background_blur", "background_colour"]

_BLUR_WORK_SIDE = 384  # a wide blur loses nothing when computed small and scaled back up


def background_blur(image: RGBImage, mask: Mask, strength: float = 1.0) -> RGBImage:
    """Blur what the mask leaves out, without smearing the subject into it (a mask-normalised blur)."""
    height, width = image.shape[:2]
    scale = min(1.0, _BLUR_WORK_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    keep_out = cv2.resize(1.0 - mask, size, interpolation=cv2.INTER_AREA)
    sigma = max(1.0, 0.012 * max(0.3, strength) * max(size))
    weighted = cv2.GaussianBlur(small * keep_out[..., None], (0, 0), sigma)
    weights = cv2.GaussianBlur(keep_out, (0, 0), sigma)[..., None]
    # Deep inside the subject there is no background to average; a plain blur fills in there.
    plain = cv2.GaussianBlur(small, (0, 0), sigma)
    blurred = np.where(weights > 1e-3, weighted / np.maximum(weights, 1e-3), plain)
    full = cv2.resize(blurred, (width, height), interpolation=cv2.INTER_LINEAR)
    return blend(np.clip(full, 0, 255).astype(np.uint8), image, mask)


def background_colour(image: RGBImage, mask: Mask, colour: str = "#ffffff") -> RGBImage:
    """Everything outside the mask becomes the plain `colour` (#rrggbb)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
    plate = np.broadcast_to(rgb, image.shape)
    return blend(np.ascontiguousarray(plate), image, mask)

"""Photo enhancement: denoise, sharpen, local contrast, upscale."""

from __future__ import annotations

import cv2
import numpy as np

from engine.providers.embedded.editing.pixels import RGBImage, gaussian_sigma

__all__ = ["MAX_UPSCALED_SIDE", "denoise", "local_contrast", "sharpen", "upscale"]

MAX_UPSCALED_SIDE = 2048


def denoise(image: RGBImage, strength: float = 5.0) -> RGBImage:
    """Non-local means with small windows (5 px patches, 9 px search): a quarter of the default's time."""
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)  # its luma/chroma split assumes BGR
    clean = cv2.fastNlMeansDenoisingColored(bgr, None, float(strength), float(strength), 5, 9)
    return np.asarray(cv2.cvtColor(clean, cv2.COLOR_BGR2RGB))


def sharpen(image: RGBImage, amount: float = 0.6) -> RGBImage:
    """Unsharp mask: add back `amount` of the detail a small blur removes."""
    sigma = max(1.0, gaussian_sigma(image, 0.0012))
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return np.asarray(cv2.addWeighted(image, 1.0 + amount, blurred, -amount, 0))


def local_contrast(image: RGBImage, clip_limit: float = 2.0) -> RGBImage:
    """CLAHE on the lightness channel only, so colours do not shift."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    clahe = cv2.createCLAHE(clipLimit=float(clip_limit), tileGridSize=(8, 8))
    lab[..., 0] = clahe.apply(np.ascontiguousarray(lab[..., 0]))
    return np.asarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def upscale(image: RGBImage, factor: float = 2.0) -> RGBImage:
    """Lanczos upscaling by `factor`, reduced so the long side stays within 2048 px (never below 1)."""
    height, width = image.shape[:2]
    factor = max(1.0, min(float(factor), MAX_UPSCALED_SIDE / max(height, width)))
    size = (round(width * factor), round(height * factor))
    if size == (width, height):
        return image.copy()
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LANCZOS4))

"""Named looks as OpenCV filters: pencil sketch, cartoon/comic/anime, watercolour, oil, pop art, vintage."""

from __future__ import annotations

import cv2
import numpy as np

from engine import imaging
from engine.providers.embedded.editing import ops_adjust
from engine.providers.embedded.editing.pixels import RGBImage, at_most, from_lab, gaussian_sigma, luma, to_lab

__all__ = ["cartoon", "oil_painting", "pencil_sketch", "pop_art", "posterize", "vintage", "watercolour"]

# stylization costs ~0.7 s at 1024² on two cores, and its output is smooth anyway: run it smaller.
_STYLIZATION_SIDE = 640


def pencil_sketch(image: RGBImage, colour: bool = False) -> RGBImage:
    """A colour-dodge sketch (grey divided by its blurred negative): clean strokes where cv2.pencilSketch
    hatches the whole picture. With `colour`, the photo's colours, softened, under the strokes."""
    gray = luma(image)
    negative = cv2.GaussianBlur(255 - gray, (0, 0), gaussian_sigma(image, 0.012))
    strokes = cv2.divide(gray, 255 - negative, scale=256)
    if not colour:
        return np.asarray(cv2.cvtColor(strokes, cv2.COLOR_GRAY2RGB))
    lab = to_lab(image)
    lab[..., 0] = strokes.astype(np.float32) * (100.0 / 255.0)
    lab[..., 1:] *= 0.7
    return from_lab(lab)


def cartoon(image: RGBImage, look: str = "cartoon") -> RGBImage:
    """'cartoon': flat colours and ink lines; 'comic': fewer, bolder colours; 'anime': softer, brighter."""
    if look == "comic":
        flat = imaging.cartoonize(image, levels=5)
        return ops_adjust.contrast(ops_adjust.saturation(flat, 0.35), 0.15)
    if look == "anime":
        return ops_adjust.brightness(ops_adjust.saturation(imaging.cartoonize(image, levels=16), 0.25), 0.1)
    return imaging.cartoonize(image, levels=8)


def watercolour(image: RGBImage) -> RGBImage:
    painted = at_most(
        image, _STYLIZATION_SIDE, lambda im: np.asarray(cv2.stylization(im, sigma_s=60, sigma_r=0.6))
    )
    # Watercolour is lighter than the photo: paper shows through the washes.
    return np.asarray(cv2.addWeighted(painted, 0.85, np.full_like(painted, 255), 0.15, 0))


def oil_painting(image: RGBImage) -> RGBImage:
    """Flattened strokes (edge-preserving smoothing) with their texture brought back (detail enhance)."""
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    smooth = cv2.edgePreservingFilter(bgr, flags=cv2.RECURS_FILTER, sigma_s=45, sigma_r=0.35)
    detailed = cv2.detailEnhance(smooth, sigma_s=8, sigma_r=0.2)
    return ops_adjust.saturation(np.asarray(cv2.cvtColor(detailed, cv2.COLOR_BGR2RGB)), 0.15)


def posterize(image: RGBImage, levels: float = 4) -> RGBImage:
    """Each channel quantised to `levels` flat steps."""
    count = int(np.clip(levels, 2, 32))
    step = 256.0 / count
    table = np.clip((np.arange(256) // step) * step + step / 2, 0, 255).astype(np.uint8)
    return np.asarray(cv2.LUT(image, table))


def pop_art(image: RGBImage) -> RGBImage:
    """Loud saturated colours in a few flat steps, with black outlines."""
    loud = posterize(ops_adjust.saturation(ops_adjust.contrast(image, 0.2), 0.9), 4)
    gray = cv2.medianBlur(luma(image), 5)
    block = max(3, (min(image.shape[:2]) // 50) | 1)
    lines = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 6)
    return np.asarray(cv2.bitwise_and(loud, loud, mask=lines))


def vintage(image: RGBImage) -> RGBImage:
    """Sepia-toned, faded (lifted blacks, softer whites) and vignetted, like an old print."""
    toned = ops_adjust.sepia(image, 0.6)
    faded = np.asarray(cv2.convertScaleAbs(toned, alpha=0.85, beta=22), dtype=np.uint8)
    return ops_adjust.vignette(faded, 0.35)

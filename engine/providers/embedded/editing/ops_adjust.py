"""Basic photo adjustments: tone, colour, geometry, vignette, blur. RGB uint8 in, a new array out."""

from __future__ import annotations

import cv2
import numpy as np

from engine.providers.embedded.editing.pixels import RGBImage, blend, from_lab, gaussian_sigma, luma, to_lab

__all__ = [
    "blur",
    "brightness",
    "contrast",
    "crop_square",
    "flip",
    "grayscale",
    "rotate",
    "saturation",
    "sepia",
    "temperature",
    "vignette",
    "zoom",
]

Point = tuple[float, float]

_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)


def brightness(image: RGBImage, amount: float) -> RGBImage:
    """Lighten (amount > 0) or darken the lightness channel with a gamma curve, so whites do not clip."""
    lab = to_lab(image)
    gamma = 1.0 / (1.0 + amount) if amount >= 0 else 1.0 - amount
    lab[..., 0] = 100.0 * np.power(lab[..., 0] / 100.0, gamma)
    return from_lab(lab)


def contrast(image: RGBImage, amount: float) -> RGBImage:
    """Stretch (amount > 0) or flatten lightness about its mean."""
    lab = to_lab(image)
    lightness = lab[..., 0]
    mean = float(lightness.mean())
    lab[..., 0] = np.clip((lightness - mean) * (1.0 + amount) + mean, 0.0, 100.0)
    return from_lab(lab)


def temperature(image: RGBImage, amount: float) -> RGBImage:
    """Warmer (amount > 0: towards amber) or cooler (towards blue), by shifting LAB b (and a little a)."""
    lab = to_lab(image)
    lab[..., 2] += 40.0 * amount
    lab[..., 1] += 6.0 * amount
    return from_lab(lab)


def saturation(image: RGBImage, amount: float) -> RGBImage:
    """Scale chroma by 1 + amount (-1 removes all colour), keeping hue and lightness."""
    lab = to_lab(image)
    lab[..., 1:] *= max(0.0, 1.0 + amount)
    return from_lab(lab)


def grayscale(image: RGBImage) -> RGBImage:
    gray = luma(image)
    return np.stack([gray, gray, gray], axis=-1)


def sepia(image: RGBImage, strength: float = 1.0) -> RGBImage:
    toned = np.asarray(cv2.transform(image, _SEPIA), dtype=np.uint8)  # per-pixel 3×3 matrix, saturating
    return blend(image, toned, float(np.clip(strength, 0.0, 1.0)))


def rotate(image: RGBImage, degrees: float) -> RGBImage:
    """Rotate clockwise by a multiple of 90 degrees (negative: anticlockwise)."""
    turns = round(degrees / 90.0) % 4
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image.copy() if turns == 0 else np.asarray(cv2.rotate(image, codes[turns]))


def flip(image: RGBImage, axis: str = "horizontal") -> RGBImage:
    """Mirror left-right ('horizontal') or upside down ('vertical')."""
    return np.ascontiguousarray(image[::-1] if axis == "vertical" else image[:, ::-1])


def crop_square(image: RGBImage, center: Point | None = None) -> RGBImage:
    """The largest square, centred on `center` (a face) where given, else on the middle."""
    height, width = image.shape[:2]
    side = min(height, width)
    x0, y0 = _window(width, height, side, side, center)
    return image[y0 : y0 + side, x0 : x0 + side].copy()


def zoom(image: RGBImage, factor: float, center: Point | None = None) -> RGBImage:
    """Crop 1/factor of each side around `center` (or the middle) and scale back to the original size."""
    height, width = image.shape[:2]
    factor = max(1.0, factor)
    crop_w, crop_h = max(1, round(width / factor)), max(1, round(height / factor))
    x0, y0 = _window(width, height, crop_w, crop_h, center)
    crop = image[y0 : y0 + crop_h, x0 : x0 + crop_w]
    return np.asarray(cv2.resize(crop, (width, height), interpolation=cv2.INTER_CUBIC))


def vignette(image: RGBImage, strength: float = 0.4) -> RGBImage:
    """Darken towards the corners: 1 at the centre, 1 - strength in the corners, smooth in between."""
    height, width = image.shape[:2]
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    radius = np.sqrt((xs * xs + ys * ys) / 2.0)  # 0 at the centre, 1 in the corners
    falloff = np.clip((radius - 0.35) / 0.65, 0.0, 1.0)
    gain = 1.0 - float(np.clip(strength, 0.0, 1.0)) * falloff * falloff * (3.0 - 2.0 * falloff)
    return np.asarray(np.clip(image * gain[..., None] + 0.5, 0, 255), dtype=np.uint8)


def blur(image: RGBImage, strength: float = 1.0) -> RGBImage:
    sigma = gaussian_sigma(image, 0.006 * max(0.2, strength))
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma))


def _window(width: int, height: int, crop_w: int, crop_h: int, center: Point | None) -> tuple[int, int]:
    cx, cy = center if center is not None else (width / 2.0, height / 2.0)
    x0 = int(np.clip(round(cx - crop_w / 2.0), 0, width - crop_w))
    y0 = int(np.clip(round(cy - crop_h / 2.0), 0, height - crop_h))
    return x0, y0

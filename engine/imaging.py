"""Pure image operations on RGB uint8 arrays (OpenCV, Pillow, numpy; no models).

Landmark-based functions take the 478-point (or 468-point) MediaPipe face mesh
that `VisionModel.detect_faces` returns, in pixel coordinates.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from typing import Literal, NamedTuple

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from engine.errors import InvalidRequest

__all__ = [
    "AlignedFace",
    "DecodedImage",
    "RGBImage",
    "align_face",
    "caricature",
    "color_transfer",
    "decode_image",
    "encode_jpeg",
    "encode_png",
    "exaggerate",
    "face_anchors",
    "fit_within",
    "read_image",
    "seamless_clone",
    "set_pixel_limit",
    "stylize",
    "to_pil",
    "to_rgb",
    "warp",
]

RGBImage = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float32]

# MediaPipe face-mesh indices (image-left eye is the subject's right eye).
_LEFT_EYE = (33, 133, 159, 145)
_RIGHT_EYE = (362, 263, 386, 374)
_MOUTH = (13, 14, 61, 291)
_NOSE_TIP = 1
_IRISES = (468, 473)


# --- conversions -----------------------------------------------------------------


def to_rgb(image: np.ndarray | Image.Image) -> RGBImage:
    """Any PIL image or array (gray, RGB, RGBA; uint8 or float in [0, 1]) as a contiguous RGB uint8 array."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB")).copy()
    if not isinstance(image, np.ndarray):
        raise InvalidRequest("image", f"expected a numpy array or PIL image, got {type(image).__name__}")
    array = image
    if array.dtype != np.uint8:
        if not np.issubdtype(array.dtype, np.floating):
            raise InvalidRequest(
                "image", f"dtype {array.dtype} is not supported; pass uint8, or floats in [0, 1]"
            )
        array = (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    elif array.ndim == 3 and array.shape[2] == 4:
        array = array[..., :3]
    elif array.ndim != 3 or array.shape[2] != 3:
        raise InvalidRequest(
            "image", f"shape {array.shape} is not an image; pass (H, W), (H, W, 3) or (H, W, 4)"
        )
    return np.ascontiguousarray(array)


def to_pil(image: np.ndarray | Image.Image) -> Image.Image:
    return Image.fromarray(to_rgb(image))


class DecodedImage(NamedTuple):
    rgb: RGBImage
    width: int  # of the image as uploaded, from its header
    height: int


def set_pixel_limit(max_pixels: int) -> None:
    """Make Pillow's own decompression-bomb guard agree with ours (it errors at twice the limit).

    Pillow's warning between one and two times the limit is silenced: `read_image` refuses
    those images itself, with a message a person can act on.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def _too_large(field: str, limit: int, size: tuple[int, int] | None, pixels: int | None = None) -> InvalidRequest:
    if size:
        shown = f"{size[0]}x{size[1]} pixels ({size[0] * size[1] / 1e6:.0f} megapixels)"
    else:
        shown = f"{pixels / 1e6:.0f} megapixels" if pixels else "too large to open safely"
    side = int(math.sqrt(limit))
    return InvalidRequest(
        field, f"the image is {shown}; use one of at most {limit / 1e6:.0f} megapixels "
        f"(e.g. {side}x{side}): scale it down first"
    )


def read_image(
    data: bytes, *, max_pixels: int | None = None, max_side: int | None = None, field: str = "image"
) -> DecodedImage:
    """PNG/JPEG/WebP… bytes to RGB, refused from the header alone above `max_pixels` (before decoding).

    `max_pixels` defaults to Pillow's limit (see `set_pixel_limit`). With `max_side`, the result is
    scaled down to at most that many pixels a side; a JPEG is decoded at a reduced scale directly,
    so a large photo never takes its full size in memory.
    """
    limit = max_pixels or Image.MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only; pixels are decoded on load
            width, height = image.size
            if limit and width * height > limit:
                raise _too_large(field, limit, (width, height))
            if max_side and image.format == "JPEG" and max(width, height) > max_side:
                scale = max_side / max(width, height)
                image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
            rgb = to_rgb(image)
    except Image.DecompressionBombError as exc:  # Pillow's guard, past twice its limit: refused at open
        counted = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_large(field, limit or 0, None, int(counted.group(1)) if counted else None) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidRequest(
            field, "the file is not a readable image (it may be another kind of file, truncated or damaged); "
            "upload a PNG, JPEG or WebP"
        ) from exc
    if max_side:
        rgb = np.ascontiguousarray(fit_within(rgb, max_side))
    return DecodedImage(rgb, width, height)


def decode_image(data: bytes, *, max_pixels: int | None = None, field: str = "image") -> RGBImage:
    """PNG/JPEG/WebP… bytes to an RGB array (refused above `max_pixels`, see `read_image`)."""
    return read_image(data, max_pixels=max_pixels, field=field).rgb


def fit_within(image: np.ndarray, side: int) -> np.ndarray:
    """`image` scaled down (INTER_AREA) so its long side is at most `side`; unchanged if it already is."""
    height, width = image.shape[:2]
    scale = side / max(height, width)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=image.dtype)


def encode_png(image: np.ndarray | Image.Image) -> bytes:
    buffer = io.BytesIO()
    to_pil(image).save(buffer, format="PNG")
    return buffer.getvalue()


def encode_jpeg(image: np.ndarray | Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    to_pil(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


# --- alignment -------------------------------------------------------------------


class AlignedFace(NamedTuple):
    image: RGBImage
    matrix: npt.NDArray[np.float64]  # 2x3 similarity transform, original -> aligned pixels

    def transform(self, points: np.ndarray) -> Points:
        """Map points from the original image into the aligned one."""
        pts = np.asarray(points, dtype=np.float64)
        return (pts @ self.matrix[:, :2].T + self.matrix[:, 2]).astype(np.float32)


def face_anchors(landmarks: np.ndarray) -> Points:
    """(3, 2): image-left eye centre, image-right eye centre, mouth centre. Accepts a mesh or 3 points."""
    pts = _points(landmarks, "landmarks")
    if len(pts) == 3:
        return pts
    if len(pts) < 468:
        raise InvalidRequest(
            "landmarks", f"need the 468/478-point face mesh or 3 anchor points, got {len(pts)}"
        )
    if len(pts) >= 478:
        left, right = pts[_IRISES[0]], pts[_IRISES[1]]
    else:
        left, right = pts[list(_LEFT_EYE)].mean(axis=0), pts[list(_RIGHT_EYE)].mean(axis=0)
    return np.stack([left, right, pts[list(_MOUTH)].mean(axis=0)]).astype(np.float32)


def align_face(image: np.ndarray, landmarks: np.ndarray, size: int = 256) -> AlignedFace:
    """Crop a `size`² face with eyes level at 40% height and the mouth at 72% (similarity transform)."""
    if size < 16:
        raise InvalidRequest("size", f"must be at least 16 pixels, got {size}")
    rgb = to_rgb(image)
    template = np.array([[0.35, 0.40], [0.65, 0.40], [0.50, 0.72]], dtype=np.float32) * size
    matrix, _ = cv2.estimateAffinePartial2D(face_anchors(landmarks), template, method=cv2.LMEDS)
    if matrix is None:
        raise InvalidRequest("landmarks", "eyes and mouth coincide; pass landmarks of a real face")
    aligned = cv2.warpAffine(rgb, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return AlignedFace(image=_u8(aligned), matrix=np.asarray(matrix, dtype=np.float64))


# --- warping ---------------------------------------------------------------------


def warp(image: np.ndarray, src: np.ndarray, dst: np.ndarray, sigma: float | None = None) -> RGBImage:
    """Move the pixels at `src` points to `dst`, smoothly (Gaussian-weighted displacement field).

    Far from the points (beyond ~3 sigma) the image is unchanged. `sigma` defaults to
    twice the median nearest-neighbour spacing of `dst`.
    """
    rgb = to_rgb(image)
    src_pts, dst_pts = _points(src, "src"), _points(dst, "dst")
    if src_pts.shape != dst_pts.shape:
        raise InvalidRequest("dst", f"needs one point per src point: {len(dst_pts)} vs {len(src_pts)}")
    height, width = rgb.shape[:2]
    sigma = float(sigma or _spacing(dst_pts) * 2.0)
    if sigma <= 0:
        raise InvalidRequest("sigma", "must be positive")
    shift = (src_pts - dst_pts).astype(np.float32)  # backward map: output pixel -> where to sample
    x0, y0 = np.floor(dst_pts.min(axis=0) - 3 * sigma).clip(0).astype(int)
    x1, y1 = np.ceil(dst_pts.max(axis=0) + 3 * sigma).clip(max=(width, height)).astype(int)
    map_x, map_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    if x1 > x0 and y1 > y0:
        step = max(1, int(sigma / 4))
        gy, gx = np.mgrid[y0:y1:step, x0:x1:step].astype(np.float32)
        grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
        field = np.empty_like(grid)
        floor = np.exp(-2.0)  # a lone point's pull halves at 2 sigma
        for start in range(0, len(grid), 4096):
            chunk = grid[start : start + 4096]
            d2 = ((chunk[:, None, :] - dst_pts[None, :, :]) ** 2).sum(-1)
            weights = np.exp(-d2 / (2 * sigma * sigma))
            field[start : start + 4096] = weights @ shift / (weights.sum(axis=1, keepdims=True) + floor)
        coarse = field.reshape(gx.shape[0], gx.shape[1], 2)
        dense = cv2.resize(coarse, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        map_x[y0:y1, x0:x1] += dense[..., 0]
        map_y[y0:y1, x0:x1] += dense[..., 1]
    return _u8(cv2.remap(rgb, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT))


def exaggerate(landmarks: np.ndarray, reference: np.ndarray, strength: float = 0.5) -> Points:
    """Push each landmark away from a mean face (`reference`, same layout), after a similarity fit."""
    pts, ref = _points(landmarks, "landmarks"), _points(reference, "reference")
    if pts.shape != ref.shape:
        raise InvalidRequest("reference", f"needs the same points as landmarks: {len(ref)} vs {len(pts)}")
    matrix, _ = cv2.estimateAffinePartial2D(ref, pts, method=cv2.LMEDS)
    if matrix is None:
        raise InvalidRequest(
            "reference", "could not be fitted to the landmarks; pass a mean face of the same layout"
        )
    fitted = ref @ matrix[:, :2].T.astype(np.float32) + matrix[:, 2].astype(np.float32)
    return (pts + strength * (pts - fitted)).astype(np.float32)


def caricature(
    image: np.ndarray, landmarks: np.ndarray, strength: float = 0.5, reference: np.ndarray | None = None
) -> RGBImage:
    """A caricature warp of one face.

    With a `reference` mean face, features are exaggerated away from it. Without one, the
    classic cartoon proportions: eyes, nose and mouth grow about their own centres.
    """
    if not 0.0 <= strength <= 2.0:
        raise InvalidRequest("strength", f"must be between 0 and 2, got {strength}")
    pts = _points(landmarks, "landmarks")
    if reference is not None:
        return warp(image, pts, exaggerate(pts, reference, strength))
    left, right, mouth = face_anchors(pts)
    eye_gap = float(np.linalg.norm(right - left))
    features = [(left, 0.45), (right, 0.45), (mouth, 0.65)]
    if len(pts) > _NOSE_TIP:
        features.append((pts[_NOSE_TIP], 0.35))
    dst = pts.copy()
    for centre, radius in features:
        offset = pts - centre
        r = np.linalg.norm(offset, axis=1, keepdims=True) / (radius * eye_gap)
        dst += offset * strength * np.clip(1.0 - r * r, 0.0, None)
    return warp(image, pts, dst, sigma=eye_gap * 0.12)


# --- colour and compositing ------------------------------------------------------------


def color_transfer(image: np.ndarray, reference: np.ndarray) -> RGBImage:
    """Give `image` the colour statistics of `reference` (Reinhard et al. 2001, in CIELAB)."""
    source, target = _lab(to_rgb(image)), _lab(to_rgb(reference))
    src_mean, src_std = source.reshape(-1, 3).mean(0), source.reshape(-1, 3).std(0)
    ref_mean, ref_std = target.reshape(-1, 3).mean(0), target.reshape(-1, 3).std(0)
    out = (source - src_mean) * (ref_std / np.maximum(src_std, 1e-6)) + ref_mean
    out[..., 0] = out[..., 0].clip(0, 100)
    out[..., 1:] = out[..., 1:].clip(-127, 127)
    rgb = cv2.cvtColor(out.astype(np.float32), cv2.COLOR_LAB2RGB)
    return (rgb.clip(0, 1) * 255 + 0.5).astype(np.uint8)


def seamless_clone(source: np.ndarray, destination: np.ndarray, landmarks: np.ndarray) -> RGBImage:
    """Blend the face hull of `landmarks` from `source` into `destination` in place (Poisson blending).

    Both images have the same size and the landmarks are in that shared frame (align
    or warp the source first).
    """
    src, dst = to_rgb(source), to_rgb(destination)
    if src.shape != dst.shape:
        raise InvalidRequest(
            "source", f"size {src.shape[:2]} differs from destination {dst.shape[:2]}; resize first"
        )
    height, width = dst.shape[:2]
    pts = _points(landmarks, "landmarks")
    hull = cv2.convexHull(np.round(pts).astype(np.int32).clip((1, 1), (width - 2, height - 2)))
    mask = np.zeros((height, width), dtype=np.uint8)
    cv2.fillConvexPoly(mask, hull, 255)
    x, y, w, h = cv2.boundingRect(hull)
    if w < 3 or h < 3:
        raise InvalidRequest("landmarks", "enclose too small an area to blend; pass a face's landmarks")
    try:
        return _u8(cv2.seamlessClone(src, dst, mask, (x + w // 2, y + h // 2), cv2.NORMAL_CLONE))
    except cv2.error as exc:
        raise InvalidRequest("landmarks", f"OpenCV could not blend this region: {exc.msg}") from exc


# --- styles ------------------------------------------------------------------------


def stylize(image: np.ndarray, style: Literal["cartoon", "paint", "sketch"] = "cartoon") -> RGBImage:
    """A non-photorealistic rendering: flat-colour cartoon with ink edges, painterly, or pencil sketch."""
    rgb = to_rgb(image)
    if style == "paint":
        return _u8(cv2.stylization(rgb, sigma_s=60, sigma_r=0.45))
    if style == "sketch":
        gray, _ = cv2.pencilSketch(rgb, sigma_s=60, sigma_r=0.07, shade_factor=0.05)
        return _u8(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB))
    if style != "cartoon":
        raise InvalidRequest("style", f"unknown style {style!r}; use 'cartoon', 'paint' or 'sketch'")
    return cartoonize(rgb)


def cartoonize(image: np.ndarray, levels: int = 8) -> RGBImage:
    """Edge-preserving smoothing, colours quantised to `levels` per channel, dark outlines on top."""
    rgb = to_rgb(image)
    smooth = cv2.edgePreservingFilter(rgb, flags=cv2.RECURS_FILTER, sigma_s=60, sigma_r=0.4)
    step = 256 // max(2, levels)
    flat = (smooth // step * step + step // 2).astype(np.uint8)
    gray = cv2.medianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), 7)
    block = max(3, (min(rgb.shape[:2]) // 60) | 1)
    edges = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5)
    return _u8(cv2.bitwise_and(flat, flat, mask=edges))


# --- helpers -------------------------------------------------------------------------


def _points(points: np.ndarray, name: str) -> Points:
    pts = np.asarray(points, dtype=np.float32)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0 or not np.isfinite(pts).all():
        raise InvalidRequest(
            name, f"needs an (N, 2) array of finite pixel coordinates, got shape {pts.shape}"
        )
    return pts


def _spacing(points: Points) -> float:
    """Median distance from each point to its nearest neighbour (1 pixel for fewer than 2 points)."""
    if len(points) < 2:
        return 1.0
    sample = points[:: max(1, len(points) // 500)]
    d2 = ((sample[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    d2[d2 == 0] = np.inf
    return max(1.0, float(np.sqrt(np.median(d2.min(axis=1)))))


def _lab(rgb: RGBImage) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB), dtype=np.float32)


def _u8(array: np.ndarray) -> RGBImage:
    """OpenCV's result, typed as the uint8 image it is (no copy)."""
    return np.asarray(array, dtype=np.uint8)
